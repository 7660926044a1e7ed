/**
 * Nonlinear conjugate gradients (Polak–Ribière directions, a line search by cubic and
 * quadratic interpolation and extrapolation under the Wolfe–Powell conditions), as
 * Rasmussen's `minimize.m`, which Hinton & Salakhutdinov (2006) used to fine-tune their
 * networks: a few line searches on each mini-batch of 1,000. Works on a float64 parameter
 * vector; the objective returns its value and gradient at a point.
 */

/** The objective: its value at `x` and its gradient (written into `gradient`). */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

/** What {@link minimize} did. */
export interface MinimizeResult {
  /** The objective at the start and after each successful line search. */
  readonly values: number[];
  /** Objective evaluations made. */
  readonly evaluations: number;
}

const INT = 0.1; // do not re-evaluate within 0.1 of the range's ends
const EXT = 3.0; // extrapolate at most 3 times the current step
const MAX = 20; // evaluations per line search
const RATIO = 100; // largest ratio of successive initial steps
const SIG = 0.1; // the curvature (Wolfe) condition: |slope| ≤ SIG·|initial slope|
const RHO = SIG / 2; // the sufficient-decrease condition

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Minimises `objective` from `x` (updated in place) with at most `lineSearches` line searches.
 * Stops early when two line searches in a row fail. Returns the objective's values.
 */
export function minimize(
  objective: Objective,
  x: Float64Array,
  lineSearches: number,
): MinimizeResult {
  const n = x.length;
  const point = new Float64Array(n);
  const at = (t: number, s: Float64Array): Float64Array => {
    for (let i = 0; i < n; i++) point[i] = x[i]! + t * s[i]!;
    return point;
  };
  let evaluations = 0;
  const evaluate = (p: Float64Array, g: Float64Array): number => {
    evaluations++;
    return objective(p, g);
  };
  let df0 = new Float64Array(n);
  let f0 = evaluate(x, df0);
  const values = [f0];
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = -df0[i]!;
  let d0 = -dot(s, s); // the initial slope
  let x3 = 1 / (1 - d0); // the initial step
  let failedBefore = false;
  let df3 = new Float64Array(n);
  const bestX = new Float64Array(n);
  let bestDf = new Float64Array(n);
  for (let search = 0; search < lineSearches; search++) {
    if (d0 === 0) break; // a zero gradient: already at a stationary point
    // the best point of this line search, in case it fails
    bestX.set(x);
    let bestF = f0;
    bestDf.set(df0);
    let budget = MAX;
    let f1: number;
    let d1: number;
    let x1: number;
    let x2 = 0;
    let f2 = f0;
    let d2 = d0;
    let f3 = f0;
    let d3 = d0;
    // extrapolate until the step brackets a minimum or the slope is shallow enough
    for (;;) {
      x2 = 0;
      f2 = f0;
      d2 = d0;
      f3 = f0;
      df3.set(df0);
      let finite = false;
      while (!finite && budget > 0) {
        budget--;
        f3 = evaluate(at(x3, s), df3);
        finite = Number.isFinite(f3) && df3.every(Number.isFinite);
        if (!finite) x3 = (x2 + x3) / 2; // a step too far: bisect back
      }
      if (f3 < bestF) {
        bestX.set(at(x3, s));
        bestF = f3;
        bestDf.set(df3);
      }
      d3 = dot(df3, s);
      if (d3 > SIG * d0 || f3 > f0 + x3 * RHO * d0 || budget === 0) break;
      x1 = x2;
      f1 = f2;
      d1 = d2;
      x2 = x3;
      f2 = f3;
      d2 = d3;
      const A = 6 * (f1 - f2) + 3 * (d2 + d1) * (x2 - x1);
      const B = 3 * (f2 - f1) - (2 * d1 + d2) * (x2 - x1);
      x3 = x1 - (d1 * (x2 - x1) ** 2) / (B + Math.sqrt(B * B - A * d1 * (x2 - x1)));
      if (!Number.isFinite(x3) || x3 < 0) x3 = x2 * EXT;
      else if (x3 > x2 * EXT) x3 = x2 * EXT;
      else if (x3 < x2 + INT * (x2 - x1)) x3 = x2 + INT * (x2 - x1);
    }
    // interpolate inside the bracket until both Wolfe–Powell conditions hold
    let x4 = x3;
    let f4 = f3;
    let d4 = d3;
    while ((Math.abs(d3) > -SIG * d0 || f3 > f0 + x3 * RHO * d0) && budget > 0) {
      if (d3 > 0 || f3 > f0 + x3 * RHO * d0) {
        x4 = x3;
        f4 = f3;
        d4 = d3;
      } else {
        x2 = x3;
        f2 = f3;
        d2 = d3;
      }
      if (f4 > f0) x3 = x2 - (0.5 * d2 * (x4 - x2) ** 2) / (f4 - f2 - d2 * (x4 - x2));
      else {
        const A = (6 * (f2 - f4)) / (x4 - x2) + 3 * (d4 + d2);
        const B = 3 * (f4 - f2) - (2 * d2 + d4) * (x4 - x2);
        x3 = x2 + (Math.sqrt(B * B - A * d2 * (x4 - x2) ** 2) - B) / A;
      }
      if (!Number.isFinite(x3)) x3 = (x2 + x4) / 2;
      x3 = Math.max(Math.min(x3, x4 - INT * (x4 - x2)), x2 + INT * (x4 - x2));
      f3 = evaluate(at(x3, s), df3);
      if (f3 < bestF) {
        bestX.set(at(x3, s));
        bestF = f3;
        bestDf.set(df3);
      }
      budget--;
      d3 = dot(df3, s);
    }
    if (Math.abs(d3) < -SIG * d0 && f3 < f0 + x3 * RHO * d0) {
      // success: move, then the Polak–Ribière direction
      for (let i = 0; i < n; i++) x[i]! += x3 * s[i]!;
      f0 = f3;
      values.push(f0);
      const beta = (dot(df3, df3) - dot(df0, df3)) / dot(df0, df0);
      for (let i = 0; i < n; i++) s[i] = beta * s[i]! - df3[i]!;
      [df0, df3] = [df3, df0];
      const previousSlope = d0;
      d0 = dot(df0, s);
      if (d0 > 0) {
        // not a descent direction: restart along the gradient
        for (let i = 0; i < n; i++) s[i] = -df0[i]!;
        d0 = -dot(s, s);
      }
      x3 *= Math.min(RATIO, previousSlope / (d0 - Number.MIN_VALUE));
      failedBefore = false;
    } else {
      // failure: back to the best point seen; give up after two failures in a row
      x.set(bestX);
      f0 = bestF;
      [df0, bestDf] = [bestDf, df0];
      if (failedBefore) break;
      for (let i = 0; i < n; i++) s[i] = -df0[i]!;
      d0 = -dot(s, s);
      x3 = 1 / (1 - d0);
      failedBefore = true;
    }
  }
  return { values, evaluations };
}
