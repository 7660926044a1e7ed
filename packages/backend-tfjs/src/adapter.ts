import {
  type Activation,
  type Axis,
  BACKEND_SPEC_VERSION,
  type Backend,
  BackendError,
  type BinaryOp,
  type ReduceOp,
  type Shape,
  type UnaryOp,
} from '@deepbelief/core';
import type * as tfc from '@tensorflow/tfjs-core';

/** The TensorFlow.js namespace the adapter runs on: `@tensorflow/tfjs-core`, `@tensorflow/tfjs` or `@tensorflow/tfjs-node`. */
export type TfjsLibrary = typeof tfc;

/** A tfjs-backed deepbelief tensor: a rank-2 float32 `tf.Tensor`. */
export type TfjsHandle = tfc.Tensor;

/** Which tfjs backend runs the kernels. `tensorflow` is the native one of `@tensorflow/tfjs-node`. */
export type TfjsFlavor = 'cpu' | 'wasm' | 'webgl' | 'tensorflow';

/** Per-flavor choices, from measurements (see the package README). */
export interface KernelPolicy {
  /**
   * Transpose explicitly before a plain matMul instead of passing transpose flags. tfjs-wasm
   * runs flagged products on a slow generic path (~2 GFLOP/s against ~20 after an
   * explicit transpose); cpu, webgl and tensorflow handle the flags natively.
   */
  readonly explicitTranspose: boolean;
  /**
   * Use `tf.fused.matMul` (bias and sigmoid in the kernel) for `linear`. Slower on wasm,
   * whose fused kernel wants a rank-1 bias buffer that a reshape cannot provide (a copy
   * costs more than the fusion saves); faster on cpu.
   */
  readonly fusedLinear: boolean;
  /** `dataSync` may return the backend's own buffer (cpu, webgl, tensorflow): copy it on read. */
  readonly copyOnRead: boolean;
}

/** The kernel policy of each flavor. */
export const KERNEL_POLICIES: Record<TfjsFlavor, KernelPolicy> = {
  cpu: { explicitTranspose: false, fusedLinear: true, copyOnRead: true },
  // wasm's readSync already returns a fresh slice of the wasm heap.
  wasm: { explicitTranspose: true, fusedLinear: false, copyOnRead: false },
  webgl: { explicitTranspose: false, fusedLinear: true, copyOnRead: true },
  tensorflow: { explicitTranspose: false, fusedLinear: true, copyOnRead: true },
};

/** deepbelief backend name of each flavor. */
export const BACKEND_NAMES: Record<TfjsFlavor, string> = {
  cpu: 'tfjs-cpu',
  wasm: 'tfjs-wasm',
  webgl: 'tfjs-webgl',
  tensorflow: 'tfjs-node',
};

type Tensor2D = tfc.Tensor2D;

/**
 * Wraps an initialized tfjs backend (`tf.engine().registry[flavor]` exists) as a deepbelief
 * {@link Backend}. tfjs has one global engine with one active backend; every op first makes
 * this adapter's flavor the active one, so adapters of two flavors can be used in one
 * process, interleaved. Tensors stay on the backend that made them.
 */
export function createTfjsAdapter(
  tf: TfjsLibrary,
  flavor: TfjsFlavor,
  policy: KernelPolicy = KERNEL_POLICIES[flavor],
): Backend<TfjsHandle> {
  const name = BACKEND_NAMES[flavor];
  const engine = tf.engine();
  const instance = engine.registry[flavor];
  if (!instance) {
    throw new BackendError(
      `[deepbelief] [${name}] the tfjs backend '${flavor}' is not initialized: await tf.setBackend('${flavor}') first`,
    );
  }
  const live = new Set<TfjsHandle>();
  let closed = false;

  // The engine's active backend instance is a private field (the same in tfjs 3 and 4); it
  // tells an active backend from one whose name was set while another was initializing.
  // Should a later tfjs rename it, fall back to comparing names.
  const tracksInstance = 'backendInstance' in engine;
  const isActive = (): boolean =>
    engine.backendName === flavor &&
    (!tracksInstance ||
      (engine as unknown as { backendInstance: unknown }).backendInstance === instance);

  const activate = (): void => {
    if (closed) throw new BackendError(`[deepbelief] [${name}] this backend was closed`);
    if (isActive()) return;
    if (engine.registry[flavor] !== instance) {
      throw new BackendError(
        `[deepbelief] [${name}] the tfjs backend '${flavor}' was removed or replaced ` +
          '(tf.removeBackend?); its tensors are gone: create a new backend',
      );
    }
    // The backend is initialized, so setBackend switches synchronously: it reaches no
    // await. Its promise resolves to true without further work.
    tf.setBackend(flavor).catch(() => {});
    if (!isActive()) {
      throw new BackendError(
        `[deepbelief] [${name}] could not make tfjs backend '${flavor}' active ` +
          `(active: '${engine.backendName}'); is another tfjs backend still initializing? ` +
          'Await its creation before running ops',
      );
    }
  };

  /**
   * A Float32Array the caller owns. cpu casts bool → float32 by relabelling the Uint8Array
   * buffer, so a float32 tensor's data may come back as another typed array.
   */
  const toFloat32 = (data: ArrayLike<number>): Float32Array => {
    if (data instanceof Float32Array) return policy.copyOnRead ? data.slice() : data;
    return Float32Array.from(data);
  };

  const out = (t: TfjsHandle): TfjsHandle => {
    live.add(t);
    return t;
  };
  /** Activates the flavor, runs `f` in a tf.tidy (intermediates freed) and tracks the result. */
  const run = (f: () => TfjsHandle): TfjsHandle => {
    activate();
    return out(tf.tidy(f));
  };

  const UNARY: Record<UnaryOp, (x: TfjsHandle) => TfjsHandle> = {
    neg: tf.neg,
    abs: tf.abs,
    exp: tf.exp,
    log: tf.log,
    sqrt: tf.sqrt,
    square: tf.square,
    sigmoid: tf.sigmoid,
    // tfjs softplus returns x above −log(ε)−2 and e^x below log(ε)+2, log(1+e^x) between:
    // finite and exact at ±1e4 and ±3.4e38 (checked by the contract's edge cases).
    softplus: tf.softplus,
    // −softplus(−x) in tfjs.
    logSigmoid: tf.logSigmoid,
    tanh: tf.tanh,
    relu: tf.relu,
  };

  type BinaryFn = (a: TfjsHandle, b: TfjsHandle) => TfjsHandle;
  const asFloat =
    (f: BinaryFn): BinaryFn =>
    (a, b) =>
      tf.cast(f(a, b), 'float32');
  const BINARY: Record<BinaryOp, BinaryFn> = {
    add: tf.add,
    sub: tf.sub,
    mul: tf.mul,
    div: tf.div,
    maximum: tf.maximum,
    minimum: tf.minimum,
    // tfjs comparisons return bool tensors; the contract wants float32 1/0.
    greater: asFloat(tf.greater),
    greaterEqual: asFloat(tf.greaterEqual),
    less: asFloat(tf.less),
    lessEqual: asFloat(tf.lessEqual),
    equal: asFloat(tf.equal),
  };

  const axes = (axis: Axis): number | undefined => (axis === null ? undefined : axis);

  const logSumExp = (a: TfjsHandle, axis: Axis): TfjsHandle => {
    const m = tf.max(a, axes(axis), true);
    // With an infinite maximum, x − m would be NaN: shift by 0 instead, which gives ±∞ as
    // the reference does (all −∞ → log 0 = −∞; any +∞ → +∞).
    const shift = tf.where(tf.isFinite(m), m, tf.zerosLike(m));
    return tf.add(tf.log(tf.sum(tf.exp(tf.sub(a, shift)), axes(axis), true)), shift);
  };
  const REDUCE: Record<ReduceOp, (a: TfjsHandle, axis: Axis) => TfjsHandle> = {
    sum: (a, axis) => tf.sum(a, axes(axis), true),
    mean: (a, axis) => tf.mean(a, axes(axis), true),
    max: (a, axis) => tf.max(a, axes(axis), true),
    min: (a, axis) => tf.min(a, axes(axis), true),
    logSumExp,
  };

  /** `a` or its transpose, per the policy: flags for native kernels, explicit for wasm. */
  const product = (a: TfjsHandle, b: TfjsHandle, ta: boolean, tb: boolean): TfjsHandle => {
    if (!policy.explicitTranspose) return tf.matMul(a as Tensor2D, b as Tensor2D, ta, tb);
    return tf.matMul(
      (ta ? tf.transpose(a) : a) as Tensor2D,
      (tb ? tf.transpose(b) : b) as Tensor2D,
    );
  };

  const backend: Backend<TfjsHandle> = {
    specVersion: BACKEND_SPEC_VERSION,
    name,

    fromArray(data: Float32Array, shape: Shape) {
      activate();
      return out(tf.tensor2d(data, [shape[0], shape[1]], 'float32'));
    },
    fill(shape: Shape, value: number) {
      activate();
      return out(tf.fill([shape[0], shape[1]], value, 'float32'));
    },
    // Reads use the tensor's own backend: no activation needed.
    read: (h) => toFloat32(h.dataSync()),
    readAsync: async (h) => toFloat32(await h.data()),
    dispose(h) {
      live.delete(h);
      h.dispose();
    },

    matmul: (a, b, ta, tb) => run(() => product(a, b, ta, tb)),
    linear(x, w, bias, tw, activation: Activation) {
      return run(() => {
        if (policy.fusedLinear) {
          return tf.fused.matMul({
            a: x,
            b: w,
            transposeB: tw,
            ...(bias ? { bias } : {}),
            activation: activation === 'sigmoid' ? 'sigmoid' : 'linear',
          });
        }
        let y = product(x, w, false, tw);
        if (bias) y = tf.add(y, bias);
        return activation === 'sigmoid' ? tf.sigmoid(y) : y;
      });
    },
    transpose: (a) => run(() => tf.transpose(a)),

    unary: (op, a) => run(() => UNARY[op](a)),
    binary: (op, a, b) =>
      run(() => BINARY[op](a, typeof b === 'number' ? tf.scalar(b, 'float32') : b)),
    clip: (a, lo, hi) => run(() => tf.clipByValue(a, lo, hi)),

    reduce: (op, a, axis) => run(() => REDUCE[op](a, axis)),
    argmax: (a, axis) =>
      run(() => {
        // tfjs argMax drops the axis and returns int32 (first index on ties).
        const idx = tf.cast(tf.argMax(a, axis), 'float32');
        return axis === 1 ? tf.reshape(idx, [a.shape[0]!, 1]) : tf.reshape(idx, [1, a.shape[1]!]);
      }),
    softmax: (a, axis) =>
      run(() => {
        // tfjs softmax only works along the last axis (and subtracts the max there).
        if (axis === 1) return tf.softmax(a);
        const e = tf.exp(tf.sub(a, tf.max(a, 0, true)));
        return tf.div(e, tf.sum(e, 0, true));
      }),
    cumsum: (a, axis) => run(() => tf.cumsum(a, axis)),

    slice: (a, r0, r1, c0, c1) => run(() => tf.slice(a, [r0, c0], [r1 - r0, c1 - c0])),
    concat: (parts, axis) => run(() => tf.concat(parts as TfjsHandle[], axis)),

    memory() {
      // Global to tfjs (every backend and every user of tf in this process).
      const m = tf.memory();
      return { numTensors: m.numTensors, numBytes: m.numBytes };
    },
    close() {
      // Frees this adapter's tensors. The tfjs backend itself stays registered: other
      // adapters and other tfjs users in the process share the global engine.
      for (const h of live) h.dispose();
      live.clear();
      closed = true;
    },
  };
  return backend;
}
