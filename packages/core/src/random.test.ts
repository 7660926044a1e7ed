import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random.js';

describe('SeededRandom', () => {
  it('same seed gives the same stream; different seeds differ', () => {
    const a = new SeededRandom(1).uniformArray(1000);
    const b = new SeededRandom(1).uniformArray(1000);
    const c = new SeededRandom(2).uniformArray(1000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('uniformArray equals repeated uniform() (the inlined loop is the same generator)', () => {
    const r1 = new SeededRandom(77);
    const r2 = new SeededRandom(77);
    const bulk = r1.uniformArray(257);
    for (let i = 0; i < 257; i++) expect(bulk[i]).toBe(r2.uniform());
    expect(r1.getState()).toEqual(r2.getState());
  });

  it('saved state resumes the exact stream', () => {
    const r = new SeededRandom(123);
    r.uniformArray(500);
    const saved = JSON.parse(JSON.stringify(r.getState()));
    const expected = Array.from(r.uniformArray(100));
    const resumed = SeededRandom.fromState(saved);
    expect(Array.from(resumed.uniformArray(100))).toEqual(expected);
  });

  it('rejects bad states and seeds with clear messages', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed must be a finite number/);
    expect(() => SeededRandom.fromState({ algorithm: 'mt19937' } as never)).toThrow(/xoshiro128/);
    expect(() =>
      SeededRandom.fromState({ algorithm: 'xoshiro128**', state: [0, 0, 0, 0] }),
    ).toThrow(/all-zero/);
    expect(() =>
      SeededRandom.fromState({ algorithm: 'xoshiro128**', state: [1.5, 0, 0, 0] }),
    ).toThrow(/uint32/);
  });

  it('uniforms lie in [0, 1) with mean 1/2; normals have mean 0 and variance 1', () => {
    const u = new SeededRandom(3).uniformArray(200000);
    let s = 0;
    let outside = 0;
    for (const x of u) {
      if (!(x >= 0 && x < 1)) outside++;
      s += x;
    }
    expect(outside).toBe(0);
    expect(s / u.length).toBeCloseTo(0.5, 2);
    const n = new SeededRandom(4).normalArray(200001);
    let m = 0;
    let v = 0;
    for (const x of n) m += x;
    m /= n.length;
    for (const x of n) v += (x - m) ** 2;
    expect(m).toBeCloseTo(0, 2);
    expect(v / n.length).toBeCloseTo(1, 1);
  });

  it('permutation is a permutation and int is in range', () => {
    const r = new SeededRandom(5);
    const p = Array.from(r.permutation(1000)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (let i = 0; i < 1000; i++) {
      const k = r.int(7);
      expect(k >= 0 && k < 7 && Number.isInteger(k)).toBe(true);
    }
  });
});
