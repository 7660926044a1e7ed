import { DeepBeliefError, type Ops, SeededRandom, ShapeError, type Tensor } from '@deepbelief/core';
import { type MatrixInput, type MatrixSource, parseOptions, toMatrixSource } from '@deepbelief/rbm';
import { z } from 'zod';
import { checkLabels, type Labels } from './data.js';

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

  private apply(layer: DenseLayer, x: Tensor): Tensor {
    const o = this.ops;
    if (layer.activation === 'sigmoid')
      return o.linear(x, layer.W, layer.b, { activation: 'sigmoid' });
    const z = o.linear(x, layer.W, layer.b);
    return layer.activation === 'softmax' ? o.tidy(() => o.softmax(z, 1)) : z;
  }

  /** Activations of every layer for input `x` (index 0 is `x` itself). */
  activations(x: Tensor, upTo = this.layers.length): Tensor[] {
    if (x.cols !== this.inputSize)
      throw new ShapeError(
        `forward: expected ${this.inputSize} input columns, got [${x.shape.join(', ')}]`,
      );
    const acts = [x];
    for (let i = 0; i < upTo; i++) acts.push(this.apply(this.layers[i]!, acts[i]!));
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
   * needs, without evaluating the network twice.
   */
  lossAndGradients(
    x: Tensor,
    target: Tensor,
    loss: Loss,
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
      const acts = this.activations(x);
      const value = lossValue(o, acts.at(-1)!, target, loss);
      const n = x.rows;
      let delta = o.mul(o.sub(acts.at(-1)!, target), (loss === 'squared-error' ? 2 : 1) / n);
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
    learningRate: z.number().positive().finite().default(0.1),
    optimizer: z.enum(['sgd', 'adam']).default('sgd'),
    momentum: z.number().min(0).lt(1).default(0.9),
    weightDecay: z.number().min(0).finite().default(0),
    /** Fraction of the rows held out for early stopping (0: none). */
    validationFraction: z.number().min(0).lt(1).default(0),
    /** Stop after this many epochs without a better validation loss. */
    patience: z.number().int().min(1).default(5),
    seed: z.number().int().default(1),
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

/**
 * Fine-tunes `net` by mini-batch backpropagation (SGD with momentum and weight decay, or
 * Adam), with optional early stopping on a held-out fraction: the weights of the best
 * validation epoch are restored at the end.
 */
export async function fineTune(
  net: FeedForwardNet,
  input: MatrixInput,
  targets: { labels: Labels } | { data: MatrixInput },
  loss: Loss,
  options: FineTuneOptions,
  hooks: { onEpoch?: (e: FineTuneEpoch) => void; signal?: AbortSignal } = {},
): Promise<FineTuneEpoch[]> {
  const opts = parseOptions(fineTuneOptionsSchema, options, 'fine-tuning options');
  const o = net.ops;
  const source = toMatrixSource(input);
  if (source.cols !== net.inputSize)
    throw new ShapeError(
      `fineTune: data has ${source.cols} columns, the network takes ${net.inputSize}`,
    );
  let targetSource: MatrixSource;
  if ('labels' in targets) {
    checkLabels(targets.labels, source.rows, net.outputSize);
    const labels = targets.labels;
    const k = net.outputSize;
    targetSource = {
      rows: source.rows,
      cols: k,
      readRows(indices, out) {
        out.fill(0, 0, indices.length * k);
        for (let r = 0; r < indices.length; r++) out[r * k + Number(labels[indices[r]!])] = 1;
      },
    };
  } else {
    targetSource = toMatrixSource(targets.data, 'targets');
    if (targetSource.rows !== source.rows || targetSource.cols !== net.outputSize) {
      throw new ShapeError(
        `fineTune: targets must be ${source.rows} × ${net.outputSize}, got ${targetSource.rows} × ${targetSource.cols}`,
      );
    }
  }
  const rng = new SeededRandom(opts.seed);
  const order = rng.permutation(source.rows);
  const nValid = Math.floor(source.rows * opts.validationFraction);
  const validIdx = order.subarray(0, nValid);
  const trainIdx = order.slice(nValid);
  if (trainIdx.length < opts.batchSize)
    throw new ShapeError(
      `fineTune: ${trainIdx.length} training rows are fewer than one batch of ${opts.batchSize}`,
    );
  const batches = Math.floor(trainIdx.length / opts.batchSize);
  const xb = new Float32Array(opts.batchSize * source.cols);
  const tb = new Float32Array(opts.batchSize * targetSource.cols);

  const state = net.layers.map((l) => ({
    mW: o.keep(o.zeros(l.W.shape)),
    mb: o.keep(o.zeros(l.b.shape)),
    vW: opts.optimizer === 'adam' ? o.keep(o.zeros(l.W.shape)) : null,
    vb: opts.optimizer === 'adam' ? o.keep(o.zeros(l.b.shape)) : null,
  }));
  const history: FineTuneEpoch[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestWeights: Float32Array[][] | null = null;
  let sinceBest = 0;
  let t = 0;
  const evaluate = (idx: Uint32Array): number => {
    let total = 0;
    for (let s = 0; s < idx.length; s += 1000) {
      const part = idx.subarray(s, Math.min(s + 1000, idx.length));
      const x = new Float32Array(part.length * source.cols);
      const y = new Float32Array(part.length * targetSource.cols);
      source.readRows(part, x);
      targetSource.readRows(part, y);
      total +=
        o.tidy(() =>
          net.loss(
            o.fromArray(x, [part.length, source.cols]),
            o.fromArray(y, [part.length, targetSource.cols]),
            loss,
          ),
        ) * part.length;
    }
    return total / idx.length;
  };
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      if (hooks.signal?.aborted) break;
      const started = performance.now();
      const perm = rng.permutation(trainIdx.length);
      // summed on the backend and read once per epoch: a read makes a deferring backend
      // (onnx) copy out every live tensor
      let lossSum: Tensor | null = null;
      for (let b = 0; b < batches; b++) {
        const idx = new Uint32Array(opts.batchSize);
        for (let i = 0; i < opts.batchSize; i++) idx[i] = trainIdx[perm[b * opts.batchSize + i]!]!;
        source.readRows(idx, xb);
        targetSource.readRows(idx, tb);
        t++;
        const batchLoss: Tensor = o.tidy(() => {
          const x = o.tensor(xb, [opts.batchSize, source.cols]);
          const y = o.tensor(tb, [opts.batchSize, targetSource.cols]);
          const { loss: value, gradients: grads } = net.lossAndGradients(x, y, loss);
          net.layers.forEach((layer, i) => {
            const s = state[i]!;
            const g = grads[i]!;
            const gW = opts.weightDecay > 0 ? o.add(g.W, o.mul(layer.W, opts.weightDecay)) : g.W;
            if (opts.optimizer === 'sgd') {
              const mW = o.sub(o.mul(s.mW, opts.momentum), o.mul(gW, opts.learningRate));
              const mb = o.sub(o.mul(s.mb, opts.momentum), o.mul(g.b, opts.learningRate));
              swap(o, s, 'mW', mW);
              swap(o, s, 'mb', mb);
              swap(o, layer, 'W', o.add(layer.W, mW));
              swap(o, layer, 'b', o.add(layer.b, mb));
            } else {
              const [b1, b2, eps] = [0.9, 0.999, 1e-8];
              const c1 = 1 / (1 - b1 ** t);
              const c2 = 1 / (1 - b2 ** t);
              for (const [m, v, g2, p] of [
                ['mW', 'vW', gW, 'W'],
                ['mb', 'vb', g.b, 'b'],
              ] as const) {
                const mNew = o.add(o.mul(s[m], b1), o.mul(g2, 1 - b1));
                const vNew = o.add(o.mul(s[v]!, b2), o.mul(o.square(g2), 1 - b2));
                swap(o, s, m, mNew);
                swap(o, s, v, vNew);
                const stepT = o.div(
                  o.mul(mNew, opts.learningRate * c1),
                  o.add(o.sqrt(o.mul(vNew, c2)), eps),
                );
                swap(o, layer, p, o.sub(layer[p], stepT));
              }
            }
          });
          return value;
        });
        const sum: Tensor = lossSum ? o.add(lossSum, batchLoss) : batchLoss;
        if (lossSum) {
          lossSum.dispose();
          batchLoss.dispose();
        }
        lossSum = o.keep(sum);
      }
      const trainLoss = o.item(lossSum!) / batches;
      lossSum!.dispose();
      if (!Number.isFinite(trainLoss)) {
        throw new DeepBeliefError(
          `fine-tuning diverged in epoch ${epoch + 1}: the training loss is not finite. Try a smaller learning rate (now ${opts.learningRate}).`,
        );
      }
      const validationLoss = nValid > 0 ? evaluate(validIdx) : null;
      const record = {
        epoch,
        trainLoss,
        validationLoss,
        seconds: (performance.now() - started) / 1000,
      };
      history.push(record);
      hooks.onEpoch?.(record);
      if (nValid > 0) {
        if (validationLoss !== null && validationLoss < best) {
          best = validationLoss;
          bestWeights = net.layers.map((l) => [o.read(l.W), o.read(l.b)]);
          sinceBest = 0;
        } else if (++sinceBest >= opts.patience) break;
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    if (bestWeights) {
      net.layers.forEach((layer, i) => {
        swap(o, layer, 'W', o.tensor(bestWeights![i]![0]!, layer.W.shape));
        swap(o, layer, 'b', o.tensor(bestWeights![i]![1]!, layer.b.shape));
      });
    }
  } finally {
    o.dispose(state.map((s) => [s.mW, s.mb, s.vW ?? [], s.vb ?? []]));
  }
  return history;
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
