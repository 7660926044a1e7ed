import { DeepBeliefError, type SeededRandom, type Tensor } from '@deepbelief/core';
import { annealedImportanceSampling } from './ais.js';
import { exactLogPartition } from './exact.js';
import type { RBM } from './rbm.js';

/** Gradient of the average log-likelihood with respect to each parameter. */
export interface Gradients {
  readonly W: Float32Array;
  readonly visibleBias: Float32Array;
  readonly hiddenBias: Float32Array;
}

function allStates(n: number): Float32Array {
  const out = new Float32Array(2 ** n * n);
  for (let r = 0; r < 2 ** n; r++)
    for (let j = 0; j < n; j++) out[r * n + j] = Math.floor(r / 2 ** j) % 2;
  return out;
}

/** <v·p(h|v)ᵀ>, <v>, <p(h|v)> under row weights `weight` `[rows, 1]` (summing to 1). */
function statistics(rbm: RBM, v: Tensor, weight: Tensor): Gradients {
  const o = rbm.ops;
  return o.tidy(() => {
    const ph = rbm.hiddenProbabilities(v);
    const wv = o.mul(v, weight);
    return {
      W: o.read(o.matmul(wv, ph, { transposeA: true })),
      visibleBias: o.read(o.sum(wv, 0)),
      hiddenBias: o.read(o.sum(o.mul(ph, weight), 0)),
    };
  }) as unknown as Gradients;
}

/**
 * The exact gradient of the average log-likelihood of `data` for a small Bernoulli RBM
 * (≤ 20 visible units), by enumerating every visible state: data statistics minus
 * statistics under the model's exact distribution p(v) = e^{−F(v)}/Z.
 */
export function exactGradient(rbm: RBM, data: Tensor): Gradients {
  if (rbm.numVisible > 20 || rbm.segments.some((s) => s.type !== 'bernoulli')) {
    throw new DeepBeliefError('exactGradient: needs at most 20 Bernoulli visible units');
  }
  const o = rbm.ops;
  const logZ = exactLogPartition(rbm);
  const pos = o.tidy(() =>
    statistics(rbm, data, o.fill([data.rows, 1], 1 / data.rows)),
  ) as unknown as Gradients;
  const neg = o.tidy(() => {
    const states = o.fromArray(allStates(rbm.numVisible), [2 ** rbm.numVisible, rbm.numVisible]);
    const p = o.exp(o.sub(o.neg(rbm.freeEnergy(states)), logZ));
    return statistics(rbm, states, p);
  }) as unknown as Gradients;
  const diff = (a: Float32Array, b: Float32Array) => a.map((x, i) => x - b[i]!);
  return {
    W: diff(pos.W, neg.W),
    visibleBias: diff(pos.visibleBias, neg.visibleBias),
    hiddenBias: diff(pos.hiddenBias, neg.hiddenBias),
  };
}

/**
 * The CD-k (or, with `chains`, PCD-style persistent-chain) estimate of the same gradient,
 * averaged over `repeats` independent estimates, without changing the RBM.
 */
export function contrastiveDivergenceGradient(
  rbm: RBM,
  data: Tensor,
  options: { k: number; rng: SeededRandom; repeats?: number },
): Gradients {
  const o = rbm.ops;
  const repeats = options.repeats ?? 1;
  const acc = {
    W: new Float32Array(rbm.numVisible * rbm.numHidden),
    visibleBias: new Float32Array(rbm.numVisible),
    hiddenBias: new Float32Array(rbm.numHidden),
  };
  for (let r = 0; r < repeats; r++) {
    o.tidy(() => {
      const ph0 = rbm.hiddenProbabilities(data);
      let h = rbm.sampleHiddenFrom(ph0, options.rng);
      let pv: Tensor = data;
      let ph: Tensor = ph0;
      for (let s = 0; s < options.k; s++) {
        pv = rbm.visibleProbabilities(h);
        ph = rbm.hiddenProbabilities(pv);
        if (s < options.k - 1) h = rbm.sampleHiddenFrom(ph, options.rng);
      }
      const n = data.rows;
      const gW = o.read(
        o.mul(
          o.sub(o.matmul(data, ph0, { transposeA: true }), o.matmul(pv, ph, { transposeA: true })),
          1 / n,
        ),
      );
      const gb = o.read(o.mean(o.sub(data, pv), 0));
      const gc = o.read(o.mean(o.sub(ph0, ph), 0));
      gW.forEach((x, i) => {
        acc.W[i]! += x / repeats;
      });
      gb.forEach((x, i) => {
        acc.visibleBias[i]! += x / repeats;
      });
      gc.forEach((x, i) => {
        acc.hiddenBias[i]! += x / repeats;
      });
    });
  }
  return acc;
}

/** Cosine similarity of two gradients (all parameters concatenated). */
export function gradientCosine(a: Gradients, b: Gradients): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const key of ['W', 'visibleBias', 'hiddenBias'] as const) {
    const x = a[key];
    const y = b[key];
    for (let i = 0; i < x.length; i++) {
      dot += x[i]! * y[i]!;
      na += x[i]! ** 2;
      nb += y[i]! ** 2;
    }
  }
  return dot / Math.sqrt(na * nb);
}

/**
 * Checks AIS against the exact log Z on a small RBM: returns both and their difference.
 * Use it to pick a temperature schedule before trusting AIS on a large model.
 */
export function compareAisWithExact(
  rbm: RBM,
  options: Parameters<typeof annealedImportanceSampling>[1],
): { exact: number; ais: number; difference: number; logZStd: number } {
  const exact = exactLogPartition(rbm);
  const ais = annealedImportanceSampling(rbm, options);
  return { exact, ais: ais.logZ, difference: ais.logZ - exact, logZStd: ais.logZStd };
}
