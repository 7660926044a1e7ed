import {
  DeepBeliefError,
  type Ops,
  type SeededRandom,
  ShapeError,
  type Tensor,
} from '@deepbelief/core';
import { type MatrixInput, RBM, toMatrixSource } from '@deepbelief/rbm';
import { checkLabels, type Labels, withOneHot } from './data.js';
import { type StackOptions, StackTrainer } from './stack.js';

/** Architecture of a {@link DBN}. */
export interface DBNConfig {
  /** Layer sizes bottom-up, e.g. `[784, 500, 500, 2000]`: the last two form the top RBM. */
  readonly sizes: readonly number[];
  /** Softmax label units joined to the top RBM's visible layer (10 for MNIST), or 0/undefined. */
  readonly labels?: number;
  /** Type of the data units (default `bernoulli`). */
  readonly visibleType?: 'bernoulli' | 'gaussian';
}

/** Options of {@link DBN.generate}. */
export interface GenerateOptions {
  readonly rng: SeededRandom;
  /** Chains per label (default 1). */
  readonly count?: number;
  /** Gibbs iterations in the top RBM (default 200). */
  readonly gibbsSteps?: number;
  /**
   * What goes down from the top RBM: the chain's binary penultimate states (default, as in
   * the paper) or their probabilities given the last hidden state.
   */
  readonly penultimate?: 'samples' | 'probabilities';
  /**
   * Where each chain starts: random binary penultimate states (default, as in the paper), or
   * every penultimate unit off (`'label'`), so that the first hidden state is drawn from the
   * clamped label alone. From the label the chains reach their digit in fewer steps
   * (`results/dbn2006/README.md`).
   */
  readonly start?: 'random' | 'label';
}

/** Generative (top-down) parameters of a layer once untied from the recognition weights. */
export interface GenerativeLayer {
  /** `[below, above]`: p(below|above) = σ(above · Wᵀ + bias). */
  W: Tensor;
  /** `[1, below]`. */
  b: Tensor;
}

/**
 * A Deep Belief Network: a stack of RBMs trained greedily, the top one an undirected
 * associative memory (optionally with softmax label units, as in Hinton, Osindero & Teh
 * 2006), the lower ones directed: recognition weights up, generative weights down. After
 * pre-training both directions share each RBM's W; {@link DBN.untie} separates them for
 * wake-sleep fine-tuning.
 */
export class DBN {
  readonly ops: Ops;
  /** RBMs bottom-up; `layers[i]` connects `sizes[i]` and `sizes[i+1]`. The last is the top RBM. */
  readonly layers: RBM[];
  readonly sizes: readonly number[];
  readonly numLabels: number;
  /** Untied generative weights of the directed layers (null while tied). */
  generative: GenerativeLayer[] | null = null;

  constructor(ops: Ops, config: DBNConfig, rng: SeededRandom) {
    const { sizes } = config;
    if (!Array.isArray(sizes) || sizes.length < 2)
      throw new DeepBeliefError('sizes: a DBN needs at least two layer sizes');
    sizes.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 1)
        throw new DeepBeliefError(`sizes[${i}]: expected a positive integer, got ${n}`);
    });
    const labels = config.labels ?? 0;
    if (!Number.isInteger(labels) || labels < 0 || labels === 1) {
      throw new DeepBeliefError(`labels: expected 0 or an integer ≥ 2, got ${labels}`);
    }
    this.ops = ops;
    this.sizes = [...sizes];
    this.numLabels = labels;
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const top = i + 2 === sizes.length;
      const visible =
        top && labels > 0
          ? [
              {
                type: i === 0 ? (config.visibleType ?? 'bernoulli') : 'bernoulli',
                size: sizes[i]!,
              },
              { type: 'softmax' as const, size: labels },
            ]
          : [
              {
                type: i === 0 ? (config.visibleType ?? 'bernoulli') : 'bernoulli',
                size: sizes[i]!,
              },
            ];
      this.layers.push(new RBM(ops, { visible, hidden: sizes[i + 1]! }, rng));
    }
  }

  /** The top (undirected) RBM. */
  get top(): RBM {
    return this.layers[this.layers.length - 1]!;
  }

  /** Number of units in the layer below the top RBM (its non-label visible units). */
  get penultimateSize(): number {
    return this.sizes[this.sizes.length - 2]!;
  }

  /**
   * Greedy layer-wise pre-training (Hinton et al. 2006): layer 0 on the data, each next
   * layer on the hidden probabilities of the one below (or samples with
   * `propagate: 'samples'`); the top RBM sees the penultimate features joined with one-hot
   * labels. Returns each layer's epoch history.
   */
  async pretrain(input: MatrixInput, options: StackOptions & { readonly labels?: Labels }) {
    return this.pretrainer(input, options).fit();
  }

  /**
   * The trainer of {@link DBN.pretrain}, for callers that stop and resume: its
   * `getState()` (with the DBN's weights, `encodePretrainCheckpoint`) continues mid-layer.
   */
  pretrainer(
    input: MatrixInput,
    options: StackOptions & { readonly labels?: Labels },
  ): StackTrainer {
    const source = toMatrixSource(input);
    if (source.cols !== this.sizes[0])
      throw new ShapeError(
        `pretrain: data has ${source.cols} columns, the DBN expects ${this.sizes[0]}`,
      );
    if (this.numLabels > 0) {
      if (!options.labels)
        throw new DeepBeliefError('pretrain: this DBN has label units, so labels are required');
      checkLabels(options.labels, source.rows, this.numLabels);
    }
    const K = this.numLabels;
    return new StackTrainer(this.layers, source, options, (l, features) =>
      l === this.layers.length - 1 && K > 0 ? withOneHot(features, options.labels!, K) : features,
    );
  }

  /** Bottom-up recognition pass: p(h|v) through the directed layers to the penultimate layer. */
  up(v: Tensor): Tensor {
    if (v.cols !== this.sizes[0])
      throw new ShapeError(`up: expected ${this.sizes[0]} columns, got [${v.shape.join(', ')}]`);
    const o = this.ops;
    return o.tidy(() => {
      let x = v;
      for (let l = 0; l + 1 < this.layers.length; l++) x = this.layers[l]!.hiddenProbabilities(x);
      return x === v ? o.add(v, 0) : x;
    });
  }

  /** Top-down generative pass from penultimate states to data probabilities. */
  down(h: Tensor): Tensor {
    if (h.cols !== this.penultimateSize) {
      throw new ShapeError(
        `down: expected ${this.penultimateSize} columns, got [${h.shape.join(', ')}]`,
      );
    }
    const o = this.ops;
    return o.tidy(() => {
      let x = h;
      for (let l = this.layers.length - 2; l >= 0; l--) {
        const g = this.generative?.[l];
        x = g
          ? o.linear(x, g.W, g.b, { transposeW: true, activation: 'sigmoid' })
          : this.layers[l]!.visibleProbabilities(x);
      }
      return x === h ? o.add(h, 0) : x;
    });
  }

  /**
   * −F(x, y) of the top RBM for every label y: `[batch, labels]`, where x are penultimate
   * features. Exact, no sampling: F(x,y) = −bₓᵀx − b_y − Σⱼ softplus(cⱼ + xᵀWₓ:ⱼ + W_yⱼ).
   */
  labelScores(features: Tensor): Tensor {
    if (this.numLabels === 0) throw new DeepBeliefError('labelScores: this DBN has no label units');
    const o = this.ops;
    const top = this.top;
    const n = this.penultimateSize;
    return o.tidy(() => {
      const Wx = o.sliceRows(top.W, 0, n);
      const Wy = o.sliceRows(top.W, n, n + this.numLabels);
      const bx = o.sliceColumns(top.visibleBias, 0, n);
      const by = o.sliceColumns(top.visibleBias, n, n + this.numLabels);
      const base = o.linear(features, Wx, top.hiddenBias); // [batch, hidden]
      const common = o.sum(o.mul(features, bx), 1); // [batch, 1]
      const cols = [];
      for (let y = 0; y < this.numLabels; y++) {
        const wy = o.sliceRows(Wy, y, y + 1);
        cols.push(o.add(o.sum(o.softplus(o.add(base, wy)), 1), o.sliceColumns(by, y, y + 1)));
      }
      return o.add(o.concatColumns(cols), common);
    });
  }

  /** p(y | v) from the free energies of the top RBM: `[batch, labels]`. */
  labelProbabilities(v: Tensor): Tensor {
    const o = this.ops;
    return o.tidy(() => o.softmax(this.labelScores(this.up(v)), 1));
  }

  /** The label with the lowest top-RBM free energy for each row of `v`. */
  classify(v: Tensor): Int32Array {
    const o = this.ops;
    const idx = o.tidy(() => o.read(o.argmax(this.labelScores(this.up(v)), 1)));
    return Int32Array.from(idx);
  }

  /**
   * Generates data with the label units clamped (Hinton, Osindero & Teh 2006, figure 8):
   * block Gibbs sampling in the top RBM for `gibbsSteps` iterations (default 200) from random
   * penultimate states, then the final *binary* penultimate states (or, with
   * `penultimate: 'probabilities'`, their probabilities) are propagated down once through the
   * generative weights. `labels` is one label or a list: `count` chains per label (default 1),
   * all run side by side, rows ordered label by label. Returns pixel probabilities
   * `[labels × count, sizes[0]]`.
   */
  generate(labels: number | readonly number[], options: GenerateOptions): Tensor {
    if (this.numLabels === 0)
      throw new DeepBeliefError('generate: this DBN has no label units to clamp');
    const list = typeof labels === 'number' ? [labels] : [...labels];
    if (list.length === 0) throw new DeepBeliefError('generate: no label to clamp');
    for (const label of list) {
      if (!Number.isInteger(label) || label < 0 || label >= this.numLabels) {
        throw new DeepBeliefError(`generate: label ${label} is outside [0, ${this.numLabels - 1}]`);
      }
    }
    const { rng } = options;
    const count = options.count ?? 1;
    const steps = options.gibbsSteps ?? 200;
    if (!Number.isInteger(count) || count < 1)
      throw new DeepBeliefError(`generate: count must be a positive integer, got ${count}`);
    const penultimate = options.penultimate ?? 'samples';
    const startFrom = options.start ?? 'random';
    if (startFrom !== 'random' && startFrom !== 'label')
      throw new DeepBeliefError(
        `generate: start must be 'random' or 'label', got '${String(startFrom)}'`,
      );
    if (penultimate !== 'samples' && penultimate !== 'probabilities')
      throw new DeepBeliefError(
        `generate: penultimate must be 'samples' or 'probabilities', got '${String(penultimate)}'`,
      );
    const o = this.ops;
    const n = this.penultimateSize;
    const K = this.numLabels;
    const rows = list.length * count;
    return o.tidy(() => {
      const mask = new Float32Array(n + K).fill(1, n);
      const values = new Float32Array(rows * (n + K));
      list.forEach((label, i) => {
        for (let c = 0; c < count; c++) values[(i * count + c) * (n + K) + n + label] = 1;
      });
      const first =
        startFrom === 'random' ? o.bernoulli(o.fill([rows, n], 0.5), rng) : o.zeros([rows, n]);
      const start = o.concatColumns([first, o.zeros([rows, K])]);
      const chain = this.top.gibbs(start, {
        steps,
        rng,
        clamp: {
          mask: o.fromArray(mask, [1, n + K]),
          values: o.fromArray(values, [rows, n + K]),
        },
      });
      const source = penultimate === 'samples' ? chain.visible : chain.visibleProbabilities;
      return this.down(o.sliceColumns(source, 0, n));
    });
  }

  /** Separates generative from recognition weights (copies) for every directed layer. */
  untie(): void {
    if (this.generative) return;
    const o = this.ops;
    this.generative = this.layers.slice(0, -1).map((rbm) => ({
      W: o.keep(o.add(rbm.W, 0)),
      b: o.keep(o.add(rbm.visibleBias, 0)),
    }));
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
    if (this.generative) this.ops.dispose(this.generative.map((g) => [g.W, g.b]));
  }
}
