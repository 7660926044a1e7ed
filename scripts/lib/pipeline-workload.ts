/**
 * The stages of the 2006 DBN pipeline that `bench:pipeline` times and `profile-onnx.ts
 * --ort-profile --workload NAME` profiles, with the shapes and hyper-parameters of the numpy
 * peer (`../shared/peers/dbn_numpy.py`): batch 100 of real MNIST (pixels / 255) unless said.
 *
 * - `cd1-784x500`, `cd1-500x500`, `cd1-510x2000`: CD-1 on a greedy layer's shape, lr 0.1,
 *   momentum 0.9, weight cost 2e-4 (the non-784 layers train on uniform random data, as the
 *   peer's do);
 * - `updown-k3`, `updown-k10`: up-down on 784-500-500-(2000 ↔ 500 + 10 labels), lr 0.01, no
 *   weight cost, k Gibbs steps in the top RBM;
 * - `backprop`: SGD (momentum 0.9, lr 0.1, weight decay 1e-5) on the unrolled
 *   784-500-500-2000-10 sigmoid classifier with a softmax output.
 */
import { type Ops, SeededRandom } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import { DBN, FeedForwardNet, fineTuneTrainer } from '@deepbelief/dbn';
import { RBM, RBMTrainer, toMatrixSource } from '@deepbelief/rbm';
import { upDownTrainer } from '@deepbelief/wake-sleep';

export const PIPELINE_ROWS = [
  'cd1-784x500',
  'cd1-500x500',
  'cd1-510x2000',
  'updown-k3',
  'updown-k10',
  'backprop',
] as const;
export type PipelineRow = (typeof PIPELINE_ROWS)[number];

/** Multiply-adds ×2 of one batch of each row (for GFLOP/s against the matmul peak). */
export function pipelineFlops(row: PipelineRow): number {
  const B = 100;
  const product = (m: number, n: number) => 2 * B * m * n;
  const cd1 = (v: number, h: number) => 5 * product(v, h);
  const directed = product(784, 500) + product(500, 500);
  switch (row) {
    case 'cd1-784x500':
      return cd1(784, 500);
    case 'cd1-500x500':
      return cd1(500, 500);
    case 'cd1-510x2000':
      return cd1(510, 2000);
    case 'updown-k3':
    case 'updown-k10': {
      const k = row === 'updown-k3' ? 3 : 10;
      // up pass, down pass, generative prediction + gradient, recognition prediction +
      // gradient; top: wake hidden, 2 products per Gibbs step, the stacked update (2B rows)
      return 6 * directed + product(510, 2000) * (1 + 2 * k + 2);
    }
    case 'backprop': {
      const layers = product(784, 500) + product(500, 500) + product(500, 2000) + product(2000, 10);
      return 3 * layers - product(784, 500); // forward, weight gradients, deltas below layer 1
    }
  }
}

/** A seeded workload on `ops`; `train(n)` runs `n` batches with every deferred op finished. */
export async function pipelineWorkload(
  ops: Ops,
  row: PipelineRow,
): Promise<{ train(batches: number): Promise<void>; dispose(): void }> {
  const mnist = await loadMnist({ split: 'train' });
  const finish = (t: { W: import('@deepbelief/core').Tensor }) =>
    ops.tidy(() => ops.item(ops.sum(t.W)));
  if (row.startsWith('cd1-')) {
    const [visible, hidden] = row.slice(4).split('x').map(Number) as [number, number];
    const rng = new SeededRandom(1);
    const data =
      visible === 784
        ? mnist
        : {
            data: Float32Array.from({ length: 5000 * visible }, () => rng.uniform()),
            rows: 5000,
            cols: visible,
          };
    const rbm = new RBM(ops, { visible, hidden }, rng);
    const trainer = new RBMTrainer(
      rbm,
      { epochs: 100000, batchSize: 100, learningRate: 0.1, momentum: 0.9, weightCost: 2e-4, k: 1 },
      1,
    );
    return {
      async train(batches) {
        await trainer.fit(data, { maxBatches: batches });
        finish(rbm);
      },
      dispose: () => trainer.dispose(),
    };
  }
  if (row.startsWith('updown-')) {
    const k = Number(row.slice('updown-k'.length));
    const dbn = new DBN(ops, { sizes: [784, 500, 500, 2000], labels: 10 }, new SeededRandom(1));
    const source = toMatrixSource(mnist);
    const loop = upDownTrainer(dbn, {
      epochs: 100000,
      batchSize: 100,
      learningRate: 0.01,
      gibbsSteps: k,
      labels: mnist.labels!,
      rows: mnist.rows,
    });
    return {
      async train(batches) {
        await loop.fit(source, { maxBatches: batches });
        finish(dbn.top);
      },
      dispose: () => loop.dispose(),
    };
  }
  const net = FeedForwardNet.random(
    ops,
    [784, 500, 500, 2000, 10],
    ['sigmoid', 'sigmoid', 'sigmoid', 'softmax'],
    new SeededRandom(1),
  );
  const { loop, source } = fineTuneTrainer(
    net,
    mnist,
    { labels: mnist.labels! },
    'softmax-cross-entropy',
    { epochs: 100000, batchSize: 100, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-5 },
  );
  return {
    async train(batches) {
      await loop.fit(source, { maxBatches: batches });
      finish(net.layers[0]!);
    },
    dispose: () => loop.dispose(),
  };
}
