/**
 * Reproduces Hinton & Salakhutdinov (2006), *Reducing the dimensionality of data with
 * neural networks*, shortened: the 784-1000-500-250-30 deep autoencoder (linear code
 * units) pre-trained with RBMs and fine-tuned by backprop on the cross-entropy, against PCA
 * with 30 components computed by the project. Published test squared reconstruction error
 * per image: 3.00 for the autoencoder, 8.01 for 30-d PCA (50 pre-training epochs per layer
 * and 200 epochs of conjugate-gradient fine-tuning in the paper).
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/autoencoder.ts
 * Budget on 2 cores with the onnx backend: about 15 minutes at the defaults.
 */
import { parseArgs } from 'node:util';
import { SeededRandom } from '@deepbelief/core';
import {
  autoencoder2006,
  DeepAutoencoder,
  encodeAutoencoder,
  fitPCA,
  pcaReconstruct,
} from '@deepbelief/dbn';
import { asTensor, Run, setup } from './lib.js';

const { values } = parseArgs({
  options: {
    'pretrain-epochs': { type: 'string', default: '5' },
    'finetune-epochs': { type: 'string', default: '10' },
  },
});
const pretrainEpochs = Number(values['pretrain-epochs']);
const finetuneEpochs = Number(values['finetune-epochs']);
const run = new Run('autoencoder');
const { ops, train, test } = await setup();
const testX = asTensor(ops, test);
run.log(
  `backend ${ops.name}; ${pretrainEpochs} pre-training epochs per layer, ${finetuneEpochs} fine-tuning epochs`,
);

/** Squared error summed over pixels, averaged over images (the paper's figure). */
const perImageError = (reconstruct: (x: typeof testX) => typeof testX) => {
  let total = 0;
  for (let s = 0; s < testX.rows; s += 1000) {
    total += ops.tidy(() => {
      const x = ops.sliceRows(testX, s, Math.min(s + 1000, testX.rows));
      return ops.item(ops.sum(ops.square(ops.sub(reconstruct(x), x))));
    });
  }
  return total / testX.rows;
};

const result = await run.stage('autoencoder', async () => {
  const ae = new DeepAutoencoder(ops, autoencoder2006.sizes, new SeededRandom(1));
  const layers = autoencoder2006.pretrain.map((l) => ({ ...l, epochs: pretrainEpochs }));
  await ae.pretrain(train, {
    layers,
    seed: 1,
    hooks: {
      onEpoch: (e) =>
        run.log(
          `${e.layer} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
        ),
    },
  });
  ae.unroll();
  const beforeFineTuning = perImageError((x) => ae.reconstruct(x));
  run.log(`unrolled, before fine-tuning: ${beforeFineTuning.toFixed(2)} per image`);
  const options = { ...autoencoder2006.fineTune, epochs: finetuneEpochs };
  const history = await ae.fineTune(train, options, {
    onEpoch: (e) =>
      run.log(
        `fine-tuning epoch ${e.epoch + 1}: cross-entropy ${e.trainLoss.toFixed(2)} (${e.seconds.toFixed(1)} s)`,
      ),
  });
  const afterFineTuning = perImageError((x) => ae.reconstruct(x));
  run.log(`after fine-tuning: ${afterFineTuning.toFixed(2)} per image`);
  await run.saveModel(
    'autoencoder.dae',
    encodeAutoencoder(ae, { hyperParameters: { layers, fineTune: options }, history }),
  );
  return { beforeFineTuning, afterFineTuning };
});

const pca = await run.stage('pca', async () => {
  const x = new Float32Array(train.rows * train.cols);
  for (let i = 0; i < x.length; i++) x[i] = train.features[i]! * train.scale;
  const model = fitPCA(x, train.rows, train.cols, 30);
  const t = new Float32Array(test.rows * test.cols);
  for (let i = 0; i < t.length; i++) t[i] = test.features[i]! * test.scale;
  const rec = pcaReconstruct(model, t, test.rows, test.cols);
  let total = 0;
  for (let i = 0; i < rec.length; i++) total += (rec[i]! - t[i]!) ** 2;
  const perImage = total / test.rows;
  run.log(`PCA (30 components): ${perImage.toFixed(2)} per image`);
  return { perImage };
});

const md = `# Deep autoencoder 784-1000-500-250-30 on real MNIST (backend ${ops.name})\n\nShortened: ${pretrainEpochs} pre-training epochs per layer (paper 50), ${finetuneEpochs} epochs of Adam fine-tuning (paper: 200 epochs of conjugate gradients). Test squared error per image. Log: run.log.\n\n| model | published | deepbelief |\n|---|---|---|\n| deep autoencoder, before fine-tuning | — | ${result.beforeFineTuning.toFixed(2)} |\n| deep autoencoder, fine-tuned | 3.00 | ${result.afterFineTuning.toFixed(2)} |\n| PCA, 30 components | 8.01 | ${pca.perImage.toFixed(2)} |\n`;
run.write('results.md', md);
run.write(
  'results.json',
  `${JSON.stringify({ backend: ops.name, pretrainEpochs, finetuneEpochs, ...result, pca: pca.perImage }, null, 2)}\n`,
);
run.log(md);
