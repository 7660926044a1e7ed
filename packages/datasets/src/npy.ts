import { createDataset, type Dataset, type LabelArray } from './dataset.js';
import { DatasetError } from './errors.js';

/** The `.npy` dtypes {@link parseNpy} reads (all little-endian). */
export type NpyDescr = '<f4' | '<f8' | '|u1' | '<i4' | '<i8';

/**
 * A parsed `.npy` array. float64 is converted to float32 (models compute in float32) and
 * int64 to int32 (for label vectors; values must fit).
 */
export interface NpyArray {
  /** The dtype as stored in the file. */
  readonly descr: NpyDescr;
  /** 1 or 2 dimensions. */
  readonly shape: readonly number[];
  readonly data: Float32Array | Uint8Array | Int32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses a NumPy `.npy` file (format versions 1–3) holding a C-order 1-D or 2-D array of
 * little-endian float32 (`<f4`), float64 (`<f8`, converted to float32), uint8 (`|u1`), int32
 * (`<i4`) or int64 (`<i8`, converted to int32: NumPy's default for integer labels). This is how Python users hand data over: `np.save('x.npy', x)`.
 *
 * @throws {DatasetError} naming `source`: `EMPTY_FILE`, `BAD_MAGIC`, `BAD_HEADER` (unparsable
 * header, Fortran order, 0-D or > 2-D), `UNSUPPORTED_DTYPE`, `TRUNCATED`, `TRAILING_BYTES`.
 */
export function parseNpy(bytes: Uint8Array, source = '<npy>'): NpyArray {
  if (bytes.length === 0) throw new DatasetError('EMPTY_FILE', source, 'file is empty (0 bytes)');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DatasetError('BAD_MAGIC', source, 'not a .npy file: it must start with \\x93NUMPY');
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DatasetError('TRUNCATED', source, 'truncated .npy header');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DatasetError('BAD_HEADER', source, `unsupported .npy format version ${major}`);
  }
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) {
    throw new DatasetError(
      'TRUNCATED',
      source,
      `truncated .npy header: needs ${dataStart} bytes, file has ${bytes.length}`,
    );
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DatasetError('BAD_HEADER', source, `unparsable .npy header: ${header.trim()}`);
  }
  if (fortran === 'True') {
    throw new DatasetError(
      'BAD_HEADER',
      source,
      'Fortran-order arrays are not supported: save with np.save(path, np.ascontiguousarray(x))',
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (
    shape.length < 1 ||
    shape.length > 2 ||
    shape.some((n) => !Number.isSafeInteger(n) || n < 0)
  ) {
    throw new DatasetError(
      'BAD_HEADER',
      source,
      `shape (${shapeText}) is not supported: expected a 1-D or 2-D array`,
    );
  }
  const kind: NpyDescr | undefined = /^[|<]?u1$/.test(descr)
    ? '|u1'
    : (['<f4', '<f8', '<i4', '<i8'] as const).find((d) => d === descr);
  if (!kind) {
    throw new DatasetError(
      'UNSUPPORTED_DTYPE',
      source,
      `dtype '${descr}' is not supported: expected little-endian '<f4', '<f8', '|u1', '<i4' or '<i8'; convert with x.astype('<f4')`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const size = kind === '|u1' ? 1 : kind === '<f8' || kind === '<i8' ? 8 : 4;
  const expected = dataStart + count * size;
  if (bytes.length < expected) {
    throw new DatasetError(
      'TRUNCATED',
      source,
      `truncated data: shape (${shape.join(', ')}) of ${descr} needs ${expected} bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      'TRAILING_BYTES',
      source,
      `${bytes.length - expected} unexpected bytes after the data of shape (${shape.join(', ')})`,
    );
  }
  let data: Float32Array | Uint8Array | Int32Array;
  if (kind === '|u1') {
    data = bytes.subarray(dataStart, expected);
  } else if (kind === '<f4') {
    if (LITTLE_ENDIAN_HOST) {
      data = new Float32Array(bytes.slice(dataStart, expected).buffer);
    } else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + 4 * i, true);
    }
  } else if (kind === '<f8') {
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(dataStart + 8 * i, true);
  } else if (kind === '<i4') {
    data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt32(dataStart + 4 * i, true);
  } else {
    data = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = view.getBigInt64(dataStart + 8 * i, true);
      if (v < -2147483648n || v > 2147483647n) {
        throw new DatasetError(
          'UNSUPPORTED_DTYPE',
          source,
          `int64 value ${v} at index ${i} does not fit in int32`,
        );
      }
      data[i] = Number(v);
    }
  }
  return { descr: kind, shape, data };
}

/**
 * Serialises a 1-D or 2-D array as a version-1 `.npy` file (`<f4` for Float32Array, `|u1`
 * for Uint8Array), readable by `np.load`. The inverse of {@link parseNpy}.
 */
export function encodeNpy(data: Float32Array | Uint8Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.length < 1 || shape.length > 2 || count !== data.length) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      'encodeNpy',
      `shape (${shape.join(', ')}) must be 1-D or 2-D and hold ${data.length} values`,
    );
  }
  const descr = data instanceof Float32Array ? '<f4' : '|u1';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += `${' '.repeat((64 - (total % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || data instanceof Uint8Array) {
    out.set(body, 10 + header.length);
  } else {
    const v = new DataView(out.buffer);
    for (let i = 0; i < data.length; i++) v.setFloat32(10 + header.length + 4 * i, data[i]!, true);
  }
  return out;
}

/** Options of {@link datasetFromNpy}. */
export interface NpyDatasetOptions {
  /** A parsed 1-D integer-valued array of class labels, one per row. */
  labels?: NpyArray;
  numClasses?: number;
  /** Scale for uint8 features; default 1/255 (pixels). Float features always use 1. */
  scale?: number;
  name?: string;
  imageShape?: readonly [number, number];
  source?: string;
}

/**
 * A {@link Dataset} from a parsed 2-D `.npy` feature matrix (a 1-D array becomes one column)
 * and optional 1-D labels. uint8 features stay uint8 (no copy); int32 features become float32.
 *
 * @throws {DatasetError} `SHAPE_MISMATCH` when the label count differs from the row count,
 * `LABEL_OUT_OF_RANGE` when a label is not an integer in range.
 */
export function datasetFromNpy(features: NpyArray, options: NpyDatasetOptions = {}): Dataset {
  const source = options.source ?? options.name ?? '<npy>';
  const rows = features.shape[0]!;
  const cols = features.shape.length === 2 ? features.shape[1]! : 1;
  let labels: LabelArray | undefined;
  if (options.labels) {
    const l = options.labels;
    if (l.shape.length !== 1 || l.shape[0] !== rows) {
      throw new DatasetError(
        'SHAPE_MISMATCH',
        source,
        `labels have shape (${l.shape.join(', ')}) but there are ${rows} rows: expected (${rows},)`,
      );
    }
    if (l.data instanceof Uint8Array || l.data instanceof Int32Array) {
      labels = l.data;
    } else {
      const out = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = l.data[i]!;
        if (!Number.isInteger(v) || v < 0) {
          throw new DatasetError(
            'LABEL_OUT_OF_RANGE',
            source,
            `label ${v} at index ${i} is not a class index (an integer ≥ 0)`,
          );
        }
        out[i] = v;
      }
      labels = out;
    }
  }
  const data =
    features.data instanceof Int32Array ? Float32Array.from(features.data) : features.data;
  return createDataset({
    features: data,
    rows,
    cols,
    scale: data instanceof Uint8Array ? (options.scale ?? 1 / 255) : 1,
    source,
    ...(labels ? { labels } : {}),
    ...(labels && options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.imageShape ? { imageShape: options.imageShape } : {}),
  });
}
