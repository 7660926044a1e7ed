import { type Ops, SeededRandom, type Tensor } from '@deepbelief/core';
import {
  columnMeans,
  type MatrixInput,
  type MatrixSource,
  RBM,
  RBMTrainer,
  toMatrixSource,
} from '@deepbelief/rbm';

/** Settings of a {@link TrainingSession}: the demo's controls. */
export interface SessionConfig {
  /** Number of hidden units. */
  readonly hidden: number;
  readonly learningRate: number;
  /** Gibbs steps per update (CD-k). */
  readonly k: number;
  readonly batchSize: number;
  /** Persistent CD instead of CD-k. */
  readonly persistent: boolean;
  readonly seed: number;
}

/** The demo's defaults; `scripts/node-steps.ts` measures Node with the same. */
export const DEFAULT_CONFIG: SessionConfig = {
  hidden: 64,
  learningRate: 0.1,
  k: 1,
  batchSize: 20,
  persistent: false,
  seed: 1,
};

/** Number of fantasy particles in the persistent sampling chain shown by the demo. */
export const FANTASY_PARTICLES = 20;

/**
 * An RBM learning from a data set one mini-batch at a time, with what the demo draws:
 * filters, reconstructions and samples from a persistent Gibbs chain. Pure computation (no
 * DOM), so the same code runs in the browser demo, in Node for the speed comparison and in
 * the unit tests.
 */
export class TrainingSession {
  readonly rbm: RBM;
  readonly data: MatrixSource;
  private trainer: RBMTrainer;
  private config: SessionConfig;
  private readonly orderRng: SeededRandom;
  private readonly sampleRng: SeededRandom;
  private order: Uint32Array;
  private cursor = 0;
  private readonly batch: Float32Array;
  private fantasy: Tensor | null = null;
  /** Training updates done. */
  steps = 0;
  /** Milliseconds spent inside {@link TrainingSession.step}. */
  trainMilliseconds = 0;
  /** Reconstruction error (mean squared, per pixel) of the data in the last update. */
  lastError = Number.NaN;

  constructor(
    readonly ops: Ops,
    data: MatrixInput,
    config: SessionConfig,
  ) {
    this.data = toMatrixSource(data, 'training data');
    if (this.data.rows < config.batchSize) {
      throw new RangeError(
        `${this.data.rows} training rows are fewer than one batch of ${config.batchSize}`,
      );
    }
    this.config = config;
    const root = new SeededRandom(config.seed);
    this.orderRng = root.fork();
    this.sampleRng = root.fork();
    this.rbm = new RBM(ops, { visible: this.data.cols, hidden: config.hidden }, root.fork());
    this.rbm.initVisibleBiasFromData(columnMeans(this.data));
    this.trainer = this.makeTrainer(config, root.fork());
    this.order = this.orderRng.permutation(this.data.rows);
    this.batch = new Float32Array(config.batchSize * this.data.cols);
  }

  private makeTrainer(config: SessionConfig, rng: SeededRandom): RBMTrainer {
    return new RBMTrainer(
      this.rbm,
      {
        // step() is driven by the demo loop; epochs only bounds the schedule functions.
        epochs: Number.MAX_SAFE_INTEGER,
        batchSize: config.batchSize,
        learningRate: config.learningRate,
        k: config.k,
        persistent: config.persistent,
        initVisibleBias: false,
      },
      rng,
    );
  }

  get settings(): SessionConfig {
    return this.config;
  }

  /** Passes over the data so far (the practical guide's momentum switches at epoch 5). */
  get epoch(): number {
    return Math.floor((this.steps * this.config.batchSize) / this.data.rows);
  }

  /**
   * Changes learning rate, CD-k or PCD without losing what was learned: a new trainer takes
   * over the weights, the momentum velocities and the random state of the old one.
   */
  update(changes: Partial<Pick<SessionConfig, 'learningRate' | 'k' | 'persistent'>>): void {
    const next = { ...this.config, ...changes };
    const state = this.trainer.getState();
    const trainer = this.makeTrainer(next, new SeededRandom(next.seed));
    // Persistent chains belong to PCD: drop them when switching to CD-k.
    trainer.setState(next.persistent ? state : { ...state, chains: undefined });
    this.trainer.dispose();
    this.trainer = trainer;
    this.config = next;
  }

  /** One CD-k (or PCD) update on the next mini-batch. Returns its reconstruction error. */
  step(): number {
    const started = performance.now();
    const { batchSize } = this.config;
    if (this.cursor + batchSize > this.data.rows) {
      this.order = this.orderRng.permutation(this.data.rows);
      this.cursor = 0;
    }
    this.data.readRows(this.order.subarray(this.cursor, this.cursor + batchSize), this.batch);
    this.cursor += batchSize;
    const v0 = this.ops.tensor(this.batch, [batchSize, this.data.cols]);
    try {
      this.lastError = this.trainer.step(v0, this.epoch);
    } finally {
      v0.dispose();
    }
    this.steps++;
    this.trainMilliseconds += performance.now() - started;
    return this.lastError;
  }

  /** The incoming weights of hidden units `0 … count−1`, one row of `numVisible` values each. */
  filters(count: number): Float32Array {
    const n = Math.min(count, this.rbm.numHidden);
    const o = this.ops;
    return o.tidy(() => o.read(o.transpose(o.sliceColumns(this.rbm.W, 0, n))));
  }

  /** p(v | p(h|v)) for `rows` examples given row-major in `inputs` (values in [0, 1]). */
  reconstruct(inputs: Float32Array, rows: number): Float32Array {
    const o = this.ops;
    return o.tidy(() => o.read(this.rbm.reconstruct(o.tensor(inputs, [rows, this.data.cols]))));
  }

  /**
   * Advances the persistent fantasy chain by `gibbsSteps` rounds of block Gibbs sampling and
   * returns p(v|h) of its particles. The chain starts from uniform noise, so what it shows
   * is what the model has learned, not a training image.
   */
  sample(gibbsSteps = 1, particles = FANTASY_PARTICLES): Float32Array {
    const o = this.ops;
    if (!this.fantasy || this.fantasy.rows !== particles) {
      this.fantasy?.dispose();
      this.fantasy = o.keep(
        o.tidy(() => o.bernoulli(o.fill([particles, this.data.cols], 0.5), this.sampleRng)),
      );
    }
    const result = this.rbm.gibbs(this.fantasy, { steps: gibbsSteps, rng: this.sampleRng });
    const probabilities = o.read(result.visibleProbabilities);
    this.fantasy.dispose();
    this.fantasy = o.keep(result.visible);
    o.dispose([result.visibleProbabilities, result.hidden, result.hiddenProbabilities]);
    return probabilities;
  }

  /** Releases every tensor of the session (RBM, trainer, chain). */
  dispose(): void {
    this.fantasy?.dispose();
    this.fantasy = null;
    this.trainer.dispose();
    this.rbm.dispose();
  }
}
