/**
 * The evaluations of `deepbelief eval` and the quickstart: the libraries' evaluators
 * (`evaluateDbn`, `evaluateClassifier`, `evaluateReconstruction` in `@deepbelief/dbn`,
 * `datasetReconstructionError` and `meanNegativeFreeEnergy` in `@deepbelief/rbm`) applied to
 * a loaded dataset, with the labels it needs checked here.
 */
import { DeepBeliefError } from '@deepbelief/core';
import { type Dataset, getRow } from '@deepbelief/datasets';
import {
  type ClassificationReport,
  evaluateClassifier as classifierReport,
  type DBN,
  evaluateDbn as dbnReport,
  type FeedForwardNet,
} from '@deepbelief/dbn';
import { datasetReconstructionError, type RBM } from '@deepbelief/rbm';

export { forEachBlock } from '@deepbelief/core';
export { evaluateReconstruction } from '@deepbelief/dbn';
export { meanNegativeFreeEnergy } from '@deepbelief/rbm';

/** The first `count` rows of `data` as a float32 array. */
export function firstRows(data: Dataset, count: number): Float32Array {
  const n = Math.min(count, data.rows);
  const out = new Float32Array(n * data.cols);
  const row = new Float32Array(data.cols);
  for (let i = 0; i < n; i++) out.set(getRow(data, i, row), i * data.cols);
  return out;
}

function requireLabels(data: Dataset, what: string): NonNullable<Dataset['labels']> {
  if (!data.labels || data.numClasses === undefined) {
    throw new DeepBeliefError(`${what}: the evaluation data has no labels`);
  }
  return data.labels;
}

/** Test error and confusion matrix of a DBN's label free-energy classification. */
export function evaluateDbn(dbn: DBN, data: Dataset): ClassificationReport {
  return dbnReport(dbn, data, requireLabels(data, 'eval'), data.numClasses);
}

/** Test error and confusion matrix of a feed-forward classifier (argmax of its output). */
export function evaluateClassifier(net: FeedForwardNet, data: Dataset): ClassificationReport {
  return classifierReport(net, data, requireLabels(data, 'eval'), data.numClasses);
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
  const { meanSquaredError, crossEntropy } = datasetReconstructionError(rbm, data);
  return { reconstructionError: meanSquaredError, crossEntropy };
}
