/**
 * The stages of the 2006 DBN pipeline beside the numpy peer (`../shared/peers/dbn_numpy.py`),
 * per mini-batch of 100 real MNIST images, and the wall time of the paper's full protocol
 * projected from them.
 *
 * Rows (see `scripts/lib/pipeline-workload.ts`): CD-1 on each greedy layer's shape (784-500,
 * 500-500, 510-2000), up-down on 784-500-500-(2000 ↔ 500 + 10) at k = 3 and k = 10, and SGD
 * backprop on the unrolled 784-500-500-2000-10 classifier.
 *
 * Every (backend, row) pair trains in its own child process, as the peer does, so rows share
 * no heap, no JIT profile and no ONNX Runtime sessions, and each child's peak RSS is that
 * row's alone. Each child warms up for `WARMUP` (150) batches: a deferring backend compiles
 * the graph of a 50-batch training window the second time it sees it. The machine drifts by
 * ±30 %, so the runs are interleaved: each round times every row on every backend, then runs
 * the peer (twice: k = 3 with the CD-1 and backprop rows, and k = 10); each ratio is taken
 * within its round, and the figures reported are medians over rounds.
 *
 * Projection of the paper's full protocol (Hinton, Osindero & Teh 2006; Hinton &
 * Salakhutdinov 2006), 600 batches per epoch (all 60,000 images; the 44,000-image phase of
 * the paper is shorter, so this is an upper bound), training batches only (no evaluation):
 * 30 CD-1 epochs per layer, up-down for 100 epochs each at k = 3, 6 and 10 (k = 6
 * interpolated linearly between the measured k = 3 and k = 10; a Gibbs step costs the same
 * at any k), then 50 backprop epochs.
 *
 * Run: `pnpm bench:pipeline [--batches 50] [--rounds 5] [--backends onnx,tfjs-wasm]`
 * (default: the fastest backend that starts). Keep `--batches` a multiple of 50.
 * The last line is JSON: {"rows": {NAME: {"deepbelief_ms", "numpy_ms", "ratio"}},
 * "projectedFullProtocolSeconds", ...}.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendRegistry } from '@deepbelief/core';
import { mnistDataDir } from '@deepbelief/datasets';
import { registerInstalledBackends, startableBackends } from './lib/backends.js';
import {
  type BenchChild,
  machineInfo,
  matmulRate,
  median,
  numpyMatmulRate,
  serveBenchCommands,
  startBenchChild,
} from './lib/bench.js';
import {
  PIPELINE_ROWS,
  type PipelineRow,
  pipelineFlops,
  pipelineWorkload,
} from './lib/pipeline-workload.js';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    backends: { type: 'string' },
    /** Internal: serve one (backend, row) pair's timed runs on stdin/stdout. */
    child: { type: 'string' },
  },
});
const batches = Number(values.batches);
const rounds = Number(values.rounds);
const WARMUP = 150;
const BATCHES_PER_EPOCH = 600;

/** Child mode: one backend, one row; `run` answers the ms per batch of `batches` batches. */
async function serveChild(spec: string): Promise<void> {
  const [name, row] = spec.split(':') as [string, PipelineRow];
  await registerInstalledBackends();
  const ops = await backendRegistry.get(name);
  const workload = await pipelineWorkload(ops, row);
  await workload.train(WARMUP);
  await serveBenchCommands(async (line) => {
    if (line === 'run') {
      const t0 = performance.now();
      await workload.train(batches);
      return { ms: (performance.now() - t0) / batches };
    }
    if (line === 'stats')
      return {
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
        matmulGflops: row === 'cd1-784x500' ? matmulRate(ops).best : 0,
      };
    return undefined;
  });
}

if (values.child) {
  await serveChild(values.child);
  process.exit(0);
}

interface Runner extends BenchChild {
  readonly backend: string;
  readonly row: PipelineRow;
}

async function startRunner(backend: string, row: PipelineRow): Promise<Runner> {
  const child = await startBenchChild(fileURLToPath(import.meta.url), `${backend}:${row}`);
  return { ...child, backend, row };
}

/** One round of the peer: ms per batch of every row, or the reason it could not run. */
function runNumpy(): Partial<Record<PipelineRow, number>> | string {
  const peer = new URL('../../shared/peers/dbn_numpy.py', import.meta.url).pathname;
  const run = (args: string[]) =>
    JSON.parse(
      execFileSync(
        'python3',
        [peer, '--data', mnistDataDir(), '--batches', String(batches), ...args, '--json'],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n')
        .at(-1)!,
    ) as Record<string, number & Record<string, number>>;
  try {
    const k3 = run([
      '--k',
      '3',
      '--pretrain-batches',
      String(batches),
      '--backprop-batches',
      String(batches),
    ]);
    const k10 = run(['--k', '10']);
    const pre = k3.pretrain_ms_per_batch as unknown as Record<string, number>;
    return {
      'cd1-784x500': pre['784x500']!,
      'cd1-500x500': pre['500x500']!,
      'cd1-510x2000': pre['510x2000']!,
      'updown-k3': k3.updown_ms_per_batch,
      'updown-k10': k10.updown_ms_per_batch,
      backprop: k3.backprop_ms_per_batch,
    };
  } catch (error) {
    return `numpy peer not run: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Seconds of the paper's full protocol from per-batch milliseconds of every row. */
function projectSeconds(ms: Record<PipelineRow, number>): Record<string, number> {
  const k6 = ms['updown-k3'] + ((ms['updown-k10'] - ms['updown-k3']) * 3) / 7;
  const epochs = (n: number, perBatch: number) => (n * BATCHES_PER_EPOCH * perBatch) / 1000;
  const pretraining = epochs(30, ms['cd1-784x500'] + ms['cd1-500x500'] + ms['cd1-510x2000']);
  const upDown = epochs(100, ms['updown-k3'] + k6 + ms['updown-k10']);
  const backprop = epochs(50, ms.backprop);
  return { pretraining, upDown, backprop, total: pretraining + upDown + backprop };
}

const notes = await registerInstalledBackends();
const { ready, failed } = await startableBackends(values.backends?.split(','));
const names = values.backends ? ready.map((r) => r.name) : ready.slice(0, 1).map((r) => r.name);
for (const { ops } of ready) await ops.backend.close?.();
if (!names.length) throw new Error(`no backend starts: ${failed.join('; ')}`);
console.log(
  `# bench:pipeline: ${os.cpus().length} CPUs, load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}, backends ${names.join(', ')}, ${rounds} rounds of ${batches} batches ` +
    `after ${WARMUP} warm-up batches per child`,
);
const runners: Runner[] = [];
for (const name of names)
  for (const row of PIPELINE_ROWS) runners.push(await startRunner(name, row));

const perName = <T>(): Record<string, T> => Object.fromEntries(names.map((n) => [n, {} as T]));
const times = perName<Partial<Record<PipelineRow, number[]>>>();
const ratios = perName<Partial<Record<PipelineRow, number[]>>>();
const numpyTimes: Partial<Record<PipelineRow, number[]>> = {};
let numpyNote = '';
const push = <T>(rec: Partial<Record<PipelineRow, T[]>>, row: PipelineRow, v: T) => {
  rec[row] = [...(rec[row] ?? []), v];
};
for (let round = 0; round < rounds; round++) {
  const mine = perName<Partial<Record<PipelineRow, number>>>();
  for (const r of runners) {
    const { ms } = await r.ask('run');
    mine[r.backend]![r.row] = ms!;
    push(times[r.backend]!, r.row, ms!);
  }
  const numpy = numpyNote || runNumpy();
  if (typeof numpy === 'string') numpyNote = numpy;
  else
    for (const row of PIPELINE_ROWS) {
      push(numpyTimes, row, numpy[row]!);
      for (const name of names) push(ratios[name]!, row, numpy[row]! / mine[name]![row]!);
    }
  console.log(
    `round ${round + 1}/${rounds} (ms/batch): ` +
      PIPELINE_ROWS.map(
        (row) =>
          `${row} ${names.map((n) => mine[n]![row]!.toFixed(2)).join('/')}` +
          (typeof numpy === 'string' ? '' : ` (numpy ${numpy[row]!.toFixed(2)})`),
      ).join(', '),
  );
}

const stats = perName<Record<string, Record<string, number>>>();
for (const r of runners) {
  stats[r.backend]![r.row] = await r.ask('stats');
  r.close();
}
const numpyPeak = numpyMatmulRate()?.best ?? null;
const peak = Math.max(numpyPeak ?? 0, ...names.map((n) => stats[n]!['cd1-784x500']!.matmulGflops!));
console.log(
  `\nmedians over ${rounds} rounds; matmul peak ${peak.toFixed(0)} GFLOP/s (best [100,784]·[784,500] of numpy and every backend)`,
);
const medianMs = (rec: Partial<Record<PipelineRow, number[]>>) =>
  Object.fromEntries(PIPELINE_ROWS.map((row) => [row, median(rec[row]!)])) as Record<
    PipelineRow,
    number
  >;
const numpyMs = numpyNote ? null : medianMs(numpyTimes);
const perBackend: Record<string, object> = {};
for (const name of names) {
  const ms = medianMs(times[name]!);
  console.log(`\n${name}`);
  const rows: Record<string, object> = {};
  for (const row of PIPELINE_ROWS) {
    const gflops = pipelineFlops(row) / (ms[row] / 1000) / 1e9;
    const ratio = numpyMs ? median(ratios[name]![row]!) : null;
    const rss = stats[name]![row]!.maxRssMiB!;
    rows[row] = {
      deepbelief_ms: ms[row],
      numpy_ms: numpyMs?.[row] ?? null,
      ratio,
      ratioRounds: ratios[name]?.[row] ?? [],
      rounds: times[name]![row],
      gflops,
      percentOfMatmulPeak: (100 * gflops) / peak,
      maxRssMiB: rss,
    };
    console.log(
      `  ${row.padEnd(13)} ${ms[row].toFixed(2).padStart(7)} ms/batch` +
        (numpyMs
          ? `  numpy ${numpyMs[row].toFixed(2).padStart(7)}  ratio ${ratio!.toFixed(2)}×`
          : '') +
        `  ${gflops.toFixed(0).padStart(4)} GFLOP/s = ${((100 * gflops) / peak).toFixed(0)} % of peak` +
        `  peak RSS ${rss.toFixed(0)} MiB`,
    );
  }
  const projected = projectSeconds(ms);
  console.log(
    `  projected full protocol: ${(projected.total! / 3600).toFixed(2)} h ` +
      `(pre-training ${(projected.pretraining! / 60).toFixed(1)} min, up-down ${(projected.upDown! / 60).toFixed(1)} min, ` +
      `backprop ${(projected.backprop! / 60).toFixed(1)} min)`,
  );
  perBackend[name] = { rows, projected };
}
const numpyProjected = numpyMs ? projectSeconds(numpyMs) : null;
if (numpyProjected)
  console.log(
    `\nnumpy peer, projected full protocol: ${(numpyProjected.total! / 3600).toFixed(2)} h`,
  );
else console.log(`\n${numpyNote}`);
for (const f of [...notes, ...failed]) console.log(`skipped ${f}`);
const fastest = names[0]!;
const fastestRows = (perBackend[fastest] as { rows: Record<string, Record<string, unknown>> }).rows;
console.log(
  JSON.stringify({
    backend: fastest,
    rows: Object.fromEntries(
      Object.entries(fastestRows).map(([row, r]) => [
        row,
        {
          deepbelief_ms: r.deepbelief_ms,
          numpy_ms: r.numpy_ms,
          ratio: r.ratio,
          maxRssMiB: r.maxRssMiB,
        },
      ]),
    ),
    projectedFullProtocolSeconds: (perBackend[fastest] as { projected: { total: number } })
      .projected.total,
    projected: (perBackend[fastest] as { projected: object }).projected,
    numpyProjectedFullProtocolSeconds: numpyProjected?.total ?? null,
    backends: perBackend,
    matmulPeakGflops: peak,
    numpyMatmulGflops: numpyPeak,
    rounds,
    batches,
    machine: machineInfo(),
    skipped: [...notes, ...failed, ...(numpyNote ? [numpyNote] : [])],
  }),
);
