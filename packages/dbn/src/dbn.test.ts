import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { DeepAutoencoder } from './autoencoder.js';
import { DBN } from './dbn.js';
import { classificationReport } from './evaluate.js';
import { FeedForwardNet, fineTune, fineTuneSplit } from './feedforward.js';
import { fitPCA, pcaReconstruct } from './pca.js';
import { nearestPrototype, noisyPrototypes, ringBumps } from './test-data.js';
import { unrollClassifier } from './unroll.js';

const ops = new Ops(createJsBackend());
const layer = { epochs: 30, batchSize: 10, learningRate: 0.1, momentum: 0.5 } as const;

async function trainedToyDBN(seed = 1) {
  const train = noisyPrototypes(400, 0.05, seed);
  const dbn = new DBN(ops, { sizes: [16, 24, 16, 32], labels: 4 }, new SeededRandom(seed));
  const histories = await dbn.pretrain(train, { layers: layer, labels: train.labels, seed });
  return { dbn, train, histories };
}

describe('DBN', () => {
  it('greedy stacking trains every layer on the features of the one below', async () => {
    const { dbn, histories } = await trainedToyDBN();
    expect(histories).toHaveLength(3);
    for (const h of histories)
      expect(h.at(-1)!.reconstructionError).toBeLessThan(h[0]!.reconstructionError);
    expect(dbn.layers.map((l) => [l.numVisible, l.numHidden])).toEqual([
      [16, 24],
      [24, 16],
      [20, 32], // 16 penultimate units + 4 label units
    ]);
    // layer 2's visible biases were initialised from layer 1's feature means, not the data's
    expect(dbn.layers[1]!.numVisible).toBe(dbn.layers[0]!.numHidden);
  });

  it('classifies by the lowest top-RBM free energy, exactly', async () => {
    const { dbn } = await trainedToyDBN();
    const test = noisyPrototypes(200, 0.05, 99);
    const x = ops.tensor(test.data, [200, 16]);
    const report = classificationReport(dbn.classify(x), test.labels, 4);
    expect(report.error).toBeLessThan(0.1);
    // label scores equal −F(features ⊕ one-hot) of the top RBM
    const feats = dbn.up(ops.sliceRows(x, 0, 3));
    const scores = ops.toRows(dbn.labelScores(feats));
    for (let y = 0; y < 4; y++) {
      const onehot = ops.tensor(
        new Float32Array(12).map((_, i) => (i % 4 === y ? 1 : 0)),
        [3, 4],
      );
      const f = ops.read(dbn.top.freeEnergy(ops.concatColumns([feats, onehot])));
      for (let r = 0; r < 3; r++) expect(scores[r]![y]).toBeCloseTo(-f[r]!, 3);
    }
    const p = ops.toRows(dbn.labelProbabilities(ops.sliceRows(x, 0, 5)));
    for (const row of p) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('generation with a clamped label produces that class', async () => {
    const { dbn } = await trainedToyDBN();
    const rng = new SeededRandom(3);
    let right = 0;
    let ownRight = 0;
    for (let y = 0; y < 4; y++) {
      const images = dbn.generate(y, { count: 25, rng, gibbsSteps: 200 });
      const rows = ops.toRows(images);
      right += rows.filter((r) => nearestPrototype(r) === y).length;
      ownRight += Array.from(dbn.classify(ops.greater(images, 0.5))).filter((p) => p === y).length;
    }
    expect(right / 100).toBeGreaterThan(0.7); // chance is 0.25
    expect(ownRight / 100).toBeGreaterThan(0.7);
  });

  it("start: 'label' runs the same chain from all penultimate units off", async () => {
    const { dbn } = await trainedToyDBN();
    const n = dbn.penultimateSize;
    const K = dbn.numLabels;
    const fromLabel = ops.read(
      dbn.generate(2, { count: 3, rng: new SeededRandom(5), gibbsSteps: 4, start: 'label' }),
    );
    // by hand: the clamped chain from zeros, then the binary penultimate states sent down
    const values = new Float32Array(3 * (n + K));
    for (let r = 0; r < 3; r++) values[r * (n + K) + n + 2] = 1;
    const mask = new Float32Array(n + K).fill(1, n);
    const chain = dbn.top.gibbs(ops.zeros([3, n + K]), {
      steps: 4,
      rng: new SeededRandom(5),
      clamp: { mask: ops.fromArray(mask, [1, n + K]), values: ops.fromArray(values, [3, n + K]) },
    });
    const byHand = ops.read(dbn.down(ops.sliceColumns(chain.visible, 0, n)));
    expect(Array.from(fromLabel)).toEqual(Array.from(byHand));
    const fromRandom = ops.read(
      dbn.generate(2, { count: 3, rng: new SeededRandom(5), gibbsSteps: 4 }),
    );
    expect(Array.from(fromRandom)).not.toEqual(Array.from(fromLabel));
    expect(() => dbn.generate(2, { rng: new SeededRandom(1), start: 'data' as 'label' })).toThrow(
      /start must be 'random' or 'label'/,
    );
  });

  it('generates many labels side by side, each row clamped to its own label', async () => {
    const { dbn } = await trainedToyDBN();
    const labels = [0, 1, 2, 3];
    const images = ops.toRows(
      dbn.generate(labels, { count: 25, rng: new SeededRandom(3), gibbsSteps: 200 }),
    );
    expect(images).toHaveLength(100);
    // rows come label by label, `count` each
    const right = images.filter((r, i) => nearestPrototype(r) === labels[Math.floor(i / 25)]);
    expect(right.length / 100).toBeGreaterThan(0.7);
    // same seed, same images; probabilities of the penultimate units instead of samples differ
    const again = dbn.generate([2], { count: 3, rng: new SeededRandom(5), gibbsSteps: 20 });
    const twice = dbn.generate(2, { count: 3, rng: new SeededRandom(5), gibbsSteps: 20 });
    expect(ops.read(again)).toEqual(ops.read(twice));
    const smooth = dbn.generate(2, {
      count: 3,
      rng: new SeededRandom(5),
      gibbsSteps: 20,
      penultimate: 'probabilities',
    });
    expect(ops.read(smooth)).not.toEqual(ops.read(twice));
    expect(() => dbn.generate([], { rng: new SeededRandom(1) })).toThrow(/no label/);
    expect(() =>
      dbn.generate(1, { rng: new SeededRandom(1), penultimate: 'means' as 'samples' }),
    ).toThrow(/penultimate must be/);
  });

  it('rejects bad configurations and labels', async () => {
    expect(() => new DBN(ops, { sizes: [16] }, new SeededRandom(1))).toThrow(
      /at least two layer sizes/,
    );
    expect(() => new DBN(ops, { sizes: [16, 0] }, new SeededRandom(1))).toThrow(/sizes\[1\]/);
    const dbn = new DBN(ops, { sizes: [16, 8, 8], labels: 4 }, new SeededRandom(1));
    const d = noisyPrototypes(20, 0, 1);
    await expect(dbn.pretrain(d, { layers: layer })).rejects.toThrow(/labels are required/);
    await expect(
      dbn.pretrain(d, { layers: layer, labels: new Uint8Array(20).fill(7) }),
    ).rejects.toThrow(/labels\[0\] = 7 is outside the 4 classes/);
    expect(() => dbn.generate(9, { count: 1, rng: new SeededRandom(1) })).toThrow(
      /label 9 is outside/,
    );
  });
});

describe('backpropagation', () => {
  const numericalCheck = (
    net: FeedForwardNet,
    x: ReturnType<Ops['tensor']>,
    t: ReturnType<Ops['tensor']>,
    loss: Parameters<FeedForwardNet['loss']>[2],
  ) => {
    const grads = net.gradients(x, t, loss);
    const eps = 1e-2;
    let checked = 0;
    net.layers.forEach((layer, li) => {
      for (const key of ['W', 'b'] as const) {
        const analytic = ops.read(grads[li]![key]);
        const values = ops.read(layer[key]);
        for (let i = 0; i < values.length; i += 3) {
          const at = (delta: number) => {
            const v = values.slice();
            v[i]! += delta;
            const old = layer[key];
            layer[key] = ops.keep(ops.tensor(v, old.shape));
            const l = net.loss(x, t, loss);
            layer[key].dispose();
            layer[key] = old;
            return l;
          };
          const numeric = (at(eps) - at(-eps)) / (2 * eps);
          expect(Math.abs(numeric - analytic[i]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
          checked++;
        }
      }
    });
    return checked;
  };

  it('gradients match finite differences for softmax, sigmoid and linear outputs', () => {
    const rng = new SeededRandom(4);
    const x = ops.tensor(rng.uniformArray(6 * 5), [6, 5]);
    const cls = FeedForwardNet.random(ops, [5, 4, 3], ['sigmoid', 'softmax'], rng, 0.5);
    const labels = ops.tensor(
      new Float32Array(18).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)),
      [6, 3],
    );
    expect(numericalCheck(cls, x, labels, 'softmax-cross-entropy')).toBeGreaterThan(8);
    const ae = FeedForwardNet.random(
      ops,
      [5, 4, 2, 4, 5],
      ['sigmoid', 'linear', 'sigmoid', 'sigmoid'],
      rng,
      0.5,
    );
    expect(numericalCheck(ae, x, x, 'sigmoid-cross-entropy')).toBeGreaterThan(15);
    const reg = FeedForwardNet.random(ops, [5, 3, 2], ['sigmoid', 'linear'], rng, 0.5);
    expect(numericalCheck(reg, x, ops.sliceColumns(x, 0, 2), 'squared-error')).toBeGreaterThan(5);
  });

  it.each([
    ['a fixed learning rate', 0.3, [0.3, 0.3, 0.3]],
    ['a learning rate per third of the epochs', [0.3, 0.1, 0.02], [0.3, 0.1, 0.02]],
  ] as const)(
    'an SGD step is the plain rule m ← μ·m − lr·(g + λ·W), W ← W + m, with %s (learning rate folded into the delta)',
    async (_, learningRate, perEpoch) => {
      const rng = new SeededRandom(8);
      const rows = 12;
      const data = rng.uniformArray(rows * 5);
      const labels = Uint8Array.from({ length: rows }, (_, i) => i % 4);
      const sizes = [5, 4, 6, 4];
      const acts = ['sigmoid', 'sigmoid', 'softmax'] as const;
      const plain = FeedForwardNet.random(ops, sizes, acts, new SeededRandom(9), 0.5);
      const [mu, wd] = [0.9, 0.01];
      const x = ops.keep(ops.tensor(data, [rows, 5]));
      const y = oneHotRows(labels);
      const m = plain.layers.map((l) => ({ W: ops.zeros(l.W.shape), b: ops.zeros(l.b.shape) }));
      for (let step = 0; step < 3; step++) {
        const lr = perEpoch[step]!;
        const grads = plain.gradients(x, y, 'softmax-cross-entropy');
        plain.layers.forEach((l, i) => {
          const gW = ops.add(grads[i]!.W, ops.mul(l.W, wd));
          m[i] = {
            W: ops.keep(ops.sub(ops.mul(m[i]!.W, mu), ops.mul(gW, lr))),
            b: ops.keep(ops.sub(ops.mul(m[i]!.b, mu), ops.mul(grads[i]!.b, lr))),
          };
          l.W = ops.keep(ops.add(l.W, m[i]!.W));
          l.b = ops.keep(ops.add(l.b, m[i]!.b));
        });
      }
      // three epochs of one batch holding every row (their order does not change the gradient)
      const three = FeedForwardNet.random(ops, sizes, acts, new SeededRandom(9), 0.5);
      await fineTune(three, { data, rows, cols: 5 }, { labels }, 'softmax-cross-entropy', {
        epochs: 3,
        batchSize: rows,
        learningRate: typeof learningRate === 'number' ? learningRate : [...learningRate],
        momentum: mu,
        weightDecay: wd,
      });
      three.layers.forEach((l, i) => {
        for (const key of ['W', 'b'] as const) {
          const a = ops.read(l[key]);
          const b = ops.read(plain.layers[i]![key]);
          const diff = Math.max(...a.map((v, j) => Math.abs(v - b[j]!)));
          expect(diff).toBeLessThan(1e-6);
        }
      });
      // and the learning rate really moved the weights (the comparison is not of two copies)
      const start = FeedForwardNet.random(ops, sizes, acts, new SeededRandom(9), 0.5);
      expect(
        Math.max(...ops.read(ops.sub(start.layers[0]!.W, three.layers[0]!.W)).map(Math.abs)),
      ).toBeGreaterThan(1e-3);
    },
  );

  it('fine-tuning the unrolled DBN lowers the training loss and keeps the error low (SGD, Adam and CG)', async () => {
    const { dbn, train } = await trainedToyDBN(2);
    const test = noisyPrototypes(200, 0.05, 98);
    const x = ops.tensor(test.data, [200, 16]);
    for (const optimizer of ['sgd', 'adam', 'cg'] as const) {
      const net = unrollClassifier(dbn);
      const before = net.loss(
        ops.tensor(train.data, [400, 16]),
        oneHotRows(train.labels),
        'softmax-cross-entropy',
      );
      const history = await fineTune(
        net,
        train,
        { labels: train.labels },
        'softmax-cross-entropy',
        {
          epochs: 10,
          batchSize: 20,
          learningRate: optimizer === 'sgd' ? 0.1 : 0.01,
          optimizer,
          validationFraction: 0.2,
          patience: 10,
        },
      );
      expect(history.at(-1)!.trainLoss).toBeLessThan(before);
      const predicted = ops.read(ops.argmax(net.forward(x), 1));
      expect(classificationReport(Array.from(predicted), test.labels, 4).error).toBeLessThan(0.1);
      net.dispose();
    }
  });

  it.each(['sgd', 'cg'] as const)(
    'outputOnlyEpochs trains only the output layer at first (%s)',
    async (optimizer) => {
      const { dbn, train } = await trainedToyDBN(2);
      const net = unrollClassifier(dbn);
      const before = net.layers.map((l) => [ops.read(l.W), ops.read(l.b)]);
      const changed = () =>
        net.layers.map((l, i) =>
          [ops.read(l.W), ops.read(l.b)].some((a, k) => a.some((v, j) => v !== before[i]![k]![j])),
        );
      const options = { batchSize: 20, learningRate: 0.1, optimizer, outputOnlyEpochs: 1 };
      await fineTune(net, train, { labels: train.labels }, 'softmax-cross-entropy', {
        ...options,
        epochs: 1,
      });
      expect(changed()).toEqual(net.layers.map((_, i) => i === net.layers.length - 1));
      // from the second epoch on, every layer learns
      const again = unrollClassifier(dbn);
      await fineTune(again, train, { labels: train.labels }, 'softmax-cross-entropy', {
        ...options,
        epochs: 2,
      });
      expect(
        again.layers.map((l, i) => ops.read(l.W).some((v, j) => v !== before[i]![0]![j])),
      ).toEqual(again.layers.map(() => true));
      net.dispose();
      again.dispose();
    },
  );

  it('fineTuneSplit names the rows fineTune holds out: its validation loss is the loss on them', async () => {
    const d = noisyPrototypes(40, 0.05, 3);
    const net = FeedForwardNet.random(ops, [16, 4], ['softmax'], new SeededRandom(2));
    const options = { epochs: 1, batchSize: 10, validationFraction: 0.25, seed: 6 };
    const [epoch] = await fineTune(net, d, { labels: d.labels }, 'softmax-cross-entropy', options);
    const { train, validation } = fineTuneSplit(40, 6, 0.25);
    expect(validation).toHaveLength(10);
    expect(new Set([...train, ...validation]).size).toBe(40);
    const rows = Array.from(validation);
    const x = new Float32Array(
      rows.flatMap((r) => Array.from(d.data.subarray(r * 16, r * 16 + 16))),
    );
    const y = new Float32Array(
      rows.flatMap((r) => [0, 1, 2, 3].map((k) => (k === d.labels[r] ? 1 : 0))),
    );
    const loss = net.loss(ops.tensor(x, [10, 16]), ops.tensor(y, [10, 4]), 'softmax-cross-entropy');
    expect(epoch!.validationLoss).toBeCloseTo(loss, 5);
    // other rows give another loss: the check would fail for a different split
    const others = fineTuneSplit(40, 7, 0.25).validation;
    expect(Array.from(others)).not.toEqual(rows);
  });

  it('rejects bad fine-tuning options', async () => {
    const net = FeedForwardNet.random(ops, [16, 4], ['softmax'], new SeededRandom(1));
    const d = noisyPrototypes(40, 0, 1);
    await expect(
      fineTune(net, d, { labels: d.labels }, 'softmax-cross-entropy', {
        epochs: 1,
        learningRate: 0,
      }),
    ).rejects.toThrow(/learningRate/);
    await expect(
      fineTune(net, d, { labels: d.labels }, 'softmax-cross-entropy', {
        epochs: 1,
        learningRate: [0.1, -0.01],
      }),
    ).rejects.toThrow(/learningRate\.1/);
    await expect(
      fineTune(net, d, { labels: d.labels }, 'squared-error', { epochs: 1, batchSize: 10 }),
    ).rejects.toThrow(/does not pair/);
  });
});

function oneHotRows(labels: Uint8Array) {
  return ops.tensor(
    new Float32Array(labels.length * 4).map((_, i) =>
      i % 4 === labels[Math.floor(i / 4)] ? 1 : 0,
    ),
    [labels.length, 4],
  );
}

describe('deep autoencoder', () => {
  it('reconstructs a 1-D manifold better than PCA with the same code size', async () => {
    const train = ringBumps(600, 20, 1);
    const test = ringBumps(200, 20, 2);
    const ae = new DeepAutoencoder(ops, [20, 32, 16, 2], new SeededRandom(1));
    await ae.pretrain(train, {
      layers: [
        { epochs: 20, batchSize: 20, learningRate: 0.1 },
        { epochs: 20, batchSize: 20, learningRate: 0.1 },
        { epochs: 20, batchSize: 20, learningRate: 0.01 },
      ],
    });
    await ae.fineTune(train, { epochs: 150, batchSize: 20, learningRate: 3e-3, optimizer: 'adam' });
    const x = ops.tensor(test.data, [200, 20]);
    const aeError = ops.item(ops.mean(ops.square(ops.sub(ae.reconstruct(x), x))));
    const pca = fitPCA(train.data, 600, 20, 2);
    const rec = pcaReconstruct(pca, test.data, 200, 20);
    let pcaError = 0;
    for (let i = 0; i < rec.length; i++) pcaError += (rec[i]! - test.data[i]!) ** 2 / rec.length;
    expect(aeError).toBeLessThan(pcaError);
    expect(ae.encode(x).shape).toEqual([200, 2]);
    expect(ae.decode(ae.encode(x)).shape).toEqual([200, 20]);
  }, 60000);

  it('PCA recovers the principal axes of a known Gaussian', () => {
    const rng = new SeededRandom(7);
    const n = 4000;
    const data = new Float32Array(n * 3);
    const z = rng.normalArray(n * 3);
    for (let r = 0; r < n; r++) {
      data[r * 3] = 3 * z[r * 3]!;
      data[r * 3 + 1] = 1 * z[r * 3 + 1]!;
      data[r * 3 + 2] = 0.2 * z[r * 3 + 2]!;
    }
    const pca = fitPCA(data, n, 3, 2);
    expect(Math.abs(pca.components[0]![0]!)).toBeCloseTo(1, 2);
    expect(Math.abs(pca.components[1]![1]!)).toBeCloseTo(1, 2);
    expect(pca.variances[0]).toBeCloseTo(9, 0);
  });
});

describe('initialisation', () => {
  it("'glorot' scales weights by √(2/(fan-in + fan-out)), ×4 for sigmoid layers", () => {
    const net = FeedForwardNet.random(
      ops,
      [400, 200, 10],
      ['sigmoid', 'softmax'],
      new SeededRandom(1),
      'glorot',
    );
    const sd = (t: ReturnType<Ops['tensor']>) => Math.sqrt(ops.item(ops.mean(ops.square(t))));
    expect(sd(net.layers[0]!.W)).toBeCloseTo(4 * Math.sqrt(2 / 600), 2);
    expect(sd(net.layers[1]!.W)).toBeCloseTo(Math.sqrt(2 / 210), 2);
  });
});
