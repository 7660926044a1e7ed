import {
  type BatchProgress,
  type LoopState,
  type RandomState,
  type SeededRandom,
  ShapeError,
  type Tensor,
  type TrainingHooks,
  TrainingLoop,
} from '@deepbelief/core';
import { ContrastiveDivergence, type EpochEvent } from './contrastive-divergence.js';
import { columnMeans, type MatrixInput, type MatrixSource, toMatrixSource } from './data.js';
import {
  parseOptions,
  type ResolvedTrainOptions,
  type TrainOptions,
  trainOptionsSchema,
} from './options.js';
import type { RBM } from './rbm.js';

export { DivergenceError } from '@deepbelief/core';
export type { EpochEvent };

/** Progress event after each mini-batch: the one event of every deepbelief training loop. */
export type BatchEvent = BatchProgress;

/** Callbacks and cancellation for {@link RBMTrainer.fit}: those of every training loop. */
export type FitHooks = TrainingHooks<EpochEvent>;

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

/**
 * Trains an {@link RBM} with CD-k or persistent CD ({@link ContrastiveDivergence}) on the
 * shared training loop of `@deepbelief/core`, following Hinton's *A practical guide to
 * training RBMs* (2010).
 *
 * ```ts
 * const trainer = new RBMTrainer(rbm, { epochs: 10, learningRate: 0.1, k: 1 }, 42);
 * await trainer.fit(mnistTrain, { onEpoch: (e) => console.log(e) });
 * ```
 */
export class RBMTrainer {
  readonly options: ResolvedTrainOptions;
  readonly algorithm: ContrastiveDivergence;
  readonly loop: TrainingLoop<EpochEvent>;
  private initialised = false;

  constructor(
    readonly rbm: RBM,
    options: TrainOptions,
    seed: number | SeededRandom,
  ) {
    this.options = parseOptions(trainOptionsSchema, options, 'RBM training options');
    this.algorithm = new ContrastiveDivergence(rbm, this.options);
    this.loop = new TrainingLoop(rbm.ops, this.algorithm, this.options, seed);
  }

  /** Per-epoch records so far. */
  get history(): EpochEvent[] {
    return this.loop.history;
  }

  /** Epochs completed so far. */
  get completedEpochs(): number {
    return this.loop.completedEpochs;
  }

  /**
   * One CD-k (or PCD) update on a mini-batch `v0` `[batch, visible]` at `epoch`'s learning
   * rate and momentum, outside the loop's data order. Returns the batch's reconstruction
   * error (reading it forces a deferring backend to run the step; {@link RBMTrainer.fit}
   * reads only every `metricsEvery` batches).
   */
  step(v0: Tensor, epoch = this.loop.completedEpochs): number {
    const o = this.rbm.ops;
    const error = this.loop.step(v0, epoch);
    const value = o.item(error);
    error.dispose();
    return value;
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
    const fresh = this.loop.completedEpochs === 0 && this.loop.getPosition().batch === 0;
    if (!this.initialised && options.initVisibleBias && fresh) {
      rbm.initVisibleBiasFromData(columnMeans(data));
    }
    this.initialised = true;
    return this.loop.fit(data, hooks);
  }

  /** Name of the first parameter holding NaN/Infinity, or null. One scalar read per tensor. */
  firstNonFinite(): string | null {
    return this.algorithm.firstNonFinite();
  }

  /** The loop's own state (for checkpoints that store it generically). */
  getLoopState(): LoopState<EpochEvent> {
    return this.loop.getState();
  }

  /** Restores {@link RBMTrainer.getLoopState}. */
  setLoopState(state: LoopState<EpochEvent>): void {
    this.loop.setState(state);
    this.initialised = true;
  }

  /** A snapshot for checkpoints: with the RBM's parameters it resumes training bit-identically. */
  getState(): TrainerState {
    const s = this.loop.getState();
    const velocities: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(s.algorithm.tensors))
      if (name.startsWith('velocity.')) velocities[name.slice(9)] = t.data;
    const { chains, hiddenActivity } = s.algorithm.tensors;
    return {
      epoch: s.epoch,
      batch: s.batch,
      epochDataRng: s.epochDataRng,
      sampleRng: s.sampleRng,
      velocities,
      ...(chains ? { chains: chains.data } : {}),
      ...(hiddenActivity ? { hiddenActivity: hiddenActivity.data } : {}),
      history: s.history,
      epochErrorSum: s.metricSum,
      epochErrorCount: s.metricCount,
    };
  }

  /** Restores {@link RBMTrainer.getState}; the next {@link RBMTrainer.fit} continues from there. */
  setState(state: TrainerState, rows?: number): void {
    const { rbm } = this;
    const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
    for (const [name, data] of Object.entries(state.velocities)) {
      const shape = name === 'W' ? rbm.W.shape : [1, data.length];
      tensors[`velocity.${name}`] = { shape, data };
    }
    if (state.chains)
      tensors.chains = {
        shape: [state.chains.length / rbm.numVisible, rbm.numVisible],
        data: state.chains,
      };
    if (state.hiddenActivity)
      tensors.hiddenActivity = { shape: [1, rbm.numHidden], data: state.hiddenActivity };
    this.setLoopState({
      epoch: state.epoch,
      batch: state.batch,
      rows: rows ?? 0,
      epochDataRng: state.epochDataRng,
      sampleRng: state.sampleRng,
      metricSum: state.epochErrorSum ?? 0,
      metricCount: state.epochErrorCount ?? 0,
      stopped: false,
      history: [...state.history],
      algorithm: { tensors, values: {} },
    });
  }

  /** Releases the trainer's tensors (not the RBM's). */
  dispose(): void {
    this.loop.dispose();
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
