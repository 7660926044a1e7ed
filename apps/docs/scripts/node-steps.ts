/**
 * Node's training speed for exactly the browser demo's configuration: the same MNIST subset
 * files (`public/data/mnist/`, from `pnpm prepare-assets`), the same `TrainingSession` code and
 * settings, the same backends. Prints JSON, and writes it to
 * `test-artifacts/node-steps-per-second.json` next to the browser test's numbers.
 *
 *   pnpm node-steps [steps] [backend …]      e.g. pnpm node-steps 400 tfjs-wasm js
 *
 * Steps/s is counted as on the demo page: updates per second of time spent in
 * `TrainingSession.step`, from the first update on (warm-up included, as in the browser).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTfjsBackend } from '@deepbelief/backend-tfjs';
import { createJsBackend, Ops } from '@deepbelief/core';
import { mnistFromBuffers } from '@deepbelief/datasets/browser';
import { MNIST_SUBSET } from '../src/assets.js';
import { DEFAULT_CONFIG, TrainingSession } from '../src/session.js';

const docsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(docsRoot, 'public', MNIST_SUBSET.folder);

const BACKENDS = {
  'tfjs-wasm': async () => new Ops(await createTfjsBackend({ flavor: 'wasm' })),
  'tfjs-cpu': async () => new Ops(await createTfjsBackend({ flavor: 'cpu' })),
  js: async () => new Ops(createJsBackend()),
} as const;
type BackendName = keyof typeof BACKENDS;

async function main(): Promise<void> {
  const [stepsArg, ...names] = process.argv.slice(2);
  const steps = Number(stepsArg ?? 400);
  const chosen = (names.length ? names : ['tfjs-wasm', 'js']) as BackendName[];
  for (const name of chosen) {
    if (!(name in BACKENDS))
      throw new Error(`unknown backend '${name}' (${Object.keys(BACKENDS).join(', ')})`);
  }
  const read = (file: string) => readFileSync(join(dataDir, file));
  const train = await mnistFromBuffers(
    read(MNIST_SUBSET.files.trainImages),
    read(MNIST_SUBSET.files.trainLabels),
  );
  const results = [];
  for (const name of chosen) {
    const ops = await BACKENDS[name]();
    const session = new TrainingSession(ops, train, DEFAULT_CONFIG);
    const wallStart = performance.now();
    for (let i = 0; i < steps; i++) session.step();
    const wallSeconds = (performance.now() - wallStart) / 1000;
    results.push({
      backend: ops.name,
      steps,
      trainStepsPerSecond: Number(((1000 * steps) / session.trainMilliseconds).toFixed(2)),
      wallStepsPerSecond: Number((steps / wallSeconds).toFixed(2)),
      reconstructionError: Number(session.lastError.toFixed(5)),
    });
    session.dispose();
  }
  const report = {
    config: DEFAULT_CONFIG,
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    results,
  };
  const out = join(docsRoot, 'test-artifacts');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'node-steps-per-second.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
}

await main();
