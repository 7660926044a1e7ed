import {
  type AlgorithmState,
  DeepBeliefError,
  type EpochSummary,
  firstNonFinite,
  type MatrixSource,
  type Ops,
  ShapeError,
  type StepContext,
  type Tensor,
  type TrainingAlgorithm,
  type TrainingHooks,
  TrainingLoop,
} from '@deepbelief/core';
import { checkLabels, type DBN, type Labels } from '@deepbelief/dbn';
import {
  gibbsStepsSchema,
  type MatrixInput,
  type Momentum,
  momentumAt,
  momentumSchema,
  parseOptions,
  scheduleAt,
  toMatrixSource,
} from '@deepbelief/rbm';
import { z } from 'zod';
import type { DirectedWeights } from './rules.js';
import type { SigmoidBeliefNet } from './sbn.js';

/** Options both algorithms share. */
const shared = {
  epochs: z.number().int().min(1),
  batchSize: z.number().int().min(1).default(100),
  /**
   * A number, or one value per equal share of the epochs (e.g. `[0.01, 0.005, 0.0025]`:
   * persistent chains give their best samples when the learning rate decays at the end).
   */
  learningRate: z
    .union([z.number().positive().finite(), z.array(z.number().positive().finite()).min(1)])
    .default(0.01),
  weightCost: z.number().min(0).finite().default(0),
  /**
   * Momentum of every weight and bias update (each step adds `momentum` times the previous
   * step): a constant, or `{ initial, final, switchEpoch }` as in RBM training. Default 0,
   * plain steps as in the paper's appendix B; the paper chose its momentum on validation.
   */
  momentum: momentumSchema.default(0),
  seed: z.number().int().default(1),
  /**
   * Read the (backend-side) generative error every this many batches: a read makes a
   * deferring backend run its pending work, so reading every batch costs speed.
   * Divergence is detected at these reads.
   */
  metricsEvery: z.number().int().min(1).default(50),
};

/** Options of {@link wakeSleep}. */
export const wakeSleepOptionsSchema = z.object(shared).strict();
export type WakeSleepOptions = z.input<typeof wakeSleepOptionsSchema>;

/** Options of {@link upDown}. */
export const upDownOptionsSchema = z
  .object({
    ...shared,
    /**
     * Gibbs iterations in the top RBM: a number, one value per equal share of the epochs
     * (default `[3, 6, 10]`: the paper raises k during training), or a linear rise
     * `{ from, to }` (a `Schedule` of `@deepbelief/rbm`).
     */
    gibbsSteps: gibbsStepsSchema.default([3, 6, 10]),
    /**
     * Keep the top RBM's negative chains from batch to batch (persistent CD, Tieleman 2008)
     * instead of starting them at each batch's wake states. The sleep phase then starts from
     * the model's own fantasies, which explore (and so unlearn) modes far from the data.
     */
    persistent: z.boolean().default(false),
    /**
     * How the label units are reconstructed in the top RBM's negative chain: their softmax
     * probabilities (default), or one label drawn from them, as in the paper ("exactly one
     * unit was allowed to be active"). The penultimate units are always sampled.
     */
    labelStates: z.enum(['probabilities', 'samples']).default('probabilities'),
    /**
     * The top RBM's learning rate (a number or one value per equal share of the epochs), when
     * it should differ from the directed layers' `learningRate` (default: the same). On the
     * 2006 DBN a top RBM faster than the directed layers makes the label free energy classify
     * worse (`results/dbn2006-updown-probe/`).
     */
    topLearningRate: z
      .union([z.number().positive().finite(), z.array(z.number().positive().finite()).min(1)])
      .optional(),
    /**
     * What the top RBM learns from: the penultimate layer's sampled binary states (default, the
     * paper's appendix B), or its probabilities, both for the wake data and for the negative
     * chain's reconstructions, as the top RBM is pre-trained and as classification reads the
     * penultimate layer. The sleep phase always starts from a binary sample.
     */
    penultimateStates: z.enum(['samples', 'probabilities']).default('samples'),
  })
  .strict();
export type UpDownOptions = z.input<typeof upDownOptionsSchema>;

/** Per-epoch record. */
export interface WakeSleepEpoch {
  readonly epoch: number;
  /** Gibbs iterations per batch in the top RBM (up-down); 0 for plain wake-sleep. */
  readonly gibbsSteps: number;
  /** Mean squared error of the generative prediction of the data from the wake-phase states. */
  readonly generativeError: number;
  readonly seconds: number;
}

/** Hooks of both algorithms: those of every deepbelief training loop. */
export type WakeSleepHooks = TrainingHooks<WakeSleepEpoch>;

/** A value for an epoch under a schedule (`scheduleAt` of `@deepbelief/rbm`, re-exported). */
export { scheduleAt };

/** Gibbs steps for an epoch under a schedule (see {@link scheduleAt}). */
export const gibbsStepsAt = scheduleAt;

/** How the layers of a directed stack are read and updated. */
interface DirectedStack {
  readonly ops: Ops;
  readonly depth: number;
  recognition(l: number): DirectedWeights;
  generative(l: number): DirectedWeights;
  setRecognition(l: number, w: DirectedWeights): void;
  setGenerative(l: number, w: DirectedWeights): void;
}

/**
 * One wake-sleep update shared by up-down and plain wake-sleep. Wake: sample states bottom-up
 * with the recognition weights; `top` handles the top (an RBM's CD-k, or a factorial prior)
 * and returns the top-level state that starts the sleep phase; sleep: sample top-down with
 * the generative weights. Generative weights learn from wake states, recognition weights
 * from sleep states (Hinton, Osindero & Teh 2006, appendix B):
 *   ΔG = lr·((below − σ(above·Gᵀ + g))ᵀ·above / n − weightCost·G),   Δg = lr·mean(below − …),
 *   ΔR = lr·(belowᵀ·(above − σ(below·R + r)) / n − weightCost·R),     Δr = lr·mean(above − …).
 * Returns the generative prediction error of the data as a `[1, 1]` tensor (the prediction
 * of layer 0 serves both the error and the layer-0 generative update).
 */
function wakeSleepStep(
  stack: DirectedStack,
  v: Tensor,
  top: (wakeTop: Tensor, wakeTopProbabilities: Tensor) => Tensor,
  rng: StepContext['rng'],
  lr: number,
  weightCost: number,
  apply: ApplyStep,
): Tensor {
  const o = stack.ops;
  return o.tidy(() => {
    const wake: Tensor[] = [v];
    let wakeTopProbabilities = v;
    for (let l = 0; l < stack.depth; l++) {
      const r = stack.recognition(l);
      wakeTopProbabilities = o.linear(wake[l]!, r.W, r.b, { activation: 'sigmoid' });
      wake.push(o.bernoulli(wakeTopProbabilities, rng));
    }
    const sleepTop = top(wake[stack.depth]!, wakeTopProbabilities);
    const sleep: Tensor[] = [];
    sleep[stack.depth] = sleepTop;
    for (let l = stack.depth - 1; l >= 0; l--) {
      const g = stack.generative(l);
      const p = o.linear(sleep[l + 1]!, g.W, g.b, { transposeW: true, activation: 'sigmoid' });
      sleep[l] = l === 0 ? p : o.bernoulli(p, rng); // visible "dreams" as probabilities
    }
    // Every update from the current weights, then applied. `err` is target − prediction.
    const n = v.rows;
    const update = (
      w: DirectedWeights,
      below: Tensor,
      above: Tensor,
      kind: 'generative' | 'recognition',
      l: number,
    ) => {
      const generative = kind === 'generative';
      const key = `${kind} ${l}`;
      const err = generative
        ? o.sub(below, o.linear(above, w.W, w.b, { transposeW: true, activation: 'sigmoid' }))
        : o.sub(above, o.linear(below, w.W, w.b, { activation: 'sigmoid' }));
      const product = generative
        ? o.matmul(o.mul(err, lr / n), above, { transposeA: true })
        : o.matmul(below, o.mul(err, lr / n), { transposeA: true });
      return {
        next: {
          W: apply(`${key} W`, w.W, product, lr * weightCost),
          b: apply(`${key} bias`, w.b, o.mul(o.mean(err, 0), lr), 0),
        },
        err,
      };
    };
    const gen = Array.from({ length: stack.depth }, (_, l) =>
      update(stack.generative(l), wake[l]!, wake[l + 1]!, 'generative', l),
    );
    const rec = Array.from({ length: stack.depth }, (_, l) =>
      update(stack.recognition(l), sleep[l]!, sleep[l + 1]!, 'recognition', l),
    );
    for (let l = 0; l < stack.depth; l++) {
      stack.setGenerative(l, gen[l]!.next);
      stack.setRecognition(l, rec[l]!.next);
    }
    // a [1, 1] tensor: the loop sums it on the backend and reads it every `metricsEvery` batches
    return o.mean(o.square(gen[0]!.err));
  });
}

/**
 * Adds one update `step` to a parameter, with weight decay `decay` (`lr·weightCost`):
 * `param·(1 − decay) + step` without momentum; with momentum m, through the parameter's
 * velocity `u ← m·u + step − decay·param`, `param + u`.
 */
type ApplyStep = (key: string, param: Tensor, step: Tensor, decay: number) => Tensor;

/** The parts of an algorithm both wake-sleep variants share. */
abstract class DirectedAlgorithm implements TrainingAlgorithm<WakeSleepEpoch> {
  abstract readonly name: string;
  readonly metric = 'the generative error';
  /** Each parameter's last step (its velocity), when momentum is on. */
  private readonly velocity = new Map<string, Tensor>();
  constructor(
    protected readonly stack: DirectedStack,
    protected readonly options: {
      learningRate: number | number[];
      weightCost: number;
      momentum: Momentum;
      epochs: number;
    },
  ) {}
  /** The update rule of an epoch (see {@link ApplyStep}). */
  protected applyStep(epoch: number): ApplyStep {
    const o = this.stack.ops;
    const m = momentumAt(this.options.momentum, epoch);
    return (key, param, step, decay) => {
      if (m === 0 && !this.velocity.has(key))
        return decay > 0 ? o.add(o.mul(param, 1 - decay), step) : o.add(param, step);
      const previous = this.velocity.get(key);
      let u = decay > 0 ? o.sub(step, o.mul(param, decay)) : step;
      if (previous) u = o.add(o.mul(previous, m), u);
      this.velocity.set(key, o.keep(u));
      previous?.dispose();
      return o.add(param, u);
    };
  }
  abstract step(v: Tensor, context: StepContext): Tensor;
  protected gibbsAt(_epoch: number): number {
    return 0;
  }
  learningRateAt(epoch: number): number {
    return scheduleAt(this.options.learningRate, epoch, this.options.epochs);
  }
  finishEpoch(s: EpochSummary): { event: WakeSleepEpoch } {
    return {
      event: {
        epoch: s.epoch,
        gibbsSteps: this.gibbsAt(s.epoch),
        generativeError: s.metric,
        seconds: s.seconds,
      },
    };
  }
  protected parameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (let l = 0; l < this.stack.depth; l++) {
      const g = this.stack.generative(l);
      const r = this.stack.recognition(l);
      out.push([`generative ${l}`, g.W], [`generative bias ${l}`, g.b]);
      out.push([`recognition ${l}`, r.W], [`recognition bias ${l}`, r.b]);
    }
    return out;
  }
  firstNonFinite(): string | null {
    const bad = firstNonFinite(this.stack.ops, this.parameters());
    return bad && `the weights (${bad})`;
  }
  getState(): AlgorithmState {
    const o = this.stack.ops;
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [key, u] of this.velocity)
      tensors[`velocity ${key}`] = { shape: [...u.shape], data: o.read(u) };
    return { tensors, values: {} };
  }
  setState(state: AlgorithmState): void {
    const o = this.stack.ops;
    this.disposeVelocity();
    for (const [name, t] of Object.entries(state.tensors)) {
      if (!name.startsWith('velocity ')) continue;
      const [rows, cols] = t.shape;
      if (t.shape.length !== 2 || rows === undefined || cols === undefined)
        throw new ShapeError(
          `${this.name} state: ${name} is [${t.shape.join(', ')}], expected a matrix`,
        );
      this.velocity.set(name.slice('velocity '.length), o.keep(o.tensor(t.data, [rows, cols])));
    }
  }
  private disposeVelocity(): void {
    for (const u of this.velocity.values()) u.dispose();
    this.velocity.clear();
  }
  dispose(): void {
    this.disposeVelocity();
  }
}

/** The up-down algorithm on a DBN, as a step of the training loop. */
class UpDownAlgorithm extends DirectedAlgorithm {
  readonly name = 'up-down';
  /** Persistent top-level hidden states `[batch, top]` (PCD). */
  private chain: Tensor | null = null;
  constructor(
    private readonly dbn: DBN,
    private readonly labels: Labels | undefined,
    private readonly opts: z.output<typeof upDownOptionsSchema>,
  ) {
    const o = dbn.ops;
    super(
      {
        ops: o,
        depth: dbn.layers.length - 1,
        recognition: (l) => ({ W: dbn.layers[l]!.W, b: dbn.layers[l]!.hiddenBias }),
        generative: (l) => dbn.generative![l]!,
        setRecognition: (l, w) => {
          dbn.layers[l]!.replace('W', w.W);
          dbn.layers[l]!.replace('hiddenBias', w.b);
        },
        setGenerative: (l, w) => replaceDirected(o, dbn.generative![l]!, w),
      },
      opts,
    );
  }
  protected override gibbsAt(epoch: number): number {
    return gibbsStepsAt(this.opts.gibbsSteps, epoch, this.opts.epochs);
  }
  protected override parameters(): [string, Tensor][] {
    const top = this.dbn.top;
    return [
      ...super.parameters(),
      ['top RBM W', top.W],
      ['top RBM visible bias', top.visibleBias],
      ['top RBM hidden bias', top.hiddenBias],
    ];
  }
  step(v: Tensor, { epoch, indices, rng }: StepContext): Tensor {
    const { dbn, opts } = this;
    const o = dbn.ops;
    const top = dbn.top;
    const n = dbn.penultimateSize;
    const K = dbn.numLabels;
    const gibbs = this.gibbsAt(epoch);
    const lr = this.learningRateAt(epoch);
    const topLr = opts.topLearningRate ? scheduleAt(opts.topLearningRate, epoch, opts.epochs) : lr;
    const wc = opts.weightCost;
    const apply = this.applyStep(epoch);
    const penProbabilities = opts.penultimateStates === 'probabilities';
    const topPhase = (pen: Tensor, penP: Tensor): Tensor => {
      const penData = penProbabilities ? penP : pen;
      let wakeTop = penData;
      if (K > 0) {
        const y = new Float32Array(pen.rows * K);
        for (let r = 0; r < pen.rows; r++) y[r * K + Number(this.labels![indices[r]!])] = 1;
        wakeTop = o.concatColumns([penData, o.fromArray(y, [pen.rows, K])]);
      }
      const wakeHidden = o.bernoulli(top.hiddenProbabilities(wakeTop), rng);
      // CD-k starts the negative chain at the wake states; PCD continues last batch's chain
      let h = opts.persistent && this.chain ? this.chain : wakeHidden;
      let negVisible: Tensor = wakeTop;
      let negPen: Tensor = pen;
      let negPenP: Tensor | null = null;
      for (let s = 0; s < gibbs; s++) {
        const pv = top.visibleProbabilities(h);
        if (penProbabilities) {
          // reconstructions as probabilities; the sleep phase's binary sample is drawn after
          negPenP = K > 0 ? o.sliceColumns(pv, 0, n) : pv;
          const labels = K > 0 ? o.sliceColumns(pv, n, n + K) : null;
          negVisible = !labels
            ? negPenP
            : o.concatColumns([
                negPenP,
                opts.labelStates === 'samples' ? o.categorical(labels, rng) : labels,
              ]);
        } else if (K > 0 && opts.labelStates === 'samples') {
          // every visible unit sampled by its type: binary penultimate units, one label
          negVisible = top.sampleVisibleFrom(pv, rng);
          negPen = o.sliceColumns(negVisible, 0, n);
        } else {
          negPen = o.bernoulli(K > 0 ? o.sliceColumns(pv, 0, n) : pv, rng);
          // labels: softmax probabilities
          negVisible = K > 0 ? o.concatColumns([negPen, o.sliceColumns(pv, n, n + K)]) : negPen;
        }
        h = o.bernoulli(top.hiddenProbabilities(negVisible), rng);
      }
      if (negPenP) negPen = o.bernoulli(negPenP, rng);
      if (opts.persistent) {
        const old = this.chain;
        this.chain = o.keep(h);
        old?.dispose();
      }
      const m = pen.rows;
      // lr·(<v hᵀ>_wake − <v hᵀ>_negative) as one product of stacked factors
      const R = o.concatRows([wakeTop, negVisible]);
      const H = o.concatRows([o.mul(wakeHidden, topLr / m), o.mul(h, -topLr / m)]);
      const stepW = o.matmul(R, H, { transposeA: true });
      top.replace('W', apply('top W', top.W, stepW, topLr * wc));
      top.replace(
        'visibleBias',
        apply(
          'top visible bias',
          top.visibleBias,
          o.mul(o.mean(o.sub(wakeTop, negVisible), 0), topLr),
          0,
        ),
      );
      top.replace('hiddenBias', apply('top hidden bias', top.hiddenBias, o.sum(H, 0), 0));
      return negPen;
    };
    return wakeSleepStep(this.stack, v, topPhase, rng, lr, wc, apply);
  }
  override getState(): AlgorithmState {
    const o = this.dbn.ops;
    const base = super.getState();
    return {
      tensors: this.chain
        ? { ...base.tensors, chains: { shape: [...this.chain.shape], data: o.read(this.chain) } }
        : base.tensors,
      values: base.values,
    };
  }
  override setState(state: AlgorithmState): void {
    const o = this.dbn.ops;
    super.setState(state);
    this.chain?.dispose();
    this.chain = null;
    const saved = state.tensors.chains;
    if (!saved) return;
    const hidden = this.dbn.top.numHidden;
    if (
      saved.shape.length !== 2 ||
      saved.shape[1] !== hidden ||
      saved.shape[0] !== this.opts.batchSize
    )
      throw new ShapeError(
        `up-down state: the persistent chains are [${saved.shape.join(', ')}], expected [${this.opts.batchSize}, ${hidden}]`,
      );
    this.chain = o.keep(o.tensor(saved.data, [saved.shape[0]!, hidden]));
  }
  override dispose(): void {
    super.dispose();
    this.chain?.dispose();
    this.chain = null;
  }
}

/** Plain wake-sleep on a sigmoid belief net, as a step of the training loop. */
class WakeSleepAlgorithm extends DirectedAlgorithm {
  readonly name = 'wake-sleep';
  constructor(
    private readonly sbn: SigmoidBeliefNet,
    opts: z.output<typeof wakeSleepOptionsSchema>,
  ) {
    const o = sbn.ops;
    super(
      {
        ops: o,
        depth: sbn.generative.length,
        recognition: (l) => sbn.recognition[l]!,
        generative: (l) => sbn.generative[l]!,
        setRecognition: (l, w) => replaceDirected(o, sbn.recognition[l]!, w),
        setGenerative: (l, w) => replaceDirected(o, sbn.generative[l]!, w),
      },
      opts,
    );
  }
  protected override parameters(): [string, Tensor][] {
    return [...super.parameters(), ['top prior bias', this.sbn.topBias]];
  }
  step(v: Tensor, { epoch, rng }: StepContext): Tensor {
    const { sbn } = this;
    const o = sbn.ops;
    const lr = this.learningRateAt(epoch);
    const apply = this.applyStep(epoch);
    const topPhase = (wakeTop: Tensor): Tensor => {
      const prior = o.sigmoid(sbn.topBias);
      const old = sbn.topBias;
      const step = o.mul(o.mean(o.sub(wakeTop, prior), 0), lr);
      sbn.topBias = o.keep(apply('top prior bias', sbn.topBias, step, 0));
      old.dispose();
      return o.bernoulli(o.add(o.zeros(wakeTop.shape), prior), rng);
    };
    return wakeSleepStep(this.stack, v, topPhase, rng, lr, this.options.weightCost, apply);
  }
}

function replaceDirected(o: Ops, target: DirectedWeights, w: DirectedWeights): void {
  const old = [target.W, target.b];
  target.W = o.keep(w.W);
  target.b = o.keep(w.b);
  o.dispose(old);
}

function checkSource(name: string, source: MatrixSource, cols: number): void {
  if (source.cols !== cols)
    throw new ShapeError(`${name}: data has ${source.cols} columns, the model expects ${cols}`);
}

/**
 * The up-down training loop of a DBN (see {@link upDown}), for callers that checkpoint:
 * `getState()` of the returned loop, with the DBN, resumes bit-identically
 * (`encodeUpDownCheckpoint`). Unties the DBN's directed layers.
 */
export function upDownTrainer(
  dbn: DBN,
  options: UpDownOptions & { labels?: Labels; rows?: number },
): TrainingLoop<WakeSleepEpoch> {
  const { labels, rows, ...rest } = options;
  const opts = parseOptions(upDownOptionsSchema, rest, 'up-down options');
  if (dbn.numLabels > 0) {
    if (!labels)
      throw new DeepBeliefError('upDown: this DBN has label units, so labels are required');
    if (rows !== undefined) checkLabels(labels, rows, dbn.numLabels);
  }
  if (dbn.layers.length < 2)
    throw new DeepBeliefError('upDown: needs at least one directed layer below the top RBM');
  dbn.untie();
  return new TrainingLoop(dbn.ops, new UpDownAlgorithm(dbn, labels, opts), opts, opts.seed);
}

/**
 * Contrastive wake-sleep ("up-down") fine-tuning of a DBN (Hinton, Osindero & Teh 2006,
 * appendix B). The directed layers are untied first. Each mini-batch: an up pass sampling
 * binary states with the recognition weights, with the labels clamped at the top for the
 * first iteration; k Gibbs iterations in the top RBM with labels reconstructed by softmax
 * (from the wake states, or from last batch's chains with `persistent`), and a CD-k update
 * of the top RBM from wake and final states; a down pass sampling with the generative
 * weights from the final top-level state; then generative updates from the wake states and
 * recognition updates from the sleep states.
 */
export async function upDown(
  dbn: DBN,
  input: MatrixInput,
  options: UpDownOptions & { labels?: Labels },
  hooks: WakeSleepHooks = {},
): Promise<WakeSleepEpoch[]> {
  const source = toMatrixSource(input);
  const loop = upDownTrainer(dbn, { ...options, rows: source.rows });
  checkSource('upDown', source, dbn.sizes[0]!);
  try {
    return await loop.fit(source, hooks);
  } finally {
    loop.dispose();
  }
}

/** The plain wake-sleep training loop of a sigmoid belief net (see {@link wakeSleep}). */
export function wakeSleepTrainer(
  sbn: SigmoidBeliefNet,
  options: WakeSleepOptions,
): TrainingLoop<WakeSleepEpoch> {
  const opts = parseOptions(wakeSleepOptionsSchema, options, 'wake-sleep options');
  return new TrainingLoop(sbn.ops, new WakeSleepAlgorithm(sbn, opts), opts, opts.seed);
}

/**
 * Plain wake-sleep for a sigmoid belief network (Hinton, Dayan, Frey & Neal 1995): the top
 * layer's prior biases learn from the wake states, and the sleep phase starts from a
 * sample of that prior.
 */
export async function wakeSleep(
  sbn: SigmoidBeliefNet,
  input: MatrixInput,
  options: WakeSleepOptions,
  hooks: WakeSleepHooks = {},
): Promise<WakeSleepEpoch[]> {
  const source = toMatrixSource(input);
  const loop = wakeSleepTrainer(sbn, options);
  checkSource('wakeSleep', source, sbn.sizes[0]!);
  try {
    return await loop.fit(source, hooks);
  } finally {
    loop.dispose();
  }
}
