import { InvalidArgumentError } from 'commander';

/** Commander parser of an integer ≥ `min`. */
export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected an integer ≥ ${min}.`);
    }
    return n;
  };
}

/**
 * Commander parser of `--cd`: Gibbs steps `k`, or `FROM..TO` for k rising linearly from FROM
 * at the first epoch to TO at the last (Salakhutdinov & Murray's CD25: `1..25`).
 */
export function gibbsSteps(value: string): number | { from: number; to: number } {
  const ramp = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(value);
  if (ramp) {
    const from = Number(ramp[1]);
    const to = Number(ramp[2]);
    if (from < 1 || to < 1) throw new InvalidArgumentError('expected FROM..TO with both ≥ 1.');
    return { from, to };
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected an integer ≥ 1, or FROM..TO (e.g. 1..25).');
  }
  return n;
}

/** Commander parser of a finite number in a range (`open` bounds exclude the end). */
export function real(
  options: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean } = {},
): (value: string) => number {
  const { min, max, minOpen = false, maxOpen = false } = options;
  const range =
    min !== undefined && max !== undefined
      ? `in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`
      : min !== undefined
        ? `${minOpen ? '>' : '≥'} ${min}`
        : max !== undefined
          ? `${maxOpen ? '<' : '≤'} ${max}`
          : 'finite';
  return (value) => {
    const n = Number(value);
    const ok =
      value.trim() !== '' &&
      Number.isFinite(n) &&
      (min === undefined || (minOpen ? n > min : n >= min)) &&
      (max === undefined || (maxOpen ? n < max : n <= max));
    if (!ok) throw new InvalidArgumentError(`expected a number ${range}.`);
    return n;
  };
}

/** Commander parser of a comma-separated list of integers ≥ `min` (e.g. `784,500,500,2000`). */
export function integerList(min: number, minLength = 1): (value: string) => number[] {
  return (value) => {
    const parts = value.split(',').map((p) => p.trim());
    const nums = parts.map(Number);
    if (parts.some((p) => p === '') || nums.some((n) => !Number.isInteger(n) || n < min)) {
      throw new InvalidArgumentError(
        `expected comma-separated integers ≥ ${min}, e.g. 784,500,500,2000.`,
      );
    }
    if (nums.length < minLength) {
      throw new InvalidArgumentError(`expected at least ${minLength} comma-separated integers.`);
    }
    return nums;
  };
}

/** Commander parser of `HxW` (e.g. `28x28`). */
export function shape(value: string): [number, number] {
  const m = /^(\d+)[x×](\d+)$/.exec(value.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new InvalidArgumentError('expected HxW, e.g. 28x28.');
  }
  return [Number(m[1]), Number(m[2])];
}

/** Commander parser of a CSV label column: an integer index (negative counts from the end) or a name. */
export function column(value: string): string | number {
  return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
}

/** Commander parser of `--binarize`'s value: `threshold` or `stochastic`. */
export function binarization(value: string): 'threshold' | 'stochastic' {
  if (value === 'threshold' || value === 'stochastic') return value;
  throw new InvalidArgumentError("expected 'threshold' or 'stochastic'.");
}

/** The `--data` forms, for help texts and error messages. */
export const DATA_FORMS =
  'mnist, fashion-mnist, synthetic:bars<N> or synthetic:bars<H>x<W>, brown (the Brown Corpus as word counts), text:DIR (a folder of .txt files per label), a directory of IDX files, a .csv or a .npy file';
