import { DeepBeliefError, type Ops, SeededRandom, type Tensor } from '@deepbelief/core';
import type { DeepAutoencoder } from './autoencoder.js';
import { HammingIndex } from './hashing.js';
import { cosineDistanceMatrix, fitLSA, medianThresholdCodes, projectLSA } from './lsa.js';
import {
  type PrecisionRecall,
  precisionAtRecall,
  RECALL_LEVELS,
  randomHyperplaneCodes,
} from './retrieval.js';

/** One side of a retrieval experiment: word counts and TF-IDF rows (row-major) and labels. */
export interface RetrievalSide {
  readonly rows: number;
  /** `rows × vocabulary` word counts. */
  readonly counts: Float32Array;
  /** `rows × vocabulary` TF-IDF rows (unit length), with the training set's IDF. */
  readonly tfidf: Float32Array;
  readonly labels: ArrayLike<number>;
}

/** The precision–recall curve of one retrieval method. */
export interface RetrievalMethod {
  /** `semantic-hashing`, `lsa-binary`, `lsh`, `lsa-cosine` or `tfidf-cosine`. */
  readonly method: string;
  readonly description: string;
  /** Bits per item for the binary methods; dimensions for LSA cosine; vocabulary size for TF-IDF. */
  readonly size: number;
  readonly curve: PrecisionRecall;
}

/** Time per query of finding neighbours by Hamming ball against scanning every item. */
export interface RetrievalTiming {
  readonly items: number;
  readonly queries: number;
  /** Hamming radius of the ball lookup. */
  readonly radius: number;
  /** Mean number of items found within `radius`. */
  readonly meanFound: number;
  readonly ballMicroseconds: number;
  /** A linear scan of all codes by popcount. */
  readonly codeScanMicroseconds: number;
  /** A linear scan of all TF-IDF rows by cosine (one query's product on the backend). */
  readonly tfidfScanMicroseconds: number;
}

/**
 * Semantic hashing against what a user would otherwise pick, on the same split and code
 * length (Salakhutdinov & Hinton 2009): every test row queries the training rows, an item is
 * relevant when its label is the query's, and precision is averaged at each recall level.
 * Methods: the autoencoder's binary codes by Hamming distance; LSA (truncated SVD of TF-IDF,
 * fitted on the training rows) with the same number of dimensions, by cosine and
 * median-thresholded to bits by Hamming distance; random-hyperplane LSH of TF-IDF; and
 * TF-IDF by cosine over the whole vocabulary (a reference, not a compact code).
 */
export function compareRetrieval(
  ops: Ops,
  autoencoder: DeepAutoencoder,
  train: RetrievalSide,
  test: RetrievalSide,
  options: { seed?: number; recallLevels?: readonly number[]; radius?: number } = {},
): { methods: RetrievalMethod[]; timing: RetrievalTiming } {
  if (autoencoder.code !== 'binary' || autoencoder.input !== 'word-counts')
    throw new DeepBeliefError(
      "compareRetrieval: needs a word-count autoencoder with binary codes ({ input: 'word-counts', code: 'binary' })",
    );
  const V = autoencoder.sizes[0]!;
  const bits = autoencoder.sizes.at(-1)!;
  for (const [name, side] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (side.counts.length !== side.rows * V || side.tfidf.length !== side.rows * V)
      throw new DeepBeliefError(
        `compareRetrieval: ${name} needs ${side.rows} × ${V} counts and TF-IDF values`,
      );
    if (side.labels.length !== side.rows)
      throw new DeepBeliefError(
        `compareRetrieval: ${name} has ${side.labels.length} labels for ${side.rows} rows`,
      );
  }
  const levels = options.recallLevels ?? RECALL_LEVELS;
  const rng = new SeededRandom(options.seed ?? 1);
  const methods: RetrievalMethod[] = [];
  const curve = (distances: (q: number) => ArrayLike<number>) =>
    precisionAtRecall(distances, test.labels, train.labels, levels);
  const byHamming = (index: HammingIndex, queries: Float32Array) =>
    curve((q) => index.distances(queries.subarray(q * bits, (q + 1) * bits)));
  const tensor = (x: Float32Array, rows: number) => ops.keep(ops.fromArray(x, [rows, V]));
  const trainCounts = tensor(train.counts, train.rows);
  const testCounts = tensor(test.counts, test.rows);
  const trainTfidf = tensor(train.tfidf, train.rows);
  const testTfidf = tensor(test.tfidf, test.rows);
  const held: Tensor[] = [trainCounts, testCounts, trainTfidf, testTfidf];
  try {
    const codesOf = (x: Tensor) => ops.tidy(() => ops.read(autoencoder.binaryCodes(x)));
    const itemCodes = codesOf(trainCounts);
    const queryCodes = codesOf(testCounts);
    const index = new HammingIndex(itemCodes, bits);
    methods.push({
      method: 'semantic-hashing',
      description: `deepbelief: the autoencoder's ${bits}-bit codes, Hamming distance`,
      size: bits,
      curve: byHamming(index, queryCodes),
    });

    const lsa = fitLSA(ops, trainTfidf, bits, rng);
    held.push(lsa.components);
    const lsaItems = ops.tidy(() => ops.read(projectLSA(ops, lsa, trainTfidf)));
    const lsaQueries = ops.tidy(() => ops.read(projectLSA(ops, lsa, testTfidf)));
    const binaryItems = medianThresholdCodes(lsaItems, bits);
    const binaryQueries = medianThresholdCodes(lsaQueries, bits, binaryItems.medians);
    methods.push({
      method: 'lsa-binary',
      description: `LSA, ${bits} components thresholded at their training medians, Hamming distance`,
      size: bits,
      curve: byHamming(new HammingIndex(binaryItems.codes, bits), binaryQueries.codes),
    });
    const lsh = randomHyperplaneCodes(ops, trainTfidf, bits, rng);
    held.push(lsh.hyperplanes);
    const lshQueries = randomHyperplaneCodes(ops, testTfidf, bits, rng, lsh.hyperplanes);
    methods.push({
      method: 'lsh',
      description: `random-hyperplane LSH of TF-IDF, ${bits} bits, Hamming distance`,
      size: bits,
      curve: byHamming(new HammingIndex(lsh.codes, bits), lshQueries.codes),
    });
    const lsaCos = ops.tidy(() =>
      cosineDistanceMatrix(
        ops,
        ops.fromArray(lsaQueries, [test.rows, bits]),
        ops.fromArray(lsaItems, [train.rows, bits]),
      ),
    );
    methods.push({
      method: 'lsa-cosine',
      description: `LSA, ${bits} real-valued components, cosine`,
      size: bits,
      curve: curve((q) => lsaCos.subarray(q * train.rows, (q + 1) * train.rows)),
    });
    const tfidfCos = cosineDistanceMatrix(ops, testTfidf, trainTfidf);
    methods.push({
      method: 'tfidf-cosine',
      description: `TF-IDF over the ${V}-word vocabulary, cosine (reference; not a compact code)`,
      size: V,
      curve: curve((q) => tfidfCos.subarray(q * train.rows, (q + 1) * train.rows)),
    });

    // timing: a Hamming-ball lookup against linear scans, per query
    const radius = options.radius ?? 2;
    const packed = Array.from({ length: test.rows }, (_, q) => index.pack(queryCodes, q * bits));
    const time = (fn: (q: number) => unknown) => {
      const t0 = performance.now();
      for (let q = 0; q < test.rows; q++) fn(q);
      return ((performance.now() - t0) * 1000) / test.rows;
    };
    let found = 0;
    const ballMicroseconds = time((q) => {
      found += index.within(packed[q]!, radius).length;
    });
    const codeScanMicroseconds = time((q) => index.distances(packed[q]!));
    const tfidfScanMicroseconds = time((q) =>
      ops.tidy(() =>
        ops.read(ops.matmul(ops.sliceRows(testTfidf, q, q + 1), trainTfidf, { transposeB: true })),
      ),
    );
    return {
      methods,
      timing: {
        items: train.rows,
        queries: test.rows,
        radius,
        meanFound: found / test.rows,
        ballMicroseconds,
        codeScanMicroseconds,
        tfidfScanMicroseconds,
      },
    };
  } finally {
    ops.dispose(held);
  }
}
