import { DeepBeliefError, forEachBlock, type SeededRandom, type Tensor } from '@deepbelief/core';
import { type MatrixInput, toMatrixSource } from './data.js';
import type { RBM } from './rbm.js';

/** Reconstruction errors of a batch through p(v | p(h|v)). */
export interface ReconstructionError {
  /** Mean squared error per visible unit. */
  readonly meanSquaredError: number;
  /** Cross-entropy summed over visible units, averaged over examples (nats per example); NaN unless all units are Bernoulli. */
  readonly crossEntropy: number;
}

/** Reconstruction error of `v` `[batch, visible]`. */
export function reconstructionError(rbm: RBM, v: Tensor): ReconstructionError {
  const o = rbm.ops;
  return o.tidy(() => {
    const recon = rbm.reconstruct(v);
    const mse = o.item(o.mean(o.square(o.sub(v, recon))));
    if (rbm.segments.some((s) => s.type !== 'bernoulli'))
      return { meanSquaredError: mse, crossEntropy: Number.NaN };
    const r = o.clip(recon, 1e-7, 1 - 1e-7);
    const ll = o.add(o.mul(v, o.log(r)), o.mul(o.rsub(1, v), o.log(o.rsub(1, r))));
    const xent = -o.item(o.sum(ll)) / v.rows;
    return { meanSquaredError: mse, crossEntropy: xent };
  }) as ReconstructionError;
}

/** Mean free energy of a batch. */
export function meanFreeEnergy(rbm: RBM, v: Tensor): number {
  const o = rbm.ops;
  return o.tidy(() => o.item(o.mean(rbm.freeEnergy(v))));
}

/**
 * Free-energy gap: mean F(held-out) − mean F(training subset) (practical guide §6). It grows
 * when the model starts to overfit; compare subsets of equal size from the same distribution.
 */
export function freeEnergyGap(rbm: RBM, train: Tensor, heldOut: Tensor): number {
  return meanFreeEnergy(rbm, heldOut) - meanFreeEnergy(rbm, train);
}

/**
 * Pseudo-log-likelihood of a batch of binary data, in **nats per example, summed over all
 * visible units**: PL(v) = Σᵢ log p(vᵢ | v₋ᵢ) with log p(vᵢ|v₋ᵢ) = log σ(F(ṽ⁽ⁱ⁾) − F(v)), where
 * ṽ⁽ⁱ⁾ flips unit i. It is on the scale of a log-likelihood (a 784-unit MNIST model gives
 * values around −100), not per unit.
 *
 * With `rng`, uses the stochastic estimate D·log σ(F(ṽ) − F(v)) with one random unit per
 * example (as scikit-learn's `score_samples`, which returns it per example without
 * averaging); without, the exact sum over all D units (D free-energy evaluations).
 */
export function pseudoLikelihood(rbm: RBM, v: Tensor, rng?: SeededRandom): number {
  if (rbm.segments.some((s) => s.type !== 'bernoulli')) {
    throw new DeepBeliefError('pseudoLikelihood: defined here for Bernoulli visible units only');
  }
  const o = rbm.ops;
  const D = rbm.numVisible;
  return o.tidy(() => {
    const f = rbm.freeEnergy(v);
    const flipAt = (mask: Tensor) => o.add(v, o.mul(mask, o.rsub(1, o.mul(v, 2)))); // v xor mask
    if (rng) {
      const units = new Float32Array(v.rows * D);
      for (let r = 0; r < v.rows; r++) units[r * D + rng.int(D)] = 1;
      const fFlip = rbm.freeEnergy(flipAt(o.fromArray(units, [v.rows, D])));
      return (D * o.item(o.sum(o.logSigmoid(o.sub(fFlip, f))))) / v.rows;
    }
    let total = 0;
    for (let i = 0; i < D; i++) {
      total += o.tidy(() => {
        const mask = new Float32Array(D);
        mask[i] = 1;
        const fFlip = rbm.freeEnergy(flipAt(o.fromArray(mask, [1, D])));
        return o.item(o.sum(o.logSigmoid(o.sub(fFlip, f))));
      }) as number;
    }
    return total / v.rows;
  }) as number;
}

/**
 * Reconstruction error of an RBM through p(v | p(h|v)) over every row of `input`, streamed in
 * blocks: mean squared error per visible unit, and the cross-entropy in nats per example
 * (NaN unless every visible unit is Bernoulli).
 */
export function datasetReconstructionError(rbm: RBM, input: MatrixInput): ReconstructionError {
  const source = toMatrixSource(input);
  const o = rbm.ops;
  const bernoulli = rbm.segments.every((s) => s.type === 'bernoulli');
  let squared = 0;
  let xent = 0;
  forEachBlock(o, source, (v) => {
    const recon = rbm.reconstruct(v);
    squared += o.item(o.sum(o.square(o.sub(v, recon))));
    if (bernoulli) {
      const r = o.clip(recon, 1e-7, 1 - 1e-7);
      xent -= o.item(o.sum(o.add(o.mul(v, o.log(r)), o.mul(o.rsub(1, v), o.log(o.rsub(1, r))))));
    }
  });
  return {
    meanSquaredError: squared / (source.rows * source.cols),
    crossEntropy: bernoulli ? xent / source.rows : Number.NaN,
  };
}

/** Mean of −F(v) over every row of `input` (nats per example): add −log Z for the log-likelihood. */
export function meanNegativeFreeEnergy(rbm: RBM, input: MatrixInput): number {
  const source = toMatrixSource(input);
  const o = rbm.ops;
  let total = 0;
  forEachBlock(o, source, (v) => {
    total -= o.item(o.sum(rbm.freeEnergy(v)));
  });
  return total / source.rows;
}
