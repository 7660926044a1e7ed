#!/usr/bin/env bash
# Runs the tfjs adapters in headless Chromium (WebGL through SwiftShader): webgl, wasm
# (its .wasm files served from /wasm/ and found through the `wasmPaths` option) and cpu,
# each checked against core's js reference, then interleaved. Needs Debian's chromium
# package (apt-get install chromium); not part of `pnpm test`. Exits non-zero on failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PORT="${PORT:-8765}"
command -v chromium >/dev/null || { echo "browser-check: needs chromium (apt-get install chromium)" >&2; exit 2; }

SITE="$(mktemp -d "${TMPDIR:-/tmp}/deepbelief-browser-check.XXXXXX")"
cp "$HERE/index.html" "$SITE/"
"$ROOT/node_modules/.bin/esbuild" "$HERE/entry.ts" --bundle --format=iife --platform=browser \
  --conditions=deepbelief-source --outfile="$SITE/bundle.js" --log-level=warning
ln -s "$(cd "$HERE/../node_modules/@tensorflow/tfjs-backend-wasm/dist" && pwd -P)" "$SITE/wasm"

python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE" >/dev/null 2>&1 &
SERVER=$!
trap 'kill "$SERVER"; rm -rf "$SITE"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/index.html')" 2>/dev/null && break
  sleep 0.1
done

DOM="$(timeout 300 chromium --headless=new --no-sandbox --use-angle=swiftshader \
  --enable-unsafe-swiftshader --virtual-time-budget=120000 \
  --dump-dom "http://127.0.0.1:$PORT/index.html" 2>/dev/null)"
RESULT="$(grep -o 'RESULT {.*}' <<<"$DOM" | sed 's/^RESULT //')" || {
  echo "browser-check: no result in the page: $DOM" >&2
  exit 1
}
node -e '
  const r = JSON.parse(process.argv[1]);
  if (r.error) { console.error("browser-check: page error:", r.error); process.exit(1); }
  for (const line of r.log) console.log(line);
  for (const f of r.failures) console.error("FAIL", f);
  console.log(r.failures.length ? "browser-check: FAILED" : "browser-check: OK");
  process.exit(r.failures.length ? 1 : 0);
' "$RESULT"
