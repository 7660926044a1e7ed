import { availableParallelism } from 'node:os';
import {
  type Activation,
  BACKEND_SPEC_VERSION,
  type Backend,
  BackendError,
  type BinaryOp,
  type ReduceOp,
  type Shape,
  type UnaryOp,
} from '@deepbelief/core';
import {
  argmaxKind,
  binaryKind,
  bytesKind,
  clipKind,
  concatKind,
  cumsumKind,
  GraphEmitter,
  linearKind,
  matmulKind,
  type OpKind,
  reduceKind,
  sliceKind,
  softmaxKind,
  transposeKind,
  unaryKind,
} from './kinds.js';
import {
  loadNativeBinding,
  type NativeBinding,
  type NativeSession,
  type NativeTensor,
} from './native.js';
import { DataType, encodeModel, int, type ValueSpec } from './onnx-proto.js';

/** Options of {@link createOnnxBackend}. */
export interface OnnxBackendOptions {
  /** ONNX Runtime intra-op threads. Default: `os.availableParallelism()`. */
  readonly threads?: number;
  /**
   * Let idle ONNX Runtime threads spin-wait for work. Off by default: spinning threads
   * compete with JavaScript between calls (measured 61 ms instead of 8 ms per CD-1 step
   * on a 2-core machine).
   */
  readonly spinning?: boolean;
  /**
   * Fuse the ops issued between two reads into one ONNX graph (default true). Only the
   * tensors still alive when the graph runs are copied back to JavaScript; intermediates
   * stay inside ONNX Runtime. With `false`, every op runs as its own cached graph.
   */
  readonly fusion?: boolean;
  /**
   * A sequence of ops is compiled into a fused graph the `fuseAfter`-th time it is seen
   * (default 2: training loops repeat, one-off computations don't pay for compiling).
   * Earlier occurrences run op by op.
   */
  readonly fuseAfter?: number;
  /**
   * Deferred ops are run once this many are waiting, even without a read (default 2048).
   * Each run copies the state still alive (a model's weights and velocities) out to
   * JavaScript, so long queues pay that once for many steps: a training loop that reads
   * every 50 steps runs the 50 steps as one graph.
   */
  readonly maxPendingOps?: number;
  /**
   * Deferred ops are also run once their results would take this many bytes (default
   * 512 MiB). A fused graph's peak memory grows with its length, so this bounds what a
   * training run takes: with 50-batch windows as one graph, the 2006 DBN's up-down peaked at
   * 1.1 GiB of RSS and its backprop at 1.6 GiB; with the bound, 0.8 GiB each.
   */
  readonly maxPendingBytes?: number;
  /**
   * Compiled graphs kept, least recently used evicted first (default 64). Each holds its
   * own ONNX Runtime thread pool (`threads − 1` sleeping OS threads when idle).
   */
  readonly maxSessions?: number;
  /**
   * Extra ONNX Runtime session options merged over the backend's, e.g.
   * `{ enableProfiling: true, profileFilePrefix: 'ort' }` (profiles are written on close).
   */
  readonly sessionOptions?: Readonly<Record<string, unknown>>;
  /**
   * On Linux with glibc, raise malloc's mmap and trim thresholds once per process (default
   * true), as glibc itself does after freeing a large block: the 1.5 MB results ONNX
   * Runtime hands to JavaScript then reuse heap memory instead of fresh pages (page faults
   * cost about 0.6 ms per 784×500 result on small VMs). Ignored when `MALLOC_*_THRESHOLD_`
   * is set in the environment, which glibc then honours instead.
   */
  readonly mallocTuning?: boolean;
  /** Loads the native binding; for tests. */
  readonly loadBinding?: () => NativeBinding;
}

/** Counters for profiling, from {@link OnnxBackend.stats}. */
export interface OnnxStats {
  /** Times the deferred ops were run. */
  readonly flushes: number;
  /** Graph runs of fused multi-op graphs. */
  readonly fusedRuns: number;
  /** Ops run alone (fusion off, a single op, or a sequence not yet seen `fuseAfter` times). */
  readonly singleRuns: number;
  /** Ops that were deferred and then found unused (disposed before being needed). */
  readonly skippedOps: number;
  /** Graphs compiled and the milliseconds spent compiling them. */
  readonly compiles: number;
  readonly compileMs: number;
  /** Milliseconds inside native `run` calls (compute plus the copy of outputs to JS). */
  readonly runMs: number;
  /** Bytes of results copied out of ONNX Runtime. */
  readonly outputBytes: number;
  /** Compiled graphs currently cached. */
  readonly sessions: number;
}

/**
 * A tensor of the onnx backend: either its data (row-major float32 in JavaScript memory,
 * handed to ONNX Runtime without a copy) or, until it is needed, the deferred op that
 * computes it.
 */
export class OnnxTensor {
  /** @internal */
  data: LeafData | null;
  /** @internal */
  kind: OpKind | null;
  /** @internal */
  inputs: readonly OnnxTensor[];
  /** @internal */
  disposed = false;
  /** @internal set when the graph computing this tensor failed. */
  failure: Error | null = null;

  /** @internal */
  constructor(
    readonly dims: readonly number[],
    data: LeafData | null,
    kind: OpKind | null = null,
    inputs: readonly OnnxTensor[] = [],
    /** @internal scalars and index vectors: graph inputs that are not backend tensors. */
    readonly aux = false,
  ) {
    this.data = data;
    this.kind = kind;
    this.inputs = inputs;
  }
}

/** The onnx {@link Backend}, plus profiling and an explicit flush. */
export interface OnnxBackend extends Backend<OnnxTensor> {
  /** Runs every deferred op now (reads do this on their own). */
  flush(): void;
  /** Profiling counters since creation or the last {@link OnnxBackend.resetStats}. */
  stats(): OnnxStats;
  resetStats(): void;
  /** Releases every compiled graph; the backend cannot be used afterwards. */
  close(): void;
  /** The options in force, defaults filled in. */
  readonly options: Readonly<Required<Omit<OnnxBackendOptions, 'loadBinding' | 'sessionOptions'>>>;
}

interface CachedSession {
  readonly session: NativeSession;
  readonly outputNames: readonly string[];
}

const NO_INPUTS: readonly OnnxTensor[] = [];

/** What a computed tensor or graph input holds: float32 values, int64 indices or raw bytes. */
type LeafData = Float32Array | BigInt64Array | Uint8Array;

/** ONNX element type of a graph input. */
const elementType = (data: LeafData) =>
  data instanceof BigInt64Array ? 'int64' : data instanceof Uint8Array ? 'uint8' : 'float32';
const ONNX_TYPE = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  uint8: DataType.UINT8,
} as const;

/**
 * Creates the native-speed backend on ONNX Runtime (onnxruntime-node). Products run in
 * MLAS, elementwise ops and sampling comparisons in ONNX Runtime's kernels; ops are
 * deferred and run as small cached ONNX graphs with symbolic dimensions, fused into one
 * graph per repeated sequence (see {@link OnnxBackendOptions.fusion}).
 *
 * @throws BackendError when onnxruntime-node or its native library is missing.
 */
export async function createOnnxBackend(options: OnnxBackendOptions = {}): Promise<OnnxBackend> {
  return createOnnxBackendSync(options);
}

/** Synchronous {@link createOnnxBackend}. */
export function createOnnxBackendSync(options: OnnxBackendOptions = {}): OnnxBackend {
  const settings = {
    threads: options.threads ?? availableParallelism(),
    spinning: options.spinning ?? false,
    fusion: options.fusion ?? true,
    fuseAfter: options.fuseAfter ?? 2,
    maxPendingOps: options.maxPendingOps ?? 2048,
    maxPendingBytes: options.maxPendingBytes ?? 512 * 2 ** 20,
    maxSessions: options.maxSessions ?? 64,
    mallocTuning: options.mallocTuning ?? true,
  } as const;
  checkInteger('threads', settings.threads, 1);
  checkInteger('fuseAfter', settings.fuseAfter, 1);
  checkInteger('maxPendingOps', settings.maxPendingOps, 1);
  checkInteger('maxPendingBytes', settings.maxPendingBytes, 1);
  checkInteger('maxSessions', settings.maxSessions, 1);
  const native = (options.loadBinding ?? loadNativeBinding)();
  if (settings.mallocTuning) raiseMallocThresholds(native);
  const sessionOptions = {
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: {
      session: {
        intra_op: { allow_spinning: settings.spinning ? '1' : '0' },
        // The QDQ passes copy a DequantizeLinear (fromBytes) for each of its consumers, which
        // converted a mini-batch three times per CD step; these graphs are not quantized.
        disable_quant_qdq: '1',
      },
    },
    ...options.sessionOptions,
  };

  // Compiled graphs, in least-recently-used order (Map keeps insertion order).
  const sessions = new Map<string, CachedSession>();
  // How often each not-yet-compiled fused sequence was seen.
  const seen = new Map<string, number>();
  let pending: OnnxTensor[] = [];
  /** Bytes of the results of the pending ops. */
  let pendingBytes = 0;
  // Disposed tensors whose data deferred ops may still read.
  let releaseAfterFlush: OnnxTensor[] = [];
  let closed = false;
  let live = 0;
  let liveBytes = 0;
  const zeroStats = () => ({
    flushes: 0,
    fusedRuns: 0,
    singleRuns: 0,
    skippedOps: 0,
    compiles: 0,
    compileMs: 0,
    runMs: 0,
    outputBytes: 0,
  });
  let stats = zeroStats();

  const checkOpen = () => {
    if (closed) throw new BackendError('onnx backend: used after close()');
  };

  const leaf = (data: Float32Array, shape: Shape): OnnxTensor => {
    checkOpen();
    live++;
    liveBytes += data.byteLength;
    return new OnnxTensor(shape, data);
  };

  /** Defers `kind(inputs)`; runs the queue first when it is full. */
  const defer = (kind: OpKind, inputs: readonly OnnxTensor[], shape: Shape): OnnxTensor => {
    checkOpen();
    for (const t of inputs) {
      if (t.failure) throw t.failure;
    }
    const bytes = shape[0] * shape[1] * 4;
    if (
      pending.length >= settings.maxPendingOps ||
      (pending.length > 0 && pendingBytes + bytes > settings.maxPendingBytes)
    )
      flush(cheapestCut());
    const t = new OnnxTensor(shape, null, kind, inputs);
    pending.push(t);
    pendingBytes += bytes;
    live++;
    liveBytes += bytes;
    return t;
  };

  // Constant rows [1, n] filled with one value, shared by every graph that reads them.
  const constantRows = new Map<string, OnnxTensor>();
  const rowOf = (n: number, value: number): OnnxTensor => {
    const key = `${n}:${value}`;
    let t = constantRows.get(key);
    if (!t) {
      t = new OnnxTensor([1, n], new Float32Array(n).fill(value));
      constantRows.set(key, t);
    }
    return t;
  };

  const scalar = (value: number): OnnxTensor =>
    new OnnxTensor([1, 1], Float32Array.of(value), null, NO_INPUTS, true);
  const rank0 = (value: number): OnnxTensor =>
    new OnnxTensor([], Float32Array.of(value), null, NO_INPUTS, true);
  const index2 = (a: number, b: number): OnnxTensor =>
    new OnnxTensor([2], BigInt64Array.of(BigInt(a), BigInt(b)), null, NO_INPUTS, true);

  const compile = (key: string, nodes: readonly OnnxTensor[], plan: Plan): CachedSession => {
    const cached = sessions.get(key);
    if (cached) {
      sessions.delete(key);
      sessions.set(key, cached);
      return cached;
    }
    const emitter = new GraphEmitter();
    nodes.forEach((t, i) => {
      t.kind!.emit(emitter, plan.refs[i]!, `n${i}`);
    });
    const inputs: ValueSpec[] = plan.leaves.map((l, j) => ({
      name: `x${j}`,
      type: ONNX_TYPE[elementType(l.data!)],
      dims: l.aux ? l.dims : [`x${j}r`, `x${j}c`],
    }));
    const outputNames = plan.outputs.map((i) => `n${i}`);
    const bytes = encodeModel({
      name: 'deepbelief',
      inputs,
      outputs: outputNames.map((name) => ({ name })),
      nodes: emitter.nodes,
      initializers: [...emitter.constants].map(([name, c]) => ({
        name,
        dims: c.dims,
        type: DataType.INT64,
        values: c.values,
      })),
    });
    const t0 = performance.now();
    const session = new native.binding.InferenceSession();
    try {
      session.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, sessionOptions);
    } catch (error) {
      throw new BackendError(
        `onnx backend: ONNX Runtime rejected the graph for ${describeOps(nodes)}: ${message(error)}`,
      );
    }
    stats.compiles++;
    stats.compileMs += performance.now() - t0;
    const entry = { session, outputNames };
    sessions.set(key, entry);
    if (sessions.size > settings.maxSessions) {
      const [oldKey, oldest] = sessions.entries().next().value!;
      sessions.delete(oldKey);
      oldest.session.dispose();
    }
    return entry;
  };

  /** Runs `nodes` (topologically ordered, inputs outside them already computed) as one graph. */
  const runGraph = (nodes: readonly OnnxTensor[], plan: Plan, key: string): void => {
    const { session, outputNames } = compile(key, nodes, plan);
    const feeds: Record<string, NativeTensor> = {};
    plan.leaves.forEach((l, j) => {
      feeds[`x${j}`] = {
        type: elementType(l.data!),
        data: l.data!,
        dims: l.dims,
        location: 'cpu',
      };
    });
    const fetches: Record<string, null> = {};
    for (const name of outputNames) fetches[name] = null;
    const t0 = performance.now();
    let result: ReturnType<NativeSession['run']>;
    try {
      result = session.run(feeds, fetches, {});
    } catch (error) {
      throw new BackendError(
        `onnx backend: running ${describeOps(nodes)} failed: ${message(error)}`,
      );
    }
    stats.runMs += performance.now() - t0;
    plan.outputs.forEach((i, k) => {
      const data = result[outputNames[k]!]!.data as Float32Array;
      nodes[i]!.data = data;
      stats.outputBytes += data.byteLength;
    });
  };

  const runSingle = (t: OnnxTensor): void => {
    const plan = planGraph([t], new Set([t]));
    runGraph([t], plan, plan.key);
    stats.singleRuns++;
  };

  /**
   * Where to split a full queue: the prefix length in [n/2, n] whose results that must
   * leave ONNX Runtime (alive, or read by the rest of the queue) take the fewest bytes;
   * the latest such cut on ties. In a loop this lands between iterations, where only the
   * loop's state is alive, so every flush runs the same fused graph.
   */
  function cheapestCut(): number {
    const n = pending.length;
    const position = new Map<OnnxTensor, number>();
    pending.forEach((t, i) => {
      position.set(t, i);
    });
    const lastUse = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      lastUse[i] = i;
      for (const input of pending[i]!.inputs) {
        const j = position.get(input);
        if (j !== undefined) lastUse[j] = i;
      }
    }
    // Node i crosses every cut k in (i, end]: end = n while alive, else its last use.
    const diff = new Float64Array(n + 2);
    for (let i = 0; i < n; i++) {
      const t = pending[i]!;
      const end = t.disposed ? lastUse[i]! : n;
      if (end <= i) continue;
      const bytes = t.dims[0]! * t.dims[1]!;
      diff[i + 1]! += bytes;
      diff[end + 1]! -= bytes;
    }
    let best = n;
    let bestCost = Infinity;
    let cost = 0;
    const from = Math.ceil(n / 2);
    for (let k = 1; k <= n; k++) {
      cost += diff[k]!;
      if (k >= from && cost <= bestCost) {
        best = k;
        bestCost = cost;
      }
    }
    return best;
  }

  /**
   * Computes the first `count` deferred ops (default: all) that are alive or needed, as one
   * fused graph or op by op. Results the remaining queue reads are kept too.
   */
  function flush(count = pending.length): void {
    if (count === 0) return;
    const batch = pending.slice(0, count);
    pending = pending.slice(count);
    pendingBytes = 0;
    for (const t of pending) pendingBytes += t.dims[0]! * t.dims[1]! * 4;
    stats.flushes++;
    const readLater = new Set<OnnxTensor>();
    for (const t of pending) for (const input of t.inputs) if (input.kind) readLater.add(input);
    // Creation order is a topological order: a reverse sweep finds what is needed.
    const needed = new Set<OnnxTensor>();
    for (let i = batch.length - 1; i >= 0; i--) {
      const t = batch[i]!;
      if (t.disposed && !readLater.has(t) && !needed.has(t)) continue;
      needed.add(t);
      for (const input of t.inputs) if (input.kind) needed.add(input);
    }
    const nodes = batch.filter((t) => needed.has(t));
    stats.skippedOps += batch.length - nodes.length;
    try {
      if (nodes.length > 0) {
        if (!settings.fusion || nodes.length === 1) {
          for (const t of nodes) runSingle(t);
        } else {
          const outputs = new Set(nodes.filter((t) => !t.disposed || readLater.has(t)));
          const plan = planGraph(nodes, outputs);
          const count = (seen.get(plan.key) ?? 0) + 1;
          if (sessions.has(plan.key) || count >= settings.fuseAfter) {
            seen.delete(plan.key);
            runGraph(nodes, plan, plan.key);
            stats.fusedRuns++;
          } else {
            if (seen.size >= 4 * settings.maxSessions) seen.clear();
            seen.set(plan.key, count);
            for (const t of nodes) runSingle(t);
          }
        }
      }
    } catch (error) {
      const failure =
        error instanceof BackendError ? error : new BackendError(`onnx backend: ${message(error)}`);
      for (const t of nodes) if (t.data === null) t.failure = failure;
      throw failure;
    } finally {
      for (const t of batch) {
        t.kind = null;
        t.inputs = NO_INPUTS;
      }
      // Let go of disposed tensors' data unless a deferred op still reads it.
      const stillRead = new Set<OnnxTensor>();
      for (const t of pending) for (const input of t.inputs) stillRead.add(input);
      releaseAfterFlush = releaseAfterFlush.filter((t) => {
        if (stillRead.has(t)) return true;
        t.data = null;
        return false;
      });
    }
  }

  const ready = (t: OnnxTensor): Float32Array => {
    checkOpen();
    if (t.failure) throw t.failure;
    if (t.disposed) throw new BackendError('onnx backend: read of a disposed tensor');
    if (t.kind) flush();
    return t.data as Float32Array;
  };

  const backend: OnnxBackend = {
    specVersion: BACKEND_SPEC_VERSION,
    name: 'onnx',
    options: settings,

    fromArray: (data, shape) => leaf(data, shape),
    fill: (shape, value) => leaf(new Float32Array(shape[0] * shape[1]).fill(value), shape),
    // The bytes are a graph input (a quarter of the float32 data to hand over), converted
    // natively with the rest of the graph.
    fromBytes: (bytes, shape, scale) =>
      defer(bytesKind, [new OnnxTensor(shape, bytes), rank0(Math.fround(scale))], shape),
    read: (t) => ready(t).slice(),
    dispose(t) {
      if (t.disposed) return;
      t.disposed = true;
      live--;
      liveBytes -= t.dims[0]! * t.dims[1]! * 4;
      // Deferred ops may still read this tensor: the next flush lets go of its data (and
      // skips computing it when nothing needs it).
      if (pending.length === 0) t.data = null;
      else releaseAfterFlush.push(t);
    },
    memory: () => ({ numTensors: live, numBytes: liveBytes }),

    matmul(a, b, ta, tb) {
      const m = ta ? a.dims[1]! : a.dims[0]!;
      const n = tb ? b.dims[0]! : b.dims[1]!;
      return defer(matmulKind(ta, tb), [a, b], [m, n]);
    },
    linear(x, w, bias, tw, activation: Activation) {
      const out = tw ? w.dims[0]! : w.dims[1]!;
      const inputs = bias ? [x, w, bias] : [x, w];
      return defer(linearKind(tw, bias !== null, activation), inputs, [x.dims[0]!, out]);
    },
    transpose: (a) => defer(transposeKind, [a], [a.dims[1]!, a.dims[0]!]),
    unary: (op: UnaryOp, a) => defer(unaryKind(op), [a], shapeOf(a)),
    binary(op: BinaryOp, a, b) {
      if (typeof b === 'number') return defer(binaryKind(op), [a, scalar(b)], shapeOf(a));
      const shape: Shape = [Math.max(a.dims[0]!, b.dims[0]!), Math.max(a.dims[1]!, b.dims[1]!)];
      return defer(binaryKind(op), [a, b], shape);
    },
    clip: (a, lo, hi) => defer(clipKind, [a, rank0(lo), rank0(hi)], shapeOf(a)),
    reduce(op: ReduceOp, a, axis) {
      const shape: Shape = axis === null ? [1, 1] : axis === 0 ? [1, a.dims[1]!] : [a.dims[0]!, 1];
      if (axis === 0 && (op === 'sum' || op === 'mean')) {
        // Sums and means over the rows (bias gradients over a batch) as a product with a row
        // of ones (or of 1/rows): ONNX Runtime's ReduceSum over axis 0 took about twice as
        // long on batch-sized inputs ([200, 500]: 52–66 µs against 28–52 µs).
        const rows = a.dims[0]!;
        return defer(
          matmulKind(false, false),
          [rowOf(rows, op === 'sum' ? 1 : 1 / rows), a],
          shape,
        );
      }
      return defer(reduceKind(op, axis), [a], shape);
    },
    argmax(a, axis) {
      const shape: Shape = axis === 0 ? [1, a.dims[1]!] : [a.dims[0]!, 1];
      return defer(argmaxKind(axis), [a], shape);
    },
    softmax: (a, axis) => defer(softmaxKind(axis), [a], shapeOf(a)),
    cumsum: (a, axis) => defer(cumsumKind(axis), [a], shapeOf(a)),
    slice: (a, r0, r1, c0, c1) =>
      defer(sliceKind, [a, index2(r0, c0), index2(r1, c1)], [r1 - r0, c1 - c0]),
    concat(parts, axis) {
      const first = parts[0]!;
      let total = 0;
      for (const p of parts) total += p.dims[axis]!;
      const shape: Shape = axis === 0 ? [total, first.dims[1]!] : [first.dims[0]!, total];
      return defer(concatKind(axis, parts.length), parts, shape);
    },

    flush() {
      checkOpen();
      flush();
    },
    stats: () => ({ ...stats, sessions: sessions.size }),
    resetStats() {
      stats = zeroStats();
    },
    close() {
      if (closed) return;
      closed = true;
      for (const t of pending) {
        t.kind = null;
        t.inputs = NO_INPUTS;
      }
      pending = [];
      pendingBytes = 0;
      releaseAfterFlush = [];
      for (const { session } of sessions.values()) session.dispose();
      sessions.clear();
      seen.clear();
      constantRows.clear();
    },
  };
  return backend;
}

/** How a list of deferred tensors maps onto one graph, and the graph's cache key. */
interface Plan {
  /** Structure of the graph: ops, static attributes, wiring and outputs; no data, no sizes. */
  readonly key: string;
  /** Graph inputs: computed tensors, scalars and index vectors, in first-use order. */
  readonly leaves: readonly OnnxTensor[];
  /** Input names of each node. */
  readonly refs: readonly (readonly string[])[];
  /** Indices (into the node list) of the values copied back to JavaScript. */
  readonly outputs: readonly number[];
}

function planGraph(nodes: readonly OnnxTensor[], outputs: ReadonlySet<OnnxTensor>): Plan {
  const names = new Map<OnnxTensor, string>();
  const leaves: OnnxTensor[] = [];
  const refs: string[][] = [];
  const outputIndices: number[] = [];
  let key = '';
  nodes.forEach((t, i) => {
    const r: string[] = [];
    for (const input of t.inputs) {
      let name = names.get(input);
      if (name === undefined) {
        name = `x${leaves.length}`;
        leaves.push(input);
        names.set(input, name);
        const type = elementType(input.data!)[0];
        key += input.aux ? `x${input.dims.length}${type}` : type === 'f' ? 'x' : `x${type}`;
      }
      r.push(name);
    }
    names.set(t, `n${i}`);
    refs.push(r);
    key += `|${t.kind!.sig}(${r.join(',')})`;
    if (outputs.has(t)) {
      outputIndices.push(i);
      key += '*';
    }
  });
  return { key, leaves, refs, outputs: outputIndices };
}

let mallocTuned = false;

/**
 * glibc raises its mmap threshold to the size of a freed mmap'd block (up to 32 MiB) and its
 * trim threshold to twice that. One ONNX Runtime run whose 31 MiB intermediate is
 * allocated and freed outside any arena triggers exactly that, once per process.
 */
function raiseMallocThresholds(native: NativeBinding): void {
  if (mallocTuned || process.platform !== 'linux') return;
  mallocTuned = true;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  if (!header?.glibcVersionRuntime) return;
  const bytes = encodeModel({
    name: 'malloc-tuning',
    inputs: [{ name: 'x', dims: [1, 1] }],
    outputs: [{ name: 'y' }],
    nodes: [
      { op: 'Expand', inputs: ['x', 'shape'], outputs: ['big'] },
      { op: 'ReduceMax', inputs: ['big'], outputs: ['y'], attributes: { keepdims: int(0) } },
    ],
    initializers: [{ name: 'shape', dims: [2], type: DataType.INT64, values: [31, 262144] }],
  });
  try {
    const session = new native.binding.InferenceSession();
    session.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
      enableCpuMemArena: false,
      graphOptimizationLevel: 'disabled',
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
    });
    const x: NativeTensor = {
      type: 'float32',
      data: Float32Array.of(0),
      dims: [1, 1],
      location: 'cpu',
    };
    session.run({ x }, { y: null }, {});
    session.dispose();
  } catch {
    // Only a speed-up: the backend works the same without it.
  }
}

function shapeOf(t: OnnxTensor): Shape {
  return [t.dims[0]!, t.dims[1]!];
}

function describeOps(nodes: readonly OnnxTensor[]): string {
  const sigs = nodes.map((t) => t.kind?.sig ?? '?');
  const shown = sigs.slice(0, 8).join(', ');
  return sigs.length > 8 ? `[${shown}, … ${sigs.length - 8} more]` : `[${shown}]`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new BackendError(`onnx backend: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}
