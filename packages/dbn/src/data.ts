import { DeepBeliefError, type Ops, ShapeError, type Tensor } from '@deepbelief/core';
import { type MatrixInput, type MatrixSource, toMatrixSource } from '@deepbelief/rbm';

/** Class labels, one per row: integers in [0, numClasses). */
export type Labels = Uint8Array | Int32Array | Uint16Array | readonly number[];

/** Checks labels against the number of rows and classes; errors name the bad entry. */
export function checkLabels(
  labels: Labels,
  rows: number,
  numClasses: number,
  where = 'labels',
): void {
  if (labels.length !== rows)
    throw new ShapeError(`${where}: ${labels.length} labels for ${rows} rows`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new DeepBeliefError(
        `${where}[${i}] = ${y} is outside the ${numClasses} classes [0, ${numClasses - 1}]`,
      );
    }
  }
}

/** Rows of `source` passed through `fn` in blocks, gathered as a new in-memory source. */
export function mapRows(
  ops: Ops,
  source: MatrixSource,
  outCols: number,
  fn: (batch: Tensor) => Tensor,
  block = 1000,
): MatrixSource {
  const out = new Float32Array(source.rows * outCols);
  const buf = new Float32Array(block * source.cols);
  for (let start = 0; start < source.rows; start += block) {
    const n = Math.min(block, source.rows - start);
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = start + i;
    const view = buf.subarray(0, n * source.cols);
    source.readRows(idx, view);
    ops.tidy(() => {
      const y = fn(ops.tensor(view, [n, source.cols]));
      if (y.cols !== outCols)
        throw new ShapeError(`mapRows: expected ${outCols} output columns, got ${y.cols}`);
      out.set(ops.read(y), start * outCols);
    });
  }
  return toMatrixSource({ data: out, rows: source.rows, cols: outCols });
}

/** A source whose rows are `features` followed by the one-hot code of `labels` (label units). */
export function withOneHot(
  features: MatrixSource,
  labels: Labels,
  numClasses: number,
): MatrixSource {
  checkLabels(labels, features.rows, numClasses);
  const cols = features.cols + numClasses;
  return {
    rows: features.rows,
    cols,
    readRows(indices, out) {
      const tmp = new Float32Array(indices.length * features.cols);
      features.readRows(indices, tmp);
      for (let r = 0; r < indices.length; r++) {
        out.set(tmp.subarray(r * features.cols, (r + 1) * features.cols), r * cols);
        out.fill(0, r * cols + features.cols, (r + 1) * cols);
        out[r * cols + features.cols + Number(labels[indices[r]!])] = 1;
      }
    },
  };
}

/** One-hot matrix `[labels.length, numClasses]`. */
export function oneHot(ops: Ops, labels: Labels, numClasses: number): Tensor {
  const data = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) data[i * numClasses + Number(labels[i])] = 1;
  return ops.fromArray(data, [labels.length, numClasses]);
}

export { type MatrixInput, type MatrixSource, toMatrixSource };
