/**
 * Reproduces Salakhutdinov & Murray (2008), *On the quantitative analysis of deep belief
 * networks*, shortened: 784-500 RBMs trained on binarised MNIST (the fixed stochastic draw)
 * with CD-1, CD-3 and PCD, then
 * the AIS estimate of log Z (14,500 temperatures, base rates from the data) and the average
 * test log-likelihood. Published (CD trained for much longer, with a rising k schedule for
 * CD25): CD1 −125.53, CD3 −105.50, CD25 −86.34 nats. CD-25 is left out here (≈ 9× the cost of
 * CD-3 per epoch). Also a 784-20 RBM, whose log Z is computed exactly, as a check on AIS.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/rbm-likelihood.ts [--epochs 10]
 * Budget on 2 cores with the onnx backend: about 20 minutes at the defaults.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRandom } from '@deepbelief/core';
import { BINARIZATION_SEEDS, binarizeAs } from '@deepbelief/datasets';
import {
  aisLogLikelihood,
  annealedImportanceSampling,
  columnMeans,
  decodeRBM,
  encodeRBM,
  exactLogLikelihood,
  RBM,
  RBMTrainer,
  type TrainOptions,
  toMatrixSource,
} from '@deepbelief/rbm';
import { asTensor, Run, setup } from './lib.js';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '10' } } });
const epochs = Number(values.epochs);
const run = new Run('rbm-likelihood');
const loaded = await setup();
const { ops } = loaded;
// An RBM with Bernoulli visible units gives probabilities to binary vectors only: train and
// evaluate on the fixed stochastic binarisation (one seeded draw per pixel, as the binarised
// MNIST of Salakhutdinov & Murray 2008).
const BINARIZATION = 'stochastic (binarizeAs, seeds BINARIZATION_SEEDS.train / .test)';
const train = binarizeAs(loaded.train, 'stochastic', BINARIZATION_SEEDS.train);
const test = binarizeAs(loaded.test, 'stochastic', BINARIZATION_SEEDS.test);
const testX = asTensor(ops, test);
const means = columnMeans(toMatrixSource(train));
run.log(`backend ${ops.name}; ${epochs} epochs per model; data binarised: ${BINARIZATION}`);

const models: { name: string; published: number | null; hidden: number; options: TrainOptions }[] =
  [
    { name: 'CD1', published: -125.53, hidden: 500, options: { epochs, k: 1, learningRate: 0.05 } },
    { name: 'CD3', published: -105.5, hidden: 500, options: { epochs, k: 3, learningRate: 0.05 } },
    {
      name: 'PCD',
      published: null,
      hidden: 500,
      options: { epochs, k: 1, persistent: true, learningRate: 0.01, momentum: 0.5 },
    },
    {
      name: 'CD1-20-hidden',
      published: null,
      hidden: 20,
      options: { epochs, k: 1, learningRate: 0.05 },
    },
  ];
const rows: Record<string, unknown>[] = [];
for (const m of models) {
  const result = await run.stage(m.name, async () => {
    const rbm = new RBM(ops, { visible: 784, hidden: m.hidden }, new SeededRandom(1));
    const trainer = new RBMTrainer(rbm, { batchSize: 100, weightCost: 2e-4, ...m.options }, 1);
    const t0 = performance.now();
    await trainer.fit(train, {
      onEpoch: (e) =>
        run.log(
          `${m.name} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
        ),
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    await run.saveModel(`${m.name}.rbm`, encodeRBM(rbm, { trainer }));
    const t1 = performance.now();
    const ais = annealedImportanceSampling(rbm, { rng: new SeededRandom(7), dataMeans: means });
    const aisSeconds = (performance.now() - t1) / 1000;
    const testLogLikelihood = aisLogLikelihood(rbm, testX, ais);
    const trainLogLikelihood = aisLogLikelihood(rbm, asTensor(ops, train, 10000), ais);
    const out: Record<string, unknown> = {
      logZ: ais.logZ,
      logZStd: ais.logZStd,
      testLogLikelihood,
      trainLogLikelihood,
      trainSeconds,
      aisSeconds,
    };
    if (m.hidden <= 20) out.exact = exactLogLikelihood(rbm, testX);
    run.log(
      `${m.name}: log Z ${ais.logZ.toFixed(2)} ± ${ais.logZStd.toFixed(3)}, test log-likelihood ${testLogLikelihood.toFixed(2)} nats${out.exact ? `, exact ${JSON.stringify(out.exact)}` : ''}`,
    );
    return out;
  });
  rows.push({ name: m.name, published: m.published, ...result });
}
// loading a saved model reproduces its test log-likelihood (the files are what the table is about)
const cd1 = decodeRBM(ops, readFileSync(run.modelPath('CD1.rbm')), 'CD1.rbm').rbm;
run.log(
  `CD1.rbm reloaded: free energy of the first test image ${ops.item(ops.sliceRows(cd1.freeEnergy(testX), 0, 1)).toFixed(3)}`,
);

const f = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '—');
run.write(
  'results.md',
  `# RBM log-likelihood on real MNIST (Salakhutdinov & Murray 2008), backend ${ops.name}\n\n${epochs} epochs each (the paper trained far longer); data binarised: ${BINARIZATION}; AIS: 14,500 temperatures, 500 runs, data base rates. Log: run.log.\n\n| model | published test LL | deepbelief test LL | train LL (10k) | log Z | AIS std. err. | exact | train s | AIS s |\n|---|---|---|---|---|---|---|---|---|\n${rows
    .map(
      (r) =>
        `| ${r.name} | ${f(r.published)} | ${f(r.testLogLikelihood)} | ${f(r.trainLogLikelihood)} | ${f(r.logZ)} | ${f(r.logZStd, 3)} | ${r.exact ? `log Z ${f((r.exact as { logZ: number }).logZ)}, LL ${f((r.exact as { logLikelihood: number }).logLikelihood)}` : '—'} | ${f(r.trainSeconds, 0)} | ${f(r.aisSeconds, 0)} |`,
    )
    .join('\n')}\n`,
);
run.write(
  'results.json',
  `${JSON.stringify({ backend: ops.name, epochs, binarization: BINARIZATION, rows }, null, 2)}\n`,
);
run.log('done');
