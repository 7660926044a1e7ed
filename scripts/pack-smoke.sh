#!/usr/bin/env bash
# Packs @deepbelief/core and @deepbelief/backend-tfjs as they would be published, installs
# the two tarballs with npm into a scratch project (tfjs dependencies come from the
# registry), and runs an ESM script that uses the public API: wasm and cpu backends, a
# matmul each, results checked, plus the ./register entry and registry.best().
# Exits non-zero on any failure. Set KEEP=1 to keep the scratch folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/deepbelief-pack-smoke.XXXXXX")"
if [[ "${KEEP:-0}" == 1 ]]; then
  echo "pack-smoke: keeping $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi

step() { printf '\n== %s\n' "$*"; }

step "build core and backend-tfjs"
cd "$ROOT"
pnpm --filter @deepbelief/core --filter @deepbelief/backend-tfjs build

step "pack into $WORK"
for pkg in core backend-tfjs; do
  (cd "$ROOT/packages/$pkg" && pnpm pack --pack-destination "$WORK" >/dev/null)
done
ls -1 "$WORK"/*.tgz
CORE_TGZ="$(ls "$WORK"/deepbelief-core-*.tgz)"
TFJS_TGZ="$(ls "$WORK"/deepbelief-backend-tfjs-*.tgz)"

step "check the packed manifest and file list"
tar -xzOf "$TFJS_TGZ" package/package.json >"$WORK/packed-package.json"
if grep -q 'workspace:' "$WORK/packed-package.json"; then
  echo "pack-smoke: packed package.json still has workspace: ranges" >&2
  exit 1
fi
FILES="$(tar -tzf "$TFJS_TGZ")"
for f in package/dist/index.js package/dist/index.d.ts package/dist/register.js package/README.md; do
  grep -qx "$f" <<<"$FILES" || { echo "pack-smoke: $f missing from the tarball" >&2; exit 1; }
done
if grep -q '\.test\.' <<<"$FILES"; then
  echo "pack-smoke: test files were packed" >&2
  exit 1
fi
echo "manifest and files ok ($(wc -l <<<"$FILES") files)"

step "npm install the tarballs into a scratch project"
mkdir "$WORK/app"
cd "$WORK/app"
cat >package.json <<'JSON'
{ "name": "deepbelief-pack-smoke", "version": "0.0.0", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --loglevel=error "$CORE_TGZ" "$TFJS_TGZ"
if [[ -d node_modules/@tensorflow/tfjs-node ]]; then
  echo "pack-smoke: npm installed the optional peer @tensorflow/tfjs-node" >&2
  exit 1
fi

step "run the smoke script"
cat >smoke.mjs <<'JS'
import assert from 'node:assert/strict';
import { backendRegistry, Ops } from '@deepbelief/core';
import { createTfjsBackend, nodeWasmDir } from '@deepbelief/backend-tfjs';

console.log('wasm binaries:', await nodeWasmDir());
const a = [[1, 2, 3], [4, 5, 6]];
const b = [[1, 0], [0, 1], [1, 1]];
for (const flavor of ['wasm', 'cpu']) {
  const ops = new Ops(await createTfjsBackend({ flavor }));
  const y = ops.toRows(ops.matmul(ops.tensor(a), ops.tensor(b)));
  const g = ops.toRows(ops.matmul(ops.tensor(a), ops.tensor(a), { transposeA: true }));
  const s = ops.toRows(ops.linear(ops.tensor(a), ops.tensor(b), ops.tensor([[-4, -5]]), { activation: 'sigmoid' }));
  console.log(`${ops.name}: a·b =`, JSON.stringify(y), ' aᵀ·a =', JSON.stringify(g), ' σ(a·b − [4, 5]) =', JSON.stringify(s));
  assert.deepEqual(y, [[4, 5], [10, 11]]);
  assert.deepEqual(g, [[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
  assert.ok(Math.abs(s[0][0] - 0.5) < 1e-6 && Math.abs(s[1][1] - 1 / (1 + Math.exp(-6))) < 1e-6);
}

await import('@deepbelief/backend-tfjs/register');
const best = await backendRegistry.best();
console.log('registered:', backendRegistry.names().join(', '));
console.log('best():', best.name, '| skipped:', backendRegistry.lastFailures.map((f) => `${f.name}: ${f.reason}`).join('; '));
assert.equal(best.name, 'tfjs-wasm');
assert.match(backendRegistry.lastFailures[0].reason, /install it with `npm install @tensorflow\/tfjs-node`/);
console.log('pack-smoke: OK');
JS
node smoke.mjs
