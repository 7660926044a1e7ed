/**
 * The CD-1 workload that `bench:cd1` times and `profile-onnx.ts --ort-profile` profiles:
 * `RBMTrainer` on real MNIST, 784-500, batch 100, lr 0.1, momentum 0.5, weight cost 2e-4,
 * the hyper-parameters of the numpy peer.
 */
import { type Ops, SeededRandom } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import { RBM, RBMTrainer } from '@deepbelief/rbm';

export const CD1_BATCH = 100;
/** Warm-up batches: session creation, and every queue cut of the training loop (including
 * those around the metrics read every 50 batches) seen twice, so compiled and fused. */
export const CD1_WARMUP = 110;

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
  };
}
