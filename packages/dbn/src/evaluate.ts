import { DeepBeliefError, forEachBlock, type Ops, type Tensor } from '@deepbelief/core';
import { type MatrixInput, toMatrixSource } from '@deepbelief/rbm';
import { checkLabels, type Labels } from './data.js';
import type { DBN } from './dbn.js';
import type { FeedForwardNet } from './feedforward.js';

/** Classification error and confusion matrix (`matrix[true][predicted]`). */
export interface ClassificationReport {
  readonly error: number;
  readonly correct: number;
  readonly total: number;
  readonly confusion: number[][];
}

/** Compares predictions with labels. */
export function classificationReport(
  predicted: ArrayLike<number>,
  labels: Labels,
  numClasses: number,
): ClassificationReport {
  if (predicted.length !== labels.length)
    throw new DeepBeliefError(
      `classificationReport: ${predicted.length} predictions for ${labels.length} labels`,
    );
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = Number(labels[i]);
    const p = predicted[i]!;
    confusion[y]![p]!++;
    if (y === p) correct++;
  }
  return { error: 1 - correct / labels.length, correct, total: labels.length, confusion };
}

/** Classifies every row of `input` in blocks with `predict` and compares with `labels`. */
function evaluateWith(
  ops: Ops,
  input: MatrixInput,
  labels: Labels,
  numClasses: number,
  predict: (x: Tensor) => ArrayLike<number>,
): ClassificationReport {
  const source = toMatrixSource(input);
  checkLabels(labels, source.rows, numClasses);
  const predicted = new Int32Array(source.rows);
  forEachBlock(ops, source, (x, start) => predicted.set(predict(x), start));
  return classificationReport(predicted, labels, numClasses);
}

/** Test error and confusion matrix of a DBN's classification by the label free energy. */
export function evaluateDbn(
  dbn: DBN,
  input: MatrixInput,
  labels: Labels,
  numClasses = dbn.numLabels,
): ClassificationReport {
  return evaluateWith(dbn.ops, input, labels, Math.max(numClasses, dbn.numLabels), (x) =>
    dbn.classify(x),
  );
}

/** Test error and confusion matrix of a feed-forward classifier (the argmax of its output). */
export function evaluateClassifier(
  net: FeedForwardNet,
  input: MatrixInput,
  labels: Labels,
  numClasses = net.outputSize,
): ClassificationReport {
  const o = net.ops;
  return evaluateWith(o, input, labels, Math.max(numClasses, net.outputSize), (x) =>
    o.read(o.argmax(net.forward(x), 1)),
  );
}

/**
 * Squared reconstruction error of `reconstruct` (e.g. an autoencoder's) over every row of
 * `input`: per image (summed over pixels) and per pixel.
 */
export function evaluateReconstruction(
  ops: Ops,
  reconstruct: (x: Tensor) => Tensor,
  input: MatrixInput,
): { perImage: number; perPixel: number } {
  const source = toMatrixSource(input);
  let squared = 0;
  forEachBlock(ops, source, (x) => {
    squared += ops.item(ops.sum(ops.square(ops.sub(x, reconstruct(x)))));
  });
  return { perImage: squared / source.rows, perPixel: squared / (source.rows * source.cols) };
}
