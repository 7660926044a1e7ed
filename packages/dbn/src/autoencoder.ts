import {
  DeepBeliefError,
  type Ops,
  type SeededRandom,
  ShapeError,
  type Tensor,
} from '@deepbelief/core';
import { type MatrixInput, RBM, toMatrixSource } from '@deepbelief/rbm';
import {
  type DenseLayer,
  FeedForwardNet,
  type FineTuneEpoch,
  type FineTuneOptions,
  fineTune,
} from './feedforward.js';
import { type StackOptions, StackTrainer } from './stack.js';

/**
 * A deep autoencoder (Hinton & Salakhutdinov 2006): a stack of RBMs pre-trained greedily
 * (the top one with linear, Gaussian hidden units for the code), unrolled into an encoder
 * and a decoder initialised with the transposed weights and the generative biases, then
 * fine-tuned on the reconstruction cross-entropy.
 */
export class DeepAutoencoder {
  readonly ops: Ops;
  /** Encoder sizes, e.g. `[784, 1000, 500, 250, 30]`. */
  readonly sizes: readonly number[];
  readonly rbms: RBM[];
  /** The unrolled network (encoder layers then decoder layers), after {@link DeepAutoencoder.unroll}. */
  net: FeedForwardNet | null = null;

  constructor(ops: Ops, sizes: readonly number[], rng: SeededRandom) {
    if (sizes.length < 2)
      throw new DeepBeliefError('DeepAutoencoder: at least two sizes are needed');
    this.ops = ops;
    this.sizes = [...sizes];
    this.rbms = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const code = i + 2 === sizes.length;
      this.rbms.push(
        new RBM(
          ops,
          {
            visible: sizes[i]!,
            hidden: sizes[i + 1]!,
            hiddenType: code ? 'gaussian' : 'bernoulli',
          },
          rng,
        ),
      );
    }
  }

  /** Greedy pre-training, each layer on the hidden probabilities (code layer: means) of the one below. */
  async pretrain(input: MatrixInput, options: StackOptions) {
    return this.pretrainer(input, options).fit();
  }

  /** The trainer of {@link DeepAutoencoder.pretrain}, for callers that stop and resume. */
  pretrainer(input: MatrixInput, options: StackOptions): StackTrainer {
    const source = toMatrixSource(input);
    if (source.cols !== this.sizes[0])
      throw new ShapeError(`pretrain: data has ${source.cols} columns, expected ${this.sizes[0]}`);
    return new StackTrainer(this.rbms, source, options);
  }

  /** Builds the encoder–decoder network from the RBMs (decoder weights are transposed copies). */
  unroll(): FeedForwardNet {
    const o = this.ops;
    this.net?.dispose();
    const L = this.rbms.length;
    const encoder: DenseLayer[] = this.rbms.map((rbm, i) => ({
      W: o.add(rbm.W, 0),
      b: o.add(rbm.hiddenBias, 0),
      activation: i === L - 1 ? ('linear' as const) : ('sigmoid' as const),
    }));
    const decoder: DenseLayer[] = [...this.rbms].reverse().map((rbm) => ({
      W: o.transpose(rbm.W),
      b: o.add(rbm.visibleBias, 0),
      activation: 'sigmoid' as const,
    }));
    this.net = new FeedForwardNet(o, [...encoder, ...decoder]);
    return this.net;
  }

  private requireNet(): FeedForwardNet {
    return this.net ?? this.unroll();
  }

  /** Fine-tunes the unrolled network on the reconstruction cross-entropy of `input`. */
  fineTune(
    input: MatrixInput,
    options: FineTuneOptions,
    hooks?: { onEpoch?: (e: FineTuneEpoch) => void },
  ): Promise<FineTuneEpoch[]> {
    return fineTune(
      this.requireNet(),
      input,
      { data: input },
      'sigmoid-cross-entropy',
      options,
      hooks,
    );
  }

  /** Codes `[batch, codeSize]`. */
  encode(x: Tensor): Tensor {
    return this.requireNet().forwardTo(x, this.rbms.length);
  }

  /** Data probabilities from codes. */
  decode(code: Tensor): Tensor {
    const net = this.requireNet();
    const o = this.ops;
    return o.tidy(() => {
      let x = code;
      for (const layer of net.layers.slice(this.rbms.length))
        x = o.linear(x, layer.W, layer.b, { activation: 'sigmoid' });
      return x;
    });
  }

  reconstruct(x: Tensor): Tensor {
    return this.requireNet().forward(x);
  }

  dispose(): void {
    for (const r of this.rbms) r.dispose();
    this.net?.dispose();
  }
}
