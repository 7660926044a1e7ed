/**
 * Profiles @deepbelief/backend-onnx: per-call overhead, GFLOP/s of the three RBM products,
 * a CD-1 step of a 784-500 RBM (batch 100) written with Ops in several backend
 * configurations, and (`--ort-profile`) where each batch of `RBMTrainer` CD-1 training on real
 * MNIST spends its time, node by node. Optionally runs the numpy peer for comparison.
 *
 *   node --conditions=deepbelief-source --import tsx scripts/profile-onnx.ts \
 *     [--threads N] [--steps N] [--numpy DATA_DIR] [--ort-profile] [--json]
 *     [--only LABEL_SUBSTRING] [--skip overhead,products,cd] [--malloc-tuning on|off]
 *     [--workload cd1|cd1-510x2000|updown-k3|updown-k10|backprop|…]
 *
 * `--steps` is the number of steps a CD-1 pass times, and of batches `--ort-profile` times.
 * `--skip overhead,products,cd --ort-profile --steps 400` gives only the training profile.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createOnnxBackend,
  loadNativeBinding,
  type OnnxBackend,
  type OnnxBackendOptions,
} from '@deepbelief/backend-onnx';
import { Ops, SeededRandom, type Tensor } from '@deepbelief/core';
import { CD1_WARMUP, cd1Workload } from './lib/cd1-workload.js';
import { type PipelineRow, pipelineWorkload } from './lib/pipeline-workload.js';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string' },
    steps: { type: 'string', default: '200' },
    numpy: { type: 'string' },
    'ort-profile': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    'malloc-tuning': { type: 'string', default: 'on' },
    skip: { type: 'string', default: '' },
    /** What `--ort-profile` profiles: `cd1` (default), `updown` (k = 3) or `backprop`. */
    workload: { type: 'string', default: 'cd1' },
  },
});
const steps = Number(args.steps);
const threads = args.threads ? Number(args.threads) : undefined;
const results: Record<string, unknown> = {};
const log = (...parts: unknown[]) => {
  if (!args.json) console.log(...parts);
};

async function makeOps(options: OnnxBackendOptions = {}): Promise<[Ops, OnnxBackend]> {
  const backend = await createOnnxBackend({
    ...(threads ? { threads } : {}),
    mallocTuning: args['malloc-tuning'] !== 'off',
    ...options,
  });
  return [new Ops(backend), backend];
}

/** Median and minimum over `repeats` timings of `fn` (milliseconds), after warm-up. */
function time(fn: () => void, repeats: number, warmup = Math.min(20, repeats)) {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[ts.length >> 1]!, min: ts[0]! };
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

// ------------------------------------------------------------------ overhead ----------
async function overhead() {
  log('\n## Per-call overhead (1×1 tensors)');
  const [ops, backend] = await makeOps({ fusion: false });
  const a = ops.keep(ops.tensor([[1]]));
  // One op and a read: one native run of a cached one-node graph plus the copy out.
  const single = time(() => ops.tidy(() => ops.read(ops.add(a, 1))), 5000);
  log(`op + read, one graph per op      median ${us(single.median)}  min ${us(single.min)}`);
  // Deferring alone (no native call): the JavaScript side of an op.
  const [fops, fbackend] = await makeOps();
  const b = fops.keep(fops.tensor([[1]]));
  const defer = time(
    () =>
      fops.tidy(() => {
        let x = b;
        for (let i = 0; i < 100; i++) x = fops.add(x, 1);
        return undefined;
      }),
    200,
  );
  fbackend.flush();
  log(`deferring one op (JS only)       median ${us(defer.median / 100)}`);
  // A chain of 100 ops read once: fused into one graph after the first time.
  const chain = time(
    () =>
      fops.tidy(() => {
        let x = b;
        for (let i = 0; i < 100; i++) x = fops.add(x, 1);
        return fops.item(x);
      }),
    200,
  );
  log(
    `100-op chain + read, fused       median ${us(chain.median)} (${us(chain.median / 100)} per op)`,
  );
  results.overhead = {
    opAndReadUs: single.median * 1000,
    deferUs: (defer.median / 100) * 1000,
    fusedChain100Us: chain.median * 1000,
  };
  await backend.close?.();
  await fbackend.close?.();
}

// ------------------------------------------------------------------ products ----------
async function products() {
  log('\n## RBM products (2·100·784·500 = 78.4 MFLOP each)');
  const flop = 2 * 100 * 784 * 500;
  const [ops, backend] = await makeOps();
  const rng = new SeededRandom(1);
  const v = ops.keep(ops.randomUniform([100, 784], rng));
  const W = ops.keep(ops.randomNormal([784, 500], rng, 0, 0.01));
  const h = ops.keep(ops.randomUniform([100, 500], rng));
  const cases: [string, () => Tensor][] = [
    ['v·W            [100,784]·[784,500]', () => ops.matmul(v, W)],
    ['vᵀ·h (transA)  [784,100]·[100,500]', () => ops.matmul(v, h, { transposeA: true })],
    ['h·Wᵀ (transB)  [100,500]·[500,784]', () => ops.matmul(h, W, { transposeB: true })],
  ];
  const out: Record<string, unknown> = {};
  for (const [name, product] of cases) {
    // Kernel: the product stays inside ONNX Runtime, only a 1×1 sum comes back (fused).
    const kernel = time(() => ops.tidy(() => ops.item(ops.sum(product()))), 100);
    // Materialised: the product's 1.5 MB or 0.3 MB result copied into JavaScript.
    const materialised = time(() => ops.tidy(() => void ops.read(product())), 100);
    log(
      `${name}  kernel ${fmt(kernel.median)} = ${(flop / kernel.median / 1e6).toFixed(0)} GFLOP/s` +
        `   with result copied to JS ${fmt(materialised.median)} = ${(flop / materialised.median / 1e6).toFixed(0)} GFLOP/s`,
    );
    out[name.split(' ')[0]!] = {
      kernelMs: kernel.median,
      kernelGflops: flop / kernel.median / 1e6,
      materialisedMs: materialised.median,
    };
  }
  results.products = out;
  await backend.close?.();
}

// ------------------------------------------------------------------ CD-1 --------------
interface Rbm {
  W: Tensor;
  b: Tensor;
  c: Tensor;
  dW: Tensor;
  db: Tensor;
  dc: Tensor;
}

function initRbm(ops: Ops, rng: SeededRandom): Rbm {
  return {
    W: ops.keep(ops.randomNormal([784, 500], rng, 0, 0.01)),
    b: ops.keep(ops.zeros([1, 784])),
    c: ops.keep(ops.zeros([1, 500])),
    dW: ops.keep(ops.zeros([784, 500])),
    db: ops.keep(ops.zeros([1, 784])),
    dc: ops.keep(ops.zeros([1, 500])),
  };
}

/** One CD-1 step with momentum, as model code writes it; returns the squared error. */
function cd1(ops: Ops, m: Rbm, v: Tensor, rng: SeededRandom, lr = 0.1, momentum = 0.5): Tensor {
  const n = v.rows;
  const next = ops.tidy(() => {
    const ph0 = ops.linear(v, m.W, m.c, { activation: 'sigmoid' });
    const h0 = ops.bernoulli(ph0, rng);
    const pv = ops.linear(h0, m.W, m.b, { transposeW: true, activation: 'sigmoid' });
    const ph1 = ops.linear(pv, m.W, m.c, { activation: 'sigmoid' });
    const gW = ops.div(
      ops.sub(ops.matmul(v, ph0, { transposeA: true }), ops.matmul(pv, ph1, { transposeA: true })),
      n,
    );
    const gb = ops.mean(ops.sub(v, pv), 0);
    const gc = ops.mean(ops.sub(ph0, ph1), 0);
    const dW = ops.add(ops.mul(m.dW, momentum), ops.mul(gW, lr));
    const db = ops.add(ops.mul(m.db, momentum), ops.mul(gb, lr));
    const dc = ops.add(ops.mul(m.dc, momentum), ops.mul(gc, lr));
    return {
      W: ops.add(m.W, dW),
      b: ops.add(m.b, db),
      c: ops.add(m.c, dc),
      dW,
      db,
      dc,
      err: ops.sum(ops.square(ops.sub(v, pv))),
    };
  });
  ops.dispose([m.W, m.b, m.c, m.dW, m.db, m.dc]);
  Object.assign(m, {
    W: ops.keep(next.W),
    b: ops.keep(next.b),
    c: ops.keep(next.c),
    dW: ops.keep(next.dW),
    db: ops.keep(next.db),
    dc: ops.keep(next.dc),
  });
  return next.err;
}

interface CdConfig {
  readonly label: string;
  readonly options: OnnxBackendOptions;
  readonly readEveryStep: boolean;
}

/** A backend running one CD-1 configuration; `pass()` times `steps` steps. */
async function cdRunner({ options, readEveryStep }: CdConfig) {
  const [ops, backend] = await makeOps(options);
  const rng = new SeededRandom(7);
  const m = initRbm(ops, rng);
  // 20 batches of binary "images", cycled (data loading is not what is measured).
  const batches = Array.from({ length: 20 }, () =>
    new SeededRandom(rng.int(1e9)).uniformArray(100 * 784).map((x) => (x < 0.13 ? 1 : 0)),
  );
  const step = (i: number) => {
    const v = ops.tensor(batches[i % batches.length]!, [100, 784]);
    const err = cd1(ops, m, v, rng);
    v.dispose();
    if (readEveryStep) ops.item(err);
    err.dispose();
  };
  const pass = () => {
    backend.resetStats();
    const before = ops.memory().numTensors;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step(i);
    ops.tidy(() => ops.item(ops.sum(m.W))); // everything computed
    const total = performance.now() - t0;
    return { total, stats: backend.stats(), leak: ops.memory().numTensors - before };
  };
  return { pass, close: () => backend.close?.() };
}

async function cd() {
  log(`\n## CD-1 step, 784-500 RBM, batch 100, momentum (${steps} steps a pass; best of 3 passes)`);
  const configs: CdConfig[] = [
    { label: 'fused, error read every step', options: {}, readEveryStep: true },
    { label: 'fused, no read (flushes when 128 ops wait)', options: {}, readEveryStep: false },
    {
      label: 'fused, no read, maxPendingOps 512',
      options: { maxPendingOps: 512 },
      readEveryStep: false,
    },
    { label: 'fused, read, 1 thread', options: { threads: 1 }, readEveryStep: true },
    { label: 'one graph per op (fusion: false)', options: { fusion: false }, readEveryStep: true },
    // Slow (spinning threads fight JavaScript for the cores): only with --only spinning.
    { label: 'fused, read, spinning threads', options: { spinning: true }, readEveryStep: true },
  ].filter((c) => (args.only ? c.label.includes(args.only) : !c.label.includes('spinning')));
  const runners = [];
  for (const c of configs) {
    const runner = await cdRunner(c);
    runner.pass(); // first sight of each graph: op by op
    runner.pass(); // second: compiled and fused
    runners.push(runner);
  }
  // Passes interleaved across configurations so machine noise hits them alike.
  const best: (ReturnType<(typeof runners)[number]['pass']> | undefined)[] = [];
  for (let round = 0; round < 3; round++) {
    runners.forEach((r, i) => {
      const p = r.pass();
      if (!best[i] || p.total < best[i]!.total) best[i] = p;
    });
  }
  const runs = configs.map((c, i) => {
    const { total, stats: s, leak } = best[i]!;
    const per = total / steps;
    log(
      `${c.label.padEnd(44)} ${fmt(per)}/step  (${(100000 / per).toFixed(0)} samples/s)` +
        `  native ${fmt(s.runMs / steps)}, compile ${fmt(s.compileMs / steps)}, JS ${fmt((total - s.runMs - s.compileMs) / steps)}` +
        `  | ${(s.outputBytes / steps / 1e6).toFixed(2)} MB out/step, ${(s.fusedRuns / steps).toFixed(2)} fused + ${(s.singleRuns / steps).toFixed(1)} single runs/step${leak ? `  LEAK ${leak}` : ''}`,
    );
    return {
      label: c.label,
      msPerStep: per,
      samplesPerS: 100000 / per,
      stats: s,
      leakedTensors: leak,
    };
  });
  for (const r of runners) await r.close();
  results.cd1 = runs;
}

/**
 * Where a training batch's time goes: `RBMTrainer` CD-1 (784-500, batch 100, real MNIST, the
 * hyper-parameters of `pnpm bench:cd1`) under ONNX Runtime's profiler. Kernel time per
 * batch by op and output shape, summed over every graph the trainer runs; the rest of the
 * wall time is ONNX Runtime's per-node overhead and copies (native, outside kernels) and
 * JavaScript (outside native runs).
 */
async function ortProfile() {
  const batches = steps;
  log(
    `\n## Inside ${args.workload === 'cd1' ? 'RBMTrainer CD-1' : args.workload} (ONNX Runtime profiler, ${batches} batches after ${CD1_WARMUP} warm-up)`,
  );
  // Every session profiles into its own file; its creation time (on performance.now()'s
  // clock) places its events, so that only those of the timed batches are counted.
  const prefix = join(process.cwd(), `ort-profile-${process.pid}`);
  const created = new Map<string, number>();
  const native = loadNativeBinding();
  const Session = native.binding.InferenceSession;
  class TimedSession extends Session {
    override loadModel(buffer: ArrayBufferLike, offset: number, length: number, options: object) {
      const own = `${prefix}-s${created.size}`;
      created.set(own, performance.now());
      super.loadModel(buffer, offset, length, { ...options, profileFilePrefix: own });
    }
  }
  const [ops, backend] = await makeOps({
    sessionOptions: { enableProfiling: true },
    loadBinding: () => ({
      ...native,
      binding: { ...native.binding, InferenceSession: TimedSession },
    }),
  });
  const workload =
    args.workload === 'cd1'
      ? await cd1Workload(ops)
      : await pipelineWorkload(ops, args.workload as PipelineRow);
  await workload.train(CD1_WARMUP);
  backend.resetStats();
  const t0 = performance.now();
  await workload.train(batches);
  const wallMs = (performance.now() - t0) / batches;
  const nativeMs = backend.stats().runMs / batches;
  workload.dispose();
  await backend.close?.(); // writes the profiles
  const files = readdirSync(process.cwd())
    .filter((f) => f.startsWith(`ort-profile-${process.pid}-s`))
    .map((f) => join(process.cwd(), f));
  const byNode = new Map<string, { us: number; count: number }>();
  let runUs = 0;
  for (const f of files) {
    const session = [...created.keys()].find((own) => f.startsWith(`${own}_`));
    const start = session === undefined ? undefined : created.get(session);
    if (start === undefined) continue;
    const events = JSON.parse(readFileSync(f, 'utf8')) as {
      cat: string;
      name: string;
      ts: number;
      dur: number;
      args?: { op_name?: string; output_type_shape?: Record<string, number[]>[] };
    }[];
    for (const e of events) {
      if (start + e.ts / 1000 < t0) continue; // warm-up
      if (e.cat === 'Session' && e.name === 'model_run') runUs += e.dur;
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const shape = Object.values(e.args?.output_type_shape?.[0] ?? {})[0] ?? [];
      const key = `${e.args?.op_name ?? '?'} [${shape.join(', ')}]`;
      const entry = byNode.get(key) ?? { us: 0, count: 0 };
      entry.us += e.dur;
      entry.count++;
      byNode.set(key, entry);
    }
  }
  const rows = [...byNode].sort((a, b) => b[1].us - a[1].us);
  const kernels = rows.reduce((s, [, e]) => s + e.us, 0) / batches / 1000;
  for (const [node, e] of rows) {
    if (e.us / batches < 1) continue; // one-off reads (sync, checks)
    log(
      `${node.padEnd(28)} ${((e.us / batches) | 0).toString().padStart(6)} µs/batch  (${(e.count / batches).toFixed(1)} nodes)`,
    );
  }
  const runMs = runUs / batches / 1000;
  log(
    `per batch: wall ${fmt(wallMs)} = kernels ${fmt(kernels)} + ONNX Runtime outside kernels ` +
      `${fmt(runMs - kernels)} + copies out and binding ${fmt(nativeMs - runMs)} + JavaScript ${fmt(wallMs - nativeMs)}`,
  );
  results.ortProfile = {
    wallMs,
    kernelsMs: kernels,
    modelRunMs: runMs,
    nativeMs,
    kernelUs: Object.fromEntries(rows.map(([node, e]) => [node, e.us / batches])),
  };
  for (const f of files) rmSync(f);
}

function numpy() {
  const dir = args.numpy;
  if (!dir) return;
  log('\n## numpy peer (rbm_numpy.py, 200 batches)');
  const script = '/work/shared/peers/rbm_numpy.py';
  if (!existsSync(script)) {
    log(`(skipped: ${script} not found)`);
    return;
  }
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(
      'python3',
      [script, '--data', dir, '--epochs', '1', '--max-batches', '200', '--json'],
      { encoding: 'utf8' },
    );
    const epoch = JSON.parse(out).epochs[0] as { seconds: number; samples_per_s: number };
    runs.push(epoch);
    log(
      `run ${i + 1}: ${fmt((epoch.seconds / 200) * 1000)}/batch  (${epoch.samples_per_s.toFixed(0)} samples/s)`,
    );
  }
  results.numpy = runs;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
log(`# backend-onnx profile: ${availableParallelism()} CPUs, load average ${load()}`);
results.loadBefore = loadavg();
const skip = args.skip.split(',');
if (!skip.includes('overhead')) await overhead();
if (!skip.includes('products')) await products();
if (!skip.includes('cd')) await cd();
if (args['ort-profile']) await ortProfile();
numpy();
results.loadAfter = loadavg();
log(`\nload average after: ${load()}`);
if (args.json) console.log(JSON.stringify(results, null, 2));
