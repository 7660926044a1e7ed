import {
  DeepBeliefError,
  type Ops,
  type SeededRandom,
  ShapeError,
  type Tensor,
} from '@deepbelief/core';
import { type MatrixInput, type MatrixSource, RBM, toMatrixSource } from '@deepbelief/rbm';
import {
  type DenseLayer,
  FeedForwardNet,
  type FineTuneEpoch,
  type FineTuneOptions,
  type FineTuneTargets,
  fineTune,
  type Loss,
} from './feedforward.js';
import { type StackOptions, StackTrainer } from './stack.js';

/**
 * What an autoencoder's input and code are:
 * - `input`: `binary` (pixel intensities in [0, 1], Bernoulli visibles, sigmoid output and
 *   cross-entropy) or `word-counts` (replicated-softmax visibles, softmax output over the
 *   vocabulary and the cross-entropy of each document's word distribution);
 * - `code`: `linear` (Gaussian hidden units in the top RBM, real-valued codes, as for
 *   dimensionality reduction) or `binary` (logistic code units, trained with deterministic
 *   noise on their inputs so they saturate: semantic hashing's memory addresses).
 */
export interface AutoencoderKind {
  readonly input?: 'binary' | 'word-counts';
  readonly code?: 'linear' | 'binary';
}

/** Standard deviation of the code units' deterministic noise (semantic hashing's N(0, 16)). */
export const DEFAULT_CODE_NOISE = 4;

/**
 * A deep autoencoder (Hinton & Salakhutdinov 2006): a stack of RBMs pre-trained greedily
 * (the top one with linear, Gaussian hidden units for the code), unrolled into an encoder
 * and a decoder initialised with the transposed weights and the generative biases, then
 * fine-tuned on the reconstruction cross-entropy.
 *
 * With `{ input: 'word-counts', code: 'binary' }` it is the semantic-hashing model of
 * Salakhutdinov & Hinton (2009): a replicated-softmax RBM at the bottom, logistic code
 * units, and deterministic Gaussian noise on the code units' inputs during fine-tuning;
 * {@link DeepAutoencoder.binaryCodes} thresholds the codes at 0.5.
 */
export class DeepAutoencoder {
  readonly ops: Ops;
  /** Encoder sizes, e.g. `[784, 1000, 500, 250, 30]`. */
  readonly sizes: readonly number[];
  readonly input: 'binary' | 'word-counts';
  readonly code: 'linear' | 'binary';
  readonly rbms: RBM[];
  /** The unrolled network (encoder layers then decoder layers), after {@link DeepAutoencoder.unroll}. */
  net: FeedForwardNet | null = null;
  /**
   * For word-count input: the word of each input column, so that new text can be encoded
   * (saved in model files). Null when unknown.
   */
  vocabulary: readonly string[] | null = null;

  constructor(ops: Ops, sizes: readonly number[], rng: SeededRandom, kind: AutoencoderKind = {}) {
    if (sizes.length < 2)
      throw new DeepBeliefError('DeepAutoencoder: at least two sizes are needed');
    this.ops = ops;
    this.sizes = [...sizes];
    this.input = kind.input ?? 'binary';
    this.code = kind.code ?? 'linear';
    if (this.input !== 'binary' && this.input !== 'word-counts')
      throw new DeepBeliefError(
        `DeepAutoencoder: input must be 'binary' or 'word-counts', got '${String(this.input)}'`,
      );
    if (this.code !== 'linear' && this.code !== 'binary')
      throw new DeepBeliefError(
        `DeepAutoencoder: code must be 'linear' or 'binary', got '${String(this.code)}'`,
      );
    this.rbms = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const top = i + 2 === sizes.length;
      this.rbms.push(
        new RBM(
          ops,
          {
            visible: sizes[i]!,
            visibleType:
              i === 0 && this.input === 'word-counts' ? 'replicated-softmax' : 'bernoulli',
            hidden: sizes[i + 1]!,
            hiddenType: top && this.code === 'linear' ? 'gaussian' : 'bernoulli',
          },
          rng,
        ),
      );
    }
  }

  /** The kind, as saved in model files. */
  get kind(): Required<AutoencoderKind> {
    return { input: this.input, code: this.code };
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

  /**
   * Builds the encoder–decoder network from the RBMs (decoder weights are transposed copies).
   * A word-count RBM's input D·c + vW to its hidden units equals v(W + 1cᵀ) (D = Σᵢ vᵢ), so
   * its encoder layer is the dense layer W + 1cᵀ without bias; its decoder layer is the
   * softmax over the vocabulary.
   */
  unroll(): FeedForwardNet {
    const o = this.ops;
    this.net?.dispose();
    const L = this.rbms.length;
    const encoder: DenseLayer[] = this.rbms.map((rbm, i) =>
      rbm.wordCounts
        ? {
            W: o.add(rbm.W, rbm.hiddenBias),
            b: o.zeros(rbm.hiddenBias.shape),
            activation: 'sigmoid' as const,
          }
        : {
            W: o.add(rbm.W, 0),
            b: o.add(rbm.hiddenBias, 0),
            activation: i === L - 1 && this.code === 'linear' ? 'linear' : 'sigmoid',
          },
    );
    const decoder: DenseLayer[] = [...this.rbms].reverse().map((rbm) => ({
      W: o.transpose(rbm.W),
      b: o.add(rbm.visibleBias, 0),
      activation: rbm.wordCounts ? ('softmax' as const) : ('sigmoid' as const),
    }));
    this.net = new FeedForwardNet(o, [...encoder, ...decoder]);
    return this.net;
  }

  private requireNet(): FeedForwardNet {
    return this.net ?? this.unroll();
  }

  /**
   * Fine-tunes the unrolled network on the reconstruction cross-entropy of `input` (for word
   * counts, of each document's word distribution v/D). Binary codes get deterministic noise
   * of standard deviation {@link DEFAULT_CODE_NOISE} on the code units' inputs unless
   * `options.codeNoise` says otherwise.
   */
  fineTune(
    input: MatrixInput,
    options: FineTuneOptions,
    hooks?: { onEpoch?: (e: FineTuneEpoch) => void },
  ): Promise<FineTuneEpoch[]> {
    const { targets, loss, options: resolved } = this.fineTuneSetup(input, options);
    return fineTune(this.requireNet(), input, targets, loss, resolved, hooks);
  }

  /**
   * What {@link DeepAutoencoder.fineTune} passes to `fineTune`/`fineTuneTrainer`: the targets,
   * the loss, and the options with the code noise filled in.
   */
  fineTuneSetup(
    input: MatrixInput,
    options: FineTuneOptions,
  ): { targets: FineTuneTargets; loss: Loss; options: FineTuneOptions } {
    const codeLayer = this.rbms.length - 1;
    const withNoise: FineTuneOptions =
      this.code === 'binary' && options.codeNoise === undefined
        ? { ...options, codeNoise: { layer: codeLayer, std: DEFAULT_CODE_NOISE } }
        : options;
    if (this.input === 'word-counts')
      return {
        targets: { data: wordDistributions(toMatrixSource(input)) },
        loss: 'softmax-cross-entropy',
        options: withNoise,
      };
    return { targets: { data: input }, loss: 'sigmoid-cross-entropy', options: withNoise };
  }

  /** Codes `[batch, codeSize]`. */
  encode(x: Tensor): Tensor {
    return this.requireNet().forwardTo(x, this.rbms.length);
  }

  /**
   * Binary codes `[batch, bits]` (0/1): the code layer's outputs thresholded at 0.5, the
   * documents' memory addresses. For `code: 'binary'` autoencoders.
   */
  binaryCodes(x: Tensor): Tensor {
    if (this.code !== 'binary')
      throw new DeepBeliefError(
        "binaryCodes: this autoencoder has linear codes; build it with { code: 'binary' }",
      );
    const o = this.ops;
    return o.tidy(() => o.greaterEqual(this.encode(x), 0.5));
  }

  /** Data probabilities (for word counts: word distributions) from codes. */
  decode(code: Tensor): Tensor {
    const net = this.requireNet();
    const o = this.ops;
    return o.tidy(() => {
      let x = code;
      for (const layer of net.layers.slice(this.rbms.length)) {
        const z = o.linear(x, layer.W, layer.b);
        x = layer.activation === 'softmax' ? o.softmax(z, 1) : o.sigmoid(z);
      }
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

/** Word counts as word distributions: each row divided by its total (an empty row stays 0). */
export function wordDistributions(counts: MatrixSource): MatrixSource {
  return {
    rows: counts.rows,
    cols: counts.cols,
    readRows(indices, out) {
      counts.readRows(indices, out);
      const c = counts.cols;
      for (let r = 0; r < indices.length; r++) {
        let total = 0;
        for (let j = 0; j < c; j++) total += out[r * c + j]!;
        if (total > 0) for (let j = 0; j < c; j++) out[r * c + j]! /= total;
      }
    },
  };
}
