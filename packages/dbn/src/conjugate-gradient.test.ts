import { SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { minimize, type Objective } from './conjugate-gradient.js';

const rosenbrock: Objective = (x, g) => {
  const [a, b] = [x[0]!, x[1]!];
  g[0] = -400 * a * (b - a * a) - 2 * (1 - a);
  g[1] = 200 * (b - a * a);
  return 100 * (b - a * a) ** 2 + (1 - a) ** 2;
};

describe('minimize (conjugate gradients)', () => {
  it('finds the minimum of the Rosenbrock function from its classic start', () => {
    const x = Float64Array.from([-1.2, 1]);
    const { values, evaluations } = minimize(rosenbrock, x, 100);
    expect(x[0]).toBeCloseTo(1, 4);
    expect(x[1]).toBeCloseTo(1, 4);
    // every accepted line search lowers the objective
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThan(values[i - 1]!);
    expect(evaluations).toBeGreaterThan(values.length - 1);
  });

  it('solves a 20-dimensional convex quadratic ½xᵀAx − bᵀx: x = A⁻¹b', () => {
    const n = 20;
    const rng = new SeededRandom(4);
    // A = MᵀM + I (symmetric positive definite), b random
    const M = Array.from({ length: n * n }, () => rng.uniform() - 0.5);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 1 : 0;
        for (let k = 0; k < n; k++) s += M[k * n + i]! * M[k * n + j]!;
        A[i * n + j] = s;
      }
    const b = Float64Array.from({ length: n }, () => rng.uniform() - 0.5);
    const quadratic: Objective = (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += A[i * n + j]! * x[j]!;
        g[i] = ax - b[i]!;
        f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
      }
      return f;
    };
    const x = new Float64Array(n);
    minimize(quadratic, x, 60);
    const g = new Float64Array(n);
    quadratic(x, g);
    // the gradient Ax − b vanishes at the solution
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-6);
  });

  it('steps back from points where the objective is not finite', () => {
    // x² inside |x| < 4, undefined beyond: the first step from 3 overshoots to −∞ territory
    const walled: Objective = (x, g) => {
      const v = x[0]!;
      g[0] = Math.abs(v) < 4 ? 2 * v : Number.NaN;
      return Math.abs(v) < 4 ? v * v : Number.NaN;
    };
    const x = Float64Array.from([3.9]);
    minimize(walled, x, 10);
    expect(Math.abs(x[0]!)).toBeLessThan(1e-6);
  });

  it('returns at once when the start is already the minimum', () => {
    const x = Float64Array.from([1, 1]);
    const { values } = minimize(rosenbrock, x, 5);
    expect(values[0]).toBe(0);
    expect(Array.from(x)).toEqual([1, 1]);
  });
});
