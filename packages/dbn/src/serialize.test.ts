import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { DeepAutoencoder } from './autoencoder.js';
import { DBN } from './dbn.js';
import { FeedForwardNet } from './feedforward.js';
import {
  decodeAutoencoder,
  decodeClassifier,
  decodeDBN,
  encodeAutoencoder,
  encodeClassifier,
  encodeDBN,
} from './serialize.js';

const ops = new Ops(createJsBackend());
const same = (a: ReturnType<Ops['tensor']>, b: ReturnType<Ops['tensor']>) =>
  expect(Array.from(ops.read(a))).toEqual(Array.from(ops.read(b)));

describe('DBN, classifier and autoencoder files', () => {
  it('a DBN with label units round-trips, tied and untied (wake-sleep)', () => {
    const dbn = new DBN(ops, { sizes: [6, 5, 4, 7], labels: 3 }, new SeededRandom(1));
    for (const untie of [false, true]) {
      if (untie) {
        dbn.untie();
        dbn.generative![0]!.W = ops.keep(ops.add(dbn.generative![0]!.W, 0.5));
      }
      const { dbn: back, file } = decodeDBN(
        ops,
        encodeDBN(dbn, { hyperParameters: { epochs: 1 } }),
        'dbn.safetensors',
      );
      expect(file.kind).toBe(untie ? 'wake-sleep-dbn' : 'dbn');
      expect(back.sizes).toEqual([6, 5, 4, 7]);
      expect(back.numLabels).toBe(3);
      back.layers.forEach((rbm, i) => {
        same(rbm.W, dbn.layers[i]!.W);
        same(rbm.hiddenBias, dbn.layers[i]!.hiddenBias);
      });
      if (untie) same(back.generative![0]!.W, dbn.generative![0]!.W);
      else expect(back.generative).toBeNull();
      const x = ops.tensor(new SeededRandom(2).uniformArray(12), [2, 6]);
      expect(Array.from(back.classify(x))).toEqual(Array.from(dbn.classify(x)));
    }
  });

  it('classifier and autoencoder round-trip and compute the same outputs', () => {
    const net = FeedForwardNet.random(
      ops,
      [6, 4, 3],
      ['sigmoid', 'softmax'],
      new SeededRandom(3),
      0.5,
    );
    const x = ops.tensor(new SeededRandom(4).uniformArray(12), [2, 6]);
    same(decodeClassifier(ops, encodeClassifier(net)).net.forward(x), net.forward(x));
    const ae = new DeepAutoencoder(ops, [6, 4, 2], new SeededRandom(5));
    ae.unroll();
    const back = decodeAutoencoder(ops, encodeAutoencoder(ae)).autoencoder;
    same(back.reconstruct(x), ae.reconstruct(x));
    same(back.encode(x), ae.encode(x));
  });

  it('refuses a file of another kind or with inconsistent layers', () => {
    const net = FeedForwardNet.random(ops, [6, 3], ['softmax'], new SeededRandom(3));
    expect(() => decodeDBN(ops, encodeClassifier(net), 'c.safetensors')).toThrow(
      /c\.safetensors.*classifier/,
    );
    const dbn = new DBN(ops, { sizes: [6, 5, 4] }, new SeededRandom(1));
    const bytes = encodeDBN(dbn);
    expect(() => decodeClassifier(ops, bytes, 'd.safetensors')).toThrow(/d\.safetensors/);
  });
});
