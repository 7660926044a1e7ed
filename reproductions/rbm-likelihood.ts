/**
 * Reproduces Salakhutdinov & Murray (2008), *On the quantitative analysis of deep belief
 * networks*, Table 1 and the DBN row of Table 2, at their protocol as far as the paper states
 * it (the rest is written down in PROTOCOL below and in results/rbm-likelihood/README.md):
 *
 * - 784-500 RBMs trained on binarised MNIST (a fixed stochastic draw, one per pixel) with
 *   CD1, CD3 and CD25 (k raised from 1 to 25 during learning, as the paper did), plus PCD;
 * - AIS with the paper's 14,500 temperatures and a base-rate model fitted to the data,
 *   giving log Z with its ±3σ interval, then the average test log-likelihood
 *   (published: CD1 −125.53, CD3 −105.50, CD25 −86.34 nats);
 * - the DBN 784-500-2000 built on the CD25 RBM: its variational lower bound on the test
 *   log-likelihood (published: −86.22);
 * - a 784-20 RBM whose log Z is also computed exactly, as a check on AIS.
 *
 * Every model trains resumably (a checkpoint per epoch); every finished step is a stage that
 * a re-run skips. One log line per epoch.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/rbm-likelihood.ts
 *      [--epochs 100] [--top-epochs 20] [--ais-runs 200] [--quick]
 * `--quick` (6 epochs, 2 for the top layer, 100 AIS runs) writes results/rbm-likelihood-quick.
 */
import { parseArgs } from 'node:util';
import { SeededRandom } from '@deepbelief/core';
import { DBN, dbnLogLikelihoodBound, encodeDBN, mapRows } from '@deepbelief/dbn';
import {
  aisLogLikelihood,
  annealedImportanceSampling,
  columnMeans,
  encodeRBM,
  exactLogLikelihood,
  type GibbsSteps,
  RBM,
  type TrainOptions,
  toMatrixSource,
} from '@deepbelief/rbm';
import { decayingLearningRate, Run, setupBinarised, trainRbmResumable } from './lib.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string' },
    'top-epochs': { type: 'string' },
    'ais-runs': { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const epochs = Number(values.epochs ?? (quick ? 6 : 100));
const topEpochs = Number(values['top-epochs'] ?? (quick ? 2 : 20));
const aisRuns = Number(values['ais-runs'] ?? (quick ? 100 : 200));
const run = new Run(quick ? 'rbm-likelihood-quick' : 'rbm-likelihood');
// An RBM with Bernoulli visible units gives probabilities to binary vectors only: train and
// evaluate on the fixed stochastic binarisation (one seeded draw per pixel).
const BINARIZATION = 'stochastic (binarizeAs, seeds BINARIZATION_SEEDS.train / .test)';
const { ops, train, testX, train10k, means } = await setupBinarised();

/** k from 1 at the first epoch to 25 at the last. */
const RAMP_TO_25: GibbsSteps = { from: 1, to: 25 };

const common = { batchSize: 100, weightCost: 2e-4 } as const;
/**
 * CD1 and CD3 take the weight cost of Salakhutdinov's published RBM code, 1e-3. With the
 * practical guide's 2e-4 their weights grew until log Z reached 1,250–1,550 and their test
 * log-likelihood fell 12–17 nats below the paper's. Compared on the training log-likelihood
 * (reproductions/rbm-cd-sweep.ts, results/rbm-likelihood/cd-sweep.txt).
 */
const SALAKHUTDINOV_WEIGHT_COST = 1e-3;
const PROTOCOL = {
  data: `60,000 MNIST training images, binarised: ${BINARIZATION}; test: the 10,000 test images, binarised the same way`,
  batchSize: 100,
  epochs,
  learningRate: `0.05 (PCD: 0.01) for the first half, then linear decay to a tenth at the last epoch`,
  momentum: '0.5 for 5 epochs, then 0.9 (PCD: 0.5 throughout)',
  weightCost: `2e-4 (the practical guide's) for CD25, PCD and the DBN's top layer; ${SALAKHUTDINOV_WEIGHT_COST} (Salakhutdinov's RBM code) for CD1 and CD3`,
  init: 'W ~ N(0, 0.01²), visible biases log(p/(1−p)) of the data means, hidden biases 0',
  cd25: `k rises linearly from 1 to 25 over the ${epochs} epochs (the paper: "increased from 1 to 25 during learning"); its Gibbs chain samples binary visible states at every step (visibleStates: 'samples'), where CD1 and CD3 pass probabilities (the practical guide's default)`,
  pcd: '100 persistent chains started at data, one Gibbs step per update',
  ais: `${aisRuns} runs, 14,500 inverse temperatures (500 in [0, 0.5], 4,000 in [0.5, 0.9], 10,000 in [0.9, 1]), base-rate model from the training data means`,
  dbn: `784-500-2000: the CD25 RBM, then a 500-2000 RBM trained for ${topEpochs} epochs on binary samples of the first layer's posterior, drawn afresh from its hidden probabilities at every batch (dataStates: 'samples'; k 1→25 with sampled visible states, same rates); bound with 100 samples of the recognition posterior per test image; AIS on the top RBM with base rates from its training features`,
};
run.log(
  `backend ${ops.name}; ${epochs} epochs per RBM, ${topEpochs} for the DBN's top layer; ${aisRuns} AIS runs; data binarised: ${BINARIZATION}`,
);

interface Row {
  name: string;
  published: number | null;
  hidden: number;
  logZ: number;
  logZLow: number;
  logZHigh: number;
  logZStd: number;
  meanNegFreeEnergy: number;
  testLogLikelihood: number;
  testLow: number;
  testHigh: number;
  trainLogLikelihood: number;
  exact?: { logZ: number; logLikelihood: number };
  trainSeconds: number;
  aisSeconds: number;
  finalReconstructionError: number;
}

const models: { name: string; published: number | null; hidden: number; options: TrainOptions }[] =
  [
    {
      name: 'CD25',
      published: -86.34,
      hidden: 500,
      options: {
        epochs,
        k: RAMP_TO_25,
        visibleStates: 'samples',
        learningRate: decayingLearningRate(0.05, epochs),
      },
    },
    {
      name: 'CD1',
      published: -125.53,
      hidden: 500,
      options: {
        epochs,
        k: 1,
        learningRate: decayingLearningRate(0.05, epochs),
        weightCost: SALAKHUTDINOV_WEIGHT_COST,
      },
    },
    {
      name: 'CD3',
      published: -105.5,
      hidden: 500,
      options: {
        epochs,
        k: 3,
        learningRate: decayingLearningRate(0.05, epochs),
        weightCost: SALAKHUTDINOV_WEIGHT_COST,
      },
    },
    {
      name: 'PCD',
      published: null,
      hidden: 500,
      options: {
        epochs,
        k: 1,
        persistent: true,
        chains: 100,
        learningRate: decayingLearningRate(0.01, epochs),
        momentum: 0.5,
      },
    },
    {
      name: 'CD1-20-hidden',
      published: null,
      hidden: 20,
      options: { epochs, k: 1, learningRate: decayingLearningRate(0.05, epochs) },
    },
  ];

const trained = new Map<string, RBM>();
/** The model named `name`, trained (or restored from its checkpoint, which holds every epoch). */
async function model(name: string): Promise<{ rbm: RBM; seconds: number; last: number }> {
  const m = models.find((x) => x.name === name)!;
  const { rbm, history, seconds } = await trainRbmResumable(
    run,
    ops,
    m.name,
    () => new RBM(ops, { visible: 784, hidden: m.hidden }, new SeededRandom(1)),
    train,
    { ...common, ...m.options },
  );
  trained.set(name, rbm);
  return { rbm, seconds, last: history.at(-1)?.reconstructionError ?? Number.NaN };
}

const rows: Row[] = [];
for (const m of models) {
  const row = await run.stage(m.name, async (): Promise<Row> => {
    const { rbm, seconds, last } = await model(m.name);
    const t1 = performance.now();
    const ais = annealedImportanceSampling(rbm, {
      rng: new SeededRandom(7),
      dataMeans: means,
      runs: aisRuns,
      progressEvery: 1450,
      onProgress: (f) => run.log(`${m.name} AIS ${(f * 100).toFixed(0)} %`),
    });
    const aisSeconds = (performance.now() - t1) / 1000;
    const testLogLikelihood = aisLogLikelihood(rbm, testX, ais);
    const meanNegFreeEnergy = testLogLikelihood + ais.logZ;
    const out: Row = {
      name: m.name,
      published: m.published,
      hidden: m.hidden,
      logZ: ais.logZ,
      logZLow: ais.logZLow,
      logZHigh: ais.logZHigh,
      logZStd: ais.logZStd,
      meanNegFreeEnergy,
      testLogLikelihood,
      // ±3σ of log Z moves the log-likelihood the other way
      testLow: meanNegFreeEnergy - ais.logZHigh,
      testHigh: meanNegFreeEnergy - ais.logZLow,
      trainLogLikelihood: aisLogLikelihood(rbm, train10k, ais),
      trainSeconds: seconds,
      aisSeconds,
      finalReconstructionError: last,
    };
    if (m.hidden <= 20) out.exact = exactLogLikelihood(rbm, testX);
    run.log(
      `${m.name}: log Z ${ais.logZ.toFixed(2)} [${ais.logZLow.toFixed(2)}, ${ais.logZHigh.toFixed(2)}], test log-likelihood ${testLogLikelihood.toFixed(2)} nats [${out.testLow.toFixed(2)}, ${out.testHigh.toFixed(2)}]${out.exact ? `, exact ${JSON.stringify(out.exact)}` : ''} (AIS ${aisSeconds.toFixed(0)} s)`,
    );
    await run.saveModel(`${m.name}.rbm`, encodeRBM(rbm));
    return out;
  });
  rows.push(row);
  // the DBN is built on the CD25 RBM: right after it, while that model is in memory
  if (m.name === 'CD25') rows.push(await dbnRow());
  for (const rbm of trained.values()) rbm.dispose();
  trained.clear();
}

/** The 784-500-2000 DBN on the CD25 RBM and its lower bound on the test log-likelihood. */
async function dbnRow(): Promise<Row> {
  return run.stage('DBN-784-500-2000', async (): Promise<Row> => {
    const first = trained.get('CD25') ?? (await model('CD25')).rbm;
    const features = mapRows(ops, toMatrixSource(train), 500, (v) => first.hiddenProbabilities(v));
    const {
      rbm: top,
      seconds,
      history,
    } = await trainRbmResumable(
      run,
      ops,
      'DBN-top',
      () => new RBM(ops, { visible: 500, hidden: 2000 }, new SeededRandom(2)),
      features,
      {
        ...common,
        epochs: topEpochs,
        k: RAMP_TO_25,
        visibleStates: 'samples',
        learningRate: decayingLearningRate(0.05, topEpochs),
        // binary states drawn from the first layer's posterior at every batch: the states
        // the bound evaluates the top RBM on
        dataStates: 'samples',
      },
    );
    const dbn = new DBN(ops, { sizes: [784, 500, 2000] }, new SeededRandom(3));
    dbn.layers[0]!.setParameters(first.getParameters());
    dbn.layers[1]!.setParameters(top.getParameters());
    await run.saveModel('DBN-784-500-2000.dbn', encodeDBN(dbn));
    const t1 = performance.now();
    const ais = annealedImportanceSampling(dbn.top, {
      rng: new SeededRandom(7),
      dataMeans: columnMeans(features),
      runs: aisRuns,
      progressEvery: 1450,
      onProgress: (f) => run.log(`DBN top AIS ${(f * 100).toFixed(0)} %`),
    });
    const aisSeconds = (performance.now() - t1) / 1000;
    const boundAt = (logZ: number, x: typeof testX, rows: number) => {
      const rng = new SeededRandom(11);
      let total = 0;
      for (let s = 0; s < rows; s += 1000) {
        const e = Math.min(rows, s + 1000);
        total +=
          ops.tidy(
            () =>
              dbnLogLikelihoodBound(dbn, ops.sliceRows(x, s, e), { logZ, samples: 100, rng }).bound,
          ) *
          (e - s);
      }
      return total / rows;
    };
    const testBound = boundAt(ais.logZ, testX, testX.rows);
    const trainBound = boundAt(ais.logZ, train10k, train10k.rows);
    // the bound is −log Z plus terms that do not depend on Z: the interval moves with log Z
    const rest = testBound + ais.logZ;
    run.log(
      `DBN 784-500-2000: top log Z ${ais.logZ.toFixed(2)} [${ais.logZLow.toFixed(2)}, ${ais.logZHigh.toFixed(2)}], test bound ${testBound.toFixed(2)} nats, train bound ${trainBound.toFixed(2)} (AIS ${aisSeconds.toFixed(0)} s)`,
    );
    dbn.dispose();
    top.dispose();
    return {
      name: 'DBN 784-500-2000 (bound)',
      published: -86.22,
      hidden: 2000,
      logZ: ais.logZ,
      logZLow: ais.logZLow,
      logZHigh: ais.logZHigh,
      logZStd: ais.logZStd,
      meanNegFreeEnergy: rest,
      testLogLikelihood: testBound,
      testLow: rest - ais.logZHigh,
      testHigh: rest - ais.logZLow,
      trainLogLikelihood: trainBound,
      trainSeconds: seconds,
      aisSeconds,
      finalReconstructionError: history.at(-1)?.reconstructionError ?? Number.NaN,
    };
  });
}

const f = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '—');
const table = rows
  .map(
    (r) =>
      `| ${r.name} | ${f(r.published)} | **${f(r.testLogLikelihood)}** | [${f(r.testLow)}, ${f(r.testHigh)}] | ${f(r.trainLogLikelihood)} | ${f(r.logZ)} ± ${f(r.logZStd, 3)} | ${r.exact ? `log Z ${f(r.exact.logZ)}, LL ${f(r.exact.logLikelihood)}` : '—'} | ${f(r.trainSeconds / 60, 1)} | ${f(r.aisSeconds / 60, 1)} |`,
  )
  .join('\n');
run.write(
  'results.md',
  `# Log-likelihood of RBMs and a DBN on binarised MNIST (Salakhutdinov & Murray 2008)${quick ? ' — QUICK protocol' : ''}

Backend ${ops.name}. Command: \`node --conditions=deepbelief-source --import tsx reproductions/rbm-likelihood.ts${quick ? ' --quick' : ''}\`. Log: run.log (one line per epoch).

Every figure is an average over the 10,000 test images (the DBN row: a lower bound), in nats, on
binary data: ${BINARIZATION}. The interval is ±3σ of the AIS estimate of log Z, as in the paper.

| model | published | deepbelief test | ±3σ | train (10k) | log Z ± σ | exact | train min | AIS min |
|---|---|---|---|---|---|---|---|---|
${table}

Protocol:
${Object.entries(PROTOCOL)
  .map(([k, v]) => `- ${k}: ${v}`)
  .join('\n')}
`,
);
run.write(
  'results.json',
  `${JSON.stringify({ backend: ops.name, quick, protocol: PROTOCOL, rows }, null, 2)}\n`,
);
run.log('done');
