import { SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { labelCounts } from './dataset.js';
import {
  barsAndStripes,
  barsAndStripesProbability,
  gaussianMixture,
  gaussianMixtureLogDensity,
  sampleBarsAndStripes,
} from './synthetic.js';

function rowsAsStrings(features: Uint8Array, rows: number, cols: number): string[] {
  return Array.from({ length: rows }, (_, i) =>
    features.subarray(i * cols, (i + 1) * cols).join(''),
  );
}

describe('barsAndStripes', () => {
  it('enumerates the 2^w + 2^h − 2 distinct patterns of any size', () => {
    for (const [h, w] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [3, 5],
      [6, 2],
    ] as const) {
      const ds = barsAndStripes([h, w]);
      expect(ds.rows, `${h}x${w}`).toBe(2 ** w + 2 ** h - 2);
      expect(ds.cols).toBe(h * w);
      expect(ds.imageShape).toEqual([h, w]);
      const rows = rowsAsStrings(ds.features as Uint8Array, ds.rows, ds.cols);
      expect(new Set(rows).size).toBe(ds.rows);
      for (let i = 0; i < ds.rows; i++) {
        expect(
          barsAndStripesProbability(ds.features.subarray(i * ds.cols, (i + 1) * ds.cols), [h, w]),
        ).toBeGreaterThan(0);
      }
    }
    expect(barsAndStripes(4).rows).toBe(30);
  });

  it('labels bars 0, stripes 1 and the two uniform images 2', () => {
    const ds = barsAndStripes(3);
    expect(labelCounts(ds)).toEqual([6, 6, 2]);
    const rows = rowsAsStrings(ds.features as Uint8Array, ds.rows, 9);
    expect(rows[0]).toBe('000000000');
    expect(rows[1]).toBe('111111111');
    expect(rows[2]).toBe('100100100'); // bars: column 0 on
    expect(rows[8]).toBe('111000000'); // stripes: row 0 on
    expect(ds.classNames).toEqual(['bars', 'stripes', 'uniform']);
    expect(ds.scale).toBe(1);
  });

  it('refuses sizes too large to enumerate', () => {
    expect(() => barsAndStripes(21)).toThrow(/use sampleBarsAndStripes/);
  });
});

describe('barsAndStripesProbability', () => {
  it('is a distribution over all images: sums to 1, zero off the set', () => {
    for (const [h, w] of [
      [3, 3],
      [2, 4],
    ] as const) {
      let total = 0;
      let support = 0;
      const n = h * w;
      for (let code = 0; code < 2 ** n; code++) {
        const image = Array.from({ length: n }, (_, k) => (code >> k) & 1);
        const p = barsAndStripesProbability(image, [h, w]);
        total += p;
        if (p > 0) support++;
      }
      expect(total).toBeCloseTo(1, 12);
      expect(support).toBe(2 ** w + 2 ** h - 2);
    }
    expect(barsAndStripesProbability(new Array(16).fill(0), 4)).toBe(2 ** -4);
    expect(barsAndStripesProbability([1, 0, 1, 0], 2)).toBe(0.125); // bars
    expect(barsAndStripesProbability([1, 0, 0, 1], 2)).toBe(0);
  });
});

describe('sampleBarsAndStripes', () => {
  it('is reproducible and matches the exact probabilities', () => {
    const a = sampleBarsAndStripes(3, 20000, new SeededRandom(5));
    const b = sampleBarsAndStripes(3, 20000, new SeededRandom(5));
    expect(a.features).toEqual(b.features);
    const counts = new Map<string, number>();
    for (const row of rowsAsStrings(a.features as Uint8Array, a.rows, 9)) {
      counts.set(row, (counts.get(row) ?? 0) + 1);
    }
    expect(counts.size).toBe(14);
    for (const [row, count] of counts) {
      const p = barsAndStripesProbability(Array.from(row, Number), 3);
      const sd = Math.sqrt((p * (1 - p)) / 20000);
      expect(Math.abs(count / 20000 - p), row).toBeLessThan(5 * sd);
    }
    // Labels agree with the images.
    for (let i = 0; i < a.rows; i++) {
      const row = (a.features as Uint8Array).subarray(i * 9, i * 9 + 9);
      const sum = row.reduce((s, v) => s + v, 0);
      if (sum === 0 || sum === 9) expect(a.labels![i]).toBe(2);
      else expect(a.labels![i]).toBe(row[0] === row[1] && row[1] === row[2] ? 1 : 0);
    }
  });

  it('works for sizes too large to enumerate', () => {
    const ds = sampleBarsAndStripes([32, 32], 10, new SeededRandom(1));
    expect([ds.rows, ds.cols]).toEqual([10, 1024]);
    for (let i = 0; i < 10; i++) {
      expect(
        barsAndStripesProbability(ds.features.subarray(i * 1024, (i + 1) * 1024), 32),
      ).toBeGreaterThan(0);
    }
  });
});

describe('gaussianMixture', () => {
  const components = [
    { mean: [-2, 0], std: 0.5, weight: 3 },
    { mean: [3, 1], std: [1, 0.25], weight: 1 },
  ];

  it('draws each component with its weight, mean and std', () => {
    const ds = gaussianMixture({ components, count: 40000, seed: 11 });
    expect([ds.rows, ds.cols, ds.numClasses]).toEqual([40000, 2, 2]);
    expect(ds.features).toBeInstanceOf(Float32Array);
    const counts = labelCounts(ds);
    expect(counts[0]! / 40000).toBeCloseTo(0.75, 2);
    components.forEach((c, k) => {
      const stats = [0, 1].map((j) => {
        let s = 0;
        let sq = 0;
        for (let i = 0; i < ds.rows; i++) {
          if (ds.labels![i] !== k) continue;
          const v = ds.features[i * 2 + j]!;
          s += v;
          sq += v * v;
        }
        const mean = s / counts[k]!;
        return { mean, std: Math.sqrt(sq / counts[k]! - mean * mean) };
      });
      const stds = typeof c.std === 'number' ? [c.std, c.std] : c.std;
      stats.forEach(({ mean, std }, j) => {
        expect(mean).toBeCloseTo(c.mean[j]!, 1);
        expect(std / stds[j]!).toBeCloseTo(1, 1);
      });
    });
  });

  it('is reproducible from the seed', () => {
    const a = gaussianMixture({ components, count: 100, seed: 3 });
    expect(gaussianMixture({ components, count: 100, rng: new SeededRandom(3) }).features).toEqual(
      a.features,
    );
    expect(gaussianMixture({ components, count: 100, seed: 4 }).features).not.toEqual(a.features);
  });

  it('has a log-density that integrates to 1 and matches the normal formula', () => {
    const oneD = [
      { mean: [0], std: 1, weight: 1 },
      { mean: [4], std: 0.5, weight: 1 },
    ];
    let integral = 0;
    for (let x = -10; x < 10; x += 0.001)
      integral += Math.exp(gaussianMixtureLogDensity(oneD, [x])) * 0.001;
    expect(integral).toBeCloseTo(1, 5);
    const single = [{ mean: [1, 2], std: [2, 3] }];
    const expected = Math.log(
      (1 / (2 * Math.sqrt(2 * Math.PI))) *
        Math.exp(-0.5 * 0.25) *
        (1 / (3 * Math.sqrt(2 * Math.PI))),
    );
    expect(gaussianMixtureLogDensity(single, [2, 2])).toBeCloseTo(expected, 12);
  });

  it('rejects bad components and a missing seed', () => {
    expect(() =>
      gaussianMixture({ components: [{ mean: [0], std: 0 }], count: 1, seed: 1 }),
    ).toThrow(/std must be > 0/);
    expect(() =>
      gaussianMixture({ components: [{ mean: [0, 1], std: [1] }], count: 1, seed: 1 }),
    ).toThrow(/component 0 is invalid/);
    expect(() => gaussianMixture({ components, count: 1 })).toThrow(/seed or rng/);
  });
});
