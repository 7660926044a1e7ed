// Training an RBM on MNIST and watching it learn: reconstruction error, free-energy gap,
// pseudo-likelihood, and finally the AIS estimate of the test log-likelihood.
import { createTfjsBackend } from '@deepbelief/backend-tfjs';
import { Ops, SeededRandom, type Tensor } from '@deepbelief/core';
import {
  type Dataset,
  loadMnist,
  sliceRows,
  toFloat32,
  trainValidationSplit,
} from '@deepbelief/datasets';
import {
  aisLogLikelihood,
  annealedImportanceSampling,
  columnMeans,
  freeEnergyGap,
  pseudoLikelihood,
  RBM,
  RBMTrainer,
  toMatrixSource,
} from '@deepbelief/rbm';

const ops = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
const all = await loadMnist({ split: 'train' });
const { train, validation } = trainValidationSplit(all, { validation: 10_000, seed: 1 });
const test = await loadMnist({ split: 'test' });

/** The first `n` rows of a dataset as a `[n, 784]` tensor of values in [0, 1]. */
const batchOf = (data: Dataset, n: number): Tensor =>
  ops.tensor(toFloat32(sliceRows(data, 0, n)), [n, data.cols]);

// Two equal-sized samples: training digits the model has seen and validation digits it has not.
const seen = ops.keep(batchOf(train, 1000));
const unseen = ops.keep(batchOf(validation, 1000));

const rbm = new RBM(ops, { visible: 784, hidden: 500 }, new SeededRandom(1));
const trainer = new RBMTrainer(
  rbm,
  { epochs: 20, batchSize: 100, learningRate: 0.1, k: 1, weightCost: 2e-4 },
  42,
);
const rng = new SeededRandom(7);
await trainer.fit(train, {
  onEpoch: (e) => {
    const gap = freeEnergyGap(rbm, seen, unseen);
    const pl = pseudoLikelihood(rbm, unseen, rng); // stochastic estimate, nats per digit
    console.log(
      `epoch ${e.epoch + 1}: reconstruction ${e.reconstructionError.toFixed(4)}, ` +
        `free-energy gap ${gap.toFixed(2)}, pseudo-log-likelihood ${pl.toFixed(1)}`,
    );
  },
});

// The log-likelihood of test digits, with log Z estimated by AIS (14,500 temperatures).
const ais = annealedImportanceSampling(rbm, {
  dataMeans: columnMeans(toMatrixSource(train)),
  runs: 100,
  rng,
});
const testBatch = batchOf(test, 10_000);
console.log(
  `log Z ≈ ${ais.logZ.toFixed(2)} (${ais.logZLow.toFixed(2)} … ${ais.logZHigh.toFixed(2)})`,
);
console.log(
  `test log-likelihood ≈ ${aisLogLikelihood(rbm, testBatch, ais).toFixed(2)} nats per digit`,
);

ops.dispose([seen, unseen, testBatch]);
trainer.dispose();
rbm.dispose();
