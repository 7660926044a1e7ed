/**
 * Child process for the kill-and-resume test: trains an RBM on fixed data and writes a
 * checkpoint atomically after every batch; prints "checkpoint <epoch> <batch>" each time.
 * Usage: train-with-checkpoints.ts <checkpoint path> <persistent 0|1>
 */
import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { writeFileAtomic } from '@deepbelief/model-format/node';
import { RBM } from '../rbm.js';
import { encodeCheckpoint } from '../serialize.js';
import { RBMTrainer } from '../trainer.js';
import { killTestData, killTestOptions } from './kill-test-data.js';

const [path, persistent] = process.argv.slice(2);
const ops = new Ops(createJsBackend());
const data = killTestData();
const rbm = new RBM(ops, { visible: data.cols, hidden: 12 }, new SeededRandom(1));
const trainer = new RBMTrainer(rbm, killTestOptions(persistent === '1'), 2);
await trainer.fit(data, {
  onBatch: async (e) => {
    await writeFileAtomic(path!, encodeCheckpoint(rbm, trainer, data.rows));
    process.stdout.write(`checkpoint ${e.epoch} ${e.batch}\n`);
    await new Promise((r) => setTimeout(r, 5)); // give the parent time to kill mid-run
  },
});
process.stdout.write('done\n');
