import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { precisionAtRecall, randomHyperplaneCodes } from './retrieval.js';

describe('precisionAtRecall', () => {
  it('gives the precision of the shortest ranking prefix that reaches each recall', () => {
    // items: labels A A B A B; the query (label A) ranks them 0, 2, 1, 4, 3 by distance
    const items = [0, 0, 1, 0, 1];
    const d = [0.1, 0.3, 0.2, 0.9, 0.5];
    const curve = precisionAtRecall(() => d, [0], items, [1 / 3, 2 / 3, 1]);
    // ranking 0(A) 2(B) 1(A) 4(B) 3(A): recall 1/3 at k=1 (1/1), 2/3 at k=3 (2/3), 1 at k=5 (3/5)
    expect(curve.precision[0]).toBeCloseTo(1, 12);
    expect(curve.precision[1]).toBeCloseTo(2 / 3, 12);
    expect(curve.precision[2]).toBeCloseTo(3 / 5, 12);
    expect(curve.queries).toBe(1);
  });

  it('averages over queries, skips queries with no relevant item, breaks ties by item order', () => {
    const items = [0, 1, 1];
    const curve = precisionAtRecall(() => [0, 0, 0], [1, 2], items, [0.5, 1]);
    // query 0 (label 1): all tied, order 0 1 2 → recall 1/2 at k=2 (1/2), 1 at k=3 (2/3);
    // query 1 (label 2) has no relevant item and is left out
    expect(curve.queries).toBe(1);
    expect(curve.precision[0]).toBeCloseTo(1 / 2, 12);
    expect(curve.precision[1]).toBeCloseTo(2 / 3, 12);
    // a perfect ranking has precision 1 at every recall
    const perfect = precisionAtRecall(() => [1, 0, 0], [1], items, [0.5, 1]);
    expect(perfect.precision).toEqual([1, 1]);
  });

  it('refuses bad recall levels, wrong lengths and queries without relevant items', () => {
    expect(() => precisionAtRecall(() => [0], [0], [0], [0])).toThrow(/recall levels/);
    expect(() => precisionAtRecall(() => [0, 1], [0], [0])).toThrow(/2 distances for 1 items/);
    expect(() => precisionAtRecall(() => [0], [1], [0])).toThrow(/no query has a relevant item/);
  });
});

describe('randomHyperplaneCodes', () => {
  const ops = new Ops(createJsBackend());
  it('estimates angles: the fraction of differing bits is about angle / π', () => {
    const rng = new SeededRandom(3);
    const angle = Math.PI / 3;
    const x = ops.tensor([
      [1, 0, 0],
      [Math.cos(angle), Math.sin(angle), 0],
      [-1, 0, 0],
    ]);
    const bits = 2000;
    const { codes, hyperplanes } = randomHyperplaneCodes(ops, x, bits, rng);
    const differ = (a: number, b: number) => {
      let d = 0;
      for (let k = 0; k < bits; k++) if (codes[a * bits + k] !== codes[b * bits + k]) d++;
      return d / bits;
    };
    expect(differ(0, 1)).toBeCloseTo(1 / 3, 1);
    expect(differ(0, 2)).toBe(1); // opposite rows differ in every bit
    // the same hyperplanes code a query consistently
    const again = randomHyperplaneCodes(ops, ops.tensor([[2, 0, 0]]), bits, rng, hyperplanes);
    expect(Array.from(again.codes)).toEqual(Array.from(codes.subarray(0, bits)));
    expect(() => randomHyperplaneCodes(ops, x, 0, rng)).toThrow(/bits must be/);
    expect(() => randomHyperplaneCodes(ops, x, 5, rng, hyperplanes)).toThrow(/expected \[3, 5\]/);
    hyperplanes.dispose();
  });
});
