import { DeepBeliefError, type Ops, type Tensor } from '@deepbelief/core';
import { type Dataset, getRow } from '@deepbelief/datasets';
import {
  type ClassificationReport,
  classificationReport,
  type DBN,
  type FeedForwardNet,
} from '@deepbelief/dbn';
import type { RBM } from '@deepbelief/rbm';

/** Rows per block when evaluating. */
const BLOCK = 1000;

/**
 * Calls `fn` on consecutive blocks of `data` as float32 tensors `[n, cols]` (at most 1000
 * rows each), inside `ops.tidy`.
 */
export function forEachBlock(
  ops: Ops,
  data: Dataset,
  fn: (x: Tensor, start: number, n: number) => void,
  block = BLOCK,
): void {
  const buf = new Float32Array(block * data.cols);
  const row = new Float32Array(data.cols);
  for (let start = 0; start < data.rows; start += block) {
    const n = Math.min(block, data.rows - start);
    for (let i = 0; i < n; i++) buf.set(getRow(data, start + i, row), i * data.cols);
    ops.tidy(() => fn(ops.tensor(buf.subarray(0, n * data.cols), [n, data.cols]), start, n));
  }
}

/** The first `count` rows of `data` as a float32 array. */
export function firstRows(data: Dataset, count: number): Float32Array {
  const n = Math.min(count, data.rows);
  const out = new Float32Array(n * data.cols);
  const row = new Float32Array(data.cols);
  for (let i = 0; i < n; i++) out.set(getRow(data, i, row), i * data.cols);
  return out;
}

function requireLabels(
  data: Dataset,
  what: string,
): { labels: NonNullable<Dataset['labels']>; numClasses: number } {
  if (!data.labels || data.numClasses === undefined) {
    throw new DeepBeliefError(`${what}: the evaluation data has no labels`);
  }
  return { labels: data.labels, numClasses: data.numClasses };
}

/** Test error and confusion matrix of a DBN's label free-energy classification. */
export function evaluateDbn(dbn: DBN, data: Dataset): ClassificationReport {
  const { labels } = requireLabels(data, 'eval');
  const predicted = new Int32Array(data.rows);
  forEachBlock(dbn.ops, data, (x, start) => predicted.set(dbn.classify(x), start));
  return classificationReport(predicted, labels, Math.max(dbn.numLabels, data.numClasses ?? 0));
}

/** Test error and confusion matrix of a feed-forward classifier (argmax of its output). */
export function evaluateClassifier(net: FeedForwardNet, data: Dataset): ClassificationReport {
  const { labels } = requireLabels(data, 'eval');
  const o = net.ops;
  const predicted = new Int32Array(data.rows);
  forEachBlock(o, data, (x, start) => {
    predicted.set(Int32Array.from(o.read(o.argmax(net.forward(x), 1))), start);
  });
  return classificationReport(predicted, labels, Math.max(net.outputSize, data.numClasses ?? 0));
}

/** Reconstruction errors of an RBM through p(v | p(h|v)), averaged over all rows. */
export interface RbmReconstruction {
  /** Mean squared error per visible unit. */
  readonly reconstructionError: number;
  /** Cross-entropy in nats per example (NaN unless all visible units are Bernoulli). */
  readonly crossEntropy: number;
}

/** Reconstruction error of an RBM on every row of `data`. */
export function evaluateRbmReconstruction(rbm: RBM, data: Dataset): RbmReconstruction {
  const o = rbm.ops;
  const bernoulli = rbm.segments.every((s) => s.type === 'bernoulli');
  let squared = 0;
  let xent = 0;
  forEachBlock(o, data, (v) => {
    const recon = rbm.reconstruct(v);
    squared += o.item(o.sum(o.square(o.sub(v, recon))));
    if (bernoulli) {
      const r = o.clip(recon, 1e-7, 1 - 1e-7);
      xent -= o.item(o.sum(o.add(o.mul(v, o.log(r)), o.mul(o.rsub(1, v), o.log(o.rsub(1, r))))));
    }
  });
  return {
    reconstructionError: squared / (data.rows * data.cols),
    crossEntropy: bernoulli ? xent / data.rows : Number.NaN,
  };
}

/** Mean of −F(v) over all rows of `data` (nats per example): add −log Z for the log-likelihood. */
export function meanNegativeFreeEnergy(rbm: RBM, data: Dataset): number {
  const o = rbm.ops;
  let total = 0;
  forEachBlock(o, data, (v) => {
    total -= o.item(o.sum(rbm.freeEnergy(v)));
  });
  return total / data.rows;
}

/** Squared reconstruction error per image (summed over pixels) and per pixel of a model's `reconstruct`. */
export function evaluateReconstruction(
  ops: Ops,
  reconstruct: (x: Tensor) => Tensor,
  data: Dataset,
): { perImage: number; perPixel: number } {
  let squared = 0;
  forEachBlock(ops, data, (x) => {
    squared += ops.item(ops.sum(ops.square(ops.sub(x, reconstruct(x)))));
  });
  return { perImage: squared / data.rows, perPixel: squared / (data.rows * data.cols) };
}
