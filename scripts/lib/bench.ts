/**
 * What the benchmark scripts share: medians, the machine's matmul rate (numpy and a
 * backend, for the "% of peak" column), a child process that serves timed runs over
 * stdin/stdout, and the machine's description for the JSON record.
 */
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { type Ops, SeededRandom } from '@deepbelief/core';

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** FLOPs of the product the matmul rate is measured on: [100, 784]·[784, 500]. */
export const MATMUL_FLOPS = 2 * 100 * 784 * 500;

/** Median and best GFLOP/s of that product from its timings in milliseconds. */
const rates = (times: readonly number[]) => ({
  median: MATMUL_FLOPS / (median(times) / 1000) / 1e9,
  best: MATMUL_FLOPS / (Math.min(...times) / 1000) / 1e9,
});

/** The product on a backend, 30 times, its result read each time. */
export function matmulRate(ops: Ops): { median: number; best: number } {
  const rng = new SeededRandom(1);
  const a = ops.keep(ops.randomUniform([100, 784], rng));
  const w = ops.keep(ops.randomNormal([784, 500], rng, 0, 0.01));
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    ops.tidy(() => ops.read(ops.matmul(a, w)));
    times.push(performance.now() - t0);
  }
  ops.dispose([a, w]);
  return rates(times);
}

/** numpy/OpenBLAS on the same product, float32, 200 times; null without numpy. */
export function numpyMatmulRate(): { median: number; best: number } | null {
  const code =
    'import numpy as np, time\n' +
    'a = np.random.rand(100, 784).astype(np.float32); w = np.random.rand(784, 500).astype(np.float32)\n' +
    'ts = []\n' +
    'for i in range(200):\n' +
    '    t0 = time.perf_counter(); a @ w; ts.append(1000 * (time.perf_counter() - t0))\n' +
    'print(" ".join(map(str, ts)))';
  try {
    const out = execFileSync('python3', ['-c', code], { encoding: 'utf8' }).trim();
    return rates(out.split(' ').map(Number));
  } catch {
    return null;
  }
}

/** A benchmark child: `ask(command)` sends one line and resolves with its JSON answer. */
export interface BenchChild {
  ask(command: string): Promise<Record<string, number>>;
  close(): void;
}

/**
 * Starts this script again as a child (`--child ID`, after the parent's own arguments) and
 * waits for its first line (it has warmed up).
 */
export async function startBenchChild(script: string, id: string): Promise<BenchChild> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, script, ...process.argv.slice(2), '--child', id],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`bench child ${id} exited early`);
    return JSON.parse(value) as Record<string, number>;
  };
  await next(); // { ready: true }
  return {
    ask(command) {
      child.stdin!.write(`${command}\n`);
      return next();
    },
    close: () => child.stdin!.end(),
  };
}

/** Serves a child's commands: each line of stdin is answered by `handle` as one JSON line. */
export async function serveBenchCommands(
  handle: (command: string) => Promise<object | undefined>,
): Promise<void> {
  const reply = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
  reply({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const answer = await handle(line);
    if (answer) reply(answer);
  }
}

/** The machine, for the JSON record. */
export const machineInfo = () => ({
  cpus: os.cpus().length,
  model: os.cpus()[0]?.model,
  node: process.version,
  loadavg: os.loadavg(),
});
