import { DeepBeliefError } from '@deepbelief/core';
import type { Labels } from './data.js';

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
