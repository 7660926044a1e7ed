import type { Axis, Shape } from './shape.js';

/**
 * Version of the {@link Backend} contract. A backend declares the version it was written
 * for; {@link Ops} refuses one it does not know, with a message, instead of failing later
 * inside a kernel (the pattern of vercel/ai's `specificationVersion`).
 */
export const BACKEND_SPEC_VERSION = 'v1' as const;

/** Elementwise functions of one tensor. All are numerically stable for any finite input. */
export const UNARY_OPS = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'square',
  'sigmoid',
  /** log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|). */
  'softplus',
  /** log σ(x) = -softplus(-x). */
  'logSigmoid',
  'tanh',
  'relu',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * Elementwise functions of two tensors with broadcasting (each axis equal or 1), or of a
 * tensor and a number. Comparisons return 1 where true and 0 where false.
 */
export const BINARY_OPS = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
  'equal',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Reductions along an axis (kept as size 1) or over everything (`[1, 1]`). */
export const REDUCE_OPS = ['sum', 'mean', 'max', 'min', 'logSumExp'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Activations a fused {@link Backend.linear} may apply. */
export type Activation = 'none' | 'sigmoid';

/** Memory facts a backend can report (for leak tests and monitoring). */
export interface BackendMemory {
  /** Live tensors the backend itself holds, when it can tell. */
  readonly numTensors?: number;
  readonly numBytes?: number;
}

/**
 * What a backend author implements: a small set of float32 matrix kernels over opaque
 * handles. Handles know their own shape; the caller ({@link Ops}) has already validated
 * every shape and argument, so kernels need not check again. Model code never calls a
 * backend directly: it uses {@link Ops}, which adds validation, scopes and sampling.
 *
 * Conventions: every tensor is a float32 matrix `[rows, cols]`; ops return new handles and
 * never modify their inputs; `dispose` releases a handle exactly once.
 */
export interface Backend<H = unknown> {
  readonly specVersion: typeof BACKEND_SPEC_VERSION;
  /** Short name, e.g. `tfjs-wasm`, `onnx`, `js`. */
  readonly name: string;

  // --- creation and transfer -------------------------------------------------------
  /** Wraps `data` (row-major, length rows·cols). The backend may keep the array: callers hand it over. */
  fromArray(data: Float32Array, shape: Shape): H;
  /** A matrix filled with one value. */
  fill(shape: Shape, value: number): H;
  /**
   * Optional: the float32 matrix `bytes[i] · scale` (8-bit pixels), converted by the
   * backend, each value the float32 product of the byte and `Math.fround(scale)` (exact
   * in float32 arithmetic, so every backend gets the same bits). Feeding bytes spares a
   * JavaScript conversion loop per mini-batch; without it {@link Ops.fromBytes} converts
   * in JavaScript. The backend may keep `bytes`: callers hand it over.
   */
  fromBytes?(bytes: Uint8Array, shape: Shape, scale: number): H;
  /** Row-major copy of the data, safe for the caller to modify. */
  read(handle: H): Float32Array;
  /** Asynchronous {@link Backend.read}, for backends (webgl) where a sync read stalls. */
  readAsync?(handle: H): Promise<Float32Array>;
  /** Releases the handle's memory. */
  dispose(handle: H): void;

  // --- linear algebra --------------------------------------------------------------
  /** `op(a) · op(b)` where op transposes when the flag is set. */
  matmul(a: H, b: H, transposeA: boolean, transposeB: boolean): H;
  /** Fused `activation(x · op(w) + bias)`; `bias` is `[1, n]` or null. */
  linear(x: H, w: H, bias: H | null, transposeW: boolean, activation: Activation): H;
  transpose(a: H): H;

  // --- elementwise -----------------------------------------------------------------
  unary(op: UnaryOp, a: H): H;
  binary(op: BinaryOp, a: H, b: H | number): H;
  /** Elementwise clamp to [lo, hi]. */
  clip(a: H, lo: number, hi: number): H;

  // --- reductions and scans --------------------------------------------------------
  reduce(op: ReduceOp, a: H, axis: Axis): H;
  /** Index of the largest value along the axis (first on ties), as float32, kept dims. */
  argmax(a: H, axis: 0 | 1): H;
  /** Softmax along the axis, stable (max subtracted). */
  softmax(a: H, axis: 0 | 1): H;
  /** Inclusive cumulative sum along the axis. */
  cumsum(a: H, axis: 0 | 1): H;

  // --- structure -------------------------------------------------------------------
  /** Rows [r0, r1) and columns [c0, c1). */
  slice(a: H, r0: number, r1: number, c0: number, c1: number): H;
  concat(parts: readonly H[], axis: 0 | 1): H;

  // --- housekeeping ----------------------------------------------------------------
  memory?(): BackendMemory;
  /** Frees everything the backend holds (worker pools, sessions). */
  close?(): void | Promise<void>;
}
