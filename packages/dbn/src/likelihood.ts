import { DeepBeliefError, type SeededRandom, ShapeError, type Tensor } from '@deepbelief/core';
import type { DBN } from './dbn.js';

/** Options of {@link dbnLogLikelihoodBound}. */
export interface DbnBoundOptions {
  /** log Z of the top RBM: AIS (`annealedImportanceSampling(dbn.top, …)`) or exact for small ones. */
  readonly logZ: number;
  /** Samples of the recognition posterior per image (default 100). */
  readonly samples?: number;
  readonly rng: SeededRandom;
}

/** The bound, averaged over the images, and per image. */
export interface DbnBound {
  /** Mean over the images of the estimated lower bound on log p(v), in nats. */
  readonly bound: number;
  readonly perImage: Float64Array;
}

/**
 * A variational lower bound on the log-probability a DBN gives to binary data
 * (Salakhutdinov & Murray 2008, section 5; Hinton, Osindero & Teh 2006): with the factorial
 * recognition posterior Q(h¹…h^D | v) = Πₗ Q(hˡ | hˡ⁻¹), Q(hˡⱼ = 1 | hˡ⁻¹) = σ(cⱼ + hˡ⁻¹·W:ⱼ),
 *
 *   log p(v) ≥ E_Q[ −F_top(h^D) − log Z + Σₗ log p(hˡ⁻¹ | hˡ) − log Q(h | v) ],
 *
 * where F_top is the free energy of the top RBM over its visible (penultimate) layer, Z its
 * partition function and p(hˡ⁻¹ | hˡ) the directed generative conditionals (the untied
 * generative weights after up-down, the tied RBM weights before). The expectation is estimated
 * from `samples` draws of Q per image; each −log Q(hˡ | hˡ⁻¹) is replaced by its conditional
 * entropy given the sampled hˡ⁻¹, which has the same expectation and less variance. Every term
 * uses stable forms (x·a − softplus(a) for log-Bernoulli with logits a, softplus(a) − σ(a)·a
 * for its entropy).
 *
 * For DBNs without label units (the top RBM's visible layer is the penultimate layer);
 * `v` must be binary.
 */
export function dbnLogLikelihoodBound(dbn: DBN, v: Tensor, options: DbnBoundOptions): DbnBound {
  if (dbn.numLabels > 0)
    throw new DeepBeliefError(
      'dbnLogLikelihoodBound: the bound is implemented for DBNs without label units (p(v) would sum over the labels)',
    );
  if (v.cols !== dbn.sizes[0])
    throw new ShapeError(
      `dbnLogLikelihoodBound: expected ${dbn.sizes[0]} columns, got [${v.shape.join(', ')}]`,
    );
  if (!Number.isFinite(options.logZ))
    throw new DeepBeliefError(`dbnLogLikelihoodBound: logZ must be finite, got ${options.logZ}`);
  const samples = options.samples ?? 100;
  if (!Number.isInteger(samples) || samples < 1)
    throw new DeepBeliefError(
      `dbnLogLikelihoodBound: samples must be a positive integer, got ${samples}`,
    );
  const o = dbn.ops;
  const nonBinary = o.tidy(() => o.item(o.sum(o.abs(o.mul(v, o.rsub(1, v))))));
  if (nonBinary !== 0)
    throw new DeepBeliefError(
      'dbnLogLikelihoodBound: the data must be binary (0/1): a DBN with Bernoulli units gives probabilities to binary vectors only; binarise it first (binarizeAs in @deepbelief/datasets)',
    );
  const depth = dbn.layers.length - 1;
  const total = o.keep(o.zeros([v.rows, 1]));
  let sum = total;
  for (let s = 0; s < samples; s++) {
    const next = o.tidy(() => {
      let below = v;
      let terms: Tensor = o.zeros([v.rows, 1]);
      for (let l = 0; l < depth; l++) {
        const r = dbn.layers[l]!;
        const q = o.linear(below, r.W, r.hiddenBias); // recognition logits
        // conditional entropy of Q(hˡ | hˡ⁻¹): softplus(a) − σ(a)·a
        terms = o.add(terms, o.sum(o.sub(o.softplus(q), o.mul(o.sigmoid(q), q)), 1));
        const above = o.bernoulli(o.sigmoid(q), options.rng);
        const g = dbn.generative?.[l] ?? { W: r.W, b: r.visibleBias };
        const a = o.linear(above, g.W, g.b, { transposeW: true }); // generative logits
        // log p(hˡ⁻¹ | hˡ) = Σ x·a − softplus(a)
        terms = o.add(terms, o.sum(o.sub(o.mul(below, a), o.softplus(a)), 1));
        below = above;
      }
      return o.keep(o.sub(terms, dbn.top.freeEnergy(below)));
    });
    const old = sum;
    sum = o.keep(o.add(old, next));
    o.dispose([old, next]);
  }
  const perImageSums = o.read(sum);
  sum.dispose();
  const perImage = new Float64Array(v.rows);
  let mean = 0;
  for (let i = 0; i < v.rows; i++) {
    perImage[i] = perImageSums[i]! / samples - options.logZ;
    mean += perImage[i]! / v.rows;
  }
  return { bound: mean, perImage };
}
