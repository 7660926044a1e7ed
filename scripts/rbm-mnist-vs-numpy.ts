/**
 * Issue 4 acceptance run: CD-1 training of a 784-500 RBM on real MNIST for a few epochs,
 * test reconstruction error after every epoch, beside the numpy reference trained with the
 * same hyper-parameters (lr 0.1, momentum 0.5 → 0.9 after 5 epochs, weight cost 2e-4,
 * batch 100, W ~ N(0, 0.01²), b = log(p/(1−p))).
 *
 * Run: `node --conditions=deepbelief-source --import tsx scripts/rbm-mnist-vs-numpy.ts [--epochs 5]`
 * Writes results/rbm-mnist-vs-numpy.json and .md.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRandom } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import { RBM, RBMTrainer, reconstructionError } from '@deepbelief/rbm';
import { fastestBackend } from './lib/backends.js';
import { runNumpyPeer } from './lib/numpy-peer.js';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '5' } } });
const epochs = Number(values.epochs);
const ops = await fastestBackend();
const train = await loadMnist({ split: 'train' });
const test = await loadMnist({ split: 'test' });
const testX = ops.keep(
  ops.tensor(
    Float32Array.from(test.features, (x) => x / 255),
    [test.rows, test.cols],
  ),
);

const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
const trainer = new RBMTrainer(
  rbm,
  { epochs, batchSize: 100, learningRate: 0.1, weightCost: 2e-4, k: 1 },
  1,
);
const ours: { epoch: number; seconds: number; testMse: number; testCrossEntropy: number }[] = [];
const started = performance.now();
await trainer.fit(train, {
  onEpoch: (e) => {
    const r = reconstructionError(rbm, testX);
    ours.push({
      epoch: e.epoch + 1,
      seconds: e.seconds,
      testMse: r.meanSquaredError,
      testCrossEntropy: r.crossEntropy,
    });
    console.log(
      `deepbelief/${ops.name} epoch ${e.epoch + 1}: ${e.seconds.toFixed(1)} s, test mse ${r.meanSquaredError.toFixed(5)}, cross-entropy ${r.crossEntropy.toFixed(2)}`,
    );
  },
});
const oursSeconds = (performance.now() - started) / 1000;

const numpy = runNumpyPeer(['--epochs', String(epochs)]);
for (const e of numpy)
  console.log(
    `numpy epoch ${e.epoch}: ${e.seconds.toFixed(1)} s, test mse ${e.test_mse.toFixed(5)}, cross-entropy ${e.test_xent.toFixed(2)}`,
  );

const monotone = ours.every((e, i) => i === 0 || e.testMse < ours[i - 1]!.testMse);
const result = {
  backend: ops.name,
  epochs,
  ours,
  numpy,
  oursSeconds,
  monotone,
  command: `scripts/rbm-mnist-vs-numpy.ts --epochs ${epochs}`,
};
writeFileSync('results/rbm-mnist-vs-numpy.json', `${JSON.stringify(result, null, 2)}\n`);
const rows = ours.map(
  (e, i) =>
    `| ${e.epoch} | ${e.testMse.toFixed(5)} | ${numpy[i]?.test_mse.toFixed(5)} | ${e.testCrossEntropy.toFixed(2)} | ${numpy[i]?.test_xent.toFixed(2)} | ${e.seconds.toFixed(1)} | ${numpy[i]?.seconds.toFixed(1)} |`,
);
writeFileSync(
  'results/rbm-mnist-vs-numpy.md',
  `# CD-1, 784-500, real MNIST: deepbelief (${ops.name}) vs the numpy reference\n\nSame hyper-parameters (lr 0.1, momentum 0.5, weight cost 2e-4, batch 100); test reconstruction error on the 10,000 test images after each epoch. Monotone decrease (deepbelief): ${monotone}.\n\n| epoch | test MSE deepbelief | test MSE numpy | cross-entropy deepbelief | cross-entropy numpy | s/epoch deepbelief | s/epoch numpy |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
);
console.log(`monotone: ${monotone}`);
