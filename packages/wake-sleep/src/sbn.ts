import {
  DeepBeliefError,
  type Ops,
  type SeededRandom,
  ShapeError,
  type Tensor,
} from '@deepbelief/core';
import type { DirectedWeights } from './rules.js';

/**
 * A sigmoid belief network (Neal 1992) with a separate recognition model, the model plain
 * wake-sleep (Hinton, Dayan, Frey & Neal 1995) trains: a factorial prior σ(b_top) on the top
 * layer, generative weights down, recognition weights up.
 */
export class SigmoidBeliefNet {
  readonly ops: Ops;
  readonly sizes: readonly number[];
  /** `recognition[l]`: layer l → l+1, W `[sizes[l], sizes[l+1]]`. */
  readonly recognition: DirectedWeights[];
  /** `generative[l]`: layer l+1 → l, W `[sizes[l], sizes[l+1]]`, b `[1, sizes[l]]`. */
  readonly generative: DirectedWeights[];
  /** Prior biases of the top layer `[1, top]`. */
  topBias: Tensor;

  constructor(ops: Ops, sizes: readonly number[], rng: SeededRandom, std = 0.01) {
    if (sizes.length < 2)
      throw new DeepBeliefError('SigmoidBeliefNet: at least two layer sizes are needed');
    sizes.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 1)
        throw new DeepBeliefError(`sizes[${i}]: expected a positive integer, got ${n}`);
    });
    this.ops = ops;
    this.sizes = [...sizes];
    this.recognition = [];
    this.generative = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.recognition.push({
        W: ops.keep(ops.randomNormal([sizes[l]!, sizes[l + 1]!], rng, 0, std)),
        b: ops.keep(ops.zeros([1, sizes[l + 1]!])),
      });
      this.generative.push({
        W: ops.keep(ops.randomNormal([sizes[l]!, sizes[l + 1]!], rng, 0, std)),
        b: ops.keep(ops.zeros([1, sizes[l]!])),
      });
    }
    this.topBias = ops.keep(ops.zeros([1, sizes[sizes.length - 1]!]));
  }

  /** Ancestral samples: top from the prior, then down; returns visible probabilities `[count, sizes[0]]`. */
  sample(count: number, rng: SeededRandom): Tensor {
    const o = this.ops;
    return o.tidy(() => {
      let s = o.bernoulli(o.sigmoid(o.add(o.zeros([count, this.topBias.cols]), this.topBias)), rng);
      for (let l = this.generative.length - 1; l >= 0; l--) {
        const g = this.generative[l]!;
        const p = o.linear(s, g.W, g.b, { transposeW: true, activation: 'sigmoid' });
        s = l === 0 ? p : o.bernoulli(p, rng);
      }
      return s;
    });
  }

  /**
   * Exact log p(v) averaged over the rows of `v` (nats), by enumerating every hidden
   * configuration: for tiny networks (≤ 20 hidden units in all) and tests.
   */
  exactLogLikelihood(v: Tensor): number {
    const hiddenSizes = this.sizes.slice(1);
    const total = hiddenSizes.reduce((s, n) => s + n, 0);
    if (total > 20)
      throw new DeepBeliefError(
        `exactLogLikelihood: ${total} hidden units are too many to enumerate (limit 20)`,
      );
    if (v.cols !== this.sizes[0])
      throw new ShapeError(`exactLogLikelihood: expected ${this.sizes[0]} columns`);
    const o = this.ops;
    const configs = 2 ** total;
    return o.tidy(() => {
      // all hidden configurations as one matrix per layer: [configs, size]
      const layers: Tensor[] = [];
      let offset = 0;
      for (const n of hiddenSizes) {
        const d = new Float32Array(configs * n);
        for (let c = 0; c < configs; c++)
          for (let j = 0; j < n; j++) d[c * n + j] = Math.floor(c / 2 ** (offset + j)) % 2;
        layers.push(o.fromArray(d, [configs, n]));
        offset += n;
      }
      const logBern = (x: Tensor, logits: Tensor) =>
        o.sum(
          o.add(o.mul(x, o.logSigmoid(logits)), o.mul(o.rsub(1, x), o.logSigmoid(o.neg(logits)))),
          1,
        );
      // log p(h) for every configuration: [configs, 1]
      let logPrior = logBern(
        layers.at(-1)!,
        o.add(o.zeros([configs, this.topBias.cols]), this.topBias),
      );
      for (let l = this.generative.length - 1; l >= 1; l--) {
        const g = this.generative[l]!;
        logPrior = o.add(
          logPrior,
          logBern(layers[l - 1]!, o.linear(layers[l]!, g.W, g.b, { transposeW: true })),
        );
      }
      // log p(v | h1) for every row and configuration: [rows, configs]
      const g0 = this.generative[0]!;
      const logits = o.linear(layers[0]!, g0.W, g0.b, { transposeW: true }); // [configs, visible]
      const a = o.matmul(v, o.logSigmoid(logits), { transposeB: true });
      const b = o.matmul(o.rsub(1, v), o.logSigmoid(o.neg(logits)), { transposeB: true });
      const joint = o.add(o.add(a, b), o.transpose(logPrior));
      return o.item(o.mean(o.logSumExp(joint, 1)));
    });
  }

  dispose(): void {
    this.ops.dispose([
      ...this.recognition.map((r) => [r.W, r.b]),
      ...this.generative.map((g) => [g.W, g.b]),
      this.topBias,
    ]);
  }
}
