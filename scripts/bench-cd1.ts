/**
 * CD-1 training throughput: deepbelief on every available backend beside the numpy
 * reference (`../shared/peers/rbm_numpy.py`), in one invocation, on the same real MNIST
 * files and the same hyper-parameters (784-500, batch 100, lr 0.1, momentum 0.5, weight cost
 * 2e-4, a fixed number of batches). Also reports each backend's effective GFLOP/s of the
 * CD-1 step against its own measured matmul rate on the forward product.
 *
 * Run: `pnpm bench:cd1 [--batches 200] [--backends onnx,tfjs-wasm]`.
 * The last line is one JSON object: {"numpy": samplesPerSecond, "backends": {name: samplesPerSecond}, ...}.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type Ops, SeededRandom } from '@deepbelief/core';
import { loadMnist, mnistDataDir } from '@deepbelief/datasets';
import { RBM, RBMTrainer } from '@deepbelief/rbm';
import { registerInstalledBackends, startableBackends } from './lib/backends.js';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '200' },
    backends: { type: 'string' },
    'slow-batches': { type: 'string', default: '10' },
  },
});
const batches = Number(values.batches);
const slowBatches = Number(values['slow-batches']);
const SLOW = new Set(['js', 'tfjs-cpu']);
const FLOPS_PER_STEP = 5 * 2 * 100 * 784 * 500; // ph0, pv, ph1 and the two gradient products

const train = await loadMnist({ split: 'train' });
const notes = await registerInstalledBackends();
const { ready, failed } = await startableBackends(values.backends?.split(','));

function matmulRate(ops: Ops): number {
  const rng = new SeededRandom(1);
  const a = ops.keep(ops.randomUniform([100, 784], rng));
  const w = ops.keep(ops.randomNormal([784, 500], rng, 0, 0.01));
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    ops.tidy(() => ops.read(ops.matmul(a, w)));
    times.push(performance.now() - t0);
  }
  ops.dispose([a, w]);
  times.sort((x, y) => x - y);
  return (2 * 100 * 784 * 500) / (times[Math.floor(times.length / 2)]! / 1000) / 1e9;
}

const results: Record<
  string,
  {
    samplesPerSecond: number;
    batches: number;
    gflops: number;
    matmulGflops: number;
    msPerBatch: number;
  }
> = {};
for (const { name, ops } of ready) {
  const n = SLOW.has(name) ? slowBatches : batches;
  const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
  const trainer = new RBMTrainer(
    rbm,
    { epochs: 1, batchSize: 100, learningRate: 0.1, momentum: 0.5, weightCost: 2e-4, k: 1 },
    1,
  );
  await trainer.fit(train, { maxBatches: 2 }); // warm-up: kernel compilation, session creation
  const t0 = performance.now();
  await trainer.fit(train, { maxBatches: n });
  const seconds = (performance.now() - t0) / 1000;
  const mm = matmulRate(ops);
  results[name] = {
    samplesPerSecond: (n * 100) / seconds,
    batches: n,
    msPerBatch: (seconds * 1000) / n,
    gflops: (FLOPS_PER_STEP * n) / seconds / 1e9,
    matmulGflops: mm,
  };
  trainer.dispose();
  rbm.dispose();
  console.log(
    `${name.padEnd(12)} ${results[name].samplesPerSecond.toFixed(0).padStart(7)} samples/s  ${results[name].msPerBatch.toFixed(2).padStart(7)} ms/batch  CD-1 ${results[name].gflops.toFixed(1)} GFLOP/s of matmul ${mm.toFixed(1)} GFLOP/s (${n} batches)`,
  );
}

let numpy: number | null = null;
let numpyNote = '';
try {
  const out = execFileSync(
    'python3',
    [
      new URL('../../shared/peers/rbm_numpy.py', import.meta.url).pathname,
      '--data',
      mnistDataDir(),
      '--epochs',
      '1',
      '--max-batches',
      String(batches),
      '--json',
    ],
    {
      encoding: 'utf8',
    },
  );
  const last = JSON.parse(out.trim().split('\n').at(-1)!);
  numpy = last.epochs[0].samples_per_s as number;
  console.log(
    `${'numpy'.padEnd(12)} ${numpy.toFixed(0).padStart(7)} samples/s  ${((100 / numpy) * 1000).toFixed(2).padStart(7)} ms/batch  CD-1 ${((FLOPS_PER_STEP * numpy) / 100 / 1e9).toFixed(1)} GFLOP/s (${batches} batches)`,
  );
} catch (error) {
  numpyNote = `numpy reference not run: ${(error as Error).message.split('\n')[0]}`;
  console.log(numpyNote);
}
for (const [name, r] of Object.entries(results)) {
  if (numpy) console.log(`ratio ${name}/numpy = ${(r.samplesPerSecond / numpy).toFixed(2)}×`);
}
for (const f of [...notes, ...failed]) console.log(`skipped ${f}`);
console.log(
  JSON.stringify({
    numpy,
    backends: Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, Math.round(v.samplesPerSecond)]),
    ),
    details: results,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    skipped: [...notes, ...failed, ...(numpyNote ? [numpyNote] : [])],
  }),
);
