import { bytesToFloat32, DeepBeliefError, type MatrixSource, ShapeError } from '@deepbelief/core';

export type { MatrixSource };

/** Plain matrices accepted by training and evaluation: a source, or typed data with its shape. */
export type MatrixInput =
  | MatrixSource
  | {
      /** Row-major values; uint8 data is multiplied by `scale` (e.g. 1/255). */
      readonly data?: Float32Array | Uint8Array;
      /** Same as `data` (the name `@deepbelief/datasets` uses). */
      readonly features?: Float32Array | Uint8Array;
      readonly rows: number;
      readonly cols: number;
      readonly scale?: number;
    };

/** Wraps any {@link MatrixInput} as a {@link MatrixSource}, validating its shape. */
export function toMatrixSource(input: MatrixInput, where = 'data'): MatrixSource {
  if ('readRows' in input && typeof input.readRows === 'function') return input;
  const { rows, cols } = input;
  const values =
    'data' in input && input.data ? input.data : 'features' in input ? input.features : undefined;
  if (!(values instanceof Float32Array || values instanceof Uint8Array)) {
    throw new DeepBeliefError(
      `${where}: expected a Float32Array or Uint8Array of values (field 'data' or 'features')`,
    );
  }
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new ShapeError(
      `${where}: rows and cols must be positive integers, got ${rows} × ${cols}`,
    );
  }
  if (values.length !== rows * cols) {
    throw new ShapeError(`${where}: ${values.length} values do not fill ${rows} × ${cols}`);
  }
  const scale =
    'scale' in input && input.scale !== undefined
      ? input.scale
      : values instanceof Uint8Array
        ? 1 / 255
        : 1;
  if (values instanceof Uint8Array) {
    return {
      rows,
      cols,
      byteScale: scale,
      // the float32 products byte · fround(scale), by the same function Ops.fromBytes uses
      readRows(indices, out) {
        for (let r = 0; r < indices.length; r++) {
          const base = indices[r]! * cols;
          bytesToFloat32(values.subarray(base, base + cols), scale, out.subarray(r * cols));
        }
      },
      readRowBytes(indices, out) {
        for (let r = 0; r < indices.length; r++) {
          const base = indices[r]! * cols;
          out.set(values.subarray(base, base + cols), r * cols);
        }
      },
    };
  }
  return {
    rows,
    cols,
    readRows(indices, out) {
      for (let r = 0; r < indices.length; r++) {
        const base = indices[r]! * cols;
        const o = r * cols;
        if (scale === 1) for (let j = 0; j < cols; j++) out[o + j] = values[base + j]!;
        else for (let j = 0; j < cols; j++) out[o + j] = values[base + j]! * scale;
      }
    },
  };
}

/** All rows of a source as one Float32Array (for evaluation on modest sizes). */
export function readAll(
  source: MatrixSource,
  maxRows = source.rows,
): { data: Float32Array; rows: number } {
  const rows = Math.min(maxRows, source.rows);
  const idx = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) idx[i] = i;
  const data = new Float32Array(rows * source.cols);
  source.readRows(idx, data);
  return { data, rows };
}

/**
 * Column means of a source (for visible-bias initialisation), streamed in blocks. 8-bit
 * sources are summed as integers (exact) and scaled once: 60,000 MNIST rows in a few
 * milliseconds instead of a float conversion of every value.
 */
export function columnMeans(source: MatrixSource, block = 1000): Float32Array {
  const { cols, readRowBytes } = source;
  const sums = new Float64Array(cols);
  const floats = readRowBytes ? null : new Float32Array(block * cols);
  const bytes = readRowBytes ? new Uint8Array(block * cols) : null;
  for (let start = 0; start < source.rows; start += block) {
    const n = Math.min(block, source.rows - start);
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = start + i;
    const values = bytes ?? floats!;
    if (bytes) readRowBytes!.call(source, idx, bytes);
    else source.readRows(idx, floats!);
    for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) sums[j]! += values[i * cols + j]!;
  }
  const scale = bytes ? Math.fround(source.byteScale ?? 1) : 1;
  return Float32Array.from(sums, (s) => (s * scale) / source.rows);
}
