import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { RBM } from './rbm.js';
import { enumerate } from './test-utils.js';

const ops = new Ops(createJsBackend());

/** An RBM with larger random parameters, so conditionals are far from 1/2. */
function randomRBM(config: ConstructorParameters<typeof RBM>[1], seed = 1): RBM {
  const rng = new SeededRandom(seed);
  const rbm = new RBM(ops, config, rng, 1);
  rbm.replace('visibleBias', ops.randomNormal([1, rbm.numVisible], rng));
  rbm.replace('hiddenBias', ops.randomNormal([1, rbm.numHidden], rng));
  if (rbm.logSigma)
    rbm.replace('logSigma', ops.mul(ops.randomNormal([1, rbm.numVisible], rng), 0.3));
  return rbm;
}

const energies = (rbm: RBM, v: number[][], h: number[][]) =>
  Array.from(ops.read(rbm.energy(ops.tensor(v), ops.tensor(h))));

describe('RBM conditionals and free energy against direct enumeration', () => {
  it('p(h|v), p(v|h) and F(v) of a Bernoulli RBM', () => {
    const rbm = randomRBM({ visible: 4, hidden: 3 });
    const vs = enumerate(4);
    const hs = enumerate(3);
    for (const v of vs) {
      const E = energies(
        rbm,
        hs.map(() => v),
        hs,
      );
      const weights = E.map((e) => Math.exp(-e));
      const z = weights.reduce((s, w) => s + w, 0);
      const ph = ops.read(rbm.hiddenProbabilities(ops.tensor([v])));
      for (let j = 0; j < 3; j++) {
        const marginal = hs.reduce((s, h, r) => s + (h[j] ? weights[r]! : 0), 0) / z;
        expect(ph[j]).toBeCloseTo(marginal, 5);
      }
      expect(ops.item(rbm.freeEnergy(ops.tensor([v])))).toBeCloseTo(-Math.log(z), 4);
    }
    for (const h of hs) {
      const E = energies(
        rbm,
        vs,
        vs.map(() => h),
      );
      const weights = E.map((e) => Math.exp(-e));
      const z = weights.reduce((s, w) => s + w, 0);
      const pv = ops.read(rbm.visibleProbabilities(ops.tensor([h])));
      for (let i = 0; i < 4; i++) {
        const marginal = vs.reduce((s, v, r) => s + (v[i] ? weights[r]! : 0), 0) / z;
        expect(pv[i]).toBeCloseTo(marginal, 5);
      }
    }
  });

  it('a softmax label group alongside binary units (the 2006 top RBM, in miniature)', () => {
    const rbm = randomRBM(
      {
        visible: [
          { type: 'bernoulli', size: 2 },
          { type: 'softmax', size: 3 },
        ],
        hidden: 2,
      },
      2,
    );
    const legal = enumerate(2).flatMap((b) =>
      [0, 1, 2].map((k) => [...b, ...[0, 1, 2].map((j) => (j === k ? 1 : 0))]),
    );
    for (const h of enumerate(2)) {
      const E = energies(
        rbm,
        legal,
        legal.map(() => h),
      );
      const w = E.map((e) => Math.exp(-e));
      const z = w.reduce((s, x) => s + x, 0);
      const pv = ops.read(rbm.visibleProbabilities(ops.tensor([h])));
      for (let i = 0; i < 5; i++) {
        const marginal = legal.reduce((s, v, r) => s + (v[i] ? w[r]! : 0), 0) / z;
        expect(pv[i]).toBeCloseTo(marginal, 5);
      }
      expect(pv[2]! + pv[3]! + pv[4]!).toBeCloseTo(1, 6);
    }
    // F(v) = −log Σ_h e^{−E(v,h)} also with label units on
    for (const v of legal) {
      const E = energies(
        rbm,
        enumerate(2).map(() => v),
        enumerate(2),
      );
      expect(ops.item(rbm.freeEnergy(ops.tensor([v])))).toBeCloseTo(
        -Math.log(E.reduce((s, e) => s + Math.exp(-e), 0)),
        4,
      );
    }
  });

  it('Gaussian visible units with learned σ: p(h|v), F(v) and the conditional mean', () => {
    const rbm = randomRBM({ visible: 3, visibleType: 'gaussian', learnSigma: true, hidden: 3 }, 3);
    const sigma = ops.read(rbm.sigma()!);
    const v = [0.3, -1.2, 2.0];
    const hs = enumerate(3);
    const E = energies(
      rbm,
      hs.map(() => v),
      hs,
    );
    const w = E.map((e) => Math.exp(-e));
    const z = w.reduce((s, x) => s + x, 0);
    const ph = ops.read(rbm.hiddenProbabilities(ops.tensor([v])));
    for (let j = 0; j < 3; j++)
      expect(ph[j]).toBeCloseTo(hs.reduce((s, h, r) => s + (h[j] ? w[r]! : 0), 0) / z, 5);
    expect(ops.item(rbm.freeEnergy(ops.tensor([v])))).toBeCloseTo(-Math.log(z), 4);
    // mean of p(v|h) is b + σ·Wh
    const { weights, visibleBias } = rbm.getParameters();
    const h = [1, 0, 1];
    const mean = ops.read(rbm.visibleProbabilities(ops.tensor([h])));
    for (let i = 0; i < 3; i++) {
      const wh = weights[i * 3]! * h[0]! + weights[i * 3 + 2]! * h[2]!;
      expect(mean[i]).toBeCloseTo(visibleBias[i]! + sigma[i]! * wh, 5);
    }
  });

  it('Gaussian (linear) hidden units: F(v) matches numerical integration over h', () => {
    const rbm = randomRBM({ visible: 2, hidden: 1, hiddenType: 'gaussian' }, 4);
    const v = [1, 0];
    // −log ∫ e^{−E(v,h)} dh = F(v) − ½log 2π (F leaves out the normaliser)
    let integral = 0;
    const dh = 0.001;
    for (let h = -30; h <= 30; h += dh) integral += Math.exp(-energies(rbm, [v], [[h]])[0]!) * dh;
    expect(ops.item(rbm.freeEnergy(ops.tensor([v]))) - 0.5 * Math.log(2 * Math.PI)).toBeCloseTo(
      -Math.log(integral),
      3,
    );
  });

  it('free energy does not overflow for huge inputs', () => {
    const rbm = new RBM(ops, { visible: 3, hidden: 2 }, new SeededRandom(1));
    rbm.replace('W', ops.fill([3, 2], 1e4));
    const f = ops.item(rbm.freeEnergy(ops.tensor([[1, 1, 1]])));
    expect(f).toBeCloseTo(-6e4, 0);
    expect(Number.isFinite(f)).toBe(true);
  });

  it('Gibbs sampling keeps clamped units fixed and is reproducible', () => {
    const rbm = randomRBM(
      {
        visible: [
          { type: 'bernoulli', size: 4 },
          { type: 'softmax', size: 3 },
        ],
        hidden: 5,
      },
      5,
    );
    const mask = ops.tensor([[0, 0, 0, 0, 1, 1, 1]]);
    const values = ops.tensor([[0, 0, 0, 0, 0, 1, 0]]);
    const start = ops.zeros([8, 7]);
    const run = () => {
      const r = rbm.gibbs(start, { steps: 20, rng: new SeededRandom(9), clamp: { mask, values } });
      return ops.toRows(r.visible);
    };
    const a = run();
    for (const row of a) expect(row.slice(4)).toEqual([0, 1, 0]);
    expect(run()).toEqual(a);
    // unclamped softmax samples are one-hot
    const free = rbm.gibbs(start, { steps: 3, rng: new SeededRandom(1) });
    for (const row of ops.toRows(free.visible))
      expect(row.slice(4).reduce((s, x) => s + x, 0)).toBe(1);
  });

  it('rejects wrong shapes and configs with named errors', () => {
    const rbm = new RBM(ops, { visible: 4, hidden: 3 }, new SeededRandom(1));
    expect(() => rbm.hiddenProbabilities(ops.zeros([2, 5]))).toThrow(
      /expected 4 visible columns, got \[2, 5\]/,
    );
    expect(() => rbm.visibleProbabilities(ops.zeros([2, 4]))).toThrow(/expected 3 hidden columns/);
    expect(() => new RBM(ops, { visible: 0, hidden: 3 }, new SeededRandom(1))).toThrow(
      /visible\[0\]\.size/,
    );
    expect(
      () =>
        new RBM(ops, { visible: [{ type: 'softmax', size: 1 }], hidden: 3 }, new SeededRandom(1)),
    ).toThrow(/softmax group needs at least 2/);
    expect(() => new RBM(ops, { visible: 4, hidden: 2.5 }, new SeededRandom(1))).toThrow(
      /hidden: expected a positive integer/,
    );
    expect(() =>
      rbm.setParameters({
        weights: new Float32Array(3),
        visibleBias: new Float32Array(4),
        hiddenBias: new Float32Array(3),
      }),
    ).toThrow(/weights must be a Float32Array of 12 values/);
  });
});
