import { DeepBeliefError, type Tensor } from '@deepbelief/core';
import type { RBM } from './rbm.js';

/** Largest layer size {@link exactLogPartition} will enumerate (2^25 ≈ 33 million states). */
export const MAX_EXACT_UNITS = 25;

/** All 2^n binary vectors, rows `[start, start + count)` of the enumeration, as a Float32Array. */
function binaryStates(n: number, start: number, count: number): Float32Array {
  const out = new Float32Array(count * n);
  for (let r = 0; r < count; r++) {
    const x = start + r;
    for (let j = 0; j < n; j++) out[r * n + j] = Math.floor(x / 2 ** j) % 2;
  }
  return out;
}

/** logΣexp of numbers, stable. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Exact log partition function log Z of a small RBM with binary hidden units and Bernoulli
 * or softmax visible units, by enumerating the smaller of the two layers in batches:
 * over hidden states, log Z = logΣ_h [cᵀh + Σ_groups log Σ_v exp(vᵀ(b + Wh))]; over visible
 * states (Bernoulli visibles), log Z = logΣ_v −F(v). Computed in float32 per batch and
 * combined in float64.
 */
export function exactLogPartition(rbm: RBM, options: { batch?: number } = {}): number {
  const nv = rbm.numVisible;
  const nh = rbm.numHidden;
  if (
    rbm.hiddenType !== 'bernoulli' ||
    rbm.segments.some((s) => s.type === 'gaussian' || s.type === 'replicated-softmax')
  ) {
    throw new DeepBeliefError(
      'exactLogPartition: needs binary hidden units and Bernoulli/softmax visible units',
    );
  }
  const onlyBernoulli = rbm.segments.every((s) => s.type === 'bernoulli');
  const overVisible = onlyBernoulli && nv < nh;
  const n = overVisible ? nv : nh;
  if (n > MAX_EXACT_UNITS) {
    throw new DeepBeliefError(
      `exactLogPartition: the smaller layer has ${n} units; enumerating 2^${n} states is too much (limit ${MAX_EXACT_UNITS}). Use AIS instead.`,
    );
  }
  const o = rbm.ops;
  const total = 2 ** n;
  const batch = Math.min(options.batch ?? 4096, total);
  let logZ = -Infinity;
  for (let start = 0; start < total; start += batch) {
    const count = Math.min(batch, total - start);
    const part = o.tidy(() => {
      const states = o.fromArray(binaryStates(n, start, count), [count, n]);
      if (overVisible) return o.item(o.logSumExp(o.neg(rbm.freeEnergy(states))));
      // a = b + W h for each hidden state: [count, nv]
      const a = o.linear(states, rbm.W, rbm.visibleBias, { transposeW: true });
      const visibleTerms = rbm.segments.map((s) => {
        const x = rbm.segments.length === 1 ? a : o.sliceColumns(a, s.start, s.end);
        return s.type === 'bernoulli' ? o.sum(o.softplus(x), 1) : o.logSumExp(x, 1);
      });
      let logp = o.sum(o.mul(states, rbm.hiddenBias), 1);
      for (const t of visibleTerms) logp = o.add(logp, t);
      return o.item(o.logSumExp(logp));
    }) as number;
    logZ = logAddExp(logZ, part);
  }
  return logZ;
}

/** Average log-likelihood of `v` (nats per example) given log Z: mean(−F(v)) − log Z. */
export function averageLogLikelihood(rbm: RBM, v: Tensor, logZ: number): number {
  const o = rbm.ops;
  return (o.tidy(() => -o.item(o.mean(rbm.freeEnergy(v)))) as number) - logZ;
}

/** Exact average log-likelihood of `v` for a small RBM (see {@link exactLogPartition}). */
export function exactLogLikelihood(rbm: RBM, v: Tensor): { logZ: number; logLikelihood: number } {
  const logZ = exactLogPartition(rbm);
  return { logZ, logLikelihood: averageLogLikelihood(rbm, v, logZ) };
}
