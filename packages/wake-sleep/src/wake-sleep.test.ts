import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { classificationReport, DBN } from '@deepbelief/dbn';
import { describe, expect, it } from 'vitest';
import { generativeDelta, recognitionDelta } from './rules.js';
import { SigmoidBeliefNet } from './sbn.js';
import { gibbsStepsAt, upDown, wakeSleep } from './train.js';

const ops = new Ops(createJsBackend());
const sig = (x: number) => 1 / (1 + Math.exp(-x));

describe('learning rules, against hand-computed cases', () => {
  // two examples, 2 units below, 1 unit above; W [below=2, above=1]
  const below = ops.tensor([
    [1, 0],
    [1, 1],
  ]);
  const above = ops.tensor([[1], [0]]);
  const W = ops.tensor([[0.5], [-1]]);

  it('generative: ΔG = (s_below − p)ᵀ s_above / n with p = σ(s_above Gᵀ + g)', () => {
    const g = ops.tensor([[0.2, 0.1]]);
    const { dW, db } = generativeDelta(ops, below, above, { W, b: g });
    // example 1: above = 1 → p = (σ(0.7), σ(−0.9)); example 2: above = 0 → p = (σ(0.2), σ(0.1))
    const e1 = [1 - sig(0.7), 0 - sig(-0.9)];
    const e2 = [1 - sig(0.2), 1 - sig(0.1)];
    const dWs = ops.read(dW);
    expect(dWs[0]).toBeCloseTo(e1[0]! / 2, 6); // only example 1 has above = 1
    expect(dWs[1]).toBeCloseTo(e1[1]! / 2, 6);
    const dbs = ops.read(db);
    expect(dbs[0]).toBeCloseTo((e1[0]! + e2[0]!) / 2, 6);
    expect(dbs[1]).toBeCloseTo((e1[1]! + e2[1]!) / 2, 6);
  });

  it('recognition: ΔR = s_belowᵀ (s_above − q) / n with q = σ(s_below R + r)', () => {
    const r = ops.tensor([[0.3]]);
    const { dW, db } = recognitionDelta(ops, below, above, { W, b: r });
    const q1 = sig(0.5 + 0.3); // below (1, 0)
    const q2 = sig(0.5 - 1 + 0.3); // below (1, 1)
    const err = [1 - q1, 0 - q2];
    const dWs = ops.read(dW);
    expect(dWs[0]).toBeCloseTo((err[0]! + err[1]!) / 2, 6); // unit 1 is on in both
    expect(dWs[1]).toBeCloseTo(err[1]! / 2, 6); // unit 2 only in example 2
    expect(ops.item(db)).toBeCloseTo((err[0]! + err[1]!) / 2, 6);
  });

  it('the Gibbs schedule raises k over equal shares of training', () => {
    expect([0, 3, 4, 7, 8, 11].map((e) => gibbsStepsAt([3, 6, 10], e, 12))).toEqual([
      3, 3, 6, 6, 10, 10,
    ]);
    expect(gibbsStepsAt(5, 3, 10)).toBe(5);
  });
});

/** Data from a known sigmoid belief net 12-4-2 with strong weights. */
function teacherData(rows: number) {
  const rng = new SeededRandom(21);
  const teacher = new SigmoidBeliefNet(ops, [12, 4, 2], rng, 3);
  teacher.topBias.dispose();
  teacher.topBias = ops.keep(ops.tensor([[0.5, -0.5]]));
  const p = teacher.sample(rows, rng);
  const v = ops.bernoulli(p, rng);
  return { data: ops.read(v), rows, cols: 12, teacher };
}

describe('plain wake-sleep on a sigmoid belief net', () => {
  it('raises the exact log-likelihood of data from a known generative model', async () => {
    const { data, teacher } = teacherData(600);
    const v = ops.tensor(data, [600, 12]);
    const student = new SigmoidBeliefNet(ops, [12, 6, 3], new SeededRandom(3), 0.1);
    const before = student.exactLogLikelihood(v);
    const history = await wakeSleep(
      student,
      { data, rows: 600, cols: 12 },
      { epochs: 40, batchSize: 20, learningRate: 0.1 },
    );
    const after = student.exactLogLikelihood(v);
    const best = teacher.exactLogLikelihood(v);
    expect(before).toBeLessThan(-8); // about 12·log 2 = −8.3 for an untrained net
    expect(after).toBeGreaterThan(before + 1);
    expect(after).toBeLessThan(best + 0.5); // cannot beat the true model by much
    expect(history.at(-1)!.generativeError).toBeLessThan(history[0]!.generativeError);
  }, 30000);

  it('honours weightCost: the same run with an L2 cost ends with smaller weights', async () => {
    const { data } = teacherData(200);
    const norm = async (weightCost: number) => {
      const sbn = new SigmoidBeliefNet(ops, [12, 6, 3], new SeededRandom(3), 0.1);
      await wakeSleep(
        sbn,
        { data, rows: 200, cols: 12 },
        { epochs: 10, batchSize: 20, learningRate: 0.1, weightCost },
      );
      const squares = [...sbn.generative, ...sbn.recognition].map((w) =>
        ops.item(ops.sum(ops.square(w.W))),
      );
      return squares.reduce((a, b) => a + b, 0);
    };
    const free = await norm(0);
    const decayed = await norm(0.5);
    // a cost of 0.5 per step shrinks every weight by 5 % per batch before the data's pull
    expect(decayed).toBeLessThan(0.5 * free);
  });

  it('reads the generative error from the backend only every metricsEvery batches', async () => {
    const { data } = teacherData(200);
    const sbn = new SigmoidBeliefNet(ops, [12, 6, 3], new SeededRandom(3), 0.1);
    let reads = 0;
    const item = ops.item.bind(ops);
    ops.item = (t) => {
      reads++;
      return item(t);
    };
    try {
      await wakeSleep(
        sbn,
        { data, rows: 200, cols: 12 },
        { epochs: 2, batchSize: 10, learningRate: 0.1, metricsEvery: 5 },
      );
    } finally {
      ops.item = item;
    }
    // 20 batches per epoch: a read every 5, and one check of the weights at each epoch's end
    expect(reads).toBe(2 * (20 / 5 + 1));
  });

  it('rejects bad options and data', async () => {
    const sbn = new SigmoidBeliefNet(ops, [4, 2], new SeededRandom(1));
    await expect(
      wakeSleep(
        sbn,
        { data: new Float32Array(20), rows: 5, cols: 4 },
        { epochs: 1, learningRate: -1 },
      ),
    ).rejects.toThrow(/learningRate/);
    await expect(
      wakeSleep(sbn, { data: new Float32Array(15), rows: 5, cols: 3 }, { epochs: 1, batchSize: 5 }),
    ).rejects.toThrow(/3 columns, the model expects 4/);
    await expect(
      wakeSleep(sbn, { data: new Float32Array(20), rows: 5, cols: 4 }, {
        epochs: 1,
        gibbsSteps: 3,
      } as never),
    ).rejects.toThrow(/wake-sleep options: .*gibbsSteps/); // Gibbs steps mean nothing without a top RBM
  });
});

describe('up-down fine-tuning of a DBN with label units', () => {
  const PROTOS = [
    [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1],
    [1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1],
  ];
  const make = (rows: number, seed: number) => {
    const rng = new SeededRandom(seed);
    const data = new Float32Array(rows * 16);
    const labels = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      labels[r] = r % 4;
      for (let j = 0; j < 16; j++)
        data[r * 16 + j] = rng.uniform() < 0.1 ? 1 - PROTOS[r % 4]![j]! : PROTOS[r % 4]![j]!;
    }
    return { data, labels, rows, cols: 16 };
  };

  it('unties the weights, improves the generative path, keeps classification and leaks nothing', async () => {
    const train = make(400, 1);
    const test = make(200, 2);
    const dbn = new DBN(ops, { sizes: [16, 20, 12, 24], labels: 4 }, new SeededRandom(1));
    await dbn.pretrain(train, {
      layers: { epochs: 10, batchSize: 10, momentum: 0.5 },
      labels: train.labels,
    });
    const x = ops.tensor(test.data, [200, 16]);
    const errorBefore = classificationReport(dbn.classify(x), test.labels, 4).error;
    const live = ops.memory().numTensors;
    const history = await upDown(dbn, train, {
      epochs: 12,
      batchSize: 10,
      learningRate: 0.05,
      labels: train.labels,
    });
    expect(dbn.generative).not.toBeNull();
    expect(dbn.generative![0]!.W).not.toBe(dbn.layers[0]!.W);
    // the untied generative weights (2 layers × W, b) are the only new live tensors
    expect(ops.memory().numTensors).toBe(live + 4);
    expect(history.map((h) => h.gibbsSteps)).toEqual([3, 3, 3, 3, 6, 6, 6, 6, 10, 10, 10, 10]);
    expect(history.at(-1)!.generativeError).toBeLessThan(history[0]!.generativeError);
    const errorAfter = classificationReport(dbn.classify(x), test.labels, 4).error;
    expect(errorAfter).toBeLessThanOrEqual(Math.max(errorBefore, 0.05));
    // generation through the untied generative weights still yields the clamped class
    let right = 0;
    for (let y = 0; y < 4; y++)
      right += Array.from(
        dbn.classify(ops.greater(dbn.generate(y, { count: 20, rng: new SeededRandom(y) }), 0.5)),
      ).filter((p) => p === y).length;
    expect(right / 80).toBeGreaterThan(0.6);
  }, 30000);
});
