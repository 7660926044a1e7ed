import {
  type Activation,
  BACKEND_SPEC_VERSION,
  type Backend,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
} from './backend.js';
import { BackendError, DeepBeliefError, ShapeError } from './errors.js';
import type { SeededRandom } from './random.js';
import { type Axis, broadcastShapes, checkShape, formatShape, type Shape } from './shape.js';
import { Tensor } from './tensor.js';

/** Anything {@link Ops.tidy} may return: tensors inside are handed to the enclosing scope. */
export type TidyResult =
  | Tensor
  | readonly TidyResult[]
  | { readonly [key: string]: TidyResult }
  // biome-ignore lint/suspicious/noConfusingVoidType: tidy(() => { ... }) returns void
  | void
  | number
  | string
  | boolean
  | null
  | undefined;

/** Values accepted where a matrix is expected: a flat array with a shape, or rows of numbers. */
export type MatrixLike = Float32Array | readonly number[] | readonly (readonly number[])[];

interface Scope {
  readonly tensors: Set<Tensor>;
}

/** Live-tensor counts, for leak tests. */
export interface OpsMemory {
  /** Tensors created by this Ops and not yet disposed. */
  readonly numTensors: number;
  /** What the backend itself reports, if anything. */
  readonly backend: { readonly numTensors?: number; readonly numBytes?: number };
}

/**
 * The tensor API model code is written against: every op of a {@link Backend}, with shapes
 * validated up front (errors name the op and the shapes), scoped memory management that
 * works for backends with manual disposal (tfjs), and sampling driven by a
 * {@link SeededRandom}. One instance wraps one backend; pass it explicitly, there is no
 * hidden global.
 */
export class Ops {
  private readonly scopes: Scope[] = [];
  private readonly kept = new WeakSet<Tensor>();
  private live = 0;

  constructor(readonly backend: Backend) {
    if (backend?.specVersion !== BACKEND_SPEC_VERSION) {
      throw new BackendError(
        `backend '${backend?.name ?? '?'}' implements spec ${String(backend?.specVersion)}, ` +
          `but this @deepbelief/core speaks ${BACKEND_SPEC_VERSION}: upgrade the backend package or core so they match`,
      );
    }
  }

  /** Backend name, e.g. `tfjs-wasm`. */
  get name(): string {
    return this.backend.name;
  }

  // ---------------------------------------------------------------- memory ---------

  private track(handle: unknown, shape: Shape): Tensor {
    const t = new Tensor(handle, shape, this);
    this.live++;
    this.scopes[this.scopes.length - 1]?.tensors.add(t);
    return t;
  }

  /**
   * Runs `fn` and disposes every tensor created inside it, except those it returns
   * (anywhere in a returned array or object) and those passed to {@link Ops.keep}.
   * Scopes nest; returned tensors move to the enclosing scope.
   */
  tidy<T>(fn: () => T): T {
    const scope: Scope = { tensors: new Set() };
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.scopes.pop();
      this.disposeScope(scope, new Set());
      throw error;
    }
    this.scopes.pop();
    if (result instanceof Promise) {
      throw new DeepBeliefError('tidy: the function must be synchronous (it returned a Promise)');
    }
    const survivors = new Set<Tensor>();
    collectTensors(result, survivors);
    this.disposeScope(scope, survivors);
    const parent = this.scopes[this.scopes.length - 1];
    if (parent) for (const t of survivors) if (!t.isDisposed) parent.tensors.add(t);
    return result;
  }

  private disposeScope(scope: Scope, survivors: Set<Tensor>): void {
    for (const t of scope.tensors) {
      if (!survivors.has(t) && !this.kept.has(t)) this.dispose(t);
    }
  }

  /** Exempts `t` from disposal by any enclosing {@link Ops.tidy}; returns it. */
  keep<T extends Tensor>(t: T): T {
    this.kept.add(t);
    return t;
  }

  /** Disposes one tensor, an array, or the tensors inside an object. Idempotent. */
  dispose(value: TidyResult): void {
    const found = new Set<Tensor>();
    collectTensors(value, found);
    for (const t of found) {
      if (t.markDisposed()) {
        this.live--;
        this.backend.dispose(t.handle);
      }
    }
  }

  /** Live tensor counts: constant across training steps when nothing leaks. */
  memory(): OpsMemory {
    return { numTensors: this.live, backend: this.backend.memory?.() ?? {} };
  }

  // ---------------------------------------------------------------- creation -------

  /**
   * A tensor from values. `data` is row-major with an explicit `shape`, or an array of rows.
   * Float32Array data is copied, so the caller may reuse it.
   */
  tensor(data: MatrixLike, shape?: readonly number[]): Tensor {
    let flat: Float32Array;
    let s: Shape;
    if (shape === undefined) {
      if (!Array.isArray(data) || data.length === 0 || !Array.isArray(data[0])) {
        throw new ShapeError('tensor: give a shape, or the data as a non-empty array of rows');
      }
      const rows = data as readonly (readonly number[])[];
      const cols = rows[0]!.length;
      s = checkShape([rows.length, cols], 'tensor');
      flat = new Float32Array(rows.length * cols);
      rows.forEach((row, i) => {
        if (row.length !== cols) {
          throw new ShapeError(`tensor: row ${i} has ${row.length} values, row 0 has ${cols}`);
        }
        flat.set(row, i * cols);
      });
    } else {
      s = checkShape(shape, 'tensor');
      flat =
        data instanceof Float32Array ? data.slice() : Float32Array.from(data as readonly number[]);
      if (flat.length !== s[0] * s[1]) {
        throw new ShapeError(
          `tensor: ${flat.length} values do not fill shape ${formatShape(s)} (${s[0] * s[1]} needed)`,
        );
      }
    }
    return this.track(this.backend.fromArray(flat, s), s);
  }

  /**
   * Like {@link Ops.tensor} for a Float32Array, without the copy: the array is handed over
   * to the backend and must not be modified afterwards.
   */
  fromArray(data: Float32Array, shape: readonly number[]): Tensor {
    const s = checkShape(shape, 'fromArray');
    if (!(data instanceof Float32Array))
      throw new ShapeError('fromArray: data must be a Float32Array');
    if (data.length !== s[0] * s[1]) {
      throw new ShapeError(`fromArray: ${data.length} values do not fill shape ${formatShape(s)}`);
    }
    return this.track(this.backend.fromArray(data, s), s);
  }

  /**
   * A tensor of `bytes[i] · scale` from 8-bit data (pixels), e.g. `scale = 1/255`: each
   * value is the float32 product of the byte and `Math.fround(scale)`, the same bits on
   * every backend. Backends that implement {@link Backend.fromBytes} convert natively.
   * The array is handed over and must not be modified afterwards.
   */
  fromBytes(bytes: Uint8Array, shape: readonly number[], scale = 1): Tensor {
    const s = checkShape(shape, 'fromBytes');
    if (!(bytes instanceof Uint8Array))
      throw new ShapeError('fromBytes: data must be a Uint8Array');
    if (bytes.length !== s[0] * s[1]) {
      throw new ShapeError(`fromBytes: ${bytes.length} bytes do not fill shape ${formatShape(s)}`);
    }
    if (!Number.isFinite(scale)) {
      throw new DeepBeliefError(`fromBytes: scale must be a finite number, got ${scale}`);
    }
    if (this.backend.fromBytes) return this.track(this.backend.fromBytes(bytes, s, scale), s);
    return this.track(this.backend.fromArray(bytesToFloat32(bytes, scale), s), s);
  }

  fill(shape: readonly number[], value: number): Tensor {
    const s = checkShape(shape, 'fill');
    return this.track(this.backend.fill(s, value), s);
  }

  zeros(shape: readonly number[]): Tensor {
    return this.fill(shape, 0);
  }

  ones(shape: readonly number[]): Tensor {
    return this.fill(shape, 1);
  }

  /** Row vector `[1, n]` holding 0, 1, …, n−1. */
  range(n: number): Tensor {
    const s = checkShape([1, n], 'range');
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = i;
    return this.track(this.backend.fromArray(data, s), s);
  }

  /** Row-major copy of a tensor's values. */
  read(t: Tensor): Float32Array {
    this.check(t, 'read');
    return this.backend.read(t.handle);
  }

  async readAsync(t: Tensor): Promise<Float32Array> {
    this.check(t, 'readAsync');
    return this.backend.readAsync ? this.backend.readAsync(t.handle) : this.backend.read(t.handle);
  }

  /** The single value of a `[1, 1]` tensor. */
  item(t: Tensor): number {
    this.check(t, 'item');
    if (t.rows !== 1 || t.cols !== 1)
      throw new ShapeError(`item: expected a [1, 1] tensor, got ${formatShape(t.shape)}`);
    return this.backend.read(t.handle)[0]!;
  }

  /** Rows of numbers (for tests and small outputs). */
  toRows(t: Tensor): number[][] {
    const data = this.read(t);
    const out: number[][] = [];
    for (let i = 0; i < t.rows; i++)
      out.push(Array.from(data.subarray(i * t.cols, (i + 1) * t.cols)));
    return out;
  }

  // ---------------------------------------------------------------- linear algebra -

  /** `op(a) · op(b)`: `[m, k] · [k, n] → [m, n]`, with op transposing when asked. */
  matmul(
    a: Tensor,
    b: Tensor,
    options: { transposeA?: boolean; transposeB?: boolean } = {},
  ): Tensor {
    this.check(a, 'matmul');
    this.check(b, 'matmul');
    const ta = options.transposeA ?? false;
    const tb = options.transposeB ?? false;
    const [m, ka] = ta ? [a.cols, a.rows] : [a.rows, a.cols];
    const [kb, n] = tb ? [b.cols, b.rows] : [b.rows, b.cols];
    if (ka !== kb) {
      throw new ShapeError(
        `matmul: inner dimensions differ: ${ta ? 'aᵀ' : 'a'} is [${m}, ${ka}], ${tb ? 'bᵀ' : 'b'} is [${kb}, ${n}]`,
      );
    }
    return this.track(this.backend.matmul(a.handle, b.handle, ta, tb), [m, n]);
  }

  /**
   * `activation(x · op(w) + bias)` in one call: the affine map of every layer.
   * `x` is `[batch, in]`, `w` is `[in, out]` (or `[out, in]` with `transposeW`), `bias` `[1, out]`.
   */
  linear(
    x: Tensor,
    w: Tensor,
    bias: Tensor | null,
    options: { transposeW?: boolean; activation?: Activation } = {},
  ): Tensor {
    this.check(x, 'linear');
    this.check(w, 'linear');
    const tw = options.transposeW ?? false;
    const [kin, out] = tw ? [w.cols, w.rows] : [w.rows, w.cols];
    if (x.cols !== kin) {
      throw new ShapeError(
        `linear: input has ${x.cols} columns but the weights ${tw ? '(transposed) ' : ''}expect ${kin} (x ${formatShape(x.shape)}, w ${formatShape(w.shape)})`,
      );
    }
    if (bias) {
      this.check(bias, 'linear');
      if (bias.rows !== 1 || bias.cols !== out) {
        throw new ShapeError(`linear: bias must be [1, ${out}], got ${formatShape(bias.shape)}`);
      }
    }
    const activation = options.activation ?? 'none';
    if (activation !== 'none' && activation !== 'sigmoid') {
      throw new DeepBeliefError(
        `linear: unknown activation '${String(activation)}' (use 'none' or 'sigmoid')`,
      );
    }
    return this.track(
      this.backend.linear(x.handle, w.handle, bias?.handle ?? null, tw, activation),
      [x.rows, out],
    );
  }

  transpose(a: Tensor): Tensor {
    this.check(a, 'transpose');
    return this.track(this.backend.transpose(a.handle), [a.cols, a.rows]);
  }

  // ---------------------------------------------------------------- elementwise ----

  unary(op: UnaryOp, a: Tensor): Tensor {
    this.check(a, op);
    return this.track(this.backend.unary(op, a.handle), a.shape);
  }

  neg = (a: Tensor) => this.unary('neg', a);
  abs = (a: Tensor) => this.unary('abs', a);
  exp = (a: Tensor) => this.unary('exp', a);
  log = (a: Tensor) => this.unary('log', a);
  sqrt = (a: Tensor) => this.unary('sqrt', a);
  square = (a: Tensor) => this.unary('square', a);
  sigmoid = (a: Tensor) => this.unary('sigmoid', a);
  softplus = (a: Tensor) => this.unary('softplus', a);
  logSigmoid = (a: Tensor) => this.unary('logSigmoid', a);
  tanh = (a: Tensor) => this.unary('tanh', a);
  relu = (a: Tensor) => this.unary('relu', a);

  binary(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
    this.check(a, op);
    if (typeof b === 'number') {
      return this.track(this.backend.binary(op, a.handle, b), a.shape);
    }
    this.check(b, op);
    const shape = broadcastShapes(a.shape, b.shape, op);
    return this.track(this.backend.binary(op, a.handle, b.handle), shape);
  }

  add = (a: Tensor, b: Tensor | number) => this.binary('add', a, b);
  sub = (a: Tensor, b: Tensor | number) => this.binary('sub', a, b);
  mul = (a: Tensor, b: Tensor | number) => this.binary('mul', a, b);
  div = (a: Tensor, b: Tensor | number) => this.binary('div', a, b);
  maximum = (a: Tensor, b: Tensor | number) => this.binary('maximum', a, b);
  minimum = (a: Tensor, b: Tensor | number) => this.binary('minimum', a, b);
  greater = (a: Tensor, b: Tensor | number) => this.binary('greater', a, b);
  greaterEqual = (a: Tensor, b: Tensor | number) => this.binary('greaterEqual', a, b);
  less = (a: Tensor, b: Tensor | number) => this.binary('less', a, b);
  lessEqual = (a: Tensor, b: Tensor | number) => this.binary('lessEqual', a, b);
  equal = (a: Tensor, b: Tensor | number) => this.binary('equal', a, b);

  /** `s − a` for a number `s` (sub with the number on the left). */
  rsub(s: number, a: Tensor): Tensor {
    return this.tidy(() => this.add(this.neg(a), s));
  }

  clip(a: Tensor, lo: number, hi: number): Tensor {
    this.check(a, 'clip');
    if (!(lo <= hi)) throw new DeepBeliefError(`clip: lo (${lo}) must not exceed hi (${hi})`);
    return this.track(this.backend.clip(a.handle, lo, hi), a.shape);
  }

  // ---------------------------------------------------------------- reductions -----

  reduce(op: ReduceOp, a: Tensor, axis: Axis = null): Tensor {
    this.check(a, op);
    checkAxis(axis, op, true);
    return this.track(this.backend.reduce(op, a.handle, axis), reducedShape(a.shape, axis));
  }

  /** Sum along `axis` (0: over rows → `[1, cols]`; 1: over columns → `[rows, 1]`; null: all → `[1, 1]`). */
  sum = (a: Tensor, axis: Axis = null) => this.reduce('sum', a, axis);
  mean = (a: Tensor, axis: Axis = null) => this.reduce('mean', a, axis);
  max = (a: Tensor, axis: Axis = null) => this.reduce('max', a, axis);
  min = (a: Tensor, axis: Axis = null) => this.reduce('min', a, axis);
  /** log Σ exp, stable (the maximum is factored out). */
  logSumExp = (a: Tensor, axis: Axis = null) => this.reduce('logSumExp', a, axis);

  argmax(a: Tensor, axis: 0 | 1 = 1): Tensor {
    this.check(a, 'argmax');
    checkAxis(axis, 'argmax', false);
    return this.track(this.backend.argmax(a.handle, axis), reducedShape(a.shape, axis));
  }

  softmax(a: Tensor, axis: 0 | 1 = 1): Tensor {
    this.check(a, 'softmax');
    checkAxis(axis, 'softmax', false);
    return this.track(this.backend.softmax(a.handle, axis), a.shape);
  }

  /** log softmax = a − logSumExp(a), stable. */
  logSoftmax(a: Tensor, axis: 0 | 1 = 1): Tensor {
    return this.tidy(() => this.sub(a, this.logSumExp(a, axis)));
  }

  cumsum(a: Tensor, axis: 0 | 1 = 1): Tensor {
    this.check(a, 'cumsum');
    checkAxis(axis, 'cumsum', false);
    return this.track(this.backend.cumsum(a.handle, axis), a.shape);
  }

  // ---------------------------------------------------------------- structure ------

  /** Rows [r0, r1) and columns [c0, c1). */
  slice(a: Tensor, rows: readonly [number, number], cols: readonly [number, number]): Tensor {
    this.check(a, 'slice');
    const [r0, r1] = rows;
    const [c0, c1] = cols;
    if (!(Number.isInteger(r0) && Number.isInteger(r1) && r0 >= 0 && r0 < r1 && r1 <= a.rows)) {
      throw new ShapeError(
        `slice: rows [${r0}, ${r1}) are not a non-empty range inside ${formatShape(a.shape)}`,
      );
    }
    if (!(Number.isInteger(c0) && Number.isInteger(c1) && c0 >= 0 && c0 < c1 && c1 <= a.cols)) {
      throw new ShapeError(
        `slice: columns [${c0}, ${c1}) are not a non-empty range inside ${formatShape(a.shape)}`,
      );
    }
    return this.track(this.backend.slice(a.handle, r0, r1, c0, c1), [r1 - r0, c1 - c0]);
  }

  sliceColumns(a: Tensor, start: number, end: number): Tensor {
    return this.slice(a, [0, a.rows], [start, end]);
  }

  sliceRows(a: Tensor, start: number, end: number): Tensor {
    return this.slice(a, [start, end], [0, a.cols]);
  }

  concat(parts: readonly Tensor[], axis: 0 | 1): Tensor {
    checkAxis(axis, 'concat', false);
    if (parts.length === 0) throw new ShapeError('concat: nothing to concatenate');
    for (const p of parts) this.check(p, 'concat');
    const other = 1 - axis;
    const keep = parts[0]!.shape[other]!;
    let total = 0;
    for (const p of parts) {
      if (p.shape[other] !== keep) {
        throw new ShapeError(
          `concat: along axis ${axis} every part needs ${axis === 1 ? 'rows' : 'cols'} = ${keep}; got ${parts.map((q) => formatShape(q.shape)).join(', ')}`,
        );
      }
      total += p.shape[axis]!;
    }
    const shape: Shape = axis === 1 ? [keep, total] : [total, keep];
    return this.track(
      this.backend.concat(
        parts.map((p) => p.handle),
        axis,
      ),
      shape,
    );
  }

  /** Joins matrices side by side, e.g. 500 hidden units and 10 label units. */
  concatColumns = (parts: readonly Tensor[]) => this.concat(parts, 1);
  concatRows = (parts: readonly Tensor[]) => this.concat(parts, 0);

  // ---------------------------------------------------------------- random ---------

  /** Uniform draws in [0, 1) from `rng`. */
  randomUniform(shape: readonly number[], rng: SeededRandom): Tensor {
    const s = checkShape(shape, 'randomUniform');
    return this.track(this.backend.fromArray(rng.uniformArray(s[0] * s[1]), s), s);
  }

  /** Normal draws with the given mean and standard deviation. */
  randomNormal(shape: readonly number[], rng: SeededRandom, mean = 0, std = 1): Tensor {
    const s = checkShape(shape, 'randomNormal');
    const data = rng.normalArray(s[0] * s[1]);
    if (mean !== 0 || std !== 1)
      for (let i = 0; i < data.length; i++) data[i] = mean + std * data[i]!;
    return this.track(this.backend.fromArray(data, s), s);
  }

  /** Binary states: 1 with probability `p` (elementwise), i.e. `u < p` for uniform `u`. */
  bernoulli(p: Tensor, rng: SeededRandom): Tensor {
    this.check(p, 'bernoulli');
    return this.tidy(() => this.less(this.randomUniform(p.shape, rng), p));
  }

  /**
   * One-hot draws from each row's categorical distribution `p` (rows sum to 1), e.g. a
   * softmax group of label units: index = #{j : cumsum(p)_j ≤ u}.
   */
  categorical(p: Tensor, rng: SeededRandom): Tensor {
    this.check(p, 'categorical');
    return this.tidy(() => {
      const u = this.randomUniform([p.rows, 1], rng);
      const below = this.lessEqual(this.cumsum(p, 1), u);
      const index = this.minimum(this.sum(below, 1), p.cols - 1);
      return this.equal(this.range(p.cols), index);
    });
  }

  /**
   * Count vectors: row r holds `counts[r]` (`[rows, 1]`, rounded) draws from row r's
   * categorical distribution, proportional to `p` (rows need not sum to 1), e.g. the words
   * of a document under a replicated-softmax RBM. Drawn on the host, one uniform per draw, by binary search in
   * the row's cumulative sums.
   */
  multinomial(p: Tensor, counts: Tensor, rng: SeededRandom): Tensor {
    this.check(p, 'multinomial');
    this.check(counts, 'multinomial');
    if (counts.rows !== p.rows || counts.cols !== 1)
      throw new ShapeError(
        `multinomial: counts must be [${p.rows}, 1], got ${formatShape(counts.shape)}`,
      );
    const [rows, cols] = p.shape;
    const probs = this.read(p);
    const n = this.read(counts);
    const out = new Float32Array(rows * cols);
    const cdf = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      let total = 0;
      for (let j = 0; j < cols; j++) {
        total += Math.max(probs[r * cols + j]!, 0);
        cdf[j] = total;
      }
      const draws = Math.round(n[r]!);
      if (!(draws >= 0) || !(total > 0)) {
        if (draws > 0)
          throw new DeepBeliefError(`multinomial: row ${r} has no probability mass to draw from`);
        continue;
      }
      for (let d = 0; d < draws; d++) {
        const u = rng.uniform() * total;
        let lo = 0;
        let hi = cols - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        out[r * cols + lo]! += 1;
      }
    }
    return this.fromArray(out, [rows, cols]);
  }

  // ---------------------------------------------------------------- helpers --------

  private check(t: Tensor, where: string): void {
    if (!(t instanceof Tensor)) {
      throw new ShapeError(`${where}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
    }
    if (t.ops !== this) {
      throw new BackendError(
        `${where}: ${t} belongs to backend '${t.ops.name}', not '${this.name}'`,
      );
    }
    if (t.isDisposed) throw new DeepBeliefError(`${where}: ${t} was already disposed`);
  }
}

/**
 * `bytes[i] · fround(scale)` rounded to float32: the double product of a byte and a
 * float32 is exact, so one rounding gives exactly the float32 product a native kernel
 * computes. The reference for {@link Backend.fromBytes}.
 */
export function bytesToFloat32(
  bytes: Uint8Array,
  scale: number,
  out: Float32Array = new Float32Array(bytes.length),
): Float32Array {
  const s = Math.fround(scale);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! * s;
  return out;
}

function checkAxis(axis: unknown, where: string, allowNull: boolean): void {
  if (axis === 0 || axis === 1 || (allowNull && axis === null)) return;
  throw new ShapeError(
    `${where}: axis must be 0 (rows), 1 (columns)${allowNull ? ' or null (all)' : ''}, got ${String(axis)}`,
  );
}

function reducedShape(shape: Shape, axis: Axis): Shape {
  if (axis === null) return [1, 1];
  return axis === 0 ? [1, shape[1]] : [shape[0], 1];
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into);
  else if (
    value &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const v of Object.values(value)) collectTensors(v, into);
  }
}
