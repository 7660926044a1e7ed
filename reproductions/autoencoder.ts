/**
 * Reproduces Hinton & Salakhutdinov (2006), *Reducing the dimensionality of data with neural
 * networks*, at the paper's protocol (or shortened with `--quick`): the 784-1000-500-250-30
 * deep autoencoder with a linear 30-unit code (rbmhidlinear.m), each layer pre-trained for 50
 * epochs with CD-1, unrolled, and fine-tuned by backprop on the reconstruction cross-entropy
 * until the error on 10,000 held-out training images stops improving (Adam, lr 1e-3, at most
 * 200 epochs, patience 10; the paper used 200 epochs of conjugate gradients). Test squared
 * error per image against the paper's figure 2: autoencoder 3.00, logistic PCA 8.01, PCA
 * 13.87. PCA with 30 components is computed here; logistic PCA is not (it is not in the
 * project).
 *
 * Resumable: pre-training and fine-tuning write a checkpoint after every epoch (the library's
 * checkpoint format, `*.checkpoint`, git-ignored) and resume from it; finished stages are
 * cached in `stages/`.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/autoencoder.ts [--quick]
 * Full protocol: about 40 minutes on 2 cores with the onnx backend (estimated from
 * `bench:pipeline`-style per-batch times); `--quick` (3 + 6 epochs, results/autoencoder-quick):
 * minutes.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRandom, type Tensor } from '@deepbelief/core';
import {
  autoencoder2006,
  DeepAutoencoder,
  decodePretrainCheckpoint,
  encodeAutoencoder,
  type FineTuneOptions,
  fitPCA,
  pcaReconstruct,
} from '@deepbelief/dbn';
import type { TrainOptions } from '@deepbelief/rbm';
import { asTensor, fineTuneAutoencoder, pretrainAutoencoder, Run, setup } from './lib.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const PROTOCOL = {
  sizes: autoencoder2006.sizes,
  /** rbm.m's settings for the binary layers; rbmhidlinear.m's lr 0.001 for the linear code. */
  layers: autoencoder2006.pretrain.map((l) => ({
    ...l,
    epochs: quick ? 3 : 50,
  })) as TrainOptions[],
  fineTune: {
    epochs: quick ? 6 : 200,
    batchSize: 100,
    learningRate: 1e-3,
    optimizer: 'adam',
    validationFraction: 1 / 6,
    patience: 10,
    seed: 2,
  } satisfies FineTuneOptions,
};

const run = new Run(quick ? 'autoencoder-quick' : 'autoencoder');
const { ops, train, test } = await setup();
const testX = asTensor(ops, test);
run.log(
  `backend ${ops.name}; ${quick ? 'QUICK (shortened) protocol' : 'full protocol'}: ${JSON.stringify(PROTOCOL)}`,
);

/** Squared error summed over pixels, averaged over images (the paper's figure). */
const perImageError = (reconstruct: (x: Tensor) => Tensor) => {
  let total = 0;
  for (let s = 0; s < testX.rows; s += 1000) {
    total += ops.tidy(() => {
      const x = ops.sliceRows(testX, s, Math.min(s + 1000, testX.rows));
      return ops.item(ops.sum(ops.square(ops.sub(reconstruct(x), x))));
    });
  }
  return total / testX.rows;
};

const pretrained = await run.stage('pretrain', async () => {
  const { ae, histories } = await pretrainAutoencoder(
    run,
    ops,
    'pretrain',
    () => new DeepAutoencoder(ops, PROTOCOL.sizes, new SeededRandom(1)),
    train,
    PROTOCOL.layers,
    'autoencoder2006',
  );
  ae.unroll();
  const beforeFineTuning = perImageError((x) => ae.reconstruct(x));
  run.log(`unrolled, before fine-tuning: ${beforeFineTuning.toFixed(2)} per image`);
  await run.saveModel(
    'pretrained.dae',
    encodeAutoencoder(ae, {
      hyperParameters: { layers: PROTOCOL.layers },
      history: histories.flat(),
    }),
  );
  ae.dispose();
  return {
    beforeFineTuning,
    pretrainSeconds: histories.flat().reduce((s, e) => s + e.seconds, 0),
  };
});

const fineTuned = await run.stage('finetune', async () => {
  const { ae, history } = await fineTuneAutoencoder(
    run,
    ops,
    'finetune',
    async () =>
      decodePretrainCheckpoint(
        ops,
        readFileSync(run.modelPath('pretrain.checkpoint')),
        'autoencoder',
        'pretrain.checkpoint',
      ).model,
    train,
    PROTOCOL.fineTune,
    'autoencoder2006',
  );
  const afterFineTuning = perImageError((x) => ae.reconstruct(x));
  run.log(
    `after fine-tuning (best held-out epoch restored): ${afterFineTuning.toFixed(2)} per image`,
  );
  await run.saveModel(
    'autoencoder.dae',
    encodeAutoencoder(ae, { hyperParameters: PROTOCOL, history }),
  );
  ae.dispose();
  return {
    afterFineTuning,
    epochs: history.length,
    fineTuneSeconds: history.reduce((s, e) => s + e.seconds, 0),
  };
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

const hours = (s: number) => `${(s / 3600).toFixed(2)} h`;
const md = `# Deep autoencoder 784-1000-500-250-30 on real MNIST (backend ${ops.name}${quick ? ', QUICK protocol' : ''})

${quick ? "**Shortened protocol (`--quick`)**: not the paper's numbers. " : ''}${PROTOCOL.layers[0]!.epochs} pre-training epochs per layer (paper 50); fine-tuning with Adam (lr 1e-3) until the error on 10,000 held-out training images stopped improving: ${fineTuned.epochs} epochs (at most ${PROTOCOL.fineTune.epochs}; paper: 200 epochs of conjugate gradients). Test squared error per image (Hinton & Salakhutdinov 2006, figure 2). Log: run.log.

| model | published | deepbelief | training time |
|---|---|---|---|
| deep autoencoder, before fine-tuning | — | ${pretrained.beforeFineTuning.toFixed(2)} | ${hours(pretrained.pretrainSeconds)} |
| deep autoencoder, fine-tuned | 3.00 | ${fineTuned.afterFineTuning.toFixed(2)} | ${hours(fineTuned.fineTuneSeconds)} more |
| logistic PCA, 30 components | 8.01 | not computed | – |
| PCA, 30 components | 13.87 | ${pca.perImage.toFixed(2)} | – |
`;
run.write('results.md', md);
run.write(
  'results.json',
  `${JSON.stringify({ backend: ops.name, quick, protocol: PROTOCOL, ...pretrained, ...fineTuned, pca: pca.perImage }, null, 2)}\n`,
);
run.log(md);
if (existsSync(run.modelPath('pretrain.checkpoint'))) rmSync(run.modelPath('pretrain.checkpoint'));
