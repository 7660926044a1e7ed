import { createJsBackend, DivergenceError, Ops, SeededRandom } from '@deepbelief/core';
import { decodeModel } from '@deepbelief/model-format';
import { toMatrixSource } from '@deepbelief/rbm';
import { describe, expect, it } from 'vitest';
import { DeepAutoencoder } from './autoencoder.js';
import {
  decodeBackpropCheckpoint,
  decodePretrainCheckpoint,
  encodeBackpropCheckpoint,
  encodePretrainCheckpoint,
} from './checkpoint.js';
import { DBN } from './dbn.js';
import { type FeedForwardNet, fineTune, fineTuneTrainer } from './feedforward.js';
import { encodeAutoencoder, encodeClassifier, encodeDBN } from './serialize.js';
import { noisyPrototypes, ringBumps } from './test-data.js';
import { unrollClassifier } from './unroll.js';

const ops = new Ops(createJsBackend());

/** The tensors of a model file, by name, as hex (exact comparison, creation time aside). */
const tensorsOf = (bytes: Uint8Array) =>
  Object.fromEntries(
    Object.entries(decodeModel(bytes).tensors).map(([name, t]) => [
      name,
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex'),
    ]),
  );

const layers = { epochs: 3, batchSize: 10, learningRate: 0.1, momentum: 0.5 } as const;
const settings = { note: 'what the run was started with' };

describe('greedy pre-training resumed mid-layer', () => {
  it('a DBN stack stopped in layer 2, checkpointed and restored ends bit-identical', async () => {
    const train = noisyPrototypes(200, 0.05, 1);
    const options = { layers, labels: train.labels, seed: 4, propagate: 'samples' as const };
    const make = () => new DBN(ops, { sizes: [16, 12, 10, 20], labels: 4 }, new SeededRandom(2));
    const whole = make();
    const expectedHistories = await whole.pretrain(train, options);
    const expected = tensorsOf(encodeDBN(whole));

    const first = make();
    const stack = first.pretrainer(train, options);
    await stack.fit({ maxBatches: 60 + 25 }); // layer 1 (60 batches), then 25 into layer 2
    expect(stack.done).toBe(false);
    const state = stack.getState();
    expect(state.layer).toBe(1);
    expect(state.loop).toMatchObject({ epoch: 1, batch: 5 });
    const bytes = encodePretrainCheckpoint('dbn', first, stack, settings);
    first.dispose();

    const restored = decodePretrainCheckpoint(ops, bytes, 'dbn', 'dbn.ckpt');
    expect(restored.settings).toEqual(settings);
    const resumed = restored.model.pretrainer(train, options);
    resumed.setState(restored.state);
    const histories = await resumed.fit();
    expect(resumed.done).toBe(true);
    expect(tensorsOf(encodeDBN(restored.model))).toEqual(expected);
    expect(histories.map((h) => h.map((e) => e.reconstructionError))).toEqual(
      expectedHistories.map((h) => h.map((e) => e.reconstructionError)),
    );
    whole.dispose();
    restored.model.dispose();
  }, 30000);

  it('an autoencoder stack checkpointed between layers resumes too, and files of another kind are refused', async () => {
    const train = ringBumps(200, 12, 3);
    const options = { layers, seed: 5 };
    const make = () => new DeepAutoencoder(ops, [12, 8, 3], new SeededRandom(1));
    const whole = make();
    await whole.pretrain(train, options);
    const first = make();
    const stack = first.pretrainer(train, options);
    await stack.fit({ maxBatches: 60 }); // exactly layer 1
    expect(stack.getState()).toMatchObject({ layer: 1, loop: null });
    const bytes = encodePretrainCheckpoint('autoencoder', first, stack, settings);
    expect(() => decodePretrainCheckpoint(ops, bytes, 'dbn', 'ae.ckpt')).toThrow(
      "ae.ckpt: this checkpoint holds a 'autoencoder' (pretrain), not a 'dbn' (pretrain)",
    );
    const restored = decodePretrainCheckpoint(ops, bytes, 'autoencoder');
    const resumed = restored.model.pretrainer(train, options);
    resumed.setState(restored.state);
    await resumed.fit();
    expect(tensorsOf(encodeAutoencoder(restored.model))).toEqual(
      tensorsOf(encodeAutoencoder(whole)),
    );
  }, 30000);
});

describe('backprop resumed mid-epoch', () => {
  async function classifier(): Promise<{
    net: FeedForwardNet;
    train: ReturnType<typeof noisyPrototypes>;
  }> {
    const train = noisyPrototypes(300, 0.1, 1);
    const dbn = new DBN(ops, { sizes: [16, 12, 10], labels: 0 }, new SeededRandom(3));
    await dbn.pretrain(train, { layers: { ...layers, epochs: 1 }, seed: 1 });
    const net = unrollClassifier(dbn, { numClasses: 4, seed: 2 });
    dbn.dispose();
    return { net, train };
  }
  const common = {
    epochs: 6,
    batchSize: 10,
    learningRate: 0.05,
    validationFraction: 0.2,
    patience: 10,
    seed: 8,
    metricsEvery: 4,
  };
  const options = { ...common, optimizer: 'adam' as const };

  it.each([
    ['Adam moments', 'adam'],
    ['conjugate gradients, the output layer alone at first', 'cg'],
  ] as const)(
    'a classifier with early-stopping memory and %s ends bit-identical',
    async (_, optimizer) => {
      const options = {
        ...common,
        optimizer,
        ...(optimizer === 'cg' ? { lineSearches: 2, outputOnlyEpochs: 2 } : {}),
      };
      const { net: whole, train } = await classifier();
      const history = await fineTune(
        whole,
        train,
        { labels: train.labels },
        'softmax-cross-entropy',
        options,
      );
      const expected = tensorsOf(encodeClassifier(whole));

      const { net: first } = await classifier();
      const run = fineTuneTrainer(
        first,
        train,
        { labels: train.labels },
        'softmax-cross-entropy',
        options,
      );
      await run.loop.fit(run.source, { maxBatches: 24 * 2 + 5 }); // 24 batches per epoch
      const bytes = encodeBackpropCheckpoint('classifier', first, run.loop, settings);
      run.loop.dispose();
      first.dispose();

      const restored = decodeBackpropCheckpoint(ops, bytes, 'classifier');
      const again = fineTuneTrainer(
        restored.model,
        train,
        { labels: train.labels },
        'softmax-cross-entropy',
        options,
      );
      again.loop.setState(restored.state);
      expect(again.loop.getState().algorithm.values).toEqual(restored.state.algorithm.values);
      const resumedHistory = await again.loop.fit(again.source);
      again.algorithm.restoreBest();
      again.loop.dispose();
      expect(tensorsOf(encodeClassifier(restored.model))).toEqual(expected);
      expect(resumedHistory.map((h) => [h.trainLoss, h.validationLoss])).toEqual(
        history.map((h) => [h.trainLoss, h.validationLoss]),
      );
    },
    30000,
  );

  it('early stopping ends the run and restores the best weights; the state remembers', async () => {
    const { net, train } = await classifier();
    const run = fineTuneTrainer(net, train, { labels: train.labels }, 'softmax-cross-entropy', {
      ...options,
      learningRate: 0.5,
      optimizer: 'sgd',
      patience: 1,
      epochs: 30,
    });
    const history = await run.loop.fit(run.source);
    expect(history.length).toBeLessThan(30);
    const state = run.loop.getState();
    expect(state.stopped).toBe(true);
    expect(state.algorithm.values.epochsSinceBest).toBe(1);
    expect(Object.keys(state.algorithm.tensors)).toContain('best.0.W');
    run.loop.dispose();
  }, 30000);

  it('a diverging learning rate stops backprop with a DivergenceError naming it, the epoch and the batch', async () => {
    const { net, train } = await classifier();
    const error = await fineTune(
      net,
      toMatrixSource(train),
      { labels: train.labels },
      'softmax-cross-entropy',
      {
        ...options,
        optimizer: 'sgd',
        learningRate: 1e38,
        metricsEvery: 1,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(
      /^backprop \(sgd\): training diverged at epoch 1, batch \d+: the (training loss|weights of layer \d+) became NaN or infinite\. Try a smaller learning rate \(now 1e\+38; e\.g\. 1e\+37\)\.$/,
    );
  }, 30000);
});
