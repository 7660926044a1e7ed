import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { annealedImportanceSampling, exactLogPartition } from '@deepbelief/rbm';
import { describe, expect, it } from 'vitest';
import { DBN } from './dbn.js';
import { dbnLogLikelihoodBound } from './likelihood.js';

const ops = new Ops(createJsBackend());
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const states = (n: number) =>
  Array.from({ length: 2 ** n }, (_, k) => Array.from({ length: n }, (_, i) => (k >> i) & 1));

/** A DBN with random weights large enough that the posterior is far from uniform. */
function tinyDbn(sizes: number[], seed: number, untie = false) {
  const dbn = new DBN(ops, { sizes }, new SeededRandom(seed));
  const rng = new SeededRandom(seed + 100);
  for (const rbm of dbn.layers) {
    rbm.replace('W', ops.randomNormal(rbm.W.shape, rng, 0, 1.5));
    rbm.replace('hiddenBias', ops.randomNormal(rbm.hiddenBias.shape, rng, 0, 0.5));
    rbm.replace('visibleBias', ops.randomNormal(rbm.visibleBias.shape, rng, 0, 0.5));
  }
  if (untie) {
    dbn.untie();
    for (const g of dbn.generative!) {
      const W = ops.keep(ops.add(g.W, ops.randomNormal(g.W.shape, rng, 0, 0.7)));
      g.W.dispose();
      g.W = W;
    }
  }
  return dbn;
}

/** Exact log p(v) and the exact bound E_Q[log p(v, h) − log Q(h|v)], by enumerating h. */
function exact(dbn: DBN, v: number[], logZ: number) {
  const depth = dbn.layers.length - 1;
  const read = (t: ReturnType<Ops['tensor']>) => Array.from(ops.read(t));
  const rec = dbn.layers.slice(0, depth).map((r) => ({
    W: read(r.W),
    c: read(r.hiddenBias),
    rows: r.numVisible,
    cols: r.numHidden,
  }));
  const gen = dbn.layers.slice(0, depth).map((r, l) => {
    const g = dbn.generative?.[l];
    return { W: read(g ? g.W : r.W), b: read(g ? g.b : r.visibleBias) };
  });
  const logBern = (x: number[], logits: number[]) =>
    x.reduce(
      (s, xi, i) =>
        s + xi * Math.log(sigmoid(logits[i]!)) + (1 - xi) * Math.log(1 - sigmoid(logits[i]!)),
      0,
    );
  // all paths h¹ … h^D
  let paths: number[][][] = [[v]];
  for (let l = 0; l < depth; l++)
    paths = paths.flatMap((p) => states(rec[l]!.cols).map((h) => [...p, h]));
  let logJointTerms: number[] = [];
  let bound = 0;
  for (const p of paths) {
    let logQ = 0;
    let logP = -ops.item(dbn.top.freeEnergy(ops.tensor([p[depth]!]))) - logZ;
    for (let l = 0; l < depth; l++) {
      const { W, c, rows, cols } = rec[l]!;
      const below = p[l]!;
      const above = p[l + 1]!;
      const qLogits = Array.from({ length: cols }, (_, j) =>
        below.reduce((s, x, i) => s + x * W[i * cols + j]!, c[j]!),
      );
      logQ += logBern(above, qLogits);
      const { W: G, b } = gen[l]!;
      const pLogits = Array.from({ length: rows }, (_, i) =>
        above.reduce((s, h, j) => s + h * G[i * cols + j]!, b[i]!),
      );
      logP += logBern(below, pLogits);
    }
    logJointTerms.push(logP);
    bound += Math.exp(logQ) * (logP - logQ);
  }
  const m = Math.max(...logJointTerms);
  const logPv = m + Math.log(logJointTerms.reduce((s, x) => s + Math.exp(x - m), 0));
  logJointTerms = [];
  return { logPv, bound };
}

describe('dbnLogLikelihoodBound', () => {
  const cases = [
    { name: 'one directed layer, tied weights', sizes: [5, 3, 2], untie: false },
    { name: 'two directed layers, untied generative weights', sizes: [4, 3, 3, 2], untie: true },
  ];
  for (const c of cases) {
    it(`estimates the exact variational bound, which is below the exact log p(v) (${c.name})`, () => {
      const dbn = tinyDbn(c.sizes, 3, c.untie);
      const logZ = exactLogPartition(dbn.top);
      const data = [
        [1, 0, 1, 1, 0],
        [0, 0, 1, 0, 1],
        [1, 1, 1, 1, 1],
      ].map((r) => r.slice(0, c.sizes[0]));
      const { bound, perImage } = dbnLogLikelihoodBound(dbn, ops.tensor(data), {
        logZ,
        samples: 4000,
        rng: new SeededRandom(5),
      });
      let meanExact = 0;
      data.forEach((v, i) => {
        const e = exact(dbn, v, logZ);
        expect(e.bound).toBeLessThanOrEqual(e.logPv + 1e-9);
        // the Monte Carlo estimate (4,000 samples) is within 0.05 nats of the exact bound
        expect(Math.abs(perImage[i]! - e.bound)).toBeLessThan(0.05);
        meanExact += e.bound / data.length;
      });
      expect(bound).toBeCloseTo(meanExact, 1);
      // and the bound is not trivially loose: within a few nats of log p(v) here
      const gaps = data.map((v) => exact(dbn, v, logZ)).map((e) => e.logPv - e.bound);
      expect(Math.max(...gaps)).toBeLessThan(3);
      expect(Math.max(...gaps)).toBeGreaterThan(1e-3); // a factorial Q is not the posterior
      dbn.dispose();
    });
  }

  it('is the same for the same seed, and refuses grey data, labels and a bad logZ', () => {
    const dbn = tinyDbn([5, 3, 2], 4);
    const v = ops.tensor([[1, 0, 0, 1, 1]]);
    const a = dbnLogLikelihoodBound(dbn, v, { logZ: 3, samples: 10, rng: new SeededRandom(1) });
    const b = dbnLogLikelihoodBound(dbn, v, { logZ: 3, samples: 10, rng: new SeededRandom(1) });
    expect(a.bound).toBe(b.bound);
    expect(() =>
      dbnLogLikelihoodBound(dbn, ops.tensor([[1, 0.5, 0, 1, 1]]), {
        logZ: 3,
        rng: new SeededRandom(1),
      }),
    ).toThrow(/must be binary/);
    expect(() =>
      dbnLogLikelihoodBound(dbn, v, { logZ: Number.NaN, rng: new SeededRandom(1) }),
    ).toThrow(/logZ must be finite/);
    expect(() =>
      dbnLogLikelihoodBound(dbn, ops.tensor([[1, 0]]), { logZ: 3, rng: new SeededRandom(1) }),
    ).toThrow(/expected 5 columns/);
    const labelled = new DBN(ops, { sizes: [5, 3, 2], labels: 2 }, new SeededRandom(1));
    expect(() => dbnLogLikelihoodBound(labelled, v, { logZ: 3, rng: new SeededRandom(1) })).toThrow(
      /without label units/,
    );
    dbn.dispose();
    labelled.dispose();
  });

  it('with log Z from AIS, matches the exact bound within the AIS interval (the route eval --ais takes)', () => {
    const dbn = tinyDbn([6, 4, 5], 9);
    const data = [
      [1, 0, 1, 1, 0, 0],
      [0, 0, 1, 0, 1, 1],
      [1, 1, 0, 1, 1, 0],
    ];
    const exactLogZ = exactLogPartition(dbn.top);
    const ais = annealedImportanceSampling(dbn.top, {
      rng: new SeededRandom(3),
      runs: 200,
      betas: 2000,
    });
    const samples = 4000;
    const withAis = dbnLogLikelihoodBound(dbn, ops.tensor(data), {
      logZ: ais.logZ,
      samples,
      rng: new SeededRandom(8),
    }).bound;
    const exactBound = data.reduce((t, v) => t + exact(dbn, v, exactLogZ).bound, 0) / data.length;
    // the bound is −log Z plus terms that do not involve Z: its AIS interval is log Z's, moved
    // the other way, widened by the Monte Carlo error of 4,000 posterior samples (< 0.05)
    expect(exactLogZ).toBeGreaterThan(ais.logZLow);
    expect(exactLogZ).toBeLessThan(ais.logZHigh);
    expect(Math.abs(withAis - exactBound)).toBeLessThan(3 * ais.logZStd + 0.05);
    expect(ais.logZStd).toBeLessThan(0.05); // a check that can fail: the interval is narrow
    dbn.dispose();
  });
});
