import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { DeepAutoencoder } from './autoencoder.js';
import { FeedForwardNet } from './feedforward.js';
import { HammingIndex } from './hashing.js';
import { precisionAtRecall } from './retrieval.js';
import { decodeAutoencoder, encodeAutoencoder } from './serialize.js';

const ops = new Ops(createJsBackend());

/** Documents of 30 words from one of 4 topics, each topic favouring 8 of 32 words. */
function topicDocuments(n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const V = 32;
  const data = new Float32Array(n * V);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const topic = r % 4;
    labels[r] = topic;
    for (let w = 0; w < 30; w++) {
      const word = rng.uniform() < 0.8 ? topic * 8 + rng.int(8) : rng.int(V);
      data[r * V + word]! += 1;
    }
  }
  return { data, rows: n, cols: V, labels };
}

describe('semantic hashing: a word-count autoencoder with binary codes', () => {
  it('unrolls the replicated-softmax RBM exactly: encoder = p(h|v) with D·c, decoder = softmax(b + Wh)', async () => {
    const ae = new DeepAutoencoder(ops, [32, 12, 6], new SeededRandom(1), {
      input: 'word-counts',
      code: 'binary',
    });
    const docs = topicDocuments(40, 2);
    await ae.pretrain(docs, { layers: { epochs: 2, batchSize: 10, learningRate: 0.05 } });
    const [bottom] = ae.rbms;
    expect(bottom!.wordCounts).toBe(true);
    const net = ae.unroll();
    const x = ops.tensor(docs.data, [docs.rows, docs.cols]);
    const h = net.forwardTo(x, 1);
    const expected = ops.read(bottom!.hiddenProbabilities(x));
    ops.read(h).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    const top = ops.tensor(new SeededRandom(3).uniformArray(5 * 12), [5, 12]);
    const lastLayer = net.layers.at(-1)!;
    expect(lastLayer.activation).toBe('softmax');
    const out = ops.read(new FeedForwardNet(ops, [lastLayer]).forward(top));
    const want = ops.read(bottom!.visibleProbabilities(top));
    out.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 5);
    });
    expect(net.layers[1]!.activation).toBe('sigmoid'); // logistic code units
    ae.dispose();
  });

  it('noise on a layer input is a per-row shift of its total input (equal rows = a bias shift)', () => {
    const rng = new SeededRandom(5);
    const net = FeedForwardNet.random(ops, [6, 4, 6], ['sigmoid', 'sigmoid'], rng, 0.5);
    const x = ops.tensor(rng.uniformArray(3 * 6), [3, 6]);
    const noiseRow = [0.7, -1.2, 2, 0.1];
    const noise = ops.tensor([noiseRow, noiseRow, noiseRow]);
    const withNoise = net.lossAndGradients(x, x, 'sigmoid-cross-entropy', 1, {
      layer: 0,
      values: noise,
    });
    const shifted = new FeedForwardNet(ops, [
      {
        W: ops.add(net.layers[0]!.W, 0),
        b: ops.add(net.layers[0]!.b, ops.tensor([noiseRow])),
        activation: 'sigmoid',
      },
      { W: ops.add(net.layers[1]!.W, 0), b: ops.add(net.layers[1]!.b, 0), activation: 'sigmoid' },
    ]);
    const plain = shifted.lossAndGradients(x, x, 'sigmoid-cross-entropy');
    expect(ops.item(withNoise.loss)).toBeCloseTo(ops.item(plain.loss), 5);
    withNoise.gradients.forEach((g, i) => {
      const a = ops.read(g.W);
      const b = ops.read(plain.gradients[i]!.W);
      a.forEach((v, k) => {
        expect(v).toBeCloseTo(b[k]!, 5);
      });
    });
    expect(() =>
      net.lossAndGradients(x, x, 'sigmoid-cross-entropy', 1, {
        layer: 0,
        values: ops.zeros([3, 5]),
      }),
    ).toThrow(/noise for layer 0 must be \[3, 4\]/);
  });

  it('fine-tuned with deterministic code noise, codes saturate and Hamming retrieval finds the topic', async () => {
    const train = topicDocuments(400, 7);
    const test = topicDocuments(80, 8);
    const ae = new DeepAutoencoder(ops, [32, 24, 8], new SeededRandom(2), {
      input: 'word-counts',
      code: 'binary',
    });
    await ae.pretrain(train, {
      layers: [
        { epochs: 20, batchSize: 20, learningRate: 0.02 },
        { epochs: 20, batchSize: 20, learningRate: 0.1 },
      ],
      seed: 3,
    });
    await ae.fineTune(train, { epochs: 40, batchSize: 20, learningRate: 3e-3, optimizer: 'adam' });
    const x = ops.tensor(train.data, [train.rows, train.cols]);
    const activations = ops.read(ae.encode(x));
    const saturated = activations.filter((a) => a < 0.1 || a > 0.9).length / activations.length;
    expect(saturated).toBeGreaterThan(0.8);
    const itemCodes = ops.read(ae.binaryCodes(x));
    const queryCodes = ops.read(ae.binaryCodes(ops.tensor(test.data, [test.rows, test.cols])));
    const index = new HammingIndex(itemCodes, 8);
    const curve = precisionAtRecall(
      (q) => index.distances(queryCodes.subarray(q * 8, (q + 1) * 8)),
      test.labels,
      train.labels,
      [0.1, 0.3, 0.5],
    );
    // 4 balanced topics: a random ranking has precision 0.25
    for (const p of curve.precision) expect(p).toBeGreaterThan(0.6);
    // the model file keeps the kind: the same codes after a round trip
    const { autoencoder: back } = decodeAutoencoder(ops, encodeAutoencoder(ae));
    expect(back.kind).toEqual({ input: 'word-counts', code: 'binary' });
    expect(Array.from(ops.read(back.binaryCodes(x)))).toEqual(Array.from(itemCodes));
    back.dispose();
    ae.dispose();
  }, 60000);

  it('refuses binary codes from a linear-code autoencoder', () => {
    const ae = new DeepAutoencoder(ops, [8, 4, 2], new SeededRandom(1));
    expect(() => ae.binaryCodes(ops.zeros([1, 8]))).toThrow(/linear codes/);
    ae.dispose();
  });
});
