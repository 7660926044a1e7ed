import type { Ops, Tensor } from '@deepbelief/core';

/** A directed connection between two layers: weights `[below, above]` and a bias. */
export interface DirectedWeights {
  W: Tensor;
  b: Tensor;
}

/**
 * Generative (top-down) learning rule of wake-sleep, from wake-phase states:
 * p = σ(above·Gᵀ + g) predicts `below`; ΔG = (below − p)ᵀ·above / n, Δg = mean(below − p).
 * (Hinton et al. 1995; Hinton, Osindero & Teh 2006, appendix B: Δw_ji ∝ s_i(s_j − p_j).)
 */
export function generativeDelta(
  ops: Ops,
  below: Tensor,
  above: Tensor,
  g: DirectedWeights,
): { dW: Tensor; db: Tensor } {
  return ops.tidy(() => {
    const p = ops.linear(above, g.W, g.b, { transposeW: true, activation: 'sigmoid' });
    const err = ops.sub(below, p);
    return {
      dW: ops.mul(ops.matmul(err, above, { transposeA: true }), 1 / below.rows),
      db: ops.mean(err, 0),
    };
  });
}

/**
 * Recognition (bottom-up) learning rule, from sleep-phase states ("dreams"):
 * q = σ(below·R + r) predicts `above`; ΔR = belowᵀ·(above − q) / n, Δr = mean(above − q).
 */
export function recognitionDelta(
  ops: Ops,
  below: Tensor,
  above: Tensor,
  r: DirectedWeights,
): { dW: Tensor; db: Tensor } {
  return ops.tidy(() => {
    const q = ops.linear(below, r.W, r.b, { activation: 'sigmoid' });
    const err = ops.sub(above, q);
    return {
      dW: ops.mul(ops.matmul(below, err, { transposeA: true }), 1 / below.rows),
      db: ops.mean(err, 0),
    };
  });
}
