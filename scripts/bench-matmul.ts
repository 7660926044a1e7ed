/**
 * Matrix-product throughput of every deepbelief backend available here, on the three
 * products of one RBM training step (batch 100, 784 visible, 500 hidden units):
 *
 * - forward         `v · W`                    [100, 784] · [784, 500]
 * - gradient        `matmul(v, h, {transposeA})` [784, 100] · [100, 500]
 * - reconstruction  `matmul(h, W, {transposeB})` [100, 500] · [500, 784]
 *
 * Each repetition makes fresh input tensors (not timed, so no backend can reuse weights it
 * packed for an earlier tensor) and times the product plus reading the result back. Two
 * warm-up runs, then repetitions until a time budget is spent; the median is reported.
 *
 * Run: `pnpm bench:matmul` (node --conditions=deepbelief-source --import tsx scripts/bench-matmul.ts).
 * Not a test: it prints a table and, last, one JSON line.
 */
import os from 'node:os';
import type { Ops, SeededRandom } from '@deepbelief/core';
import * as core from '@deepbelief/core';
import { registerInstalledBackends } from './lib/backends.js';

const registry = core.backendRegistry;
const notes: string[] = await registerInstalledBackends();

const [B, V, H] = [100, 784, 500];
const FLOPS = 2 * B * V * H;
type CaseName = 'forward' | 'gradient' | 'reconstruction';
interface Case {
  readonly name: CaseName;
  readonly a: [number, number];
  readonly b: [number, number];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}
const CASES: readonly Case[] = [
  { name: 'forward', a: [B, V], b: [V, H], transposeA: false, transposeB: false },
  { name: 'gradient', a: [B, V], b: [B, H], transposeA: true, transposeB: false },
  { name: 'reconstruction', a: [B, H], b: [V, H], transposeA: false, transposeB: true },
];

const rng: SeededRandom = new core.SeededRandom(7);
const data = new Map<string, Float32Array>();
const inputs = (c: Case): [Float32Array, Float32Array] => {
  const get = (key: string, shape: [number, number], scale: number) => {
    let d = data.get(key);
    if (!d) {
      d = rng.normalArray(shape[0] * shape[1]).map((x) => x * scale);
      data.set(key, d);
    }
    return d;
  };
  return [get(`${c.name}:a`, c.a, 1), get(`${c.name}:b`, c.b, 0.05)];
};

/** Per-case time budget: slow backends (js, tfjs-cpu) get few repetitions. */
const BUDGET_MS = 1500;
const MAX_REPS = 50;
const MIN_REPS = 3;

function measure(ops: Ops, c: Case): { ms: number; reps: number; result: Float32Array } {
  const [ad, bd] = inputs(c);
  let result: Float32Array = new Float32Array(0);
  const once = (): number => {
    const a = ops.tensor(ad, c.a);
    const b = ops.tensor(bd, c.b);
    const t0 = performance.now();
    const y = ops.matmul(a, b, { transposeA: c.transposeA, transposeB: c.transposeB });
    result = ops.read(y);
    const ms = performance.now() - t0;
    ops.dispose([a, b, y]);
    return ms;
  };
  once();
  once();
  const times: number[] = [];
  const start = performance.now();
  while (
    times.length < MIN_REPS ||
    (times.length < MAX_REPS && performance.now() - start < BUDGET_MS)
  ) {
    times.push(once());
  }
  times.sort((x, y) => x - y);
  return { ms: times[times.length >> 1]!, reps: times.length, result };
}

/** Largest |x − ref| / (1 + |ref|): float32 products of length ≤ 784 stay near 1e-6. */
function maxError(x: Float32Array, ref: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++)
    worst = Math.max(worst, Math.abs(x[i]! - ref[i]!) / (1 + Math.abs(ref[i]!)));
  return worst;
}

const reference = new Map<CaseName, Float32Array>();
const refOps = new core.Ops(core.createJsBackend());
for (const c of CASES) {
  const [ad, bd] = inputs(c);
  reference.set(
    c.name,
    refOps.tidy(() =>
      refOps.read(
        refOps.matmul(refOps.tensor(ad, c.a), refOps.tensor(bd, c.b), {
          transposeA: c.transposeA,
          transposeB: c.transposeB,
        }),
      ),
    ) as unknown as Float32Array,
  );
}

interface Row {
  gflops: Record<CaseName, number>;
  ms: Record<CaseName, number>;
  reps: Record<CaseName, number>;
  maxError: number;
}
const results: Record<string, Row> = {};
const skipped: Record<string, string> = {};

console.log(
  `matmul throughput, RBM shapes batch ${B} × ${V} visible × ${H} hidden (${(FLOPS / 1e6).toFixed(1)} MFLOP per product)`,
);
console.log(
  `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()}-${os.arch()}\n`,
);

for (const name of registry.names()) {
  let ops: Ops;
  try {
    ops = await registry.get(name);
  } catch (error) {
    skipped[name] = (error as Error).message.split('\n')[0]!;
    continue;
  }
  const row: Row = {
    gflops: {} as Record<CaseName, number>,
    ms: {} as Record<CaseName, number>,
    reps: {} as Record<CaseName, number>,
    maxError: 0,
  };
  for (const c of CASES) {
    const m = measure(ops, c);
    row.ms[c.name] = Number(m.ms.toFixed(3));
    row.gflops[c.name] = Number((FLOPS / (m.ms * 1e6)).toFixed(2));
    row.reps[c.name] = m.reps;
    row.maxError = Math.max(row.maxError, maxError(m.result, reference.get(c.name)!));
  }
  results[name] = row;
  await ops.backend.close?.();
}

const pad = (s: string, n: number) => s.padEnd(n);
const cell = (r: Row, c: CaseName) =>
  `${r.gflops[c].toFixed(2).padStart(7)} (${r.ms[c].toFixed(1).padStart(6)} ms ×${String(r.reps[c]).padStart(2)})`;
console.log(
  `${pad('backend', 11)} ${pad('forward v·W', 26)} ${pad('gradient vᵀ·h (transposeA)', 26)} ${pad('reconstruction h·Wᵀ (transposeB)', 26)} max rel err`,
);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${pad(name, 11)} ${pad(cell(r, 'forward'), 26)} ${pad(cell(r, 'gradient'), 26)} ${pad(cell(r, 'reconstruction'), 33)} ${r.maxError.toExponential(1)}`,
  );
}
console.log('(GFLOP/s, median time per product and repetitions)');
for (const [name, reason] of Object.entries(skipped)) console.log(`skipped ${name}: ${reason}`);
for (const note of notes) console.log(`note: ${note}`);

console.log(
  JSON.stringify({
    bench: 'matmul',
    unit: 'GFLOP/s',
    shapes: { batch: B, visible: V, hidden: H, flopsPerProduct: FLOPS },
    node: process.version,
    cpus: os.cpus().length,
    results,
    skipped,
  }),
);
