import { SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { createDataset, sliceRows } from './dataset.js';
import {
  BINARIZATION_SEEDS,
  binarize,
  binarizeAs,
  binarizeStochastic,
  binarizeStochasticInPlace,
  firstNonBinary,
  fitStandardization,
  oneHot,
  scaleToUnit,
  standardize,
  unstandardizeInPlace,
} from './preprocess.js';

const pixels = createDataset({
  features: new Uint8Array([0, 127, 128, 255, 64, 191]),
  rows: 3,
  cols: 2,
  labels: new Uint8Array([0, 1, 1]),
});

describe('binarize', () => {
  it('thresholds at 0.5 by default: bytes ≤ 127 → 0, ≥ 128 → 1, as compact uint8', () => {
    const b = binarize(pixels);
    expect(b.features).toBeInstanceOf(Uint8Array);
    expect(Array.from(b.features)).toEqual([0, 0, 1, 1, 0, 1]);
    expect(b.scale).toBe(1);
    expect(b.labels).toBe(pixels.labels);
    expect(Array.from(binarize(pixels, 0.2).features)).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('thresholds float data on real values', () => {
    const f = createDataset({ features: new Float32Array([0.1, 0.5, 0.51, 2]), rows: 2, cols: 2 });
    expect(Array.from(binarize(f).features)).toEqual([0, 0, 1, 1]);
  });
});

describe('binarizeStochastic', () => {
  it('is reproducible per seed and has mean p', () => {
    const n = 50000;
    const p = new Uint8Array(n);
    for (let i = 0; i < n; i++) p[i] = i % 2 === 0 ? 51 : 204; // 0.2 and 0.8
    const ds = createDataset({ features: p, rows: n / 10, cols: 10 });
    const a = binarizeStochastic(ds, new SeededRandom(1));
    expect(binarizeStochastic(ds, new SeededRandom(1)).features).toEqual(a.features);
    expect(binarizeStochastic(ds, new SeededRandom(2)).features).not.toEqual(a.features);
    let even = 0;
    let odd = 0;
    for (let i = 0; i < n; i++) {
      const v = a.features[i]!;
      expect(v === 0 || v === 1).toBe(true);
      if (i % 2 === 0) even += v;
      else odd += v;
    }
    expect(even / (n / 2)).toBeCloseTo(0.2, 1);
    expect(odd / (n / 2)).toBeCloseTo(0.8, 1);
    // 0 and 1 are deterministic.
    expect(Array.from(binarizeStochastic(binarize(pixels), new SeededRandom(9)).features)).toEqual(
      Array.from(binarize(pixels).features),
    );
  });

  it('rejects values that are not probabilities', () => {
    const f = createDataset({
      features: new Float32Array([0.5, 1.5]),
      rows: 1,
      cols: 2,
      name: 'raw',
    });
    expect(() => binarizeStochastic(f, new SeededRandom(1))).toThrow(
      'raw: value 1.5 at index 1 is not a probability in [0, 1]: scale the data first',
    );
  });

  it('has an in-place form for batches', () => {
    const x = new Float32Array([0, 1, 0.5, 0.5]);
    binarizeStochasticInPlace(x, new SeededRandom(3));
    expect(x[0]).toBe(0);
    expect(x[1]).toBe(1);
    expect([0, 1]).toContain(x[2]);
  });
});

describe('binarizeAs and firstNonBinary', () => {
  const grey = createDataset({
    features: Uint8Array.from({ length: 400 }, (_, i) => (i * 37) % 256),
    rows: 20,
    cols: 20,
  });

  it('threshold is binarize; stochastic is the fixed seeded draw, the same every time', () => {
    expect(binarizeAs(grey, 'threshold').features).toEqual(binarize(grey).features);
    const fixed = binarizeAs(grey, 'stochastic');
    expect(fixed.features).toEqual(
      binarizeStochastic(grey, new SeededRandom(BINARIZATION_SEEDS.train)).features,
    );
    expect(binarizeAs(grey, 'stochastic').features).toEqual(fixed.features);
    // another seed (the test split's) draws differently
    expect(binarizeAs(grey, 'stochastic', BINARIZATION_SEEDS.test).features).not.toEqual(
      fixed.features,
    );
    // the first rows come out the same when only they are loaded
    expect(binarizeAs(sliceRows(grey, 0, 5), 'stochastic').features).toEqual(
      fixed.features.subarray(0, 100),
    );
    expect(() => binarizeAs(grey, 'median' as 'threshold')).toThrow(/'threshold' or 'stochastic'/);
  });

  it('finds the first value that is neither 0 nor 1', () => {
    expect(firstNonBinary(binarizeAs(grey, 'stochastic'))).toBe(-1);
    expect(firstNonBinary(binarize(grey))).toBe(-1);
    expect(firstNonBinary(grey)).toBe(1); // grey[0] is 0, grey[1] is 37/255
    const floats = createDataset({ features: new Float32Array([0, 1, 1, 0.5]), rows: 2, cols: 2 });
    expect(firstNonBinary(floats)).toBe(3);
  });
});

describe('scaleToUnit', () => {
  it('maps uint8 to byte/255 without copying', () => {
    const raw = createDataset({ features: new Uint8Array([0, 255]), rows: 1, cols: 2, scale: 1 });
    const { dataset, params } = scaleToUnit(raw);
    expect(dataset.features).toBe(raw.features);
    expect(dataset.scale).toBe(1 / 255);
    expect(params).toEqual({ min: [0], max: [255] });
  });

  it('min-max scales float data globally or per feature, and reuses saved params', () => {
    const f = createDataset({
      features: new Float32Array([-1, 10, 1, 20, 3, 30]),
      rows: 3,
      cols: 2,
    });
    const global = scaleToUnit(f);
    expect(global.params).toEqual({ min: [-1], max: [30] });
    expect(global.dataset.features[0]).toBe(0);
    expect(global.dataset.features[5]).toBe(1);
    const per = scaleToUnit(f, { perFeature: true });
    expect(per.params).toEqual({ min: [-1, 10], max: [3, 30] });
    expect(Array.from(per.dataset.features)).toEqual([0, 0, 0.5, 0.5, 1, 1]);
    const other = createDataset({ features: new Float32Array([5, 10, 1, 40]), rows: 2, cols: 2 });
    expect(Array.from(scaleToUnit(other, { params: per.params }).dataset.features)).toEqual([
      1, 0, 0.5, 1,
    ]);
    expect(scaleToUnit(other, { params: per.params, clip: false }).dataset.features[0]).toBe(1.5);
  });
});

describe('standardize', () => {
  it('gives each feature mean 0 and std 1, saving the stats', () => {
    const f = createDataset({
      features: new Float32Array([1, 5, 2, 5, 3, 5, 6, 5]),
      rows: 4,
      cols: 2,
    });
    const { dataset, stats } = standardize(f);
    expect(stats.mean).toEqual([3, 5]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(3.5), 12);
    expect(stats.std[1]).toBe(1); // constant feature
    const col0 = [0, 2, 4, 6].map((k) => dataset.features[k]!);
    expect(col0.reduce((a, b) => a + b) / 4).toBeCloseTo(0, 6);
    expect(Math.sqrt(col0.reduce((a, b) => a + b * b, 0) / 4)).toBeCloseTo(1, 6);
    expect([1, 3, 5, 7].map((k) => dataset.features[k])).toEqual([0, 0, 0, 0]);
    const back = unstandardizeInPlace(Float32Array.from(dataset.features), stats);
    expect(Array.from(back).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([
      1, 5, 2, 5, 3, 5, 6, 5,
    ]);
    // JSON round trip of stats applies identically
    const again = standardize(f, JSON.parse(JSON.stringify(stats)));
    expect(again.dataset.features).toEqual(dataset.features);
  });

  it('works on scaled uint8 data in real units', () => {
    const stats = fitStandardization(pixels);
    expect(stats.mean[0]).toBeCloseTo((0 + 128 + 64) / 3 / 255, 12);
  });

  it('rejects stats of the wrong width', () => {
    expect(() => standardize(pixels, { mean: [0], std: [1] })).toThrow(/expected 2 each/);
  });
});

describe('oneHot', () => {
  it('encodes labels row by row', () => {
    expect(Array.from(oneHot(new Uint8Array([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('rejects out-of-range labels', () => {
    expect(() => oneHot([0, 3], 3)).toThrow(
      expect.objectContaining({
        code: 'LABEL_OUT_OF_RANGE',
        message: 'oneHot: label 3 at index 1 is out of range: expected 0..2',
      }),
    );
  });
});
