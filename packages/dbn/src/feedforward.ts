import {
  type AlgorithmState,
  DeepBeliefError,
  type EpochSummary,
  firstNonFinite,
  type Ops,
  SeededRandom,
  ShapeError,
  type StepContext,
  type Tensor,
  type TrainingAlgorithm,
  type TrainingHooks,
  TrainingLoop,
} from '@deepbelief/core';
import {
  type MatrixInput,
  type MatrixSource,
  parseOptions,
  scheduleAt,
  toMatrixSource,
} from '@deepbelief/rbm';
import { z } from 'zod';
import { minimize } from './conjugate-gradient.js';
import { checkLabels, type Labels } from './data.js';

/** Values added to the total input of one layer (0-based `layer`), e.g. the code layer's noise. */
export interface LayerNoise {
  readonly layer: number;
  readonly values: Tensor;
}

/** Activation of a dense layer. `softmax` only on the output layer. */
export type LayerActivation = 'sigmoid' | 'linear' | 'softmax';

/** One dense layer: `activation(x · W + b)` with W `[in, out]`, b `[1, out]`. */
export interface DenseLayer {
  W: Tensor;
  b: Tensor;
  readonly activation: LayerActivation;
}

/**
 * What the network is trained to minimise, averaged over the batch:
 * `softmax-cross-entropy` (classification, targets one-hot), `sigmoid-cross-entropy`
 * (targets in [0,1], e.g. pixel intensities for autoencoders), `squared-error`.
 */
export type Loss = 'softmax-cross-entropy' | 'sigmoid-cross-entropy' | 'squared-error';

/**
 * A feed-forward network of dense layers, the form a DBN or a deep autoencoder is unrolled
 * into for discriminative fine-tuning by backpropagation. Written against {@link Ops}.
 */
export class FeedForwardNet {
  constructor(
    readonly ops: Ops,
    readonly layers: DenseLayer[],
  ) {
    layers.forEach((l, i) => {
      if (i > 0 && layers[i - 1]!.W.cols !== l.W.rows) {
        throw new ShapeError(
          `layer ${i}: takes ${l.W.rows} inputs but layer ${i - 1} gives ${layers[i - 1]!.W.cols}`,
        );
      }
      if (l.b.rows !== 1 || l.b.cols !== l.W.cols)
        throw new ShapeError(`layer ${i}: bias must be [1, ${l.W.cols}]`);
      if (l.activation === 'softmax' && i !== layers.length - 1)
        throw new DeepBeliefError(`layer ${i}: softmax only on the output layer`);
      ops.keep(l.W);
      ops.keep(l.b);
    });
  }

  /** A randomly initialised network (weights N(0, std²) or Glorot-scaled, biases 0). */
  static random(
    ops: Ops,
    sizes: readonly number[],
    activations: readonly LayerActivation[],
    rng: SeededRandom,
    std: number | 'glorot' = 0.01,
  ): FeedForwardNet {
    if (activations.length !== sizes.length - 1)
      throw new DeepBeliefError('random: one activation per layer is needed');
    return new FeedForwardNet(
      ops,
      activations.map((activation, i) => ({
        W: ops.randomNormal(
          [sizes[i]!, sizes[i + 1]!],
          rng,
          0,
          initialStd(std, sizes[i]!, sizes[i + 1]!, activation),
        ),
        b: ops.zeros([1, sizes[i + 1]!]),
        activation,
      })),
    );
  }

  get inputSize(): number {
    return this.layers[0]!.W.rows;
  }

  get outputSize(): number {
    return this.layers[this.layers.length - 1]!.W.cols;
  }

  /** `activation(x·W + b + noise)`: fused when there is no noise and the activation is sigmoid. */
  private apply(layer: DenseLayer, x: Tensor, noise?: Tensor): Tensor {
    const o = this.ops;
    if (layer.activation === 'sigmoid' && !noise)
      return o.linear(x, layer.W, layer.b, { activation: 'sigmoid' });
    return o.tidy(() => {
      let z = o.linear(x, layer.W, layer.b);
      if (noise) z = o.add(z, noise);
      if (layer.activation === 'sigmoid') return o.sigmoid(z);
      return layer.activation === 'softmax' ? o.softmax(z, 1) : z;
    });
  }

  /**
   * Activations of every layer for input `x` (index 0 is `x` itself). With `noise`, its
   * `values` (`[batch, width of that layer]`) are added to the total input of layer
   * `noise.layer` (0-based) before its activation.
   */
  activations(x: Tensor, upTo = this.layers.length, noise?: LayerNoise): Tensor[] {
    if (x.cols !== this.inputSize)
      throw new ShapeError(
        `forward: expected ${this.inputSize} input columns, got [${x.shape.join(', ')}]`,
      );
    if (noise) {
      const layer = this.layers[noise.layer];
      if (!layer || noise.values.rows !== x.rows || noise.values.cols !== layer.W.cols)
        throw new ShapeError(
          `forward: noise for layer ${noise.layer} must be [${x.rows}, ${layer?.W.cols ?? '?'}], got [${noise.values.shape.join(', ')}]`,
        );
    }
    const acts = [x];
    for (let i = 0; i < upTo; i++)
      acts.push(
        this.apply(this.layers[i]!, acts[i]!, noise?.layer === i ? noise.values : undefined),
      );
    return acts;
  }

  /** Output of the network: `[batch, outputSize]`. */
  forward(x: Tensor): Tensor {
    const o = this.ops;
    return o.tidy(() => this.activations(x).at(-1)!);
  }

  /** Output of layer `index` (0-based) for input `x`. */
  forwardTo(x: Tensor, layers: number): Tensor {
    const o = this.ops;
    return o.tidy(() => this.activations(x, layers).at(-1)!);
  }

  /** Mean loss of the batch. */
  loss(x: Tensor, target: Tensor, loss: Loss): number {
    const o = this.ops;
    return o.tidy(() => {
      const out = this.forward(x);
      return o.item(lossValue(o, out, target, loss));
    });
  }

  /**
   * Gradients of the mean loss with respect to every W and b, by backpropagation. The
   * output deltas use the matching loss/activation pairs (softmax + cross-entropy, sigmoid +
   * cross-entropy: output − target; linear + squared error).
   */
  gradients(x: Tensor, target: Tensor, loss: Loss): { W: Tensor; b: Tensor }[] {
    const result = this.lossAndGradients(x, target, loss);
    result.loss.dispose();
    return result.gradients;
  }

  /**
   * The mean loss (`[1, 1]`) and its gradients from one forward pass: what a training step
   * needs, without evaluating the network twice. With `scale`, every gradient comes
   * multiplied by it (e.g. −learning rate: an SGD step's increments), at no cost: the
   * output delta is scaled before it is propagated.
   */
  lossAndGradients(
    x: Tensor,
    target: Tensor,
    loss: Loss,
    scale = 1,
    noise?: LayerNoise,
  ): { loss: Tensor; gradients: { W: Tensor; b: Tensor }[] } {
    const o = this.ops;
    const last = this.layers[this.layers.length - 1]!;
    checkLossPair(loss, last.activation);
    if (target.rows !== x.rows || target.cols !== this.outputSize) {
      throw new ShapeError(
        `gradients: targets must be [${x.rows}, ${this.outputSize}], got [${target.shape.join(', ')}]`,
      );
    }
    return o.tidy(() => {
      const acts = this.activations(x, this.layers.length, noise);
      const value = lossValue(o, acts.at(-1)!, target, loss);
      const n = x.rows;
      let delta = o.mul(
        o.sub(acts.at(-1)!, target),
        ((loss === 'squared-error' ? 2 : 1) * scale) / n,
      );
      const grads: { W: Tensor; b: Tensor }[] = [];
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const layer = this.layers[i]!;
        grads[i] = { W: o.matmul(acts[i]!, delta, { transposeA: true }), b: o.sum(delta, 0) };
        if (i > 0) {
          const below = this.layers[i - 1]!;
          const back = o.matmul(delta, layer.W, { transposeB: true });
          const a = acts[i]!;
          delta = below.activation === 'sigmoid' ? o.mul(back, o.mul(a, o.rsub(1, a))) : back;
        }
      }
      return { loss: value, gradients: grads };
    });
  }

  dispose(): void {
    this.ops.dispose(this.layers.map((l) => [l.W, l.b]));
  }
}

/**
 * Standard deviation of initial weights: a number, or `glorot` — √(2/(fan-in + fan-out)),
 * times 4 for sigmoid layers (Glorot & Bengio 2010), the sensible start for a deep sigmoid
 * network trained from scratch (tiny weights leave its gradients vanishing).
 */
function initialStd(
  std: number | 'glorot',
  fanIn: number,
  fanOut: number,
  activation: LayerActivation,
): number {
  if (std !== 'glorot') return std;
  return Math.sqrt(2 / (fanIn + fanOut)) * (activation === 'sigmoid' ? 4 : 1);
}

function checkLossPair(loss: Loss, activation: LayerActivation): void {
  const ok =
    (loss === 'softmax-cross-entropy' && activation === 'softmax') ||
    (loss === 'sigmoid-cross-entropy' && activation === 'sigmoid') ||
    (loss === 'squared-error' && activation === 'linear');
  if (!ok)
    throw new DeepBeliefError(`loss '${loss}' does not pair with a '${activation}' output layer`);
}

function lossValue(o: Ops, out: Tensor, target: Tensor, loss: Loss): Tensor {
  if (loss === 'squared-error') return o.mean(o.sum(o.square(o.sub(out, target)), 1));
  const p = o.clip(out, 1e-7, 1 - 1e-7);
  if (loss === 'softmax-cross-entropy') return o.neg(o.mean(o.sum(o.mul(target, o.log(p)), 1)));
  return o.neg(
    o.mean(o.sum(o.add(o.mul(target, o.log(p)), o.mul(o.rsub(1, target), o.log(o.rsub(1, p)))), 1)),
  );
}

/** Options of {@link fineTune}. */
export const fineTuneOptionsSchema = z
  .object({
    epochs: z.number().int().min(1),
    batchSize: z.number().int().min(1).default(100),
    /**
     * A number, or one value per equal share of the epochs (e.g. `[0.1, 0.03, 0.01]` for
     * thirds): a rate that decays at the end lets SGD settle into the minimum it has found.
     */
    learningRate: z
      .union([z.number().positive().finite(), z.array(z.number().positive().finite()).min(1)])
      .default(0.1),
    /**
     * `sgd` (with momentum), `adam`, or `cg`: conjugate gradients with `lineSearches` line
     * searches on each mini-batch, as Hinton & Salakhutdinov (2006) fine-tuned (Rasmussen's
     * `minimize.m`, mini-batches of 1,000, 3 line searches); `cg` ignores the learning rate.
     */
    optimizer: z.enum(['sgd', 'adam', 'cg']).default('sgd'),
    momentum: z.number().min(0).lt(1).default(0.9),
    /** Line searches per mini-batch with `optimizer: 'cg'`. */
    lineSearches: z.number().int().min(1).default(3),
    /**
     * Train only the output layer for the first this many epochs (the features stay as
     * pre-trained while the new output weights settle; Hinton & Salakhutdinov: 5 epochs).
     */
    outputOnlyEpochs: z.number().int().min(0).default(0),
    weightDecay: z.number().min(0).finite().default(0),
    /** Fraction of the rows held out for early stopping (0: none). */
    validationFraction: z.number().min(0).lt(1).default(0),
    /** Stop after this many epochs without a better validation loss. */
    patience: z.number().int().min(1).default(5),
    seed: z.number().int().default(1),
    /**
     * Read the (backend-side) training loss every this many batches: a read makes a
     * deferring backend run its pending work. Divergence is detected at these reads.
     */
    metricsEvery: z.number().int().min(1).default(50),
    /**
     * Deterministic noise (semantic hashing, Salakhutdinov & Hinton 2009): Gaussian noise of
     * standard deviation `std` added to the total input of layer `layer` (0-based), drawn once
     * per training row from `seed` and reused every epoch, so that logistic code units learn
     * to saturate to near-binary values. Validation losses are computed without it.
     */
    codeNoise: z
      .object({
        layer: z.number().int().min(0),
        std: z.number().positive().finite(),
        seed: z.number().int().default(1),
      })
      .strict()
      .optional(),
  })
  .strict();
export type FineTuneOptions = z.input<typeof fineTuneOptionsSchema>;

/** Per-epoch record of {@link fineTune}. */
export interface FineTuneEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  /** Mean loss on the held-out rows; null without a validation split. */
  readonly validationLoss: number | null;
  readonly seconds: number;
}

/** What the network learns to output: labels (one-hot) or a matrix (e.g. the input, for autoencoders). */
export type FineTuneTargets = { labels: Labels } | { data: MatrixInput };

type Moment = 'mW' | 'mb' | 'vW' | 'vb';

/**
 * Mini-batch backpropagation on a {@link FeedForwardNet} as a step of the training loop:
 * SGD with momentum and weight decay, or Adam, and early stopping on held-out rows (the
 * weights of the best validation epoch are restored when training ends). Its state: the
 * optimiser's moments, Adam's step count, and the early-stopping memory (best loss, epochs
 * since, best weights).
 */
export class Backpropagation implements TrainingAlgorithm<FineTuneEpoch> {
  readonly name: string;
  readonly metric = 'the training loss';
  private readonly moments: Record<Moment, Tensor | null>[];
  private t = 0;
  private best = Number.POSITIVE_INFINITY;
  private sinceBest = 0;
  private bestWeights: Float32Array[][] | null = null;
  /** The fixed noise of every source row, `rows × width` (see `codeNoise`). */
  private readonly noise: { layer: number; width: number; values: Float32Array } | null;

  constructor(
    readonly net: FeedForwardNet,
    private readonly targets: MatrixSource,
    private readonly loss: Loss,
    readonly options: z.output<typeof fineTuneOptionsSchema>,
    /** Held-out rows for early stopping (empty: none). */
    private readonly validation: { rows: Uint32Array; source: MatrixSource },
  ) {
    this.name = `backprop (${options.optimizer})`;
    const o = net.ops;
    const cn = options.codeNoise;
    if (cn) {
      const layer = net.layers[cn.layer];
      if (!layer)
        throw new DeepBeliefError(
          `codeNoise.layer: the network has layers 0–${net.layers.length - 1}, got ${cn.layer}`,
        );
      const width = layer.W.cols;
      const values = new SeededRandom(cn.seed).normalArray(targets.rows * width);
      for (let i = 0; i < values.length; i++) values[i]! *= cn.std;
      this.noise = { layer: cn.layer, width, values };
    } else this.noise = null;
    const adam = options.optimizer === 'adam';
    const cg = options.optimizer === 'cg';
    this.moments = net.layers.map((l) => ({
      mW: cg ? null : o.keep(o.zeros(l.W.shape)),
      mb: cg ? null : o.keep(o.zeros(l.b.shape)),
      vW: adam ? o.keep(o.zeros(l.W.shape)) : null,
      vb: adam ? o.keep(o.zeros(l.b.shape)) : null,
    }));
  }

  learningRateAt(epoch: number): number {
    return scheduleAt(this.options.learningRate, epoch, this.options.epochs);
  }

  step(x: Tensor, { epoch, indices }: StepContext): Tensor {
    const { net, options: opts } = this;
    const o = net.ops;
    const y = new Float32Array(indices.length * this.targets.cols);
    this.targets.readRows(indices, y);
    this.t++;
    const t = this.t;
    const outputOnly = epoch < opts.outputOnlyEpochs;
    if (opts.optimizer === 'cg') return this.conjugateGradientStep(x, y, outputOnly);
    return o.tidy(() => {
      const target = o.tensor(y, [indices.length, this.targets.cols]);
      const sgd = opts.optimizer === 'sgd';
      const lr = this.learningRateAt(epoch);
      // SGD takes the gradients already multiplied by −lr (the output delta is scaled), so a
      // step makes three weight-sized passes instead of four (five instead of six with
      // weight decay):
      // m ← μ·m − lr·(g + λ·W), W ← W + m.
      const { noise } = this;
      let layerNoise: LayerNoise | undefined;
      if (noise) {
        const rows = new Float32Array(indices.length * noise.width);
        for (let r = 0; r < indices.length; r++) {
          const at = indices[r]! * noise.width;
          rows.set(noise.values.subarray(at, at + noise.width), r * noise.width);
        }
        layerNoise = {
          layer: noise.layer,
          values: o.fromArray(rows, [indices.length, noise.width]),
        };
      }
      const { loss: value, gradients: grads } = net.lossAndGradients(
        x,
        target,
        this.loss,
        sgd ? -lr : 1,
        layerNoise,
      );
      net.layers.forEach((layer, i) => {
        if (outputOnly && i < net.layers.length - 1) return;
        const s = this.moments[i]!;
        const g = grads[i]!;
        if (sgd) {
          let mW = o.add(o.mul(s.mW!, opts.momentum), g.W);
          if (opts.weightDecay > 0) mW = o.sub(mW, o.mul(layer.W, lr * opts.weightDecay));
          const mb = o.add(o.mul(s.mb!, opts.momentum), g.b);
          swap(o, s, 'mW', mW);
          swap(o, s, 'mb', mb);
          swap(o, layer, 'W', o.add(layer.W, mW));
          swap(o, layer, 'b', o.add(layer.b, mb));
        } else {
          const gW = opts.weightDecay > 0 ? o.add(g.W, o.mul(layer.W, opts.weightDecay)) : g.W;
          const [b1, b2, eps] = [0.9, 0.999, 1e-8];
          const c1 = 1 / (1 - b1 ** t);
          const c2 = 1 / (1 - b2 ** t);
          for (const [m, v, g2, p] of [
            ['mW', 'vW', gW, 'W'],
            ['mb', 'vb', g.b, 'b'],
          ] as const) {
            const mNew = o.add(o.mul(s[m]!, b1), o.mul(g2, 1 - b1));
            const vNew = o.add(o.mul(s[v]!, b2), o.mul(o.square(g2), 1 - b2));
            swap(o, s, m, mNew);
            swap(o, s, v, vNew);
            const stepT = o.div(o.mul(mNew, lr * c1), o.add(o.sqrt(o.mul(vNew, c2)), eps));
            swap(o, layer, p, o.sub(layer[p], stepT));
          }
        }
      });
      return value;
    });
  }

  /**
   * One mini-batch of conjugate gradients: the weights (all, or the output layer's) as one
   * float64 vector, the objective the batch's mean loss plus `weightDecay`/2·‖W‖², its
   * gradient by backpropagation. Returns the loss before the step, as SGD does. While only
   * the output layer learns, the layers below are run once per batch, not per evaluation.
   */
  private conjugateGradientStep(x: Tensor, y: Float32Array, outputOnly: boolean): Tensor {
    const { options: opts } = this;
    const o = this.net.ops;
    const last = this.net.layers.length - 1;
    // the network the objective evaluates: the whole one, or its output layer on fixed features
    const net = outputOnly ? new FeedForwardNet(o, [this.net.layers[last]!]) : this.net;
    const input = outputOnly ? o.keep(this.net.forwardTo(x, last)) : x;
    const parts = net.layers.flatMap((l) => [
      { layer: l, key: 'W' as const, size: l.W.size, decay: opts.weightDecay },
      { layer: l, key: 'b' as const, size: l.b.size, decay: 0 },
    ]);
    const total = parts.reduce((n, p) => n + p.size, 0);
    const weights = new Float64Array(total);
    let at = 0;
    for (const p of parts) {
      weights.set(o.read(p.layer[p.key]), at);
      at += p.size;
    }
    const put = (w: Float64Array) => {
      let offset = 0;
      for (const p of parts) {
        const shape = p.layer[p.key].shape;
        swap(
          o,
          p.layer,
          p.key,
          o.tensor(Float32Array.from(w.subarray(offset, offset + p.size)), shape),
        );
        offset += p.size;
      }
    };
    const target = o.keep(o.tensor(y, [x.rows, this.targets.cols]));
    let lossBefore: number | null = null;
    const objective = (w: Float64Array, gradient: Float64Array): number => {
      put(w);
      const { loss, gradients } = net.lossAndGradients(input, target, this.loss);
      let value = o.item(loss);
      lossBefore ??= value;
      let offset = 0;
      for (const [i, layer] of gradients.entries()) {
        for (const [k, g] of [layer.W, layer.b].entries()) {
          const p = parts[2 * i + k]!;
          gradient.set(o.read(g), offset);
          if (p.decay > 0)
            for (let q = offset; q < offset + p.size; q++) {
              value += 0.5 * p.decay * w[q]! * w[q]!;
              gradient[q]! += p.decay * w[q]!;
            }
          offset += p.size;
        }
      }
      o.dispose([loss, gradients.map((g) => [g.W, g.b])]);
      return value;
    };
    minimize(objective, weights, opts.lineSearches);
    put(weights);
    target.dispose();
    if (input !== x) input.dispose();
    return o.fromArray(new Float32Array([lossBefore!]), [1, 1]);
  }

  /** Mean loss over `rows` of `source`, in blocks of 1,000. */
  private evaluate(rows: Uint32Array, source: MatrixSource): number {
    const { net } = this;
    const o = net.ops;
    let total = 0;
    for (let s = 0; s < rows.length; s += 1000) {
      const part = rows.subarray(s, Math.min(s + 1000, rows.length));
      const x = new Float32Array(part.length * source.cols);
      const y = new Float32Array(part.length * this.targets.cols);
      source.readRows(part, x);
      this.targets.readRows(part, y);
      total +=
        o.tidy(() =>
          net.loss(
            o.fromArray(x, [part.length, source.cols]),
            o.fromArray(y, [part.length, this.targets.cols]),
            this.loss,
          ),
        ) * part.length;
    }
    return total / rows.length;
  }

  finishEpoch(s: EpochSummary) {
    const { rows, source } = this.validation;
    const validationLoss = rows.length > 0 ? this.evaluate(rows, source) : null;
    const event: FineTuneEpoch = {
      epoch: s.epoch,
      trainLoss: s.metric,
      validationLoss,
      seconds: s.seconds,
    };
    let stop = false;
    if (validationLoss !== null) {
      if (validationLoss < this.best) {
        this.best = validationLoss;
        this.bestWeights = this.readWeights();
        this.sinceBest = 0;
      } else if (++this.sinceBest >= this.options.patience) stop = true;
    }
    return { event, stop };
  }

  /** Puts the weights of the best validation epoch back (when there was a validation split). */
  restoreBest(): void {
    const o = this.net.ops;
    const best = this.bestWeights;
    if (!best) return;
    this.net.layers.forEach((layer, i) => {
      swap(o, layer, 'W', o.tensor(best[i]![0]!, layer.W.shape));
      swap(o, layer, 'b', o.tensor(best[i]![1]!, layer.b.shape));
    });
  }

  private readWeights(): Float32Array[][] {
    const o = this.net.ops;
    return this.net.layers.map((l) => [o.read(l.W), o.read(l.b)]);
  }

  firstNonFinite(): string | null {
    return firstNonFinite(
      this.net.ops,
      this.net.layers.flatMap((l, i) => [
        [`the weights of layer ${i + 1}`, l.W] as const,
        [`the biases of layer ${i + 1}`, l.b] as const,
      ]),
    );
  }

  getState(): AlgorithmState {
    const o = this.net.ops;
    const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
    this.moments.forEach((s, i) => {
      for (const [k, v] of Object.entries(s))
        if (v) tensors[`${k}.${i}`] = { shape: [...v.shape], data: o.read(v) };
    });
    this.bestWeights?.forEach(([W, b], i) => {
      const layer = this.net.layers[i]!;
      tensors[`best.${i}.W`] = { shape: [...layer.W.shape], data: W! };
      tensors[`best.${i}.bias`] = { shape: [...layer.b.shape], data: b! };
    });
    return {
      tensors,
      values: {
        steps: this.t,
        bestLoss: Number.isFinite(this.best) ? this.best : null,
        epochsSinceBest: this.sinceBest,
      },
    };
  }

  setState(state: AlgorithmState): void {
    const o = this.net.ops;
    const take = (name: string, shape: readonly number[]): Float32Array => {
      const t = state.tensors[name];
      const fits = t && t.shape.length === 2 && t.shape[0] === shape[0] && t.shape[1] === shape[1];
      if (!t || !fits)
        throw new ShapeError(
          `backprop state: '${name}' ${t ? `is [${t.shape.join(', ')}]` : 'is missing'}, expected [${shape.join(', ')}]`,
        );
      return t.data;
    };
    this.moments.forEach((s, i) => {
      for (const k of Object.keys(s) as Moment[]) {
        const cur = s[k];
        if (cur) swap(o, s, k, o.tensor(take(`${k}.${i}`, cur.shape), cur.shape));
      }
    });
    const hasBest = 'best.0.W' in state.tensors;
    this.bestWeights = hasBest
      ? this.net.layers.map((l, i) => [
          take(`best.${i}.W`, l.W.shape),
          take(`best.${i}.bias`, l.b.shape),
        ])
      : null;
    this.t = state.values.steps ?? 0;
    this.best = state.values.bestLoss ?? Number.POSITIVE_INFINITY;
    this.sinceBest = state.values.epochsSinceBest ?? 0;
  }

  dispose(): void {
    const o = this.net.ops;
    o.dispose(this.moments.map((s) => Object.values(s).filter((v): v is Tensor => v !== null)));
  }
}

/** The targets as a source: one-hot rows for labels, or the given matrix. */
function targetSource(targets: FineTuneTargets, rows: number, outputs: number): MatrixSource {
  if ('labels' in targets) {
    checkLabels(targets.labels, rows, outputs);
    const labels = targets.labels;
    return {
      rows,
      cols: outputs,
      readRows(indices, out) {
        out.fill(0, 0, indices.length * outputs);
        for (let r = 0; r < indices.length; r++) out[r * outputs + Number(labels[indices[r]!])] = 1;
      },
    };
  }
  const source = toMatrixSource(targets.data, 'targets');
  if (source.rows !== rows || source.cols !== outputs) {
    throw new ShapeError(
      `fineTune: targets must be ${rows} × ${outputs}, got ${source.rows} × ${source.cols}`,
    );
  }
  return source;
}

/**
 * The backpropagation training loop of `net` on `input` (see {@link fineTune}), for callers
 * that checkpoint: `getState()` of the loop, with the network's weights, resumes
 * bit-identically (`encodeFineTuneCheckpoint`). The validation rows are drawn first from
 * `seed`; the loop's generators are forked after.
 */
export function fineTuneTrainer(
  net: FeedForwardNet,
  input: MatrixInput,
  targets: FineTuneTargets,
  loss: Loss,
  options: FineTuneOptions,
): { loop: TrainingLoop<FineTuneEpoch>; algorithm: Backpropagation; source: MatrixSource } {
  const opts = parseOptions(fineTuneOptionsSchema, options, 'fine-tuning options');
  const source = toMatrixSource(input);
  if (source.cols !== net.inputSize)
    throw new ShapeError(
      `fineTune: data has ${source.cols} columns, the network takes ${net.inputSize}`,
    );
  checkLossPair(loss, net.layers.at(-1)!.activation);
  const targetRows = targetSource(targets, source.rows, net.outputSize);
  const {
    rng,
    train: trainRows,
    validation: validRows,
  } = fineTuneSplit(source.rows, opts.seed, opts.validationFraction);
  if (trainRows.length < opts.batchSize)
    throw new ShapeError(
      `fineTune: ${trainRows.length} training rows are fewer than one batch of ${opts.batchSize}`,
    );
  const algorithm = new Backpropagation(net, targetRows, loss, opts, {
    rows: validRows,
    source,
  });
  const loop = new TrainingLoop(net.ops, algorithm, { ...opts, rows: trainRows }, rng);
  return { loop, algorithm, source };
}

/**
 * The rows {@link fineTune} trains on and holds out for early stopping, given the row count
 * and the options' `seed` and `validationFraction`: the first share of a seeded permutation is
 * held out (e.g. to measure a classifier's error on the same rows afterwards). `rng` is the
 * generator after the draw, which the training loop goes on with.
 */
export function fineTuneSplit(
  rows: number,
  seed: number,
  validationFraction: number,
): { rng: SeededRandom; train: Uint32Array; validation: Uint32Array } {
  const rng = new SeededRandom(seed);
  const order = rng.permutation(rows);
  const nValid = Math.floor(rows * validationFraction);
  return { rng, train: order.slice(nValid).sort(), validation: order.slice(0, nValid) };
}

/**
 * Fine-tunes `net` by mini-batch backpropagation (SGD with momentum and weight decay, or
 * Adam), with optional early stopping on a held-out fraction: the weights of the best
 * validation epoch are restored at the end.
 */
export async function fineTune(
  net: FeedForwardNet,
  input: MatrixInput,
  targets: FineTuneTargets,
  loss: Loss,
  options: FineTuneOptions,
  hooks: TrainingHooks<FineTuneEpoch> = {},
): Promise<FineTuneEpoch[]> {
  const { loop, algorithm, source } = fineTuneTrainer(net, input, targets, loss, options);
  try {
    const history = await loop.fit(source, hooks);
    if (loop.done || hooks.signal?.aborted) algorithm.restoreBest();
    return history;
  } finally {
    loop.dispose();
  }
}

/** Replaces `holder[key]` with a kept `value`, disposing the old tensor. */
function swap<K extends string>(
  o: Ops,
  holder: { [P in K]: Tensor | null },
  key: K,
  value: Tensor,
): void {
  const old = holder[key];
  holder[key] = o.keep(value) as (typeof holder)[K];
  if (old && old !== value) old.dispose();
}
