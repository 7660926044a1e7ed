/**
 * Issues 7 and 8 acceptance run on real MNIST with the small DBN preset (784-200-200-500
 * with 10 label units): test error of the pre-trained DBN (label free energy), after backprop
 * fine-tuning of the unrolled net, and after up-down fine-tuning from the same pre-trained
 * model (same seed); digits generated with each clamped label (200 Gibbs steps), written as
 * PNG grids, and the rate at which the model's own classifier recognises them.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/small-dbn.ts
 * Budget on 2 cores with the onnx backend: about 5 minutes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { imageGrid, writePng } from '@deepbelief/cli';
import { SeededRandom } from '@deepbelief/core';
import {
  classificationReport,
  DBN,
  decodeDBN,
  encodeDBN,
  fineTune,
  small,
  unrollClassifier,
} from '@deepbelief/dbn';
import { upDown } from '@deepbelief/wake-sleep';
import { asTensor, logEpochs, predictInBlocks, Run, setup } from './lib.js';

const { values } = parseArgs({
  options: {
    'pretrain-epochs': { type: 'string', default: '5' },
    'updown-epochs': { type: 'string', default: '3' },
    'backprop-epochs': { type: 'string', default: '5' },
  },
});
const pretrainEpochs = Number(values['pretrain-epochs']);
const run = new Run('small-dbn');
const { ops, train, test } = await setup();
const testX = asTensor(ops, test);
run.log(`backend ${ops.name}; small preset, ${pretrainEpochs} pre-training epochs per layer`);
const error = (predict: (x: typeof testX) => ArrayLike<number>) =>
  classificationReport(predictInBlocks(ops, testX, predict), test.labels!, 10).error;

/** 10 samples per clamped label → PNG, and the fraction the DBN's own classifier labels correctly. */
async function generation(dbn: DBN, file: string): Promise<number> {
  const rng = new SeededRandom(5);
  const rows: Float32Array[] = [];
  let right = 0;
  for (let y = 0; y < 10; y++) {
    const images = dbn.generate(y, { count: 10, rng });
    rows.push(ops.read(images));
    right += Array.from(dbn.classify(images)).filter((p) => p === y).length;
    images.dispose();
  }
  const all = new Float32Array(100 * 784);
  for (const [i, r] of rows.entries()) all.set(r, i * 10 * 784);
  await writePng(
    join(run.dir, file),
    imageGrid(all, 100, { tileShape: [28, 28], columns: 10, normalize: 'unit', zoom: 2 }),
  );
  return right / 100;
}

const pre = await run.stage('pretrain', async () => {
  const dbn = new DBN(ops, small.config, new SeededRandom(1));
  const layers = small.pretrain.map((l) => ({ ...l, epochs: pretrainEpochs }));
  await dbn.pretrain(train, {
    layers,
    labels: train.labels!,
    seed: 1,
    hooks: {
      onEpoch: logEpochs(run),
    },
  });
  await run.saveModel('pretrained.dbn', encodeDBN(dbn, { hyperParameters: { layers } }));
  const testError = error((x) => dbn.classify(x));
  const recognised = await generation(dbn, 'samples-pretrained.png');
  run.log(
    `pre-trained: test error ${(testError * 100).toFixed(2)} %, generated digits recognised ${(recognised * 100).toFixed(0)} %`,
  );
  return { testError, recognised };
});
const load = () =>
  decodeDBN(ops, readFileSync(run.modelPath('pretrained.dbn')), 'pretrained.dbn').dbn;

const backprop = await run.stage('backprop', async () => {
  const net = unrollClassifier(load());
  await fineTune(
    net,
    train,
    { labels: train.labels! },
    'softmax-cross-entropy',
    { ...small.backprop, epochs: Number(values['backprop-epochs']) },
    {
      onEpoch: (e) =>
        run.log(
          `backprop epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)}, validation ${e.validationLoss?.toFixed(4)}`,
        ),
    },
  );
  const testError = error((x) => ops.read(ops.argmax(net.forward(x), 1)));
  run.log(`after backprop: test error ${(testError * 100).toFixed(2)} %`);
  return { testError };
});

const updown = await run.stage('updown', async () => {
  const dbn = load();
  await upDown(
    dbn,
    train,
    { epochs: Number(values['updown-epochs']), learningRate: 0.01, labels: train.labels!, seed: 2 },
    {
      onEpoch: (e) =>
        run.log(
          `up-down epoch ${e.epoch + 1}: k=${e.gibbsSteps}, generative error ${e.generativeError.toFixed(5)}`,
        ),
    },
  );
  const testError = error((x) => dbn.classify(x));
  const recognised = await generation(dbn, 'samples-updown.png');
  run.log(
    `after up-down: test error ${(testError * 100).toFixed(2)} %, generated digits recognised ${(recognised * 100).toFixed(0)} %`,
  );
  return { testError, recognised };
});

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
run.write(
  'results.md',
  `# Small DBN preset on real MNIST (backend ${ops.name})\n\n784-200-200-(500 ↔ 200+10 labels), ${pretrainEpochs} pre-training epochs per layer. Generated digits: 10 per clamped label, 200 Gibbs steps, classified by the same model (chance 10 %). Log: run.log.\n\n| model | test error | generated digits recognised |\n|---|---|---|\n| pre-trained DBN | ${pct(pre.testError)} | ${pct(pre.recognised)} (samples-pretrained.png) |\n| + backprop (unrolled) | ${pct(backprop.testError)} | — |\n| + up-down (same pre-trained model, same seed) | ${pct(updown.testError)} | ${pct(updown.recognised)} (samples-updown.png) |\n`,
);
run.log('done');
