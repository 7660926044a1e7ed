import { createJsBackend, DeepBeliefError, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { ContrastiveDivergence } from './contrastive-divergence.js';
import { exactLogPartition } from './exact.js';
import { parseOptions, trainOptionsSchema } from './options.js';
import { RBM } from './rbm.js';
import { enumerate } from './test-utils.js';
import { RBMTrainer } from './trainer.js';

const ops = new Ops(createJsBackend());

/** A 4-word, 3-hidden-unit replicated-softmax RBM with non-trivial parameters. */
function tinyModel(seed = 3): RBM {
  const rbm = new RBM(
    ops,
    { visible: 4, visibleType: 'replicated-softmax', hidden: 3 },
    new SeededRandom(seed),
  );
  const r = new SeededRandom(seed + 100);
  rbm.setParameters({
    weights: r.normalArray(12).map((x) => x * 0.8),
    visibleBias: r.normalArray(4).map((x) => x * 0.5),
    hiddenBias: r.normalArray(3).map((x) => x * 0.5),
  });
  return rbm;
}

/** E(v, h) = −bᵀv − D·cᵀh − vᵀWh, written out independently of the model code. */
function energy(rbm: RBM, v: number[], h: number[]): number {
  const { weights: W, visibleBias: b, hiddenBias: c } = rbm.getParameters();
  const H = rbm.numHidden;
  const D = v.reduce((a, x) => a + x, 0);
  let e = 0;
  v.forEach((vi, i) => {
    e -= b[i]! * vi;
  });
  h.forEach((hj, j) => {
    e -= D * c[j]! * hj;
  });
  v.forEach((vi, i) => {
    h.forEach((hj, j) => {
      e -= vi * W[i * H + j]! * hj;
    });
  });
  return e;
}

/** Every count vector over `words` words with total `D`. */
function countVectors(words: number, D: number): number[][] {
  if (words === 1) return [[D]];
  const out: number[][] = [];
  for (let first = 0; first <= D; first++)
    for (const rest of countVectors(words - 1, D - first)) out.push([first, ...rest]);
  return out;
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
/** Number of word orders with these counts: D!/∏vᵢ! (the model is over ordered documents). */
const orderings = (v: number[]) =>
  factorial(v.reduce((a, x) => a + x, 0)) / v.reduce((a, x) => a * factorial(x), 1);

const documents = [
  [2, 0, 1, 0],
  [0, 3, 0, 2],
  [1, 1, 1, 1],
  [0, 0, 0, 1],
];

describe('replicated-softmax (word-count) visible units, against enumeration', () => {
  const rbm = tinyModel();
  const hiddenStates = enumerate(rbm.numHidden);

  it('p(h|v) and the free energy match sums over all hidden states', () => {
    const ph = ops.toRows(rbm.hiddenProbabilities(ops.tensor(documents)));
    const F = ops.read(rbm.freeEnergy(ops.tensor(documents)));
    documents.forEach((v, r) => {
      const weights = hiddenStates.map((h) => Math.exp(-energy(rbm, v, h)));
      const z = weights.reduce((a, x) => a + x, 0);
      for (let j = 0; j < rbm.numHidden; j++) {
        const expected = hiddenStates.reduce((a, h, k) => a + h[j]! * weights[k]!, 0) / z;
        expect(ph[r]![j]).toBeCloseTo(expected, 5);
      }
      expect(F[r]).toBeCloseTo(-Math.log(z), 4);
    });
  });

  it('energy() is the replicated-softmax energy, with the hidden biases scaled by D', () => {
    const v = documents[1]!;
    for (const h of hiddenStates) {
      const e = ops.item(rbm.energy(ops.tensor([v]), ops.tensor([h])));
      expect(e).toBeCloseTo(energy(rbm, v, h), 4);
    }
  });

  it('E[v | h, D] is D·softmax(b + Wh), the mean of the multinomial over all documents of length D', () => {
    for (const D of [1, 3, 5]) {
      const docs = countVectors(rbm.numVisible, D);
      for (const h of hiddenStates) {
        const w = docs.map((v) => orderings(v) * Math.exp(-energy(rbm, v, h)));
        const z = w.reduce((a, x) => a + x, 0);
        const expected = Array.from(
          { length: rbm.numVisible },
          (_, i) => docs.reduce((a, v, k) => a + v[i]! * w[k]!, 0) / z,
        );
        const like = ops.tensor([[D, 0, 0, 0]]);
        const means = ops.read(rbm.visibleMeans(ops.tensor([h]), like));
        expected.forEach((x, i) => {
          expect(means[i]).toBeCloseTo(x, 4);
        });
        const p = ops.read(rbm.visibleProbabilities(ops.tensor([h])));
        expect(p.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
      }
    }
  });

  it('sampled documents keep their length, and their mean is D·p', () => {
    const h = ops.tensor(Array.from({ length: 4000 }, () => [1, 0, 1]));
    const like = ops.tensor(Array.from({ length: 4000 }, () => [3, 2, 0, 1]));
    const means = rbm.visibleMeans(h, like);
    const samples = ops.toRows(rbm.sampleVisibleFrom(means, new SeededRandom(9)));
    for (const row of samples) {
      expect(row.reduce((a, x) => a + x, 0)).toBe(6);
      for (const x of row) expect(Number.isInteger(x)).toBe(true);
    }
    const expected = ops.toRows(means)[0]!;
    for (let i = 0; i < 4; i++) {
      const mean = samples.reduce((a, row) => a + row[i]!, 0) / samples.length;
      // standard error of a count's mean over 4000 documents of 6 words is below 0.02
      expect(Math.abs(mean - expected[i]!)).toBeLessThan(0.08);
    }
  });

  it('a CD step moves each hidden bias by the D-weighted statistic: Δcⱼ = Σᵢ ΔWᵢⱼ (∂E/∂cⱼ = −D·hⱼ = Σᵢ ∂E/∂Wᵢⱼ when Σᵢ vᵢ = D)', () => {
    const model = tinyModel(5);
    const before = model.getParameters();
    const cd = new ContrastiveDivergence(
      model,
      parseOptions(
        trainOptionsSchema,
        { epochs: 1, learningRate: 0.1, momentum: 0, weightCost: 0, k: 1 },
        'options',
      ),
    );
    cd.step(ops.tensor(documents), { epoch: 0, rng: new SeededRandom(1) });
    const after = model.getParameters();
    const H = model.numHidden;
    for (let j = 0; j < H; j++) {
      let columnStep = 0;
      for (let i = 0; i < model.numVisible; i++)
        columnStep += after.weights[i * H + j]! - before.weights[i * H + j]!;
      const biasStep = after.hiddenBias[j]! - before.hiddenBias[j]!;
      expect(Math.abs(biasStep)).toBeGreaterThan(1e-4);
      expect(biasStep).toBeCloseTo(columnStep, 5);
    }
  });

  it('CD-1 on documents from two topics beats the best unigram model (the biases alone) in exact log-likelihood', async () => {
    // 6 words; topic A uses words 0–2, topic B words 3–5; every document has 4 words
    const rng = new SeededRandom(21);
    const rows: number[][] = [];
    for (let d = 0; d < 400; d++) {
      const offset = d % 2 === 0 ? 0 : 3;
      const v = [0, 0, 0, 0, 0, 0];
      for (let w = 0; w < 4; w++) v[offset + rng.int(3)]! += 1;
      rows.push(v);
    }
    const D = 4;
    const docs = countVectors(6, D);
    const logLikelihood = (model: RBM) => {
      const F = ops.read(model.freeEnergy(ops.tensor(docs)));
      const logZ = Math.log(docs.reduce((a, v, k) => a + orderings(v) * Math.exp(-F[k]!), 0));
      const Fd = ops.read(model.freeEnergy(ops.tensor(rows)));
      return rows.reduce((a, v, k) => a + Math.log(orderings(v)) - Fd[k]! - logZ, 0) / rows.length;
    };
    // the best unigram model: every word with probability 1/6 (both topics equally often)
    const unigram =
      rows.reduce((a, v) => a + Math.log(orderings(v)) + D * Math.log(1 / 6), 0) / rows.length;
    const model = new RBM(
      ops,
      { visible: 6, visibleType: 'replicated-softmax', hidden: 4 },
      new SeededRandom(2),
    );
    const trainer = new RBMTrainer(
      model,
      { epochs: 60, batchSize: 20, learningRate: 0.05, k: 1, weightCost: 0 },
      4,
    );
    await trainer.fit({ data: Float32Array.from(rows.flat()), rows: rows.length, cols: 6 });
    const trained = logLikelihood(model);
    // two topics of 3 words: log p = log orderings + 4·log(1/3) − log 2 at best, 2.08 nats above unigram
    expect(trained).toBeGreaterThan(unigram + 1);
    trainer.dispose();
    model.dispose();
  });

  it('refuses what it does not define', () => {
    expect(
      () =>
        new RBM(
          ops,
          {
            visible: [
              { type: 'replicated-softmax', size: 4 },
              { type: 'softmax', size: 2 },
            ],
            hidden: 2,
          },
          new SeededRandom(1),
        ),
    ).toThrow(/must be the only visible group/);
    expect(() => exactLogPartition(rbm)).toThrow(DeepBeliefError);
    expect(() =>
      ops.multinomial(ops.tensor([[0.5, 0.5]]), ops.tensor([[1], [2]]), new SeededRandom(1)),
    ).toThrow(/counts must be \[1, 1\]/);
  });
});
