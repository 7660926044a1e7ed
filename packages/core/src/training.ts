import { DeepBeliefError, ShapeError } from './errors.js';
import type { Ops } from './ops.js';
import { type RandomState, SeededRandom } from './random.js';
import type { Tensor } from './tensor.js';

/**
 * Rows of training data, read one mini-batch at a time. Compact storage (uint8 pixels)
 * stays compact; only the batch is converted to float32.
 */
export interface MatrixSource {
  readonly rows: number;
  readonly cols: number;
  /** Writes rows `indices` (in that order) into `out`, row-major. */
  readRows(indices: ArrayLike<number>, out: Float32Array): void;
  /**
   * Optional, for 8-bit data: writes the raw bytes of rows `indices` into `out`; the values
   * are `byte · byteScale` ({@link MatrixSource.readRows} gives the same float32 values).
   * Training then hands the bytes to the backend, which converts them natively
   * ({@link Ops.fromBytes}).
   */
  readRowBytes?(indices: ArrayLike<number>, out: Uint8Array): void;
  /** The factor of {@link MatrixSource.readRowBytes}' bytes, e.g. 1/255. */
  readonly byteScale?: number;
}

/**
 * The name of the first of `named` tensors holding NaN or ±∞, or null: one read when all
 * are finite (Σ|t| over all of them), one more per tensor only when something is not.
 */
export function firstNonFinite(
  ops: Ops,
  named: readonly (readonly [string, Tensor | null])[],
): string | null {
  const present = named.filter((n): n is readonly [string, Tensor] => n[1] !== null);
  const total = ops.tidy(() =>
    ops.item(
      present.map(([, t]) => ops.sum(ops.sum(ops.abs(t), 1), 0)).reduce((a, b) => ops.add(a, b)),
    ),
  );
  if (Number.isFinite(total)) return null;
  for (const [name, t] of present)
    if (!Number.isFinite(ops.tidy(() => ops.item(ops.sum(ops.abs(t)))))) return name;
  return 'a parameter';
}

/** Training diverged: a metric or a parameter became NaN or infinite. */
export class DivergenceError extends DeepBeliefError {
  override name = 'DivergenceError';
  constructor(
    /** The algorithm (and the layer, where there are several), e.g. `CD-1 (layer 2)`, `up-down`. */
    readonly algorithm: string,
    /** 0-based epoch and batch where the non-finite value was found. */
    readonly epoch: number,
    readonly batch: number,
    what: string,
    learningRate: number,
    hint = '',
  ) {
    super(
      `${algorithm}: training diverged at epoch ${epoch + 1}, batch ${batch + 1}: ${what} became NaN or infinite. ` +
        `Try a smaller learning rate (now ${learningRate}; e.g. ${learningRate / 10})${hint}.`,
    );
  }
}

/** What a step sees besides its batch. */
export interface StepContext {
  readonly epoch: number;
  /** 0-based index of the batch in its epoch. */
  readonly batch: number;
  /** The data rows of the batch, in batch order (to look up labels or targets). */
  readonly indices: Uint32Array;
  /** The sampling generator: every random draw of a step comes from it. */
  readonly rng: SeededRandom;
}

/** Named tensors and numbers of an algorithm's own state (velocities, moments, chains). */
export interface AlgorithmState {
  readonly tensors: Record<
    string,
    { readonly shape: readonly number[]; readonly data: Float32Array }
  >;
  readonly values: Record<string, number | null>;
}

/** The engine's record of an epoch, which an algorithm turns into its own event. */
export interface EpochSummary {
  readonly epoch: number;
  readonly epochs: number;
  readonly seconds: number;
  /** Mean over the epoch's batches of the metric the steps returned. */
  readonly metric: number;
}

/**
 * An algorithm as {@link TrainingLoop} drives it: a step per mini-batch and the state it
 * carries between steps. The loop owns everything else (epochs, data order, batches, metric
 * reads, divergence, abort, resume), so an algorithm is one file of math.
 */
export interface TrainingAlgorithm<E> {
  /** Names the algorithm in errors and progress, e.g. `CD-1 (layer 2)`, `up-down`, `backprop`. */
  readonly name: string;
  /** What the step's metric is, for error messages (e.g. `the reconstruction error`). */
  readonly metric: string;
  /**
   * One update from a mini-batch `[batch, cols]`. Returns the batch's metric as a `[1, 1]`
   * tensor, which the loop sums on the backend and reads only every `metricsEvery` batches.
   */
  step(batch: Tensor, context: StepContext): Tensor;
  /** Learning rate at `epoch`, for the divergence message. */
  learningRateAt(epoch: number): number;
  /**
   * Ends an epoch: turns the summary into the algorithm's event (with e.g. a validation
   * loss) and says whether to stop early.
   */
  finishEpoch(
    summary: EpochSummary,
  ): Promise<{ event: E; stop?: boolean }> | { event: E; stop?: boolean };
  /** The first parameter holding NaN or ±∞ (read at each epoch's end), or null. */
  firstNonFinite?(): string | null;
  /** Extra text for the divergence message. */
  readonly divergenceHint?: string;
  /** The state a resumed run needs (velocities, moments, chains, early-stopping memory). */
  getState(): AlgorithmState;
  setState(state: AlgorithmState): void;
  /** Releases the algorithm's own tensors (not the model's). */
  dispose(): void;
}

/** Options of the loop itself (each algorithm validates its own options). */
export interface LoopOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Redraw the data order each epoch (default true). */
  readonly shuffle?: boolean;
  /** Read the summed metric every this many batches (and at each epoch's end). */
  readonly metricsEvery: number;
  /** The rows to train on (e.g. those left after a validation split); default all. */
  readonly rows?: Uint32Array;
}

/** Progress after each mini-batch. */
export interface BatchProgress {
  readonly algorithm: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean metric of the batches since the previous read (NaN before the first read). */
  readonly metric: number;
}

/** Callbacks and cancellation, awaited; the same for every algorithm. */
export interface TrainingHooks<E> {
  /** After each batch; the loop's state already points past it (checkpoint here). */
  readonly onBatch?: (event: BatchProgress) => void | Promise<void>;
  /** After each epoch; the state points at the next epoch. */
  readonly onEpoch?: (event: E) => void | Promise<void>;
  /** Training stops (resolving, not rejecting) before the next batch once aborted. */
  readonly signal?: AbortSignal;
  /** Stop after this many batches in this call (for benchmarks, demos and tests). */
  readonly maxBatches?: number;
}

/** Everything the loop needs to continue exactly where it stopped. */
export interface LoopState<E> {
  readonly epoch: number;
  readonly batch: number;
  /** Rows per epoch the position refers to (checked on resume). */
  readonly rows: number;
  /** Data-order generator at the start of `epoch` (its permutation is redrawn from it). */
  readonly epochDataRng: RandomState;
  readonly sampleRng: RandomState;
  /** Sum and count of this epoch's batch metrics so far. */
  readonly metricSum: number;
  readonly metricCount: number;
  /** True once the algorithm stopped early (training is complete). */
  readonly stopped: boolean;
  readonly history: E[];
  readonly algorithm: AlgorithmState;
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * The one training loop of deepbelief. It owns the epoch and batch loop, the seeded data
 * order, 8-bit batches (handed to the backend as bytes), the metric summed on the backend
 * and read every `metricsEvery` batches (divergence is checked at those reads and on the
 * parameters at each epoch's end), abort signals, `maxBatches`, progress events, and the
 * resumable state: with {@link TrainingLoop.getState} and the model's parameters a run
 * continues bit-identically, mid-epoch included.
 *
 * The generators: `seed` forks a data-order generator, then a sampling generator.
 */
export class TrainingLoop<E> {
  readonly history: E[] = [];
  private dataRng: SeededRandom;
  private epochDataRng: RandomState;
  private sampleRng: SeededRandom;
  private epoch = 0;
  private batch = 0;
  private stopped = false;
  private permutation: Uint32Array | null = null;
  private metricAcc: Tensor | null = null;
  private metricCount = 0;
  private readSum = 0;
  private readCount = 0;
  /** Training rows per epoch, fixed by the first fit or a restored state. */
  private rows = 0;

  constructor(
    readonly ops: Ops,
    readonly algorithm: TrainingAlgorithm<E>,
    readonly options: LoopOptions,
    seed: number | SeededRandom,
  ) {
    if (!Number.isInteger(options.epochs) || options.epochs < 1)
      throw new DeepBeliefError(`${algorithm.name}: epochs must be a positive integer`);
    const root = typeof seed === 'number' ? new SeededRandom(seed) : seed;
    this.dataRng = root.fork();
    this.sampleRng = root.fork();
    this.epochDataRng = this.dataRng.getState();
  }

  /** Epochs completed so far. */
  get completedEpochs(): number {
    return this.epoch;
  }

  /** Where the loop stands: the epoch and the batch (in that epoch) it runs next. */
  getPosition(): { epoch: number; batch: number } {
    return { epoch: this.epoch, batch: this.batch };
  }

  /**
   * One step of the algorithm on `batch`, outside the data order (the loop's position does
   * not move), with the loop's sampling generator. Returns the step's metric tensor.
   */
  step(batch: Tensor, epoch = this.epoch): Tensor {
    return this.algorithm.step(batch, {
      epoch,
      batch: this.batch,
      indices: new Uint32Array(0),
      rng: this.sampleRng,
    });
  }

  /** True when every epoch ran or the algorithm stopped early. */
  get done(): boolean {
    return this.stopped || this.epoch >= this.options.epochs;
  }

  /** Trains until done, aborted or `maxBatches`; continues from the saved position after a resume. */
  async fit(data: MatrixSource, hooks: TrainingHooks<E> = {}): Promise<E[]> {
    const { ops: o, algorithm, options } = this;
    const rows = options.rows?.length ?? data.rows;
    if (rows < options.batchSize)
      throw new ShapeError(
        `${algorithm.name}: ${rows} rows are fewer than one batch of ${options.batchSize}`,
      );
    if (this.rows > 0 && this.rows !== rows)
      throw new DeepBeliefError(
        `${algorithm.name}: the training state is for ${this.rows} rows per epoch, this data has ${rows}; continue with the same data`,
      );
    this.rows = rows;
    const batches = Math.floor(rows / options.batchSize);
    const shape = [options.batchSize, data.cols];
    // 8-bit data goes to the backend as bytes (a fresh array each batch: deferring backends
    // read it when the step runs); the rest through one reused float32 buffer, copied.
    const { readRowBytes, byteScale } = data;
    const buffer = readRowBytes ? null : new Float32Array(options.batchSize * data.cols);
    const readBatch = (idx: Uint32Array): Tensor => {
      if (!buffer) {
        const bytes = new Uint8Array(options.batchSize * data.cols);
        readRowBytes!.call(data, idx, bytes);
        return o.fromBytes(bytes, shape, byteScale ?? 1);
      }
      data.readRows(idx, buffer);
      return o.tensor(buffer, shape);
    };
    let total = 0;
    let lastYield = performance.now();
    let lastMetric = Number.NaN;
    while (!this.done) {
      const started = performance.now();
      if (!this.permutation) this.permutation = this.drawPermutation(rows);
      while (this.batch < batches) {
        if (hooks.signal?.aborted || (hooks.maxBatches !== undefined && total >= hooks.maxBatches))
          return this.history;
        const idx = this.permutation.subarray(
          this.batch * options.batchSize,
          (this.batch + 1) * options.batchSize,
        );
        const x = readBatch(idx);
        try {
          const metric = algorithm.step(x, {
            epoch: this.epoch,
            batch: this.batch,
            indices: idx,
            rng: this.sampleRng,
          });
          // Every batch adds to a leaf (the first to a zero, not `metric + 0`), so a
          // deferring backend sees the same ops in every window and compiles one graph.
          if (!this.metricAcc) this.metricAcc = o.keep(o.fill([1, 1], 0));
          const sum = o.add(this.metricAcc, metric);
          metric.dispose();
          this.metricAcc.dispose();
          this.metricAcc = o.keep(sum);
        } finally {
          x.dispose();
        }
        this.metricCount++;
        // advance first, so that getState() inside onBatch resumes after this batch
        this.batch++;
        total++;
        if (this.batch % options.metricsEvery === 0 || this.batch === batches) {
          const sum = o.item(this.metricAcc!);
          if (!Number.isFinite(sum)) this.diverged(this.batch - 1, algorithm.metric);
          lastMetric = (sum - this.readSum) / (this.metricCount - this.readCount);
          this.readSum = sum;
          this.readCount = this.metricCount;
        }
        await hooks.onBatch?.({
          algorithm: algorithm.name,
          epoch: this.epoch,
          epochs: options.epochs,
          batch: this.batch - 1,
          batches,
          metric: lastMetric,
        });
        if (performance.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      const bad = algorithm.firstNonFinite?.();
      if (bad) this.diverged(batches - 1, bad);
      const summary: EpochSummary = {
        epoch: this.epoch,
        epochs: options.epochs,
        seconds: (performance.now() - started) / 1000,
        metric: this.metricCount ? this.readSum / this.metricCount : Number.NaN,
      };
      const { event, stop } = await algorithm.finishEpoch(summary);
      this.resetMetric();
      this.history.push(event);
      this.epoch++;
      this.batch = 0;
      this.permutation = null;
      if (stop) this.stopped = true;
      await hooks.onEpoch?.(event);
    }
    return this.history;
  }

  private diverged(batch: number, what: string): never {
    const { algorithm } = this;
    throw new DivergenceError(
      algorithm.name,
      this.epoch,
      batch,
      what,
      algorithm.learningRateAt(this.epoch),
      algorithm.divergenceHint ?? '',
    );
  }

  private resetMetric(sum = 0, count = 0): void {
    const o = this.ops;
    this.metricAcc?.dispose();
    this.metricAcc = count > 0 ? o.keep(o.fill([1, 1], sum)) : null;
    this.metricCount = count;
    this.readSum = sum;
    this.readCount = count;
  }

  private drawPermutation(rows: number): Uint32Array {
    this.epochDataRng = this.dataRng.getState();
    const order =
      this.options.shuffle === false
        ? Uint32Array.from({ length: rows }, (_, i) => i)
        : this.dataRng.permutation(rows);
    const subset = this.options.rows;
    if (subset) for (let i = 0; i < rows; i++) order[i] = subset[order[i]!]!;
    return order;
  }

  /**
   * A snapshot for checkpoints: with the model's parameters it resumes bit-identically.
   * It reads the metric and checks the parameters first, so a checkpoint never holds a
   * diverged model: a non-finite value throws {@link DivergenceError} instead.
   */
  getState(): LoopState<E> {
    const metricSum = this.metricAcc ? this.ops.item(this.metricAcc) : 0;
    const last = Math.max(0, this.batch - 1);
    if (!Number.isFinite(metricSum)) this.diverged(last, this.algorithm.metric);
    const bad = this.algorithm.firstNonFinite?.();
    if (bad) this.diverged(last, bad);
    return {
      epoch: this.epoch,
      batch: this.batch,
      rows: this.rows,
      epochDataRng: this.permutation ? this.epochDataRng : this.dataRng.getState(),
      sampleRng: this.sampleRng.getState(),
      metricSum,
      metricCount: this.metricCount,
      stopped: this.stopped,
      history: [...this.history],
      algorithm: this.algorithm.getState(),
    };
  }

  /** Restores {@link TrainingLoop.getState}; the next {@link TrainingLoop.fit} continues from there. */
  setState(state: LoopState<E>): void {
    this.algorithm.setState(state.algorithm);
    this.epoch = state.epoch;
    this.batch = state.batch;
    this.stopped = state.stopped;
    this.dataRng = SeededRandom.fromState(state.epochDataRng);
    this.sampleRng = SeededRandom.fromState(state.sampleRng);
    this.permutation = null;
    this.rows = state.rows;
    if (this.batch > 0) {
      if (!(state.rows > 0))
        throw new DeepBeliefError(
          `${this.algorithm.name}: resuming mid-epoch needs the number of training rows`,
        );
      this.permutation = this.drawPermutation(state.rows);
    }
    this.history.splice(0, this.history.length, ...state.history);
    this.resetMetric(state.metricSum, state.metricCount);
  }

  /** Releases the loop's tensors and the algorithm's. */
  dispose(): void {
    this.metricAcc?.dispose();
    this.metricAcc = null;
    this.algorithm.dispose();
  }
}

/**
 * Calls `fn` on consecutive blocks of `source`'s rows as float32 tensors `[n, cols]` (at most
 * `block` rows each, in order), inside `ops.tidy`: how evaluations stream data of any size.
 */
export function forEachBlock(
  ops: Ops,
  source: MatrixSource,
  fn: (x: Tensor, start: number, n: number) => void,
  block = 1000,
): void {
  const buf = new Float32Array(Math.min(block, source.rows) * source.cols);
  for (let start = 0; start < source.rows; start += block) {
    const n = Math.min(block, source.rows - start);
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = start + i;
    const view = buf.subarray(0, n * source.cols);
    source.readRows(idx, view);
    ops.tidy(() => fn(ops.tensor(view, [n, source.cols]), start, n));
  }
}
