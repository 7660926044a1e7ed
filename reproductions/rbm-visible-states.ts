/**
 * Probabilities or sampled states for the visible layer in CD-k's negative chain
 * (`visibleStates`), judged by the AIS test log-likelihood on binarised MNIST: 784-500 RBMs,
 * 10 epochs, lr 0.05, weight cost 2e-4, k rising 1→25 and k = 3; AIS with 100 runs.
 * Its output is results/rbm-likelihood/visible-states-10-epochs.txt.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/rbm-visible-states.ts
 */
import { SeededRandom } from '@deepbelief/core';
import { aisLogLikelihood, annealedImportanceSampling, RBM, RBMTrainer } from '@deepbelief/rbm';
import { setupBinarised } from './lib.js';

const { ops, train, testX, means } = await setupBinarised();
for (const [k, vs] of [
  [{ from: 1, to: 25 }, 'probabilities'],
  [{ from: 1, to: 25 }, 'samples'],
  [3, 'probabilities'],
  [3, 'samples'],
] as const) {
  const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
  const tr = new RBMTrainer(
    rbm,
    { epochs: 10, k, visibleStates: vs, learningRate: 0.05, weightCost: 2e-4 },
    1,
  );
  const t0 = performance.now();
  await tr.fit(train);
  const s = (performance.now() - t0) / 1000;
  const ais = annealedImportanceSampling(rbm, {
    rng: new SeededRandom(7),
    dataMeans: means,
    runs: 100,
  });
  console.log(
    JSON.stringify(k),
    vs,
    `train ${s.toFixed(0)} s`,
    `logZ ${ais.logZ.toFixed(2)} ± ${ais.logZStd.toFixed(3)}`,
    `test LL ${aisLogLikelihood(rbm, testX, ais).toFixed(2)}`,
  );
  tr.dispose();
  rbm.dispose();
}
