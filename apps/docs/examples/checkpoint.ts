// Checkpoints: save after every epoch, and resume an interrupted run exactly where it stopped.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createTfjsBackend } from '@deepbelief/backend-tfjs';
import { Ops, SeededRandom } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import { writeFileAtomic } from '@deepbelief/model-format/node';
import { encodeCheckpoint, RBM, RBMTrainer, restoreCheckpoint } from '@deepbelief/rbm';

const CHECKPOINT = 'rbm-checkpoint.safetensors';
const ops = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
const train = await loadMnist({ split: 'train' });

// Resume when a checkpoint exists, else start afresh. The checkpoint holds the RBM, the
// hyper-parameters, momentum, persistent chains, both random generators and the position.
const { rbm, trainer } = existsSync(CHECKPOINT)
  ? restoreCheckpoint(ops, await readFile(CHECKPOINT), { source: CHECKPOINT })
  : (() => {
      const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
      const trainer = new RBMTrainer(rbm, { epochs: 30, batchSize: 100, learningRate: 0.1 }, 42);
      return { rbm, trainer };
    })();
console.log(`starting at epoch ${trainer.completedEpochs + 1}`);

// Ctrl-C stops at the next batch boundary; the checkpoint then resumes mid-epoch.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

const save = () => writeFileAtomic(CHECKPOINT, encodeCheckpoint(rbm, trainer, train.rows));
await trainer.fit(train, { signal: controller.signal, onEpoch: save });
await save();
