import { SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { HammingIndex } from './hashing.js';

/** Random codes with clusters, so that Hamming balls hold more than one item. */
function codes(n: number, bits: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  const centres = Array.from({ length: 5 }, () => Array.from({ length: bits }, () => rng.int(2)));
  const out = new Float32Array(n * bits);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(5)]!;
    for (let b = 0; b < bits; b++) out[i * bits + b] = rng.uniform() < 0.1 ? 1 - c[b]! : c[b]!;
  }
  return out;
}

const bruteDistance = (a: Float32Array, i: number, j: number, bits: number) => {
  let d = 0;
  for (let b = 0; b < bits; b++) if (a[i * bits + b] !== a[j * bits + b]) d++;
  return d;
};

describe('HammingIndex', () => {
  for (const bits of [8, 20, 32, 45, 64]) {
    it(`returns exactly the items within distance d, probing or scanning (${bits} bits)`, () => {
      const n = 300;
      const data = codes(n, bits, bits);
      const index = new HammingIndex(data, bits);
      expect(index.size).toBe(n);
      for (const q of [0, 17, 123, 299]) {
        const query = data.subarray(q * bits, (q + 1) * bits);
        for (const d of [0, 1, 2, 3, 6, bits]) {
          const expected: number[] = [];
          for (let i = 0; i < n; i++) if (bruteDistance(data, q, i, bits) <= d) expected.push(i);
          expect(index.within(query, d), `query ${q}, d ${d}`).toEqual(expected);
        }
        // nearest: distances ascending, ties by index, and the same as a brute-force sort
        const top = index.nearest(query, 10);
        const brute = Array.from({ length: n }, (_, i) => ({
          index: i,
          distance: bruteDistance(data, q, i, bits),
        }))
          .sort((a, b) => a.distance - b.distance || a.index - b.index)
          .slice(0, 10);
        expect(top).toEqual(brute);
      }
    });
  }

  it('thresholds real-valued codes at 0.5 and refuses bad input', () => {
    const index = new HammingIndex([0.9, 0.1, 0.6, 0.4, 0.2, 0.7], 3);
    expect(index.within([1, 0, 1], 0)).toEqual([0]);
    expect(index.within([0.51, 0.49, 0.5], 0)).toEqual([0]);
    expect(index.within([0.51, 0.49, 0.5], 1)).toEqual([0, 1]);
    expect(index.within([0, 0, 0], 2)).toEqual([0, 1]);
    expect(() => new HammingIndex([1, 0, 1, 1], 3)).toThrow(/whole number of 3-bit codes/);
    expect(() => index.within([1, 0], 1)).toThrow(/needs 3 values/);
    expect(() => index.within([1, 0, 1], -1)).toThrow(/integer ≥ 0/);
    expect(() => index.nearest([1, 0, 1], 0)).toThrow(/k must be/);
  });
});
