import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import {
  cosineDistanceMatrix,
  fitLSA,
  medianThresholdCodes,
  projectLSA,
  symmetricEigen,
} from './lsa.js';

const ops = new Ops(createJsBackend());

/** Random orthonormal columns, `rows × cols` row-major. */
function orthonormalColumns(rows: number, cols: number, rng: SeededRandom): Float64Array {
  const a = Float64Array.from(rng.normalArray(rows * cols));
  for (let j = 0; j < cols; j++) {
    for (let p = 0; p < j; p++) {
      let d = 0;
      for (let i = 0; i < rows; i++) d += a[i * cols + j]! * a[i * cols + p]!;
      for (let i = 0; i < rows; i++) a[i * cols + j]! -= d * a[i * cols + p]!;
    }
    let n = 0;
    for (let i = 0; i < rows; i++) n += a[i * cols + j]! ** 2;
    for (let i = 0; i < rows; i++) a[i * cols + j]! /= Math.sqrt(n);
  }
  return a;
}

describe('LSA (truncated SVD)', () => {
  it('recovers the top singular values and right singular vectors of X = U diag(s) Vᵀ', () => {
    const rng = new SeededRandom(4);
    const [n, d] = [60, 30];
    const s = [9, 6, 4, 2, 1, 0.5];
    const U = orthonormalColumns(n, s.length, rng);
    const V = orthonormalColumns(d, s.length, rng);
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < s.length; k++) v += U[i * s.length + k]! * s[k]! * V[j * s.length + k]!;
        x[i * d + j] = v;
      }
    const lsa = fitLSA(ops, ops.tensor(x, [n, d]), 3, new SeededRandom(1));
    expect(lsa.singularValues[0]).toBeCloseTo(9, 3);
    expect(lsa.singularValues[1]).toBeCloseTo(6, 3);
    expect(lsa.singularValues[2]).toBeCloseTo(4, 3);
    const comps = ops.read(lsa.components);
    for (let k = 0; k < 3; k++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += comps[j * 3 + k]! * V[j * s.length + k]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 4); // same direction up to sign
    }
    expect(projectLSA(ops, lsa, ops.tensor(x, [n, d])).shape).toEqual([n, 3]);
    expect(() => fitLSA(ops, ops.tensor(x, [n, d]), 0, new SeededRandom(1))).toThrow(
      /components must be/,
    );
    lsa.components.dispose();
  });

  it('symmetricEigen solves A v = λ v', () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const { values, vectors } = symmetricEigen(a, 3);
    for (let e = 0; e < 3; e++)
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let j = 0; j < 3; j++) av += a[i * 3 + j]! * vectors[j * 3 + e]!;
        expect(av).toBeCloseTo(values[e]! * vectors[i * 3 + e]!, 10);
      }
    expect([...values].reduce((x, y) => x + y, 0)).toBeCloseTo(12, 10); // the trace
  });

  it('median-threshold codes split every feature in half; cosine distances are 1 − cos', () => {
    const f = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]); // 4 rows, 2 features
    const { codes, medians } = medianThresholdCodes(f, 2);
    expect(Array.from(medians)).toEqual([2.5, 25]);
    expect(Array.from(codes)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const again = medianThresholdCodes(Float32Array.from([3, 0]), 2, medians);
    expect(Array.from(again.codes)).toEqual([1, 0]);
    const dist = cosineDistanceMatrix(
      ops,
      ops.tensor([[1, 0]]),
      ops.tensor([
        [2, 0],
        [0, 3],
        [-1, 0],
      ]),
    );
    expect(Array.from(dist)).toEqual([0, 1, 2]);
  });
});
