// Hinton, Osindero & Teh (2006): a 784-500-500-2000 DBN with 10 label units, pre-trained
// greedily, fine-tuned with the up-down algorithm, and classified by free energy; then the
// same pre-trained network unrolled and fine-tuned by backpropagation instead.
import { createTfjsBackend } from '@deepbelief/backend-tfjs';
import { Ops, SeededRandom } from '@deepbelief/core';
import { loadMnist, toFloat32 } from '@deepbelief/datasets';
import { classificationReport, DBN, fineTune, hinton2006, unrollClassifier } from '@deepbelief/dbn';
import { upDown } from '@deepbelief/wake-sleep';

const ops = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
const train = await loadMnist({ split: 'train' });
const test = await loadMnist({ split: 'test' });
if (!train.labels || !test.labels) throw new Error('MNIST comes with labels');
const testImages = ops.keep(ops.tensor(toFloat32(test), [test.rows, test.cols]));

const testError = (predicted: ArrayLike<number>) =>
  `${(100 * classificationReport(predicted, test.labels!, 10).error).toFixed(2)} %`;

// 1. Greedy pre-training: three RBMs, 30 epochs each; the top one sees the labels too.
const dbn = new DBN(ops, hinton2006.config, new SeededRandom(1));
await dbn.pretrain(train, {
  layers: hinton2006.pretrain,
  labels: train.labels,
  seed: 1,
  hooks: {
    onEpoch: (e) =>
      console.log(`${e.layer} epoch ${e.epoch + 1}: ${e.reconstructionError.toFixed(4)}`),
  },
});
console.log(`after pre-training: test error ${testError(dbn.classify(testImages))}`);

// 2a. Backpropagation: unroll into 784-500-500-2000-10 and fine-tune a copy.
const net = unrollClassifier(dbn);
await fineTune(net, train, { labels: train.labels }, 'softmax-cross-entropy', hinton2006.backprop);
const predicted = ops.tidy(() => ops.read(ops.argmax(net.forward(testImages), 1)));
console.log(`after backprop fine-tuning: test error ${testError(Array.from(predicted))}`);

// 2b. Up-down (contrastive wake-sleep) on the generative model itself, as in the paper.
await upDown(dbn, train, {
  labels: train.labels,
  epochs: 300,
  batchSize: 100,
  learningRate: 0.01,
  gibbsSteps: [3, 6, 10],
  seed: 1,
});
console.log(`after up-down fine-tuning: test error ${testError(dbn.classify(testImages))}`);

// The generative model can still dream: ten images of a "7".
const sevens = dbn.generate(7, { count: 10, rng: new SeededRandom(3), gibbsSteps: 1000 });
console.log(`generated ${sevens.rows} digits`);

ops.dispose([testImages, sevens]);
net.dispose();
dbn.dispose();
