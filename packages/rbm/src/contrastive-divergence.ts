import type {
  AlgorithmState,
  EpochSummary,
  StepContext,
  Tensor,
  TrainingAlgorithm,
} from '@deepbelief/core';
import { DeepBeliefError, firstNonFinite, ShapeError } from '@deepbelief/core';
import {
  gibbsStepsName,
  learningRateAt,
  momentumAt,
  type ResolvedTrainOptions,
  scheduleAt,
} from './options.js';
import type { RBM } from './rbm.js';

/** Progress event after each epoch of RBM training. */
export interface EpochEvent {
  readonly layer: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly seconds: number;
  /** Mean of the batch reconstruction errors over the epoch. */
  readonly reconstructionError: number;
}

type Velocity = 'W' | 'visibleBias' | 'hiddenBias' | 'logSigma';

/** `CD-1`, `PCD-5 (layer 2)`: how errors and progress name an RBM's training. */
export function cdName(options: ResolvedTrainOptions): string {
  const what = `${options.persistent ? 'PCD' : 'CD'}-${gibbsStepsName(options.k)}`;
  return options.layerName === 'rbm' ? what : `${what} (${options.layerName})`;
}

/**
 * CD-k and persistent CD on an {@link RBM} as a step of the training loop, following
 * Hinton's *A practical guide to training RBMs* (2010): binary hidden states driven by data,
 * probabilities for the reconstructions and for the last hidden update, mini-batch averaged
 * statistics, momentum, L2 weight cost and an optional sparsity target. Its state is the
 * momentum velocities, the persistent chains and the sparsity estimate.
 */
export class ContrastiveDivergence implements TrainingAlgorithm<EpochEvent> {
  readonly name: string;
  readonly metric = 'the reconstruction error';
  readonly divergenceHint = ', and for Gaussian units check the data is standardised';
  private velocity: Record<Velocity, Tensor | null>;
  private chains: Tensor | null = null;
  private hiddenActivity: Tensor | null = null;

  constructor(
    readonly rbm: RBM,
    readonly options: ResolvedTrainOptions,
  ) {
    this.name = cdName(options);
    if (options.dataStates === 'samples') {
      const other = rbm.segments.find((s) => s.type !== 'bernoulli' && s.type !== 'softmax');
      if (other) {
        throw new DeepBeliefError(
          `dataStates: 'samples' draws binary states from the data, which needs Bernoulli or softmax visible units; this RBM has ${other.type} units (columns ${other.start}–${other.end - 1})`,
        );
      }
    }
    const o = rbm.ops;
    this.velocity = {
      W: o.keep(o.zeros(rbm.W.shape)),
      visibleBias: o.keep(o.zeros(rbm.visibleBias.shape)),
      hiddenBias: o.keep(o.zeros(rbm.hiddenBias.shape)),
      logSigma: rbm.logSigma ? o.keep(o.zeros(rbm.logSigma.shape)) : null,
    };
  }

  learningRateAt(epoch: number): number {
    return learningRateAt(this.options.learningRate, epoch);
  }

  finishEpoch(s: EpochSummary) {
    return {
      event: {
        layer: this.options.layerName,
        epoch: s.epoch,
        epochs: s.epochs,
        seconds: s.seconds,
        reconstructionError: s.metric,
      },
    };
  }

  /** One CD-k (or PCD) update; returns the batch's reconstruction error as a `[1, 1]` tensor. */
  step(batch: Tensor, { epoch, rng }: Pick<StepContext, 'epoch' | 'rng'>): Tensor {
    const { rbm, options } = this;
    if (batch.cols !== rbm.numVisible) {
      throw new ShapeError(
        `step: batch has ${batch.cols} columns, the RBM has ${rbm.numVisible} visible units`,
      );
    }
    const o = rbm.ops;
    const lr = learningRateAt(options.learningRate, epoch);
    const momentum = momentumAt(options.momentum, epoch);
    const k = scheduleAt(options.k, epoch, options.epochs);
    const n = batch.rows;
    return o.tidy(() => {
      const v0 = options.dataStates === 'samples' ? rbm.sampleVisibleFrom(batch, rng) : batch;
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
        for (let s = 0; s < k; s++) {
          const h = rbm.sampleHiddenFrom(ph, rng);
          v = rbm.sampleVisibleFrom(rbm.visibleMeans(h, v), rng);
          ph = rbm.hiddenProbabilities(v);
        }
        const old = this.chains;
        this.chains = o.keep(v);
        old.dispose();
        vNeg = v;
        phNeg = ph;
        // monitoring only: the data's one-step reconstruction (one extra product)
        const recon = rbm.visibleMeans(rbm.sampleHiddenFrom(ph0, rng), v0);
        reconstructionError = o.mean(o.square(o.sub(v0, recon)));
      } else {
        const sample = options.visibleStates === 'samples';
        let h = rbm.sampleHiddenFrom(ph0, rng);
        let means: Tensor = v0;
        let v: Tensor = v0;
        let ph: Tensor = ph0;
        for (let s = 0; s < k; s++) {
          means = rbm.visibleMeans(h, v0);
          v = sample ? rbm.sampleVisibleFrom(means, rng) : means;
          ph = rbm.hiddenProbabilities(v);
          if (s < k - 1) h = rbm.sampleHiddenFrom(ph, rng);
        }
        vNeg = v;
        phNeg = ph;
        reconstructionError = o.mean(o.square(o.sub(v0, means)));
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

      /** velocity ← momentum·velocity + step; parameter ← parameter + velocity. */
      const update = (name: Velocity, step: Tensor) => {
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
      // Hidden biases: Σ_rows H; for word counts, whose biases are scaled by each row's
      // length D = Σᵢ Rᵢ, Σ_rows D·H = the column sums of Rᵀ·H.
      const stepC = o.sum(rbm.wordCounts ? stepW : H, 0);
      if (options.weightCost > 0) stepW = o.sub(stepW, o.mul(rbm.W, lr * options.weightCost));
      update('W', stepW);
      update('visibleBias', stepB);
      update('hiddenBias', stepC);
      return reconstructionError;
    });
  }

  /** Name of the first parameter holding NaN/Infinity, or null (one read when all are finite). */
  firstNonFinite(): string | null {
    const { rbm } = this;
    const bad = firstNonFinite(rbm.ops, [
      ['W', rbm.W],
      ['visibleBias', rbm.visibleBias],
      ['hiddenBias', rbm.hiddenBias],
      ['logSigma', rbm.logSigma],
    ]);
    return bad && `the weights (${bad})`;
  }

  getState(): AlgorithmState {
    const o = this.rbm.ops;
    const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
    for (const [k, v] of Object.entries(this.velocity))
      if (v) tensors[`velocity.${k}`] = { shape: [...v.shape], data: o.read(v) };
    if (this.chains) tensors.chains = { shape: [...this.chains.shape], data: o.read(this.chains) };
    if (this.hiddenActivity)
      tensors.hiddenActivity = {
        shape: [...this.hiddenActivity.shape],
        data: o.read(this.hiddenActivity),
      };
    return { tensors, values: {} };
  }

  setState(state: AlgorithmState): void {
    const o = this.rbm.ops;
    const { rbm } = this;
    const take = (name: string, shape: readonly number[]): Tensor => {
      const t = state.tensors[name];
      const size = shape[0]! * shape[1]!;
      if (!t || t.data.length !== size)
        throw new ShapeError(
          `RBM training state: '${name}' ${t ? `has ${t.data.length} values` : 'is missing'}, expected ${size} ([${shape.join(', ')}])`,
        );
      return o.keep(o.tensor(t.data, shape));
    };
    for (const key of Object.keys(this.velocity) as Velocity[]) {
      const cur = this.velocity[key];
      if (!cur) continue;
      const next = take(`velocity.${key}`, cur.shape);
      cur.dispose();
      this.velocity[key] = next;
    }
    const unknown = Object.keys(state.tensors).find(
      (k) =>
        !(k.startsWith('velocity.') && this.velocity[k.slice(9) as Velocity]) &&
        k !== 'chains' &&
        k !== 'hiddenActivity',
    );
    if (unknown) throw new ShapeError(`RBM training state: unknown tensor '${unknown}'`);
    this.chains?.dispose();
    const chains = state.tensors.chains;
    this.chains = chains
      ? take('chains', [chains.data.length / rbm.numVisible, rbm.numVisible])
      : null;
    this.hiddenActivity?.dispose();
    this.hiddenActivity = state.tensors.hiddenActivity
      ? take('hiddenActivity', [1, rbm.numHidden])
      : null;
  }

  /** Releases the algorithm's tensors (not the RBM's). */
  dispose(): void {
    this.rbm.ops.dispose([
      ...Object.values(this.velocity).filter((v): v is Tensor => v !== null),
      this.chains ?? [],
      this.hiddenActivity ?? [],
    ]);
    this.chains = null;
    this.hiddenActivity = null;
  }
}
