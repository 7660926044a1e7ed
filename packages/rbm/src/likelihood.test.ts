import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { annealedImportanceSampling, salakhutdinovMurraySchedule } from './ais.js';
import { exactLogLikelihood, exactLogPartition } from './exact.js';
import { compareAisWithExact } from './harness.js';
import { pseudoLikelihood } from './monitor.js';
import { RBM } from './rbm.js';
import { barsAndStripes, enumerate, repeatRows } from './test-utils.js';
import { RBMTrainer } from './trainer.js';

const ops = new Ops(createJsBackend());

function bruteLogZ(rbm: RBM): number {
  const vs = enumerate(rbm.numVisible);
  const hs = enumerate(rbm.numHidden);
  let z = 0;
  for (const v of vs) {
    const e = ops.read(rbm.energy(ops.tensor(hs.map(() => v)), ops.tensor(hs)));
    for (const x of e) z += Math.exp(-x);
  }
  return Math.log(z);
}

function randomRBM(nv: number, nh: number, seed: number) {
  const rng = new SeededRandom(seed);
  const rbm = new RBM(ops, { visible: nv, hidden: nh }, rng, 0.8);
  rbm.replace('visibleBias', ops.randomNormal([1, nv], rng));
  rbm.replace('hiddenBias', ops.randomNormal([1, nh], rng));
  return rbm;
}

describe('exact log Z and log-likelihood', () => {
  it('enumerating hidden or visible states equals brute-force joint enumeration', () => {
    const wide = randomRBM(5, 3, 1); // enumerates the 3 hidden units
    const tall = randomRBM(3, 5, 2); // enumerates the 3 visible units
    expect(exactLogPartition(wide)).toBeCloseTo(bruteLogZ(wide), 4);
    expect(exactLogPartition(tall)).toBeCloseTo(bruteLogZ(tall), 4);
    expect(exactLogPartition(wide, { batch: 3 })).toBeCloseTo(bruteLogZ(wide), 4);
  });

  it('log-likelihoods of all states sum to one', () => {
    const rbm = randomRBM(4, 3, 3);
    const all = ops.tensor(enumerate(4));
    const { logZ } = exactLogLikelihood(rbm, all);
    const p = ops.read(rbm.freeEnergy(all)).reduce((s, f) => s + Math.exp(-f - logZ), 0);
    expect(p).toBeCloseTo(1, 5);
  });

  it('refuses models too large to enumerate, pointing to AIS', () => {
    const rbm = new RBM(ops, { visible: 30, hidden: 30 }, new SeededRandom(1));
    expect(() => exactLogPartition(rbm)).toThrow(/2\^30 states is too much .* Use AIS/);
  });
});

describe('annealed importance sampling', () => {
  it('the default schedule is Salakhutdinov & Murray’s 14,500 temperatures', () => {
    const b = salakhutdinovMurraySchedule();
    expect(b.length).toBe(14501);
    expect(b[0]).toBe(0);
    expect(b[500]).toBeCloseTo(0.5, 12);
    expect(b[4500]).toBeCloseTo(0.9, 12);
    expect(b[14500]).toBe(1);
  });

  it('lands within 0.1 nats of the exact log Z of a trained RBM', async () => {
    const bas = barsAndStripes(4);
    const rbm = new RBM(ops, { visible: 16, hidden: 12 }, new SeededRandom(5));
    const trainer = new RBMTrainer(rbm, { epochs: 60, batchSize: 10, momentum: 0.5 }, 5);
    await trainer.fit(repeatRows(bas, 10));
    const means = new Float32Array(16).fill(0.5);
    const result = compareAisWithExact(rbm, {
      rng: new SeededRandom(1),
      betas: 3000,
      runs: 100,
      dataMeans: means,
    });
    expect(Math.abs(result.difference)).toBeLessThan(0.1);
    expect(result.logZStd).toBeLessThan(0.1);
    const ais = annealedImportanceSampling(rbm, {
      rng: new SeededRandom(2),
      betas: 3000,
      runs: 50,
      dataMeans: means,
    });
    expect(ais.logZLow).toBeLessThanOrEqual(ais.logZ);
    expect(ais.logZHigh).toBeGreaterThanOrEqual(ais.logZ);
    expect(ais.logWeights.length).toBe(50);
    trainer.dispose();
  }, 30000);

  it('is exact for a model equal to its base rate (zero weights)', () => {
    const rbm = new RBM(ops, { visible: 6, hidden: 4 }, new SeededRandom(1), 0);
    const means = Float32Array.from([0.1, 0.2, 0.5, 0.7, 0.9, 0.3]);
    rbm.initVisibleBiasFromData(means);
    const r = annealedImportanceSampling(rbm, {
      rng: new SeededRandom(1),
      betas: 10,
      runs: 10,
      dataMeans: means,
    });
    expect(r.logZ).toBeCloseTo(exactLogPartition(rbm), 5);
    expect(r.logZStd).toBeCloseTo(0, 6);
  });
});

describe('pseudo-likelihood', () => {
  it('exact PL equals Σᵢ log p(vᵢ|v₋ᵢ) computed from the joint; the stochastic one agrees on average', () => {
    const rbm = randomRBM(5, 3, 7);
    const vs = enumerate(5);
    const logZ = exactLogPartition(rbm);
    const logp = (v: number[]) => -ops.item(rbm.freeEnergy(ops.tensor([v]))) - logZ;
    const batch = vs.slice(3, 9);
    let expected = 0;
    for (const v of batch) {
      for (let i = 0; i < 5; i++) {
        const flipped = [...v];
        flipped[i] = 1 - flipped[i]!;
        const a = logp(v);
        const b = logp(flipped);
        expected += a - Math.log(Math.exp(a) + Math.exp(b));
      }
    }
    expected /= batch.length;
    const t = ops.tensor(batch);
    expect(pseudoLikelihood(rbm, t)).toBeCloseTo(expected, 4);
    const rng = new SeededRandom(3);
    let avg = 0;
    for (let r = 0; r < 400; r++) avg += pseudoLikelihood(rbm, t, rng) / 400;
    expect(avg).toBeCloseTo(expected, 0);
  });
});
