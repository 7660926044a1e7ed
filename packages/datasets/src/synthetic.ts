import { SeededRandom } from '@deepbelief/core';
import { createDataset, type Dataset } from './dataset.js';
import { DatasetError } from './errors.js';

/** Image size of a bars-and-stripes set: `n` for n×n, or `[height, width]`. */
export type BarsAndStripesSize = number | readonly [number, number];

/** Labels of bars-and-stripes patterns. */
export const BARS_AND_STRIPES_CLASSES: readonly string[] = ['bars', 'stripes', 'uniform'];

function dims(size: BarsAndStripesSize): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new DatasetError(
      'BAD_OPTION',
      'barsAndStripes',
      `size must be positive integers, got ${h}×${w}`,
    );
  }
  return [h, w];
}

/** Largest set {@link barsAndStripes} will enumerate (rows); sample bigger sizes instead. */
export const BARS_AND_STRIPES_MAX_ROWS = 1 << 20;

/**
 * Every distinct bars-and-stripes pattern of a `height × width` binary image, each once: the
 * `2^width` patterns whose columns are each all-on or all-off ("bars", label 0) and the
 * `2^height` whose rows are ("stripes", label 1), with the all-off and all-on images — which
 * are both — listed once each under label 2 ("uniform"). So there are exactly
 * `2^width + 2^height − 2` rows, a known answer for tests: a model that has learned the set
 * puts all its probability on these rows.
 *
 * Features are uint8 0/1 with `scale = 1`, row-major, `imageShape = [height, width]`. Order:
 * uniform (off, on), then bars by increasing column bitmask, then stripes by row bitmask.
 *
 * @throws {DatasetError} `BAD_OPTION` when there would be more than
 * {@link BARS_AND_STRIPES_MAX_ROWS} rows (use {@link sampleBarsAndStripes}).
 */
export function barsAndStripes(size: BarsAndStripesSize): Dataset {
  const [h, w] = dims(size);
  const rows = 2 ** w + 2 ** h - 2;
  if (rows > BARS_AND_STRIPES_MAX_ROWS) {
    throw new DatasetError(
      'BAD_OPTION',
      'barsAndStripes',
      `${h}×${w} has ${rows} distinct patterns, more than ${BARS_AND_STRIPES_MAX_ROWS}: use sampleBarsAndStripes`,
    );
  }
  const cols = h * w;
  const features = new Uint8Array(rows * cols);
  const labels = new Uint8Array(rows);
  let r = 0;
  labels[r++] = 2; // all off
  features.fill(1, r * cols, (r + 1) * cols);
  labels[r++] = 2; // all on
  for (let mask = 1; mask < 2 ** w - 1; mask++) {
    writeBars(features, r * cols, h, w, mask);
    labels[r++] = 0;
  }
  for (let mask = 1; mask < 2 ** h - 1; mask++) {
    writeStripes(features, r * cols, h, w, mask);
    labels[r++] = 1;
  }
  return createDataset({
    features,
    rows,
    cols,
    scale: 1,
    labels,
    numClasses: 3,
    classNames: BARS_AND_STRIPES_CLASSES,
    imageShape: [h, w],
    name: `bars-and-stripes-${h}x${w}`,
  });
}

function writeBars(out: Uint8Array, at: number, h: number, w: number, mask: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[at + y * w + x] = Math.floor(mask / 2 ** x) % 2;
  }
}

function writeStripes(out: Uint8Array, at: number, h: number, w: number, mask: number): void {
  for (let y = 0; y < h; y++) {
    const on = Math.floor(mask / 2 ** y) % 2;
    out.fill(on, at + y * w, at + (y + 1) * w);
  }
}

/**
 * `count` bars-and-stripes images drawn by MacKay's process: pick bars or stripes with
 * probability ½ each, then switch each column (bars) or row (stripes) on with probability ½.
 * Works for any size. Labels as in {@link barsAndStripes} (2 when the draw is uniform).
 * The exact probability of each image is {@link barsAndStripesProbability}.
 */
export function sampleBarsAndStripes(
  size: BarsAndStripesSize,
  count: number,
  rng: SeededRandom,
): Dataset {
  const [h, w] = dims(size);
  if (!Number.isInteger(count) || count < 0) {
    throw new DatasetError(
      'BAD_OPTION',
      'sampleBarsAndStripes',
      `count must be an integer ≥ 0, got ${count}`,
    );
  }
  const cols = h * w;
  const features = new Uint8Array(count * cols);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const at = r * cols;
    const stripes = rng.uniform() < 0.5;
    let on = 0;
    if (stripes) {
      for (let y = 0; y < h; y++) {
        const bit = rng.uniform() < 0.5 ? 1 : 0;
        on += bit;
        features.fill(bit, at + y * w, at + (y + 1) * w);
      }
    } else {
      const line = new Uint8Array(w);
      for (let x = 0; x < w; x++) {
        line[x] = rng.uniform() < 0.5 ? 1 : 0;
        on += line[x]!;
      }
      for (let y = 0; y < h; y++) features.set(line, at + y * w);
    }
    const lines = stripes ? h : w;
    labels[r] = on === 0 || on === lines ? 2 : stripes ? 1 : 0;
  }
  return createDataset({
    features,
    rows: count,
    cols,
    scale: 1,
    labels,
    numClasses: 3,
    classNames: BARS_AND_STRIPES_CLASSES,
    imageShape: [h, w],
    name: `bars-and-stripes-${h}x${w}-sample`,
  });
}

/**
 * Exact probability of a binary image (row-major, values 0/1, length `height × width`) under
 * {@link sampleBarsAndStripes}' process: `½·2^-w` for a bars image, `½·2^-h` for a stripes
 * image, `½·2^-w + ½·2^-h` for the two uniform images, 0 otherwise. Sums to 1 over all images.
 */
export function barsAndStripesProbability(
  image: ArrayLike<number>,
  size: BarsAndStripesSize,
): number {
  const [h, w] = dims(size);
  if (image.length !== h * w) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      'barsAndStripesProbability',
      `image has ${image.length} values, expected ${h}×${w} = ${h * w}`,
    );
  }
  let isBars = true;
  let isStripes = true;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = image[y * w + x];
      if (v !== 0 && v !== 1) return 0;
      if (v !== image[x]) isBars = false;
      if (v !== image[y * w]) isStripes = false;
    }
  }
  return (isBars ? 0.5 * 2 ** -w : 0) + (isStripes ? 0.5 * 2 ** -h : 0);
}

/** One component of a Gaussian mixture with diagonal covariance. */
export interface GaussianComponent {
  /** Mean vector; its length is the data dimension. */
  readonly mean: readonly number[];
  /** Standard deviation: one for all dimensions, or one per dimension. */
  readonly std: number | readonly number[];
  /** Relative weight (normalised over components); default 1. */
  readonly weight?: number;
}

/** Options of {@link gaussianMixture}. */
export interface GaussianMixtureOptions {
  readonly components: readonly GaussianComponent[];
  /** Number of rows to draw. */
  readonly count: number;
  /** Source of randomness (or pass `seed`). */
  readonly rng?: SeededRandom;
  readonly seed?: number;
  readonly name?: string;
}

/**
 * Draws `count` rows from a mixture of diagonal Gaussians — real-valued data with known
 * generating parameters, for Gaussian-visible RBMs. Each row's label is the index of the
 * component it came from. Features are float32 with `scale = 1`. The exact log-density is
 * {@link gaussianMixtureLogDensity}.
 */
export function gaussianMixture(options: GaussianMixtureOptions): Dataset {
  const { components, count } = options;
  const dim = checkComponents(components);
  if (!Number.isInteger(count) || count < 0) {
    throw new DatasetError(
      'BAD_OPTION',
      'gaussianMixture',
      `count must be an integer ≥ 0, got ${count}`,
    );
  }
  const rng = resolveRng(options.rng, options.seed, 'gaussianMixture');
  const cumulative = cumulativeWeights(components);
  const features = new Float32Array(count * dim);
  const labels = new Uint8Array(count);
  const noise = new Float32Array(dim);
  for (let r = 0; r < count; r++) {
    const u = rng.uniform();
    let k = 0;
    while (k < cumulative.length - 1 && u >= cumulative[k]!) k++;
    const c = components[k]!;
    rng.normalArray(dim, noise);
    for (let j = 0; j < dim; j++) {
      const s = typeof c.std === 'number' ? c.std : c.std[j]!;
      features[r * dim + j] = c.mean[j]! + s * noise[j]!;
    }
    labels[r] = k;
  }
  return createDataset({
    features,
    rows: count,
    cols: dim,
    scale: 1,
    labels,
    numClasses: components.length,
    name: options.name ?? `gaussian-mixture-${components.length}x${dim}`,
  });
}

/** Natural log of the mixture density at `x` (length = the components' dimension). */
export function gaussianMixtureLogDensity(
  components: readonly GaussianComponent[],
  x: ArrayLike<number>,
): number {
  const dim = checkComponents(components);
  if (x.length !== dim) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      'gaussianMixtureLogDensity',
      `x has ${x.length} values, expected ${dim}`,
    );
  }
  const total = components.reduce((a, c) => a + (c.weight ?? 1), 0);
  const terms = components.map((c) => {
    let log = Math.log((c.weight ?? 1) / total);
    for (let j = 0; j < dim; j++) {
      const s = typeof c.std === 'number' ? c.std : c.std[j]!;
      const z = (x[j]! - c.mean[j]!) / s;
      log += -0.5 * z * z - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    }
    return log;
  });
  const max = Math.max(...terms);
  return max + Math.log(terms.reduce((a, t) => a + Math.exp(t - max), 0));
}

function checkComponents(components: readonly GaussianComponent[]): number {
  if (components.length < 1 || components.length > 255) {
    throw new DatasetError(
      'BAD_OPTION',
      'gaussianMixture',
      `need 1..255 components, got ${components.length}`,
    );
  }
  const dim = components[0]!.mean.length;
  components.forEach((c, k) => {
    const stds = typeof c.std === 'number' ? [c.std] : c.std;
    if (
      c.mean.length !== dim ||
      dim < 1 ||
      (typeof c.std !== 'number' && c.std.length !== dim) ||
      stds.some((s) => !(s > 0) || !Number.isFinite(s)) ||
      c.mean.some((m) => !Number.isFinite(m)) ||
      !((c.weight ?? 1) > 0)
    ) {
      throw new DatasetError(
        'BAD_OPTION',
        'gaussianMixture',
        `component ${k} is invalid: every mean needs ${dim} finite values, std must be > 0 (one or ${dim} values), weight > 0`,
      );
    }
  });
  return dim;
}

function cumulativeWeights(components: readonly GaussianComponent[]): number[] {
  const total = components.reduce((a, c) => a + (c.weight ?? 1), 0);
  let acc = 0;
  return components.map((c) => {
    acc += (c.weight ?? 1) / total;
    return acc;
  });
}

/** The generator from `rng` or `seed` (exactly one of them). */
export function resolveRng(
  rng: SeededRandom | undefined,
  seed: number | undefined,
  who: string,
): SeededRandom {
  if (rng && seed !== undefined) {
    throw new DatasetError('BAD_OPTION', who, 'pass either rng or seed, not both');
  }
  if (rng) return rng;
  if (seed === undefined) {
    throw new DatasetError(
      'BAD_OPTION',
      who,
      'a seed or rng (SeededRandom) is required: results must be reproducible',
    );
  }
  return new SeededRandom(seed);
}
