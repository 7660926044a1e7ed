import { DatasetError } from './errors.js';
import { gunzipWeb, isGzip } from './gzip.js';

/** IDX element types by their type byte (the third byte of the magic number). */
export const IDX_DTYPES = {
  8: 'uint8',
  9: 'int8',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
} as const;

/** Name of an IDX element type. */
export type IdxDtype = (typeof IDX_DTYPES)[keyof typeof IDX_DTYPES];

/** Typed array holding IDX data of each element type (converted to host byte order). */
export interface IdxArrayTypes {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** A parsed IDX file: element type, dimensions (outermost first) and row-major data. */
export interface IdxArray<D extends IdxDtype = IdxDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: IdxArrayTypes[D];
}

const SIZES: Record<IdxDtype, number> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Name used in error messages (a file name or URL); default `'<memory>'`. */
  source?: string;
  /** Reject any other element type, e.g. `'uint8'` for MNIST images. */
  dtype?: IdxDtype;
  /** Reject any other number of dimensions, e.g. 3 for MNIST images. */
  ndim?: number;
}

/**
 * Parses an uncompressed IDX file (the MNIST format): two zero bytes, a type byte, a
 * dimension count, one big-endian uint32 per dimension, then the big-endian data.
 *
 * Validates the magic number, element type, dimension count and exact byte length. uint8 data
 * is returned as a view into `bytes` (no copy); other types are converted to host order.
 *
 * @throws {DatasetError} naming `source`: `EMPTY_FILE`, `BAD_MAGIC` (also when the input is
 * still gzip-compressed), `UNSUPPORTED_DTYPE`, `BAD_HEADER`, `TRUNCATED` or `TRAILING_BYTES`.
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const source = options.source ?? '<memory>';
  if (bytes.length === 0) throw new DatasetError('EMPTY_FILE', source, 'file is empty (0 bytes)');
  if (bytes.length < 4) {
    throw new DatasetError(
      'TRUNCATED',
      source,
      `only ${bytes.length} bytes: an IDX file starts with a 4-byte magic number`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const hint = isGzip(bytes)
      ? ' (the data is gzip-compressed: decompress it first, or use decodeIdx / readIdxFile)'
      : '';
    throw new DatasetError(
      'BAD_MAGIC',
      source,
      `bad IDX magic number 0x${hex}: expected 0x0000 followed by a type byte and a dimension count${hint}`,
    );
  }
  const typeByte = bytes[2]!;
  const dtype = IDX_DTYPES[typeByte as keyof typeof IDX_DTYPES] as IdxDtype | undefined;
  if (!dtype) {
    throw new DatasetError(
      'UNSUPPORTED_DTYPE',
      source,
      `unknown IDX type byte 0x${typeByte.toString(16).padStart(2, '0')}: expected 0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32) or 0x0e (float64)`,
    );
  }
  if (options.dtype && dtype !== options.dtype) {
    throw new DatasetError(
      'UNSUPPORTED_DTYPE',
      source,
      `IDX element type is ${dtype}, expected ${options.dtype}`,
    );
  }
  const ndim = bytes[3]!;
  if (ndim === 0) {
    throw new DatasetError('BAD_HEADER', source, 'IDX header declares 0 dimensions');
  }
  if (options.ndim !== undefined && ndim !== options.ndim) {
    throw new DatasetError(
      'BAD_HEADER',
      source,
      `IDX file has ${ndim} dimension${ndim === 1 ? '' : 's'}, expected ${options.ndim}`,
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      'TRUNCATED',
      source,
      `truncated header: ${ndim} dimensions need ${headerBytes} header bytes, file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    count *= n;
  }
  const size = SIZES[dtype];
  const expected = headerBytes + count * size;
  if (bytes.length < expected) {
    throw new DatasetError(
      'TRUNCATED',
      source,
      `truncated body: shape [${shape.join(', ')}] of ${dtype} needs ${expected} bytes, file has ${bytes.length} (${expected - bytes.length} missing)`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      'TRAILING_BYTES',
      source,
      `${bytes.length - expected} unexpected bytes after the data: shape [${shape.join(', ')}] of ${dtype} needs exactly ${expected} bytes, file has ${bytes.length}`,
    );
  }
  const start = headerBytes;
  const data = decodeBody(bytes, view, start, count, dtype);
  return { dtype, shape, data } as IdxArray;
}

function decodeBody(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  count: number,
  dtype: IdxDtype,
): IdxArrayTypes[IdxDtype] {
  switch (dtype) {
    case 'uint8':
      return bytes.subarray(start, start + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + start, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, false);
      return out;
    }
  }
}

/**
 * Parses IDX data that may be gzip-compressed (detected from the `1f 8b` magic, not the file
 * name), decompressing with `DecompressionStream`. Browser-safe.
 *
 * @throws {DatasetError} as {@link parseIdx}, or `BAD_GZIP`.
 */
export async function decodeIdx(
  input: ArrayBuffer | Uint8Array,
  options: ParseIdxOptions = {},
): Promise<IdxArray> {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (isGzip(bytes)) bytes = await gunzipWeb(bytes, options.source ?? '<memory>');
  return parseIdx(bytes, options);
}

/**
 * Serialises an array as an uncompressed IDX file (big-endian), the inverse of
 * {@link parseIdx}. `shape` must multiply to `data.length`.
 */
export function encodeIdx<D extends IdxDtype>(
  dtype: D,
  shape: readonly number[],
  data: ArrayLike<number>,
): Uint8Array {
  const typeByte = Number(
    Object.entries(IDX_DTYPES).find(([, name]) => name === dtype)?.[0] ?? Number.NaN,
  );
  if (Number.isNaN(typeByte)) {
    throw new DatasetError('UNSUPPORTED_DTYPE', 'encodeIdx', `unknown dtype ${dtype}`);
  }
  if (shape.length < 1 || shape.length > 255) {
    throw new DatasetError(
      'BAD_OPTION',
      'encodeIdx',
      `shape needs 1..255 dimensions, got ${shape.length}`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      'encodeIdx',
      `shape [${shape.join(', ')}] holds ${count} values, data has ${data.length}`,
    );
  }
  const header = 4 + 4 * shape.length;
  const size = SIZES[dtype];
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = typeByte;
  out[3] = shape.length;
  for (let d = 0; d < shape.length; d++) view.setUint32(4 + 4 * d, shape[d]!, false);
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const at = header + i * size;
    switch (dtype) {
      case 'uint8':
        view.setUint8(at, v);
        break;
      case 'int8':
        view.setInt8(at, v);
        break;
      case 'int16':
        view.setInt16(at, v, false);
        break;
      case 'int32':
        view.setInt32(at, v, false);
        break;
      case 'float32':
        view.setFloat32(at, v, false);
        break;
      case 'float64':
        view.setFloat64(at, v, false);
        break;
    }
  }
  return out;
}
