import {
  type Activation,
  BACKEND_SPEC_VERSION,
  type Backend,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
} from './backend.js';
import type { Axis, Shape } from './shape.js';

/** A JS-backend tensor: row-major float32 data and its shape. */
export interface JsHandle {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

const make = (data: Float32Array, rows: number, cols: number): JsHandle => ({ data, rows, cols });

/** Stable sigmoid: never evaluates exp of a large positive number. */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Stable softplus log(1 + e^x) = max(x, 0) + log1p(e^−|x|). */
export function softplusScalar(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  sigmoid: sigmoidScalar,
  softplus: softplusScalar,
  logSigmoid: (x) => -softplusScalar(-x),
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
};

const BINARY: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  maximum: Math.max,
  minimum: Math.min,
  greater: (x, y) => (x > y ? 1 : 0),
  greaterEqual: (x, y) => (x >= y ? 1 : 0),
  less: (x, y) => (x < y ? 1 : 0),
  lessEqual: (x, y) => (x <= y ? 1 : 0),
  equal: (x, y) => (x === y ? 1 : 0),
};

function transposeData(a: JsHandle): JsHandle {
  const { data, rows, cols } = a;
  const out = new Float32Array(rows * cols);
  // Blocked transpose: keeps both sides in cache for large matrices.
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(i0 + B, rows);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++)
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[i * cols + j]!;
    }
  }
  return make(out, cols, rows);
}

/** [m, k] · [k, n], i-k-j order so the inner loop streams rows of b. */
function matmulPlain(a: JsHandle, b: JsHandle): JsHandle {
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const A = a.data;
  const Bd = b.data;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p]!;
      if (aip === 0) continue;
      const brow = p * n;
      for (let j = 0; j < n; j++) out[row + j]! += aip * Bd[brow + j]!;
    }
  }
  return make(Float32Array.from(out), m, n);
}

/**
 * The reference backend: plain JavaScript over Float32Array, no dependencies, runs
 * anywhere. Products accumulate in float64 and round once to float32, so it doubles as
 * the ground truth of the backend contract suite. Slow (about 1 GFLOP/s); pick a tfjs or
 * native backend for real training.
 */
export function createJsBackend(): Backend<JsHandle> {
  let live = 0;
  const out = (data: Float32Array, rows: number, cols: number): JsHandle => {
    live++;
    return make(data, rows, cols);
  };

  const broadcast = (op: BinaryOp, a: JsHandle, b: JsHandle): JsHandle => {
    const rows = Math.max(a.rows, b.rows);
    const cols = Math.max(a.cols, b.cols);
    const f = BINARY[op];
    const res = new Float32Array(rows * cols);
    const ars = a.rows === 1 ? 0 : a.cols;
    const acs = a.cols === 1 ? 0 : 1;
    const brs = b.rows === 1 ? 0 : b.cols;
    const bcs = b.cols === 1 ? 0 : 1;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++)
        res[i * cols + j] = f(a.data[i * ars + j * acs]!, b.data[i * brs + j * bcs]!);
    }
    return out(res, rows, cols);
  };

  const reduceAlong = (a: JsHandle, axis: Axis, init: (vals: number[]) => number): JsHandle => {
    const { data, rows, cols } = a;
    if (axis === null) return out(Float32Array.of(init(Array.from(data))), 1, 1);
    if (axis === 0) {
      const res = new Float32Array(cols);
      const col: number[] = new Array(rows);
      for (let j = 0; j < cols; j++) {
        for (let i = 0; i < rows; i++) col[i] = data[i * cols + j]!;
        res[j] = init(col);
      }
      return out(res, 1, cols);
    }
    const res = new Float32Array(rows);
    for (let i = 0; i < rows; i++)
      res[i] = init(Array.from(data.subarray(i * cols, (i + 1) * cols)));
    return out(res, rows, 1);
  };

  const REDUCE: Record<ReduceOp, (v: number[]) => number> = {
    sum: (v) => v.reduce((s, x) => s + x, 0),
    mean: (v) => v.reduce((s, x) => s + x, 0) / v.length,
    max: (v) => v.reduce((m, x) => (x > m || Number.isNaN(x) ? x : m), -Infinity),
    min: (v) => v.reduce((m, x) => (x < m || Number.isNaN(x) ? x : m), Infinity),
    logSumExp: (v) => {
      const m = v.reduce((s, x) => Math.max(s, x), -Infinity);
      if (m === -Infinity || m === Infinity) return m;
      return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
    },
  };

  /** Applies `f` to each line (row for axis 1, column for axis 0), writing a same-shape result. */
  const alongLines = (a: JsHandle, axis: 0 | 1, f: (line: Float64Array) => void): JsHandle => {
    const { data, rows, cols } = a;
    const res = new Float32Array(rows * cols);
    const lines = axis === 1 ? rows : cols;
    const len = axis === 1 ? cols : rows;
    const stride = axis === 1 ? 1 : cols;
    const line = new Float64Array(len);
    for (let l = 0; l < lines; l++) {
      const base = axis === 1 ? l * cols : l;
      for (let t = 0; t < len; t++) line[t] = data[base + t * stride]!;
      f(line);
      for (let t = 0; t < len; t++) res[base + t * stride] = line[t]!;
    }
    return out(res, rows, cols);
  };

  return {
    specVersion: BACKEND_SPEC_VERSION,
    name: 'js',
    fromArray: (data: Float32Array, shape: Shape) => out(data, shape[0], shape[1]),
    fill: (shape: Shape, value: number) =>
      out(new Float32Array(shape[0] * shape[1]).fill(value), shape[0], shape[1]),
    read: (h) => h.data.slice(),
    dispose: () => {
      live--;
    },
    memory: () => ({ numTensors: live }),
    matmul(a, b, ta, tb) {
      const r = matmulPlain(ta ? transposeData(a) : a, tb ? transposeData(b) : b);
      return out(r.data, r.rows, r.cols);
    },
    linear(x, w, bias, tw, activation: Activation) {
      const r = matmulPlain(x, tw ? transposeData(w) : w);
      const d = r.data;
      const n = r.cols;
      for (let i = 0; i < d.length; i++) {
        let v = d[i]! + (bias ? bias.data[i % n]! : 0);
        if (activation === 'sigmoid') v = sigmoidScalar(Math.fround(v));
        d[i] = v;
      }
      return out(d, r.rows, n);
    },
    transpose(a) {
      const r = transposeData(a);
      return out(r.data, r.rows, r.cols);
    },
    unary(op, a) {
      const f = UNARY[op];
      const res = new Float32Array(a.data.length);
      for (let i = 0; i < res.length; i++) res[i] = f(a.data[i]!);
      return out(res, a.rows, a.cols);
    },
    binary(op, a, b) {
      if (typeof b === 'number') {
        const f = BINARY[op];
        const y = Math.fround(b);
        const res = new Float32Array(a.data.length);
        for (let i = 0; i < res.length; i++) res[i] = f(a.data[i]!, y);
        return out(res, a.rows, a.cols);
      }
      return broadcast(op, a, b);
    },
    clip(a, lo, hi) {
      const res = new Float32Array(a.data.length);
      for (let i = 0; i < res.length; i++) res[i] = Math.min(Math.max(a.data[i]!, lo), hi);
      return out(res, a.rows, a.cols);
    },
    reduce: (op, a, axis) => reduceAlong(a, axis, REDUCE[op]),
    argmax: (a, axis) =>
      reduceAlong(a, axis, (v) => {
        let best = 0;
        for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
        return best;
      }),
    softmax: (a, axis) =>
      alongLines(a, axis, (line) => {
        let m = -Infinity;
        for (const x of line) m = Math.max(m, x);
        let s = 0;
        for (let t = 0; t < line.length; t++) {
          line[t] = Math.exp(line[t]! - m);
          s += line[t]!;
        }
        for (let t = 0; t < line.length; t++) line[t]! /= s;
      }),
    cumsum: (a, axis) =>
      alongLines(a, axis, (line) => {
        for (let t = 1; t < line.length; t++) line[t]! += line[t - 1]!;
      }),
    slice(a, r0, r1, c0, c1) {
      const cols = c1 - c0;
      const res = new Float32Array((r1 - r0) * cols);
      for (let i = r0; i < r1; i++)
        res.set(a.data.subarray(i * a.cols + c0, i * a.cols + c1), (i - r0) * cols);
      return out(res, r1 - r0, cols);
    },
    concat(parts, axis) {
      if (axis === 0) {
        const cols = parts[0]!.cols;
        const rows = parts.reduce((s, p) => s + p.rows, 0);
        const res = new Float32Array(rows * cols);
        let off = 0;
        for (const p of parts) {
          res.set(p.data, off);
          off += p.data.length;
        }
        return out(res, rows, cols);
      }
      const rows = parts[0]!.rows;
      const cols = parts.reduce((s, p) => s + p.cols, 0);
      const res = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        let off = i * cols;
        for (const p of parts) {
          res.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), off);
          off += p.cols;
        }
      }
      return out(res, rows, cols);
    },
  };
}
