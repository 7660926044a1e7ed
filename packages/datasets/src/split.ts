import type { SeededRandom } from '@deepbelief/core';
import { type Dataset, sliceRows, subset } from './dataset.js';
import { DatasetError } from './errors.js';
import { resolveRng } from './synthetic.js';

/** Options of {@link trainValidationSplit}. */
export interface SplitOptions {
  /** Validation size: a fraction in (0, 1) of the rows, or a row count ≥ 1. */
  readonly validation: number;
  /** Pick validation rows at random (default true; needs `seed` or `rng`). */
  readonly shuffle?: boolean;
  readonly seed?: number;
  readonly rng?: SeededRandom;
  /** Keep each class's share the same in both parts (needs labels and `shuffle`). */
  readonly stratify?: boolean;
}

/**
 * Splits a dataset into training and validation parts.
 *
 * - `shuffle: false`: the last rows are the validation set; both parts share memory with the
 *   input (no copy).
 * - otherwise the validation rows are drawn with the seeded generator (per class when
 *   `stratify`); both parts are copies in the input's storage type (uint8 stays uint8) and
 *   keep the original relative order of their rows.
 */
export function trainValidationSplit(
  dataset: Dataset,
  options: SplitOptions,
): { train: Dataset; validation: Dataset } {
  const who = dataset.name ?? 'dataset';
  const { rows } = dataset;
  const v = options.validation;
  const count = v > 0 && v < 1 ? Math.round(v * rows) : v;
  if (!Number.isInteger(count) || count < 1 || count >= rows) {
    throw new DatasetError(
      'BAD_OPTION',
      who,
      `validation must be a fraction in (0, 1) or a row count in 1..${rows - 1}, got ${v}`,
    );
  }
  if (options.shuffle === false) {
    if (options.stratify) {
      throw new DatasetError('BAD_OPTION', who, 'stratify needs shuffle: true');
    }
    return {
      train: sliceRows(dataset, 0, rows - count),
      validation: sliceRows(dataset, rows - count),
    };
  }
  const rng = resolveRng(options.rng, options.seed, 'trainValidationSplit');
  const isValidation = new Uint8Array(rows);
  if (options.stratify) {
    if (!dataset.labels || dataset.numClasses === undefined) {
      throw new DatasetError('BAD_OPTION', who, 'stratify needs a labelled dataset');
    }
    const byClass: number[][] = Array.from({ length: dataset.numClasses }, () => []);
    for (let i = 0; i < rows; i++) byClass[dataset.labels[i]!]!.push(i);
    // Largest-remainder allocation: per-class shares that add up to exactly `count`.
    const exact = byClass.map((members) => (members.length * count) / rows);
    const take = exact.map(Math.floor);
    let left = count - take.reduce((a, b) => a + b, 0);
    const order = exact
      .map((e, c) => [e - Math.floor(e), c] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, c] of order) {
      if (left === 0) break;
      take[c]!++;
      left--;
    }
    byClass.forEach((members, c) => {
      const perm = rng.permutation(members.length);
      for (let k = 0; k < take[c]!; k++) isValidation[members[perm[k]!]!] = 1;
    });
  } else {
    const perm = rng.permutation(rows);
    for (let k = 0; k < count; k++) isValidation[perm[k]!] = 1;
  }
  const trainIdx = new Uint32Array(rows - count);
  const valIdx = new Uint32Array(count);
  for (let i = 0, t = 0, s = 0; i < rows; i++) {
    if (isValidation[i]) valIdx[s++] = i;
    else trainIdx[t++] = i;
  }
  return { train: subset(dataset, trainIdx), validation: subset(dataset, valIdx) };
}
