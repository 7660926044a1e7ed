/**
 * Reproduces, shortened to fit a 2-core machine:
 * - Hinton, Osindero & Teh (2006): the 784-500-500-(2000 ↔ 500+10 labels) DBN, greedy
 *   pre-training, then contrastive wake-sleep (up-down) fine-tuning; test error by the top
 *   RBM's label free energy. Paper: 1.25 % after 300 up-down epochs (≈ a week of 2006 CPU).
 * - Hinton & Salakhutdinov (2006): the pre-trained DBN unrolled into 784-500-500-2000-10 and
 *   fine-tuned by backprop (paper: 1.2 %), beside the same network trained by backprop from
 *   a random initialisation (paper: 1.6 %).
 * Protocol here: pre-training `--pretrain-epochs` sweeps per layer (paper 30), up-down
 * `--updown-epochs` (paper 300), backprop `--backprop-epochs` (paper: until convergence).
 * Each stage is cached in results/dbn2006/stages, so an interrupted run resumes at the
 * last finished stage; models are saved beside it.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/dbn2006.ts
 * Budget on 2 cores with the onnx backend: about 30 minutes at the defaults.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRandom } from '@deepbelief/core';
import {
  classificationReport,
  DBN,
  decodeDBN,
  encodeClassifier,
  encodeDBN,
  FeedForwardNet,
  fineTune,
  hinton2006,
  unrollClassifier,
} from '@deepbelief/dbn';
import { upDown } from '@deepbelief/wake-sleep';
import { asTensor, predictInBlocks, Run, setup } from './lib.js';

const { values } = parseArgs({
  options: {
    'pretrain-epochs': { type: 'string', default: '15' },
    'updown-epochs': { type: 'string', default: '8' },
    'backprop-epochs': { type: 'string', default: '10' },
  },
});
const pretrainEpochs = Number(values['pretrain-epochs']);
const updownEpochs = Number(values['updown-epochs']);
const backpropEpochs = Number(values['backprop-epochs']);

const run = new Run('dbn2006');
const { ops, train, test } = await setup();
run.log(
  `backend ${ops.name}; pre-training ${pretrainEpochs} epochs/layer, up-down ${updownEpochs}, backprop ${backpropEpochs}`,
);
const testX = asTensor(ops, test);
const testError = (predict: (x: ReturnType<typeof asTensor>) => ArrayLike<number>) =>
  classificationReport(predictInBlocks(ops, testX, predict), test.labels!, 10);

const layers = hinton2006.pretrain.map((l) => ({ ...l, epochs: pretrainEpochs }));
const pretrained = await run.stage('pretrain', async () => {
  const dbn = new DBN(ops, hinton2006.config, new SeededRandom(1));
  const histories = await dbn.pretrain(train, {
    layers,
    labels: train.labels!,
    seed: 1,
    hooks: {
      onEpoch: (e) =>
        run.log(
          `${e.layer} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
        ),
    },
  });
  await run.saveModel(
    'pretrained.dbn',
    encodeDBN(dbn, { hyperParameters: { layers }, history: histories }),
  );
  const report = testError((x) => dbn.classify(x));
  run.log(`pre-trained DBN test error ${(report.error * 100).toFixed(2)} %`);
  return { testError: report.error, confusion: report.confusion, histories };
});

const loadPretrained = () =>
  decodeDBN(ops, readFileSync(run.modelPath('pretrained.dbn')), 'pretrained.dbn').dbn;

const updown = await run.stage('updown', async () => {
  const dbn = loadPretrained();
  const options = {
    epochs: updownEpochs,
    batchSize: 100,
    learningRate: 0.01,
    labels: train.labels!,
    seed: 2,
  };
  const history = await upDown(dbn, train, options, {
    onEpoch: (e) =>
      run.log(
        `up-down epoch ${e.epoch + 1}/${updownEpochs}: k=${e.gibbsSteps}, generative error ${e.generativeError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
      ),
  });
  const { labels: _labels, ...hyperParameters } = options;
  await run.saveModel('updown.dbn', encodeDBN(dbn, { hyperParameters, history }));
  const report = testError((x) => dbn.classify(x));
  run.log(`after up-down: test error ${(report.error * 100).toFixed(2)} %`);
  return { testError: report.error, confusion: report.confusion, history };
});

const backpropOptions = {
  epochs: backpropEpochs,
  batchSize: 100,
  learningRate: 0.1,
  momentum: 0.9,
  weightDecay: 1e-5,
  validationFraction: 1 / 6,
  patience: 5,
  seed: 3,
};
const backprop = await run.stage('backprop', async () => {
  const net = unrollClassifier(loadPretrained());
  const history = await fineTune(
    net,
    train,
    { labels: train.labels! },
    'softmax-cross-entropy',
    backpropOptions,
    {
      onEpoch: (e) =>
        run.log(
          `backprop (pre-trained) epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)}, validation ${e.validationLoss?.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
        ),
    },
  );
  await run.saveModel(
    'backprop.classifier',
    encodeClassifier(net, { hyperParameters: backpropOptions, history }),
  );
  const report = testError((x) => ops.read(ops.argmax(net.forward(x), 1)));
  run.log(`pre-trained + backprop: test error ${(report.error * 100).toFixed(2)} %`);
  return { testError: report.error, confusion: report.confusion, history };
});

const random = await run.stage('random-init-backprop', async () => {
  const net = FeedForwardNet.random(
    ops,
    [784, 500, 500, 2000, 10],
    ['sigmoid', 'sigmoid', 'sigmoid', 'softmax'],
    new SeededRandom(4),
    'glorot',
  );
  const history = await fineTune(
    net,
    train,
    { labels: train.labels! },
    'softmax-cross-entropy',
    backpropOptions,
    {
      onEpoch: (e) =>
        run.log(
          `backprop (random init) epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)}, validation ${e.validationLoss?.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
        ),
    },
  );
  const report = testError((x) => ops.read(ops.argmax(net.forward(x), 1)));
  run.log(`random init + backprop: test error ${(report.error * 100).toFixed(2)} %`);
  return { testError: report.error, confusion: report.confusion, history };
});

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const table = `# The 2006 DBN on real MNIST (backend ${ops.name})

Shortened protocol: ${pretrainEpochs} pre-training epochs per layer (paper 30), ${updownEpochs} up-down epochs (paper 300), ${backpropEpochs} backprop epochs with early stopping on 10,000 held-out training images. Log: run.log.

| model | published | deepbelief | run time |
|---|---|---|---|
| DBN after greedy pre-training (label free energy) | — | ${pct(pretrained.testError)} | ${(pretrained as { seconds?: number }).seconds?.toFixed(0)} s |
| DBN + up-down (Hinton, Osindero & Teh 2006) | 1.25 % | ${pct(updown.testError)} | ${(updown as { seconds?: number }).seconds?.toFixed(0)} s |
| DBN + backprop (Hinton & Salakhutdinov 2006) | 1.2 % | ${pct(backprop.testError)} | ${(backprop as { seconds?: number }).seconds?.toFixed(0)} s |
| same net, random init + backprop | 1.6 % | ${pct(random.testError)} | ${(random as { seconds?: number }).seconds?.toFixed(0)} s |
`;
run.write('results.md', table);
run.write(
  'results.json',
  `${JSON.stringify({ backend: ops.name, pretrainEpochs, updownEpochs, backpropEpochs, pretrained: pretrained.testError, updown: updown.testError, backprop: backprop.testError, randomInit: random.testError }, null, 2)}\n`,
);
run.log(table);
