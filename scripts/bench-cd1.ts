/**
 * CD-1 training throughput: deepbelief on every available backend beside the numpy
 * reference (`../shared/peers/rbm_numpy.py`), in one invocation, on the same real MNIST
 * files and the same hyper-parameters (784-500, batch 100, lr 0.1, momentum 0.5, weight cost
 * 2e-4, a fixed number of batches per round).
 *
 * Each backend trains in its own child process (as numpy does), so backends do not share
 * a JIT profile or a heap. The machine's speed drifts by ±30 % from second to second
 * (shared 2-core VM), so the runs are interleaved: each round times every fast backend and
 * then numpy, and the ratio to numpy is taken within each round; the reported figures are
 * medians over rounds. Each child first trains `CD1_WARMUP` (150) warm-up batches, so the
 * graph a deferring backend compiles for the window between two metric reads (every 50
 * batches) stays out of the timings; keep `--batches` a multiple of 50 so rounds stay
 * aligned with those windows. Also reports each backend's effective GFLOP/s of the CD-1 step
 * against the machine's measured matmul peak (the best rate numpy/OpenBLAS or any backend
 * reached on the forward product).
 *
 * Run: `pnpm bench:cd1 [--batches 200] [--rounds 5] [--backends onnx,tfjs-wasm]`.
 * The last line is one JSON object: {"numpy": samplesPerSecond, "backends": {name: samplesPerSecond}, ...}.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { registerInstalledBackends, startableBackends } from './lib/backends.js';
import {
  type BenchChild,
  MATMUL_FLOPS,
  machineInfo,
  matmulRate,
  median,
  numpyMatmulRate,
  serveBenchCommands,
  startBenchChild,
} from './lib/bench.js';
import { CD1_BATCH, CD1_WARMUP, cd1Workload } from './lib/cd1-workload.js';
import { runNumpyPeer } from './lib/numpy-peer.js';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    backends: { type: 'string' },
    'slow-batches': { type: 'string', default: '10' },
    /** Internal: serve one backend's timed runs on stdin/stdout (`run`, `matmul`). */
    child: { type: 'string' },
  },
});
const batches = Number(values.batches);
const rounds = Number(values.rounds);
const slowBatches = Number(values['slow-batches']);
/** Backends too slow for more than one short round. */
const SLOW = new Set(['js', 'tfjs-cpu']);
const BATCH = CD1_BATCH;
const FLOPS_PER_PRODUCT = MATMUL_FLOPS;
const FLOPS_PER_STEP = 5 * FLOPS_PER_PRODUCT; // ph0, pv, ph1 and the two gradient products

/** One run of the numpy peer: samples/s over `n` batches, or the reason it could not run. */
function runNumpy(n: number): number | string {
  try {
    return runNumpyPeer(['--epochs', '1', '--max-batches', String(n)])[0]!.samples_per_s;
  } catch (error) {
    return `numpy reference not run: ${(error as Error).message.split('\n')[0]}`;
  }
}

/**
 * Child mode: trains one backend, answering `run` with the samples/s of `batches` CD-1
 * batches (every deferred op finished inside the timing) and `matmul` with its matmul rate.
 */
async function serveChild(name: string): Promise<void> {
  await registerInstalledBackends();
  const { ready } = await startableBackends([name]);
  const ops = ready[0]!.ops;
  const n = SLOW.has(name) ? slowBatches : batches;
  const workload = await cd1Workload(ops);
  await workload.train(SLOW.has(name) ? 2 : CD1_WARMUP);
  await serveBenchCommands(async (line) => {
    if (line === 'run') {
      const t0 = performance.now();
      await workload.train(n);
      return { samplesPerSecond: (n * BATCH) / ((performance.now() - t0) / 1000) };
    }
    return line === 'matmul' ? matmulRate(ops) : undefined;
  });
}

if (values.child) {
  await serveChild(values.child);
  process.exit(0);
}

interface Runner extends BenchChild {
  readonly name: string;
  readonly batches: number;
}

/** Starts a child process for backend `name` and waits until it has warmed up. */
async function startRunner(name: string): Promise<Runner> {
  const child = await startBenchChild(fileURLToPath(import.meta.url), name);
  return { ...child, name, batches: SLOW.has(name) ? slowBatches : batches };
}

const notes = await registerInstalledBackends();
const { ready, failed } = await startableBackends(values.backends?.split(','));
const names = ready.map((r) => r.name);
for (const { ops } of ready) await ops.backend.close?.();
const runners: Runner[] = [];
for (const name of names) runners.push(await startRunner(name));

const perRound: Record<string, number[]> = {};
const ratios: Record<string, number[]> = {};
const numpyRounds: number[] = [];
let numpyNote = '';
for (let round = 0; round < rounds; round++) {
  const line: string[] = [];
  const thisRound: Record<string, number> = {};
  for (const r of runners) {
    if (SLOW.has(r.name) && round > 0) continue;
    const sps = (await r.ask('run')).samplesPerSecond!;
    thisRound[r.name] = sps;
    perRound[r.name] = [...(perRound[r.name] ?? []), sps];
    line.push(`${r.name} ${sps.toFixed(0)}`);
  }
  const numpy = numpyNote ? numpyNote : runNumpy(batches);
  if (typeof numpy === 'number') {
    numpyRounds.push(numpy);
    line.push(`numpy ${numpy.toFixed(0)}`);
    for (const [name, sps] of Object.entries(thisRound)) {
      ratios[name] = [...(ratios[name] ?? []), sps / numpy];
    }
  } else {
    numpyNote = numpy;
  }
  console.log(`round ${round + 1}/${rounds} (samples/s): ${line.join(', ')}`);
}

const numpyMatmul = numpyMatmulRate();
const numpy = numpyRounds.length ? median(numpyRounds) : null;
const matmul: Record<string, { median: number; best: number }> = {};
for (const r of runners) {
  matmul[r.name] = (await r.ask('matmul')) as { median: number; best: number };
  r.close();
}
// The machine's matmul peak for this shape: the best rate any library reached here.
const peak = Math.max(numpyMatmul?.best ?? 0, ...Object.values(matmul).map((m) => m.best));
const results: Record<string, Record<string, number | number[] | null>> = {};
console.log(
  `\nmedians over ${rounds} rounds of ${batches} batches (slow backends: 1 round of ${slowBatches}); ` +
    `matmul peak ${peak.toFixed(0)} GFLOP/s (best [100,784]·[784,500] of numpy and every backend)`,
);
for (const r of runners) {
  const sps = median(perRound[r.name]!);
  const mm = matmul[r.name]!;
  const gflops = (FLOPS_PER_STEP * sps) / BATCH / 1e9;
  const ratio = ratios[r.name] ? median(ratios[r.name]!) : null;
  results[r.name] = {
    samplesPerSecond: sps,
    rounds: perRound[r.name]!,
    ratioToNumpy: ratio,
    ratioToNumpyRounds: ratios[r.name] ?? [],
    msPerBatch: (1000 * BATCH) / sps,
    batchesPerRound: r.batches,
    gflops,
    matmulGflops: mm.median,
    matmulBestGflops: mm.best,
    fractionOfPeak: gflops / peak,
  };
  console.log(
    `${r.name.padEnd(12)} ${sps.toFixed(0).padStart(7)} samples/s  ${((1000 * BATCH) / sps).toFixed(2).padStart(7)} ms/batch  ` +
      `CD-1 ${gflops.toFixed(1)} GFLOP/s = ${((100 * gflops) / peak).toFixed(0)} % of peak` +
      ` (own matmul ${mm.median.toFixed(1)}, best ${mm.best.toFixed(1)})` +
      (ratio === null ? '' : `  ratio to numpy ${ratio.toFixed(2)}×`),
  );
}
if (numpy !== null) {
  const gflops = (FLOPS_PER_STEP * numpy) / BATCH / 1e9;
  console.log(
    `${'numpy'.padEnd(12)} ${numpy.toFixed(0).padStart(7)} samples/s  ${((1000 * BATCH) / numpy).toFixed(2).padStart(7)} ms/batch  ` +
      `CD-1 ${gflops.toFixed(1)} GFLOP/s = ${((100 * gflops) / peak).toFixed(0)} % of peak` +
      (numpyMatmul
        ? ` (numpy matmul ${numpyMatmul.median.toFixed(0)}, best ${numpyMatmul.best.toFixed(0)})`
        : ''),
  );
} else {
  console.log(numpyNote);
}
for (const f of [...notes, ...failed]) console.log(`skipped ${f}`);
console.log(
  JSON.stringify({
    numpy,
    backends: Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, Math.round(v.samplesPerSecond as number)]),
    ),
    ratios: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.ratioToNumpy])),
    // one flat record per backend: the docs' benchmarks page shows these as a table
    rows: Object.entries(results).map(([backend, r]) => ({
      backend,
      samplesPerSecond: Math.round(r.samplesPerSecond as number),
      msPerBatch: r.msPerBatch,
      ratioToNumpy: r.ratioToNumpy,
      gflops: r.gflops,
      percentOfMatmulPeak: 100 * (r.fractionOfPeak as number),
    })),
    details: results,
    numpyRounds,
    numpyMatmulGflops: numpyMatmul,
    matmulPeakGflops: peak,
    rounds,
    batches,
    machine: machineInfo(),
    skipped: [...notes, ...failed, ...(numpyNote ? [numpyNote] : [])],
  }),
);
