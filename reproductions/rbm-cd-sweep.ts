/**
 * One CD-k recipe for a 784-500 RBM on binarised MNIST, judged by AIS log-likelihood at
 * several points of its training: the tool behind the CD1/CD3 recipe choice in
 * results/rbm-likelihood (Salakhutdinov & Murray give k, not learning rates or epochs).
 *
 * The recipe is chosen on the **training** log-likelihood (the first 10,000 binarised training
 * images); the test figure is printed beside it, not used to choose.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/rbm-cd-sweep.ts
 *      --k 1 --lr 0.05 --weight-cost 2e-4 --epochs 100 --at 10,30,100 [--ais-runs 100]
 *      [--visible probabilities|samples] [--decay]
 * One log line per epoch, one result line per snapshot (also appended to
 * results/rbm-likelihood/cd-sweep.txt).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRandom } from '@deepbelief/core';
import { aisLogLikelihood, annealedImportanceSampling, RBM, RBMTrainer } from '@deepbelief/rbm';
import { decayingLearningRate, RESULTS, setupBinarised } from './lib.js';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '1' },
    lr: { type: 'string', default: '0.05' },
    'weight-cost': { type: 'string', default: '2e-4' },
    epochs: { type: 'string', default: '100' },
    at: { type: 'string', default: '10,30,100' },
    'ais-runs': { type: 'string', default: '100' },
    visible: { type: 'string', default: 'probabilities' },
    decay: { type: 'boolean', default: false },
  },
});
const k = Number(values.k);
const lr = Number(values.lr);
const weightCost = Number(values['weight-cost']);
const epochs = Number(values.epochs);
const at = new Set(values.at.split(',').map(Number));
const aisRuns = Number(values['ais-runs']);
const visibleStates = values.visible === 'samples' ? 'samples' : 'probabilities';
/** As in rbm-likelihood.ts with --decay. */
const learningRate = values.decay ? decayingLearningRate(lr, epochs) : lr;
const recipe = `CD-${k} lr ${lr}${values.decay ? ' (decay)' : ''} wc ${weightCost} ${visibleStates} ${epochs} epochs`;

const { ops, train, testX, train10k, means } = await setupBinarised();

const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
const trainer = new RBMTrainer(
  rbm,
  { epochs, k, visibleStates, learningRate, weightCost, batchSize: 100 },
  1,
);
console.log(`${recipe}: backend ${ops.name}, AIS ${aisRuns} runs`);
await trainer.fit(train, {
  onEpoch: (e) => {
    console.log(
      `epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
    );
    if (!at.has(e.epoch + 1)) return;
    const t0 = performance.now();
    const ais = annealedImportanceSampling(rbm, {
      rng: new SeededRandom(7),
      dataMeans: means,
      runs: aisRuns,
    });
    const line = `${recipe} @ ${e.epoch + 1}: log Z ${ais.logZ.toFixed(2)} [${ais.logZLow.toFixed(2)}, ${ais.logZHigh.toFixed(2)}], train LL ${aisLogLikelihood(rbm, train10k, ais).toFixed(2)}, test LL ${aisLogLikelihood(rbm, testX, ais).toFixed(2)} (AIS ${((performance.now() - t0) / 1000).toFixed(0)} s)`;
    console.log(line);
    appendFileSync(join(RESULTS, 'rbm-likelihood', 'cd-sweep.txt'), `${line}\n`);
  },
});
trainer.dispose();
rbm.dispose();
