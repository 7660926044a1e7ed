import {
  DeepBeliefError,
  type RandomState,
  SeededRandom,
  ShapeError,
  type Tensor,
} from '@deepbelief/core';
import { columnMeans, type MatrixInput, type MatrixSource, toMatrixSource } from './data.js';
import {
  learningRateAt,
  momentumAt,
  parseOptions,
  type ResolvedTrainOptions,
  type TrainOptions,
  trainOptionsSchema,
} from './options.js';
import type { RBM } from './rbm.js';

/** Training diverged: a weight or metric became NaN or infinite. */
export class DivergenceError extends DeepBeliefError {
  override name = 'DivergenceError';
  constructor(
    readonly layer: string,
    readonly epoch: number,
    readonly batch: number,
    what: string,
    learningRate: number,
  ) {
    super(
      `${layer}: training diverged at epoch ${epoch + 1}, batch ${batch + 1}: ${what} is not finite. ` +
        `Try a smaller learning rate (now ${learningRate}; e.g. ${learningRate / 10})` +
        ', and for Gaussian units check the data is standardised.',
    );
  }
}

/** Per-batch figures. */
export interface BatchMetrics {
  /** Mean squared error per unit between the batch and its one-step reconstruction. */
  readonly reconstructionError: number;
}

/** Progress event after each mini-batch. */
export interface BatchEvent {
  readonly layer: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly metrics: BatchMetrics;
}

/** Progress event after each epoch. */
export interface EpochEvent {
  readonly layer: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly seconds: number;
  /** Mean of the batch reconstruction errors over the epoch. */
  readonly reconstructionError: number;
}

/** Everything needed to continue training exactly where it stopped (see {@link RBMTrainer.getState}). */
export interface TrainerState {
  readonly epoch: number;
  readonly batch: number;
  /** State of the data-order generator at the start of `epoch` (the permutation is redrawn from it). */
  readonly epochDataRng: RandomState;
  readonly sampleRng: RandomState;
  readonly velocities: Record<string, Float32Array>;
  /** Persistent chains `[chains, visible]` for PCD. */
  readonly chains?: Float32Array;
  /** Running mean activity of hidden units (sparsity). */
  readonly hiddenActivity?: Float32Array;
  readonly history: EpochEvent[];
  /** Sum and count of the batch errors so far in the current epoch. */
  readonly epochErrorSum?: number;
  readonly epochErrorCount?: number;
}

/** Callbacks and cancellation for {@link RBMTrainer.fit}. */
export interface FitHooks {
  /** Called after each batch; the trainer's state already points past it (checkpoint here). */
  readonly onBatch?: (event: BatchEvent) => void | Promise<void>;
  readonly onEpoch?: (event: EpochEvent) => void | Promise<void>;
  /** Training stops (resolving, not rejecting) at the next batch once aborted. */
  readonly signal?: AbortSignal;
  /** Stop after this many batches in total (for benchmarks and demos). */
  readonly maxBatches?: number;
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * Trains an {@link RBM} with CD-k or persistent CD, following Hinton's *A practical guide to
 * training RBMs* (2010): binary hidden states driven by data, probabilities for the
 * reconstructions and for the last hidden update, mini-batch averaged statistics,
 * momentum, L2 weight cost and an optional sparsity target.
 *
 * ```ts
 * const trainer = new RBMTrainer(rbm, { epochs: 10, learningRate: 0.1, k: 1 }, 42);
 * await trainer.fit(mnistTrain, { onEpoch: (e) => console.log(e) });
 * ```
 */
export class RBMTrainer {
  readonly options: ResolvedTrainOptions;
  private dataRng: SeededRandom;
  private epochDataRng: RandomState;
  private sampleRng: SeededRandom;
  private velocity: Record<'W' | 'visibleBias' | 'hiddenBias' | 'logSigma', Tensor | null>;
  private chains: Tensor | null = null;
  private hiddenActivity: Tensor | null = null;
  private epoch = 0;
  private batch = 0;
  private permutation: Uint32Array | null = null;
  private initialised = false;
  /** Sum of this epoch's batch errors, kept on the backend and read every `metricsEvery` batches. */
  private errorAcc: Tensor | null = null;
  private errorCount = 0;
  private readSum = 0;
  private readCount = 0;
  readonly history: EpochEvent[] = [];

  constructor(
    readonly rbm: RBM,
    options: TrainOptions,
    seed: number | SeededRandom,
  ) {
    this.options = parseOptions(trainOptionsSchema, options, 'RBM training options');
    const root = typeof seed === 'number' ? new SeededRandom(seed) : seed;
    this.dataRng = root.fork();
    this.sampleRng = root.fork();
    this.epochDataRng = this.dataRng.getState();
    const o = rbm.ops;
    this.velocity = {
      W: o.keep(o.zeros(rbm.W.shape)),
      visibleBias: o.keep(o.zeros(rbm.visibleBias.shape)),
      hiddenBias: o.keep(o.zeros(rbm.hiddenBias.shape)),
      logSigma: rbm.logSigma ? o.keep(o.zeros(rbm.logSigma.shape)) : null,
    };
  }

  /** Epochs completed so far. */
  get completedEpochs(): number {
    return this.epoch;
  }

  /**
   * One CD-k (or PCD) update on a mini-batch `v0` `[batch, visible]` at `epoch`'s learning
   * rate and momentum. Returns the batch's reconstruction error (reading it forces a
   * deferring backend to run the step; {@link RBMTrainer.fit} reads only every
   * `metricsEvery` batches).
   */
  step(v0: Tensor, epoch = this.epoch): number {
    const o = this.rbm.ops;
    const error = this.stepTensor(v0, epoch);
    const value = o.item(error);
    error.dispose();
    return value;
  }

  /** {@link RBMTrainer.step}, returning the reconstruction error as a `[1, 1]` tensor. */
  private stepTensor(v0: Tensor, epoch: number): Tensor {
    const { rbm, options } = this;
    if (v0.cols !== rbm.numVisible) {
      throw new ShapeError(
        `step: batch has ${v0.cols} columns, the RBM has ${rbm.numVisible} visible units`,
      );
    }
    const o = rbm.ops;
    const lr = learningRateAt(options.learningRate, epoch);
    const momentum = momentumAt(options.momentum, epoch);
    const n = v0.rows;
    return o.tidy(() => {
      const rng = this.sampleRng;
      const sigma = rbm.sigma();
      const scaled = (v: Tensor) => (sigma ? o.div(v, sigma) : v);
      const ph0 = rbm.hiddenProbabilities(v0);
      let reconstructionError: Tensor;
      let vNeg: Tensor;
      let phNeg: Tensor;
      if (options.persistent) {
        if (!this.chains) {
          // Chains start at data, as in Tieleman (2008).
          const m = options.chains ?? n;
          const start =
            m <= n
              ? o.sliceRows(v0, 0, m)
              : o.concatRows(Array.from({ length: Math.ceil(m / n) }, () => v0));
          this.chains = o.keep(m === start.rows ? start : o.sliceRows(start, 0, m));
          if (start !== this.chains) start.dispose();
        }
        let v = this.chains;
        let ph: Tensor = rbm.hiddenProbabilities(v);
        for (let s = 0; s < options.k; s++) {
          const h = rbm.sampleHiddenFrom(ph, rng);
          v = rbm.sampleVisibleFrom(rbm.visibleProbabilities(h), rng);
          ph = rbm.hiddenProbabilities(v);
        }
        const old = this.chains;
        this.chains = o.keep(v);
        old.dispose();
        vNeg = v;
        phNeg = ph;
        // monitoring only: the data's one-step reconstruction (one extra product)
        const recon = rbm.visibleProbabilities(rbm.sampleHiddenFrom(ph0, rng));
        reconstructionError = o.mean(o.square(o.sub(v0, recon)));
      } else {
        let h = rbm.sampleHiddenFrom(ph0, rng);
        let pv: Tensor = v0;
        let ph: Tensor = ph0;
        for (let s = 0; s < options.k; s++) {
          pv = rbm.visibleProbabilities(h);
          ph = rbm.hiddenProbabilities(pv);
          if (s < options.k - 1) h = rbm.sampleHiddenFrom(ph, rng);
        }
        vNeg = pv;
        phNeg = ph;
        reconstructionError = o.mean(o.square(o.sub(v0, pv)));
      }
      const m = vNeg.rows;
      // Every weight and bias step comes from two stacked factors: the visible states
      // R = [v0/σ; vNeg/σ] and the hidden ones H = [ph0·lr/n; −phNeg·lr/m], so that
      //   lr·(<v hᵀ>_data − <v hᵀ>_model) = Rᵀ·H      (one product, inner size n + m),
      //   lr·(<h>_data − <h>_model)       = Σ_rows H,
      //   lr·(<v>_data − <v>_model)/σ²    = [lr/n …, −lr/m …]·R / σ.
      // Scaling the [batch, units] factors instead of the [visible, hidden] results writes
      // six weight-sized results per step instead of eleven (on native backends these
      // passes over memory, not the arithmetic, are what the update costs), and one product
      // of inner size n + m runs faster than two of size n.
      const visibleRows: Tensor[] = [scaled(v0), scaled(vNeg)];
      const hiddenRows: Tensor[] = [o.mul(ph0, lr / n), o.mul(phNeg, -lr / m)];

      if (options.sparsityTarget !== undefined && options.sparsityCost > 0) {
        // Running estimate q of each hidden unit's activity; penalty cost·(q − target)
        // applied to hidden biases and weights (practical guide §11): one more row of each
        // factor, mean(v0) and −lr·excess, whose weight in the visible-bias sum is 0.
        const current = o.mean(ph0, 0);
        const q = this.hiddenActivity
          ? o.add(
              o.mul(this.hiddenActivity, options.sparsityDecay),
              o.mul(current, 1 - options.sparsityDecay),
            )
          : current;
        if (this.hiddenActivity) this.hiddenActivity.dispose();
        this.hiddenActivity = o.keep(q);
        const excess = o.mul(o.sub(q, options.sparsityTarget), options.sparsityCost);
        visibleRows.push(o.mean(v0, 0));
        hiddenRows.push(o.mul(excess, -lr));
      }
      const R = o.concatRows(visibleRows);
      const H = o.concatRows(hiddenRows);
      const weights = new Float32Array(R.rows).fill(lr / n, 0, n).fill(-lr / m, n, n + m);
      let stepB = o.matmul(o.fromArray(weights, [1, R.rows]), R);
      if (sigma) stepB = o.div(stepB, sigma);
      const stepC = o.sum(H, 0);

      /** velocity ← momentum·velocity + step; parameter ← parameter + velocity. */
      const update = (name: 'W' | 'visibleBias' | 'hiddenBias' | 'logSigma', step: Tensor) => {
        const vel = o.add(o.mul(this.velocity[name]!, momentum), step);
        this.velocity[name]!.dispose();
        this.velocity[name] = o.keep(vel);
        rbm.replace(name, o.add(rbm[name]!, vel));
      };

      if (rbm.logSigma && sigma && rbm.gaussianMask) {
        // z = log σ: −∂E/∂z = (v − b)²/σ² − (v/σ)·(W h); gradient = data − model, Gaussian units only.
        // CD's negative visibles are noiseless means μ, so the model side takes the exact
        // expectation under p(v|h): E[(v − b)²] = (μ − b)² + σ², i.e. +1 after dividing by σ²;
        // without it σ grows without bound. PCD's chains are samples and need no correction.
        const stat = (v: Tensor, ph: Tensor) =>
          o.mean(
            o.sub(
              o.div(o.square(o.sub(v, rbm.visibleBias)), o.square(sigma)),
              o.mul(o.div(v, sigma), o.linear(ph, rbm.W, null, { transposeW: true })),
            ),
            0,
          );
        const modelStat = options.persistent ? stat(vNeg, phNeg) : o.add(stat(vNeg, phNeg), 1);
        const gz = o.mul(o.sub(stat(v0, ph0), modelStat), rbm.gaussianMask);
        update('logSigma', o.mul(gz, lr));
      }
      // step: Rᵀ·H − lr·weightCost·W
      let stepW = o.matmul(R, H, { transposeA: true });
      if (options.weightCost > 0) stepW = o.sub(stepW, o.mul(rbm.W, lr * options.weightCost));
      update('W', stepW);
      update('visibleBias', stepB);
      update('hiddenBias', stepC);
      return reconstructionError;
    });
  }

  /** Trains for the configured epochs (continuing from the saved position after a resume). */
  async fit(input: MatrixInput, hooks: FitHooks = {}): Promise<EpochEvent[]> {
    const data = toMatrixSource(input);
    const { rbm, options } = this;
    if (data.cols !== rbm.numVisible) {
      throw new ShapeError(
        `fit: data has ${data.cols} columns, the RBM has ${rbm.numVisible} visible units`,
      );
    }
    if (data.rows < options.batchSize) {
      throw new ShapeError(
        `fit: ${data.rows} rows are fewer than one batch of ${options.batchSize}`,
      );
    }
    if (!this.initialised && options.initVisibleBias && this.epoch === 0 && this.batch === 0) {
      rbm.initVisibleBiasFromData(columnMeans(data));
    }
    this.initialised = true;
    const o = rbm.ops;
    const batches = Math.floor(data.rows / options.batchSize);
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
    let lastError = Number.NaN;
    while (this.epoch < options.epochs) {
      const started = performance.now();
      if (!this.permutation) this.permutation = this.drawPermutation(data.rows);
      for (; this.batch < batches; ) {
        if (hooks.signal?.aborted || (hooks.maxBatches !== undefined && total >= hooks.maxBatches))
          return this.history;
        const idx = this.permutation.subarray(
          this.batch * options.batchSize,
          (this.batch + 1) * options.batchSize,
        );
        const v0 = readBatch(idx);
        try {
          const error = this.stepTensor(v0, this.epoch);
          // The first batch of an epoch adds to a zero leaf like every other batch (not
          // `error + 0`), so a deferring backend sees the same ops in every metrics window
          // and compiles one graph for all of them.
          if (!this.errorAcc) this.errorAcc = o.keep(o.fill([1, 1], 0));
          const sum = o.add(this.errorAcc, error);
          error.dispose();
          this.errorAcc.dispose();
          this.errorAcc = o.keep(sum);
        } finally {
          v0.dispose();
        }
        this.errorCount++;
        // advance first, so getState() inside onBatch resumes after this batch
        this.batch++;
        total++;
        if (this.batch % options.metricsEvery === 0 || this.batch === batches) {
          // one read per `metricsEvery` batches: the mean error since the last read
          const sum = o.item(this.errorAcc!);
          if (!Number.isFinite(sum)) {
            const lr = learningRateAt(options.learningRate, this.epoch);
            throw new DivergenceError(
              options.layerName,
              this.epoch,
              this.batch - 1,
              'the reconstruction error',
              lr,
            );
          }
          lastError = (sum - this.readSum) / (this.errorCount - this.readCount);
          this.readSum = sum;
          this.readCount = this.errorCount;
        }
        await hooks.onBatch?.({
          layer: options.layerName,
          epoch: this.epoch,
          epochs: options.epochs,
          batch: this.batch - 1,
          batches,
          metrics: { reconstructionError: lastError },
        });
        if (performance.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      const bad = this.firstNonFinite();
      if (bad) {
        throw new DivergenceError(
          options.layerName,
          this.epoch,
          batches - 1,
          bad,
          learningRateAt(options.learningRate, this.epoch),
        );
      }
      const event: EpochEvent = {
        layer: options.layerName,
        epoch: this.epoch,
        epochs: options.epochs,
        seconds: (performance.now() - started) / 1000,
        reconstructionError: this.errorCount ? this.readSum / this.errorCount : Number.NaN,
      };
      this.resetEpochError();
      this.history.push(event);
      this.epoch++;
      this.batch = 0;
      this.permutation = null;
      await hooks.onEpoch?.(event);
    }
    return this.history;
  }

  private resetEpochError(sum = 0, count = 0): void {
    const o = this.rbm.ops;
    this.errorAcc?.dispose();
    this.errorAcc = count > 0 ? o.keep(o.fill([1, 1], sum)) : null;
    this.errorCount = count;
    this.readSum = sum;
    this.readCount = count;
  }

  private drawPermutation(rows: number): Uint32Array {
    this.epochDataRng = this.dataRng.getState();
    if (!this.options.shuffle) return Uint32Array.from({ length: rows }, (_, i) => i);
    return this.dataRng.permutation(rows);
  }

  /** Name of the first parameter holding NaN/Infinity, or null. One scalar read per tensor. */
  firstNonFinite(): string | null {
    const { rbm } = this;
    const o = rbm.ops;
    const named: [string, Tensor | null][] = [
      ['W', rbm.W],
      ['visibleBias', rbm.visibleBias],
      ['hiddenBias', rbm.hiddenBias],
      ['logSigma', rbm.logSigma],
    ];
    for (const [name, t] of named) {
      if (t && !Number.isFinite(o.tidy(() => o.item(o.sum(o.abs(t))))))
        return `the weights (${name})`;
    }
    return null;
  }

  /** A snapshot for checkpoints: with the RBM's parameters it resumes training bit-identically. */
  getState(): TrainerState {
    const o = this.rbm.ops;
    const velocities: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(this.velocity)) if (v) velocities[k] = o.read(v);
    return {
      epoch: this.epoch,
      batch: this.batch,
      epochDataRng: this.permutation ? this.epochDataRng : this.dataRng.getState(),
      sampleRng: this.sampleRng.getState(),
      velocities,
      ...(this.chains ? { chains: o.read(this.chains) } : {}),
      ...(this.hiddenActivity ? { hiddenActivity: o.read(this.hiddenActivity) } : {}),
      history: [...this.history],
      epochErrorSum: this.errorAcc ? o.item(this.errorAcc) : 0,
      epochErrorCount: this.errorCount,
    };
  }

  /** Restores {@link RBMTrainer.getState}; the next {@link RBMTrainer.fit} continues from there. */
  setState(state: TrainerState, rows?: number): void {
    const o = this.rbm.ops;
    for (const [k, arr] of Object.entries(state.velocities)) {
      const key = k as keyof typeof this.velocity;
      const cur = this.velocity[key];
      if (!cur) throw new DeepBeliefError(`setState: unknown velocity '${k}'`);
      if (arr.length !== cur.size)
        throw new ShapeError(
          `setState: velocity '${k}' has ${arr.length} values, expected ${cur.size}`,
        );
      cur.dispose();
      this.velocity[key] = o.keep(o.tensor(arr, cur.shape));
    }
    this.chains?.dispose();
    this.chains = state.chains
      ? o.keep(
          o.tensor(state.chains, [state.chains.length / this.rbm.numVisible, this.rbm.numVisible]),
        )
      : null;
    this.hiddenActivity?.dispose();
    this.hiddenActivity = state.hiddenActivity
      ? o.keep(o.tensor(state.hiddenActivity, [1, this.rbm.numHidden]))
      : null;
    this.epoch = state.epoch;
    this.batch = state.batch;
    this.dataRng = SeededRandom.fromState(state.epochDataRng);
    this.sampleRng = SeededRandom.fromState(state.sampleRng);
    this.permutation = null;
    if (this.batch > 0) {
      if (rows === undefined)
        throw new DeepBeliefError('setState: resuming mid-epoch needs the number of data rows');
      this.permutation = this.drawPermutation(rows);
    }
    this.history.splice(0, this.history.length, ...state.history);
    this.resetEpochError(state.epochErrorSum ?? 0, state.epochErrorCount ?? 0);
    this.initialised = true;
  }

  /** Releases the trainer's tensors (not the RBM's). */
  dispose(): void {
    const o = this.rbm.ops;
    o.dispose([
      this.errorAcc ?? [],
      ...Object.values(this.velocity).filter((v): v is Tensor => v !== null),
      this.chains ?? [],
      this.hiddenActivity ?? [],
    ]);
  }
}

/** Convenience: a trainer with `seed`, fitted on `data`. Returns the epoch history. */
export async function trainRBM(
  rbm: RBM,
  data: MatrixInput,
  options: TrainOptions & { seed?: number },
  hooks: FitHooks = {},
): Promise<EpochEvent[]> {
  const { seed = 1, ...rest } = options;
  const trainer = new RBMTrainer(rbm, rest, seed);
  try {
    return await trainer.fit(data, hooks);
  } finally {
    trainer.dispose();
  }
}

export type { MatrixSource };
