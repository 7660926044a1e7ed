import { DatasetError } from './errors.js';

/** Storage for feature values: compact bytes (scaled on the way out) or plain float32. */
export type FeatureArray = Uint8Array | Float32Array;

/** Storage for class labels: bytes when every label is < 256, else int32. */
export type LabelArray = Uint8Array | Int32Array;

/**
 * A dense data matrix as the models consume it: plain typed arrays, no tensors.
 *
 * Row `i`, column `j` has the value `features[i * cols + j] * scale`. Images stay in their
 * compact uint8 form with `scale = 1/255` (full MNIST train is 47 MB, not 376 MB of float64),
 * and are converted to float32 one mini-batch at a time by the batching API.
 */
export interface Dataset {
  /** Row-major `rows × cols` values before scaling. */
  readonly features: FeatureArray;
  /** Multiplier giving the real value of each stored feature (1/255 for raw pixels, 1 for floats). */
  readonly scale: number;
  /** Number of examples. */
  readonly rows: number;
  /** Number of features per example (784 for MNIST). */
  readonly cols: number;
  /** One class label per row, each in `[0, numClasses)`. */
  readonly labels?: LabelArray;
  /** Number of classes; present whenever `labels` is. */
  readonly numClasses?: number;
  /** `[height, width]` when each row is an image (row-major pixels), for drawing. */
  readonly imageShape?: readonly [number, number];
  /** Human-readable name, e.g. `'mnist-train'`. */
  readonly name?: string;
  /** Name of each class, indexed by label. */
  readonly classNames?: readonly string[];
  /** Name of each column (e.g. the word a word-count column counts), `cols` of them. */
  readonly featureNames?: readonly string[];
}

/** Inputs of {@link createDataset}; `scale` defaults to 1/255 for uint8 and 1 for float32. */
export interface DatasetInit {
  features: FeatureArray;
  rows: number;
  cols: number;
  scale?: number;
  labels?: LabelArray;
  /** Defaults to `max(label) + 1`. */
  numClasses?: number;
  imageShape?: readonly [number, number];
  name?: string;
  classNames?: readonly string[];
  featureNames?: readonly string[];
  /** What to call the data in error messages (a file name); defaults to `name` or `'dataset'`. */
  source?: string;
}

/**
 * Builds a {@link Dataset} from plain arrays, checking everything that later code relies on:
 * `features.length === rows * cols`, one label per row, every label an integer in
 * `[0, numClasses)`, `imageShape` multiplying to `cols`. The arrays are used as they are (no copy).
 *
 * @throws {DatasetError} `SHAPE_MISMATCH`, `LABEL_OUT_OF_RANGE` or `BAD_OPTION`, naming `source`.
 */
export function createDataset(init: DatasetInit): Dataset {
  const source = init.source ?? init.name ?? 'dataset';
  const { features, rows, cols } = init;
  if (!(features instanceof Uint8Array || features instanceof Float32Array)) {
    throw new DatasetError('BAD_OPTION', source, 'features must be a Uint8Array or Float32Array');
  }
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(cols) || cols < 1) {
    throw new DatasetError(
      'BAD_OPTION',
      source,
      `rows must be an integer ≥ 0 and cols ≥ 1, got ${rows} × ${cols}`,
    );
  }
  if (features.length !== rows * cols) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      source,
      `features has ${features.length} values but rows × cols = ${rows} × ${cols} = ${rows * cols}`,
    );
  }
  const scale = init.scale ?? (features instanceof Uint8Array ? 1 / 255 : 1);
  if (!Number.isFinite(scale) || scale === 0) {
    throw new DatasetError('BAD_OPTION', source, `scale must be finite and non-zero, got ${scale}`);
  }
  if (init.imageShape) {
    const [h, w] = init.imageShape;
    if (!Number.isInteger(h) || !Number.isInteger(w) || h * w !== cols) {
      throw new DatasetError(
        'SHAPE_MISMATCH',
        source,
        `imageShape ${h}×${w} does not hold ${cols} features per row`,
      );
    }
  }
  let numClasses = init.numClasses;
  if (init.labels) {
    const labels = init.labels;
    if (!(labels instanceof Uint8Array || labels instanceof Int32Array)) {
      throw new DatasetError('BAD_OPTION', source, 'labels must be a Uint8Array or Int32Array');
    }
    if (labels.length !== rows) {
      throw new DatasetError(
        'SHAPE_MISMATCH',
        source,
        `${labels.length} labels for ${rows} rows: there must be exactly one label per row`,
      );
    }
    let max = -1;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      if (l < 0) {
        throw new DatasetError(
          'LABEL_OUT_OF_RANGE',
          source,
          `label ${l} at row ${i} is negative; labels must be class indices ≥ 0`,
        );
      }
      if (l > max) max = l;
    }
    if (numClasses === undefined) numClasses = max + 1;
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new DatasetError(
        'BAD_OPTION',
        source,
        `numClasses must be a positive integer, got ${numClasses}`,
      );
    }
    if (max >= numClasses) {
      const at = labels.findIndex((l) => l >= numClasses!);
      throw new DatasetError(
        'LABEL_OUT_OF_RANGE',
        source,
        `label ${labels[at]} at row ${at} is out of range: expected 0..${numClasses - 1}`,
      );
    }
    if (init.classNames && init.classNames.length !== numClasses) {
      throw new DatasetError(
        'SHAPE_MISMATCH',
        source,
        `${init.classNames.length} class names for ${numClasses} classes`,
      );
    }
  } else if (numClasses !== undefined) {
    throw new DatasetError('BAD_OPTION', source, 'numClasses given without labels');
  }
  if (init.featureNames && init.featureNames.length !== cols) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      source,
      `${init.featureNames.length} feature names for ${cols} columns`,
    );
  }
  const out: {
    -readonly [K in keyof Dataset]: Dataset[K];
  } = { features, scale, rows, cols };
  if (init.labels) {
    out.labels = init.labels;
    out.numClasses = numClasses!;
  }
  if (init.imageShape) out.imageShape = [init.imageShape[0], init.imageShape[1]];
  if (init.name !== undefined) out.name = init.name;
  if (init.classNames) out.classNames = [...init.classNames];
  if (init.featureNames) out.featureNames = [...init.featureNames];
  return out;
}

/** Same metadata as `dataset`, with new arrays (used by the transforms in this package). */
export function withArrays(
  dataset: Dataset,
  features: FeatureArray,
  rows: number,
  scale: number,
  labels: LabelArray | undefined,
): Dataset {
  const out: {
    -readonly [K in keyof Dataset]: Dataset[K];
  } = { features, scale, rows, cols: dataset.cols };
  if (labels) {
    out.labels = labels;
    out.numClasses = dataset.numClasses!;
  }
  if (dataset.imageShape) out.imageShape = dataset.imageShape;
  if (dataset.name !== undefined) out.name = dataset.name;
  if (dataset.classNames) out.classNames = dataset.classNames;
  if (dataset.featureNames) out.featureNames = dataset.featureNames;
  return out;
}

/**
 * Row `i` as float32 real values (`features × scale`), written into `out` (length `cols`)
 * or a new array.
 */
export function getRow(dataset: Dataset, i: number, out?: Float32Array): Float32Array {
  checkRow(dataset, i);
  const { cols, features, scale } = dataset;
  const row = out ?? new Float32Array(cols);
  const base = i * cols;
  if (features instanceof Float32Array && scale === 1) {
    row.set(features.subarray(base, base + cols));
  } else {
    for (let j = 0; j < cols; j++) row[j] = features[base + j]! * scale;
  }
  return row;
}

/**
 * The whole feature matrix as float32 real values. This allocates `rows × cols × 4` bytes
 * (188 MB for MNIST train): prefer the batching API, which converts one batch at a time.
 * Returns `features` itself (no copy) when it is already float32 with scale 1.
 */
export function toFloat32(dataset: Dataset): Float32Array {
  const { features, scale } = dataset;
  if (features instanceof Float32Array && scale === 1) return features;
  const out = new Float32Array(features.length);
  for (let k = 0; k < features.length; k++) out[k] = features[k]! * scale;
  return out;
}

/**
 * A new dataset holding the given rows, in the given order (copies; storage type and scale are
 * kept, so a uint8 dataset stays uint8).
 */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const { cols, features, labels } = dataset;
  const n = indices.length;
  const f = features instanceof Uint8Array ? new Uint8Array(n * cols) : new Float32Array(n * cols);
  const l = labels
    ? labels instanceof Uint8Array
      ? new Uint8Array(n)
      : new Int32Array(n)
    : undefined;
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    checkRow(dataset, i);
    f.set(features.subarray(i * cols, i * cols + cols), k * cols);
    if (l) l[k] = labels![i]!;
  }
  return withArrays(dataset, f, n, dataset.scale, l);
}

/** Rows `[start, end)` as a dataset that shares memory with `dataset` (no copy). */
export function sliceRows(dataset: Dataset, start: number, end: number = dataset.rows): Dataset {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end > dataset.rows ||
    start > end
  ) {
    throw new DatasetError(
      'BAD_OPTION',
      dataset.name ?? 'dataset',
      `sliceRows(${start}, ${end}) is outside 0..${dataset.rows}`,
    );
  }
  const { cols } = dataset;
  return withArrays(
    dataset,
    dataset.features.subarray(start * cols, end * cols),
    end - start,
    dataset.scale,
    dataset.labels?.subarray(start, end),
  );
}

/** How many rows carry each label: `counts[c]` for `c` in `[0, numClasses)`. */
export function labelCounts(dataset: Dataset): number[] {
  if (!dataset.labels || dataset.numClasses === undefined) {
    throw new DatasetError('BAD_OPTION', dataset.name ?? 'dataset', 'dataset has no labels');
  }
  const counts = new Array<number>(dataset.numClasses).fill(0);
  for (const l of dataset.labels) counts[l]!++;
  return counts;
}

function checkRow(dataset: Dataset, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= dataset.rows) {
    throw new DatasetError(
      'BAD_OPTION',
      dataset.name ?? 'dataset',
      `row ${i} is outside 0..${dataset.rows - 1}`,
    );
  }
}
