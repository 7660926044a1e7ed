import { ShapeError } from './errors.js';

/**
 * Every deepbelief tensor is a matrix `[rows, cols]`: a mini-batch is `[batch, units]`,
 * a weight matrix `[visible, hidden]`, a bias a row vector `[1, units]`, a per-example
 * quantity a column vector `[batch, 1]` and a scalar `[1, 1]`. Rank 2 only keeps every
 * backend small, and it is all RBMs, DBNs and backprop need.
 */
export type Shape = readonly [rows: number, cols: number];

/** `'rows'` (axis 0) reduces over the batch; `'cols'` (axis 1) over units; `null`: everything. */
export type Axis = 0 | 1 | null;

/** Formats a shape for error messages: `[100, 784]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws a {@link ShapeError} unless `shape` is two positive integers. */
export function checkShape(shape: readonly number[], where: string): Shape {
  if (shape.length !== 2) {
    throw new ShapeError(
      `${where}: tensors are matrices [rows, cols]; got shape ${formatShape(shape)}`,
    );
  }
  const [rows, cols] = shape as [number, number];
  for (const [name, n] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) {
      throw new ShapeError(
        `${where}: ${name} must be a positive integer, got ${n} in shape ${formatShape(shape)}` +
          (n === 0 ? ' (empty batches are rejected)' : ''),
      );
    }
  }
  return [rows, cols];
}

/**
 * Result shape of an elementwise op under deepbelief's broadcasting rule: along each axis
 * the sizes are equal or one of them is 1 (a row vector, a column vector or a scalar).
 */
export function broadcastShapes(a: Shape, b: Shape, where: string): Shape {
  const out: number[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const x = a[axis]!;
    const y = b[axis]!;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else {
      throw new ShapeError(
        `${where}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast ` +
          `(axis ${axis}: ${x} vs ${y}; each axis must match or be 1)`,
      );
    }
  }
  return [out[0]!, out[1]!];
}
