/**
 * The CD-1 workload that `bench:cd1` times and `profile-onnx.ts --ort-profile` profiles:
 * `RBMTrainer` on real MNIST, 784-500, batch 100, lr 0.1, momentum 0.5, weight cost 2e-4,
 * the hyper-parameters of the numpy peer.
 */
import { type Ops, SeededRandom } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import { RBM, RBMTrainer } from '@deepbelief/rbm';

export const CD1_BATCH = 100;
/**
 * Warm-up batches: three 50-batch windows. A deferring backend runs each window between two
 * metric reads (every 50 batches) as one graph: op by op the first time it is seen, compiled
 * the second, so from the third window on every graph the loop runs is compiled. Rounds that
 * are multiples of 50 batches stay aligned with the windows.
 */
export const CD1_WARMUP = 150;

/** A seeded trainer on `ops`; `train(n)` runs `n` batches with every deferred op finished. */
export async function cd1Workload(ops: Ops) {
  const data = await loadMnist({ split: 'train' });
  const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
  const trainer = new RBMTrainer(
    rbm,
    {
      epochs: 1000,
      batchSize: CD1_BATCH,
      learningRate: 0.1,
      momentum: 0.5,
      weightCost: 2e-4,
      k: 1,
    },
    1,
  );
  return {
    trainer,
    async train(batches: number): Promise<void> {
      await trainer.fit(data, { maxBatches: batches });
      ops.tidy(() => ops.item(ops.sum(rbm.W)));
    },
    dispose: () => trainer.dispose(),
  };
}
