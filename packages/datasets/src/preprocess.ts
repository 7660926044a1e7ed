import { SeededRandom } from '@deepbelief/core';
import { type Dataset, type LabelArray, withArrays } from './dataset.js';
import { DatasetError } from './errors.js';

function sourceOf(dataset: Dataset): string {
  return dataset.name ?? 'dataset';
}

/** Per-feature (or global, length 1) minimum and maximum: plain JSON, store it with a model. */
export interface MinMaxParams {
  readonly min: readonly number[];
  readonly max: readonly number[];
}

/**
 * Finds the range that {@link scaleToUnit} maps to [0, 1]: over the whole matrix (default, one
 * value each, which keeps relative intensities) or per feature (`perFeature: true`).
 */
export function fitMinMax(dataset: Dataset, options: { perFeature?: boolean } = {}): MinMaxParams {
  const { rows, cols, features, scale } = dataset;
  const n = options.perFeature ? cols : 1;
  const min = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(n).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = features[i * cols + j]! * scale;
      const k = n === 1 ? 0 : j;
      if (v < min[k]!) min[k] = v;
      if (v > max[k]!) max[k] = v;
    }
  }
  if (rows === 0) {
    throw new DatasetError('EMPTY_FILE', sourceOf(dataset), 'cannot fit a range on 0 rows');
  }
  return { min, max };
}

/**
 * Maps values to [0, 1] with `(v - min) / (max - min)`, a constant feature (max = min) to 0.
 * Pass `params` saved from the training set to scale new data identically; values outside the
 * saved range are clipped to [0, 1] unless `clip: false`.
 *
 * A uint8 dataset without `params` is mapped byte → byte/255 **without copying** (its `scale`
 * becomes 1/255), which is what pixel data wants; its params are then `{min: [0], max: [255]}`.
 * Everything else becomes float32.
 */
export function scaleToUnit(
  dataset: Dataset,
  options: { params?: MinMaxParams; perFeature?: boolean; clip?: boolean } = {},
): { dataset: Dataset; params: MinMaxParams } {
  if (!options.params && dataset.features instanceof Uint8Array && !options.perFeature) {
    return {
      dataset: withArrays(dataset, dataset.features, dataset.rows, 1 / 255, dataset.labels),
      params: { min: [0], max: [255] },
    };
  }
  const params = options.params ?? fitMinMax(dataset, { perFeature: options.perFeature ?? false });
  const { rows, cols, features, scale } = dataset;
  if (
    params.min.length !== params.max.length ||
    (params.min.length !== 1 && params.min.length !== cols)
  ) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      sourceOf(dataset),
      `min/max params have ${params.min.length}/${params.max.length} values, expected 1 or ${cols}`,
    );
  }
  const clip = options.clip ?? true;
  const out = new Float32Array(rows * cols);
  const per = params.min.length !== 1;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = per ? j : 0;
      const lo = params.min[k]!;
      const range = params.max[k]! - lo;
      let v = range > 0 ? (features[i * cols + j]! * scale - lo) / range : 0;
      if (clip) v = Math.min(1, Math.max(0, v));
      out[i * cols + j] = v;
    }
  }
  return { dataset: withArrays(dataset, out, rows, 1, dataset.labels), params };
}

/**
 * Deterministic binarisation: 1 where the real value (`features × scale`) is strictly greater
 * than `threshold` (default 0.5, meant for data already in [0, 1]), else 0. Returns compact
 * uint8 0/1 features with `scale = 1`. For MNIST the cut falls between bytes 127 and 128.
 */
export function binarize(dataset: Dataset, threshold = 0.5): Dataset {
  if (!Number.isFinite(threshold)) {
    throw new DatasetError(
      'BAD_OPTION',
      sourceOf(dataset),
      `threshold must be finite, got ${threshold}`,
    );
  }
  const { features, scale } = dataset;
  const out = new Uint8Array(features.length);
  if (features instanceof Uint8Array) {
    const table = new Uint8Array(256);
    for (let b = 0; b < 256; b++) table[b] = b * scale > threshold ? 1 : 0;
    for (let k = 0; k < features.length; k++) out[k] = table[features[k]!]!;
  } else {
    for (let k = 0; k < features.length; k++) out[k] = features[k]! * scale > threshold ? 1 : 0;
  }
  return withArrays(dataset, out, dataset.rows, 1, dataset.labels);
}

const CHUNK = 1 << 16;

/**
 * Seeded stochastic binarisation: each value `p` (real value, must lie in [0, 1]) becomes 1
 * with probability `p`. Draws exactly one uniform from `rng` per value in row-major order, so
 * the same generator state gives the same result. Returns uint8 0/1 features, `scale = 1`.
 *
 * @throws {DatasetError} `BAD_OPTION` when a value lies outside [0, 1] (scale the data first).
 */
export function binarizeStochastic(dataset: Dataset, rng: SeededRandom): Dataset {
  const { features, scale } = dataset;
  const out = new Uint8Array(features.length);
  const u = new Float32Array(Math.min(CHUNK, features.length));
  for (let start = 0; start < features.length; start += CHUNK) {
    const n = Math.min(CHUNK, features.length - start);
    rng.uniformArray(n, u);
    for (let k = 0; k < n; k++) {
      const p = features[start + k]! * scale;
      if (!(p >= 0 && p <= 1)) {
        throw new DatasetError(
          'BAD_OPTION',
          sourceOf(dataset),
          `value ${p} at index ${start + k} is not a probability in [0, 1]: scale the data first`,
        );
      }
      out[start + k] = u[k]! < p ? 1 : 0;
    }
  }
  return withArrays(dataset, out, dataset.rows, 1, dataset.labels);
}

/**
 * Stochastic binarisation of a float batch in place (`x[k] ← 1` with probability `x[k]`),
 * for re-sampling binary inputs every epoch. One uniform per value from `rng`.
 */
export function binarizeStochasticInPlace(x: Float32Array, rng: SeededRandom): Float32Array {
  const u = new Float32Array(Math.min(CHUNK, x.length));
  for (let start = 0; start < x.length; start += CHUNK) {
    const n = Math.min(CHUNK, x.length - start);
    rng.uniformArray(n, u);
    for (let k = 0; k < n; k++) x[start + k] = u[k]! < x[start + k]! ? 1 : 0;
  }
  return x;
}

/**
 * How real values in [0, 1] become 0/1: `threshold` (1 where the value is above 0.5) or
 * `stochastic` (1 with probability equal to the value, by a fixed seeded draw, so that the
 * binary data set is the same every time: the binarised MNIST of Salakhutdinov & Murray 2008
 * is such a draw).
 */
export type Binarization = 'threshold' | 'stochastic';

/**
 * Seeds of the fixed stochastic binarisation, one per split so that a training image and
 * the test image at the same position do not share their draws. {@link binarizeAs} uses
 * `train` unless told otherwise; loaders pass the split's.
 */
export const BINARIZATION_SEEDS = { train: 20080101, test: 20080102 } as const;

/**
 * Binarises `dataset` as `how` says. `stochastic` is {@link binarizeStochastic} from
 * `new SeededRandom(seed)`: one draw per value, row-major from the first row, so the first
 * rows of a split come out the same whether or not the rest is loaded.
 */
export function binarizeAs(
  dataset: Dataset,
  how: Binarization,
  seed: number = BINARIZATION_SEEDS.train,
): Dataset {
  if (how === 'threshold') return binarize(dataset);
  if (how === 'stochastic') return binarizeStochastic(dataset, new SeededRandom(seed));
  throw new DatasetError(
    'BAD_OPTION',
    sourceOf(dataset),
    `binarization must be 'threshold' or 'stochastic', got '${String(how)}'`,
  );
}

/** The index of the first value (`features × scale`) that is neither 0 nor 1, or −1. */
export function firstNonBinary(dataset: Dataset): number {
  const { features, scale } = dataset;
  for (let k = 0; k < features.length; k++) {
    const v = features[k]! * scale;
    if (v !== 0 && v !== 1) return k;
  }
  return -1;
}

/** Per-feature mean and standard deviation: plain JSON, store it with the model. */
export interface Standardization {
  readonly mean: readonly number[];
  /** Population standard deviation; constant features get 1 so they map to 0, not NaN. */
  readonly std: readonly number[];
}

/**
 * Per-feature mean and (population) standard deviation, accumulated in float64. Features whose
 * std is below `minStd` (default 1e-8, e.g. MNIST's always-black corners) get std 1.
 */
export function fitStandardization(
  dataset: Dataset,
  options: { minStd?: number } = {},
): Standardization {
  const { rows, cols, features, scale } = dataset;
  if (rows === 0) {
    throw new DatasetError('EMPTY_FILE', sourceOf(dataset), 'cannot standardise 0 rows');
  }
  const sum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) sum[j]! += features[i * cols + j]!;
  }
  const mean = new Float64Array(cols);
  for (let j = 0; j < cols; j++) mean[j] = sum[j]! / rows;
  const sq = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = features[i * cols + j]! - mean[j]!;
      sq[j]! += d * d;
    }
  }
  const minStd = options.minStd ?? 1e-8;
  const absScale = Math.abs(scale);
  return {
    mean: Array.from(mean, (m) => m * scale),
    std: Array.from(sq, (s) => {
      const std = Math.sqrt(s / rows) * absScale;
      return std < minStd ? 1 : std;
    }),
  };
}

/**
 * `(v - mean) / std` per feature, as float32. Without `stats` they are fitted on this dataset;
 * pass the training set's saved stats to transform validation/test data identically.
 */
export function standardize(
  dataset: Dataset,
  stats: Standardization = fitStandardization(dataset),
): { dataset: Dataset; stats: Standardization } {
  const { rows, cols, features, scale } = dataset;
  if (stats.mean.length !== cols || stats.std.length !== cols) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      sourceOf(dataset),
      `standardisation stats have ${stats.mean.length} means and ${stats.std.length} stds, expected ${cols} each`,
    );
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out[i * cols + j] = (features[i * cols + j]! * scale - stats.mean[j]!) / stats.std[j]!;
    }
  }
  return { dataset: withArrays(dataset, out, rows, 1, dataset.labels), stats };
}

/** Inverse of {@link standardize} on a row-major batch (`v·std + mean`), in place. */
export function unstandardizeInPlace(x: Float32Array, stats: Standardization): Float32Array {
  const cols = stats.mean.length;
  if (x.length % cols !== 0) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      'unstandardizeInPlace',
      `${x.length} values are not rows of ${cols}`,
    );
  }
  for (let k = 0; k < x.length; k++) x[k] = x[k]! * stats.std[k % cols]! + stats.mean[k % cols]!;
  return x;
}

/**
 * One-hot encoding: row `i` of the `labels.length × numClasses` float32 result has a 1 in
 * column `labels[i]`. Writes into `out` when given (e.g. a reused batch buffer).
 *
 * @throws {DatasetError} `LABEL_OUT_OF_RANGE` for a label outside `[0, numClasses)`.
 */
export function oneHot(
  labels: LabelArray | ArrayLike<number>,
  numClasses: number,
  out: Float32Array = new Float32Array(labels.length * numClasses),
): Float32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new DatasetError(
      'BAD_OPTION',
      'oneHot',
      `numClasses must be a positive integer, got ${numClasses}`,
    );
  }
  if (out.length < labels.length * numClasses) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      'oneHot',
      `out has ${out.length} values, needs ${labels.length * numClasses}`,
    );
  }
  out.fill(0, 0, labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) {
      throw new DatasetError(
        'LABEL_OUT_OF_RANGE',
        'oneHot',
        `label ${l} at index ${i} is out of range: expected 0..${numClasses - 1}`,
      );
    }
    out[i * numClasses + l] = 1;
  }
  return out;
}
