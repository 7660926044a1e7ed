import { createJsBackend, DivergenceError, Ops, SeededRandom, type Tensor } from '@deepbelief/core';
import { DBN, encodeDBN } from '@deepbelief/dbn';
import { decodeModel } from '@deepbelief/model-format';
import { toMatrixSource } from '@deepbelief/rbm';
import { describe, expect, it } from 'vitest';
import { encodeUpDownCheckpoint, restoreUpDownCheckpoint } from './checkpoint.js';
import { generativeDelta, recognitionDelta } from './rules.js';
import { SigmoidBeliefNet } from './sbn.js';
import { scheduleAt, upDown, upDownTrainer, wakeSleep } from './train.js';

const ops = new Ops(createJsBackend());

/** Noisy copies of four 16-pixel prototypes, labelled 0–3. */
function data(rows: number, seed: number) {
  const protos = [
    [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1],
    [1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1],
  ];
  const rng = new SeededRandom(seed);
  const values = new Float32Array(rows * 16);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = r % 4;
    for (let j = 0; j < 16; j++)
      values[r * 16 + j] = rng.uniform() < 0.1 ? 1 - protos[r % 4]![j]! : protos[r % 4]![j]!;
  }
  return { data: values, labels, rows, cols: 16 };
}

async function pretrained(): Promise<DBN> {
  const train = data(200, 1);
  const dbn = new DBN(ops, { sizes: [16, 12, 10, 20], labels: 4 }, new SeededRandom(1));
  await dbn.pretrain(train, { layers: { epochs: 3, batchSize: 10 }, labels: train.labels });
  return dbn;
}

/** Every tensor of the model as the file stores it, by name (bytes, to compare exactly). */
const tensorsOf = (dbn: DBN) =>
  Object.fromEntries(
    Object.entries(decodeModel(encodeDBN(dbn)).tensors).map(([name, t]) => [
      name,
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex'),
    ]),
  );

describe('up-down training state', () => {
  const options = {
    epochs: 4,
    batchSize: 10,
    learningRate: [0.05, 0.02],
    gibbsSteps: [2, 4],
    persistent: true,
    momentum: 0.5, // velocities are training state too
    metricsEvery: 3,
    seed: 5,
  };

  it('a run stopped mid-epoch, checkpointed and restored ends bit-identical to an uninterrupted one', async () => {
    const train = data(200, 1);
    const whole = await pretrained();
    const history = await upDown(whole, train, { ...options, labels: train.labels });

    const first = await pretrained();
    const loop = upDownTrainer(first, { ...options, labels: train.labels, rows: train.rows });
    await loop.fit(toMatrixSource(train), { maxBatches: 27 }); // epoch 2, batch 8 (20 batches per epoch)
    expect(loop.getPosition()).toEqual({ epoch: 1, batch: 7 });
    const bytes = encodeUpDownCheckpoint(first, loop, options);
    const saved = loop.getState();
    loop.dispose();
    first.dispose();

    const restored = restoreUpDownCheckpoint(ops, bytes, { labels: train.labels });
    expect(restored.options.persistent).toBe(true);
    // the whole state comes back: position, generators, partial metric and the chains
    // (on this small model the chains coalesce within a batch, so the weights alone would
    // not show a lost chain)
    const back = restored.loop.getState();
    expect(back.algorithm.tensors.chains!.data).toEqual(saved.algorithm.tensors.chains!.data);
    expect({ ...back, algorithm: null }).toEqual({ ...saved, algorithm: null });
    const resumedHistory = await restored.loop.fit(toMatrixSource(train));
    restored.loop.dispose();
    const expectedTensors = tensorsOf(whole);
    expect(Object.keys(expectedTensors)).toHaveLength(3 * 3 + 2 * 2);
    expect(tensorsOf(restored.dbn)).toEqual(expectedTensors);
    expect(resumedHistory.map((h) => h.generativeError)).toEqual(
      history.map((h) => h.generativeError),
    );
    expect(history.map((h) => h.gibbsSteps)).toEqual([2, 2, 4, 4]);
    whole.dispose();
    restored.dbn.dispose();
  }, 30000);

  it('persistent chains change the run', async () => {
    const train = data(200, 1);
    const a = await pretrained();
    await upDown(a, train, { ...options, labels: train.labels });
    const b = await pretrained();
    await upDown(b, train, { ...options, persistent: false, labels: train.labels });
    expect(tensorsOf(a)).not.toEqual(tensorsOf(b));
  });

  it('refuses a checkpoint of another algorithm, and a checkpoint for other data', async () => {
    const train = data(200, 1);
    const dbn = await pretrained();
    const loop = upDownTrainer(dbn, { ...options, labels: train.labels, rows: train.rows });
    await loop.fit(toMatrixSource(train), { maxBatches: 2 });
    const bytes = encodeUpDownCheckpoint(dbn, loop, options);
    loop.dispose();
    expect(() =>
      restoreUpDownCheckpoint(ops, encodeDBN(dbn), { source: 'dbn.safetensors' }),
    ).toThrow(
      'dbn.safetensors: expected a "checkpoint" model file, but this file holds a "wake-sleep-dbn"',
    );
    const restored = restoreUpDownCheckpoint(ops, bytes, { labels: train.labels });
    await expect(restored.loop.fit(toMatrixSource(data(300, 2)))).rejects.toThrow(
      'up-down: the training state is for 200 rows per epoch, this data has 300; continue with the same data',
    );
    restored.loop.dispose();
    restored.dbn.dispose();
    dbn.dispose();
  }, 30000);
});

describe('the up-down step against the plain formulas', () => {
  interface Case {
    labelStates: 'probabilities' | 'samples';
    penultimateStates: 'samples' | 'probabilities';
    topLearningRate?: number;
    momentum: number;
  }
  const cases: [string, Case][] = [
    [
      'sampled penultimate states',
      { labelStates: 'probabilities', penultimateStates: 'samples', momentum: 0 },
    ],
    ['one label drawn', { labelStates: 'samples', penultimateStates: 'samples', momentum: 0 }],
    [
      'a top RBM rate and momentum, over two batches',
      {
        labelStates: 'probabilities',
        penultimateStates: 'samples',
        topLearningRate: 0.2,
        momentum: 0.5,
      },
    ],
    [
      'penultimate probabilities in the top RBM, over two batches',
      { labelStates: 'samples', penultimateStates: 'probabilities', momentum: 0.9 },
    ],
  ];
  it.each(cases)(
    'each batch gives the update of generativeDelta, recognitionDelta and the CD-k rule (%s)',
    async (_, c) => {
      const batches = c.momentum > 0 ? 2 : 1;
      const rows = 10 * batches;
      const train = data(rows, 3);
      const dbn = await pretrained();
      dbn.untie();
      const o = ops;
      const copy = (x: Tensor) => o.keep(o.tensor(o.read(x), [x.rows, x.cols]));
      // the parameters as the hand-run formulas update them
      const P = {
        rec: dbn.layers.slice(0, 2).map((r) => ({ W: copy(r.W), b: copy(r.hiddenBias) })),
        gen: dbn.generative!.map((g) => ({ W: copy(g.W), b: copy(g.b) })),
        top: { W: copy(dbn.top.W), b: copy(dbn.top.visibleBias), c: copy(dbn.top.hiddenBias) },
      };
      const lr = 0.05;
      const wc = 0.001;
      const k = 2;
      const topLr = c.topLearningRate ?? lr; // the directed layers' rate unless one is given
      const loop = upDownTrainer(dbn, {
        epochs: 1,
        batchSize: 10,
        learningRate: lr,
        weightCost: wc,
        gibbsSteps: k,
        labelStates: c.labelStates,
        penultimateStates: c.penultimateStates,
        momentum: c.momentum,
        ...(c.topLearningRate ? { topLearningRate: c.topLearningRate } : {}),
        seed: 9,
        labels: train.labels,
        rows,
      });
      // the same draws, by hand: fork the generators as the loop does
      const root = new SeededRandom(9);
      const dataRng = root.fork();
      const rng = root.fork();
      const order = dataRng.permutation(rows);
      // momentum: u ← m·u + lr·(gradient − weightCost·W), W ← W + u
      const velocity = new Map<string, Tensor>();
      const move = (key: string, param: Tensor, step: Tensor): Tensor => {
        const previous = velocity.get(key);
        const u = previous ? o.add(o.mul(previous, c.momentum), step) : step;
        velocity.set(key, u);
        return o.add(param, u);
      };
      const t = (a: Float32Array, r: number, cols: number) => o.tensor(a, [r, cols]);
      let lastNegVisible: Tensor | null = null;
      for (let batch = 0; batch < batches; batch++) {
        const x = new Float32Array(10 * 16);
        const y = new Float32Array(40);
        for (let r = 0; r < 10; r++) {
          const i = order[batch * 10 + r]!;
          x.set(train.data.subarray(i * 16, i * 16 + 16), r * 16);
          y[r * 4 + train.labels[i]!] = 1;
        }
        const v = t(x, 10, 16);
        const [R0, R1] = P.rec as [{ W: Tensor; b: Tensor }, { W: Tensor; b: Tensor }];
        const [G0, G1] = P.gen as [{ W: Tensor; b: Tensor }, { W: Tensor; b: Tensor }];
        const h1 = o.bernoulli(o.linear(v, R0.W, R0.b, { activation: 'sigmoid' }), rng);
        const penP = o.linear(h1, R1.W, R1.b, { activation: 'sigmoid' });
        const pen = o.bernoulli(penP, rng);
        const penData = c.penultimateStates === 'probabilities' ? penP : pen;
        const wakeTop = o.concatColumns([penData, t(y, 10, 4)]);
        const { W: TW, b: Tb, c: Tc } = P.top;
        const hidden = (vis: Tensor) => o.linear(vis, TW, Tc, { activation: 'sigmoid' });
        const visible = (h: Tensor) => {
          const a = o.linear(h, TW, Tb, { transposeW: true });
          return o.concatColumns([
            o.sigmoid(o.sliceColumns(a, 0, 10)),
            o.softmax(o.sliceColumns(a, 10, 14), 1),
          ]);
        };
        const wakeHidden = o.bernoulli(hidden(wakeTop), rng);
        let h = wakeHidden;
        let negVisible = wakeTop;
        let negPen = pen;
        let negPenP: Tensor | null = null;
        for (let s = 0; s < k; s++) {
          const pv = visible(h);
          const labelProbabilities = o.sliceColumns(pv, 10, 14);
          if (c.penultimateStates === 'probabilities') {
            negPenP = o.sliceColumns(pv, 0, 10);
            negVisible = o.concatColumns([
              negPenP,
              c.labelStates === 'samples'
                ? o.categorical(labelProbabilities, rng)
                : labelProbabilities,
            ]);
          } else {
            negPen = o.bernoulli(o.sliceColumns(pv, 0, 10), rng);
            negVisible = o.concatColumns([
              negPen,
              c.labelStates === 'samples'
                ? o.categorical(labelProbabilities, rng)
                : labelProbabilities,
            ]);
          }
          h = o.bernoulli(hidden(negVisible), rng);
        }
        if (negPenP) negPen = o.bernoulli(negPenP, rng); // the sleep phase starts from a sample
        lastNegVisible = negVisible;
        const sleep1 = o.bernoulli(
          o.linear(negPen, G1.W, G1.b, { transposeW: true, activation: 'sigmoid' }),
          rng,
        );
        const sleep0 = o.linear(sleep1, G0.W, G0.b, { transposeW: true, activation: 'sigmoid' });
        const step = (key: string, w: { W: Tensor; b: Tensor }, d: { dW: Tensor; db: Tensor }) => ({
          W: move(`${key} W`, w.W, o.mul(o.sub(d.dW, o.mul(w.W, wc)), lr)),
          b: move(`${key} b`, w.b, o.mul(d.db, lr)),
        });
        const gen = [
          step('g0', G0, generativeDelta(o, v, h1, G0)),
          step('g1', G1, generativeDelta(o, h1, pen, G1)),
        ];
        const rec = [
          step('r0', R0, recognitionDelta(o, sleep0, sleep1, R0)),
          step('r1', R1, recognitionDelta(o, sleep1, negPen, R1)),
        ];
        const dTop = o.mul(
          o.sub(
            o.matmul(wakeTop, wakeHidden, { transposeA: true }),
            o.matmul(negVisible, h, { transposeA: true }),
          ),
          1 / 10,
        );
        P.gen = gen;
        P.rec = rec;
        P.top = {
          W: move('tW', TW, o.mul(o.sub(dTop, o.mul(TW, wc)), topLr)),
          b: move('tb', Tb, o.mul(o.mean(o.sub(wakeTop, negVisible), 0), topLr)),
          c: move('tc', Tc, o.mul(o.mean(o.sub(wakeHidden, h), 0), topLr)),
        };
      }

      await loop.fit(toMatrixSource(train));
      loop.dispose();
      const close = (a: Tensor, b: Tensor) => {
        const x1 = o.read(a);
        const x2 = o.read(b);
        let worst = 0;
        for (let i = 0; i < x1.length; i++) worst = Math.max(worst, Math.abs(x1[i]! - x2[i]!));
        return worst;
      };
      for (let l = 0; l < 2; l++) {
        expect(close(dbn.generative![l]!.W, P.gen[l]!.W)).toBeLessThan(1e-6);
        expect(close(dbn.generative![l]!.b, P.gen[l]!.b)).toBeLessThan(1e-6);
        expect(close(dbn.layers[l]!.W, P.rec[l]!.W)).toBeLessThan(1e-6);
        expect(close(dbn.layers[l]!.hiddenBias, P.rec[l]!.b)).toBeLessThan(1e-6);
      }
      expect(close(dbn.top.W, P.top.W)).toBeLessThan(1e-6);
      expect(close(dbn.top.visibleBias, P.top.b)).toBeLessThan(1e-6);
      expect(close(dbn.top.hiddenBias, P.top.c)).toBeLessThan(1e-6);
      // sampled label states are one-hot rows; penultimate probabilities are not binary
      const negLabels = o.read(o.sliceColumns(lastNegVisible!, 10, 14));
      expect(negLabels.every((p) => p === 0 || p === 1)).toBe(c.labelStates === 'samples');
      const negPenultimate = o.read(o.sliceColumns(lastNegVisible!, 0, 10));
      expect(negPenultimate.every((p) => p === 0 || p === 1)).toBe(
        c.penultimateStates === 'samples',
      );
      dbn.dispose();
    },
    30000,
  );
});

describe('schedules and divergence', () => {
  it('scheduleAt gives one value per equal share of the epochs', () => {
    expect([0, 1, 2, 3, 4, 5].map((e) => scheduleAt([0.01, 0.005, 0.0025], e, 6))).toEqual([
      0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025,
    ]);
    expect(scheduleAt(0.1, 3, 6)).toBe(0.1);
  });

  it('up-down and wake-sleep stop with a DivergenceError naming the algorithm, epoch and batch', async () => {
    const train = data(200, 1);
    const dbn = await pretrained();
    const upDownError = await upDown(dbn, train, {
      epochs: 3,
      batchSize: 10,
      learningRate: 1e38,
      metricsEvery: 1,
      labels: train.labels,
    }).catch((e: unknown) => e);
    expect(upDownError).toBeInstanceOf(DivergenceError);
    expect((upDownError as Error).message).toMatch(
      /^up-down: training diverged at epoch 1, batch \d+: the (generative error|weights \(.*\)) became NaN or infinite\. Try a smaller learning rate \(now 1e\+38; e\.g\. 1e\+37\)\.$/,
    );
    const sbn = new SigmoidBeliefNet(ops, [16, 8], new SeededRandom(2));
    const wakeSleepError = await wakeSleep(sbn, train, {
      epochs: 3,
      batchSize: 10,
      learningRate: 1e38,
      metricsEvery: 1,
    }).catch((e: unknown) => e);
    expect(wakeSleepError).toBeInstanceOf(DivergenceError);
    expect(wakeSleepError).toMatchObject({ algorithm: 'wake-sleep', epoch: 0 });
    dbn.dispose();
  }, 30000);
});
