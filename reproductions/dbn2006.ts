/**
 * Reproduces, at the papers' protocols (or shortened with `--quick`):
 * - Hinton, Osindero & Teh (2006): the 784-500-500-(2000 ↔ 500+10 labels) DBN. Greedy
 *   pre-training, 30 epochs per layer, on 44,000 training images (10,000 held out for
 *   validation); up-down for 300 epochs with k = 3, 6, 10 Gibbs steps for 100 epochs each,
 *   validated every `--validate-every` epochs, the best point kept; then, from the best point,
 *   up-down on all 60,000 images until the error on the full training set is as low as the
 *   44,000-image error was at the best point (the paper: 59 more epochs; 1.39 % test error
 *   at the best validation point, 1.25 % at the end). Classification: a deterministic up pass, then the exact free
 *   energy of each label. Samples: 10 per label, 1,000 Gibbs steps with the label clamped,
 *   binary penultimate states propagated down (figure 8), judged by a 3-NN vote over the
 *   training images.
 * - Hinton & Salakhutdinov (2006): the pre-trained stack unrolled to 784-500-500-2000-10 and
 *   fine-tuned by backprop until the validation loss stops improving (paper 1.2 %), beside a
 *   random initialisation given the best of a small optimiser grid with the same budget
 *   (paper 1.6 %).
 *
 * Every choice the papers leave open is in `PROTOCOL` below and in results/dbn2006/README.md.
 * Resumable: pre-training and both up-down phases write a checkpoint after every epoch
 * (`*.checkpoint`, the library's checkpoint format) and resume from it bit-identically; each
 * finished stage is cached in `stages/` and skipped by a re-run; the backprop stages (minutes
 * each) restart from their beginning.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/dbn2006.ts [--quick]
 * Full protocol: about 2 h on 2 cores with the onnx backend; `--quick`: about 15 minutes,
 * written to results/dbn2006-quick.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { imageGrid, writePng } from '@deepbelief/cli';
import { SeededRandom, type Tensor } from '@deepbelief/core';
import { type Dataset, sliceRows, trainValidationSplit } from '@deepbelief/datasets';
import {
  classificationReport,
  DBN,
  decodeDBN,
  decodePretrainCheckpoint,
  encodeClassifier,
  encodeDBN,
  encodePretrainCheckpoint,
  FeedForwardNet,
  type FineTuneOptions,
  hinton2006,
  NearestNeighbourClassifier,
  recognitionRate,
  unrollClassifier,
} from '@deepbelief/dbn';
import { type TrainOptions, toMatrixSource } from '@deepbelief/rbm';
import {
  encodeUpDownCheckpoint,
  restoreUpDownCheckpoint,
  type UpDownOptions,
  upDownTrainer,
} from '@deepbelief/wake-sleep';
import {
  asTensor,
  bestEpochOf,
  fineTuneClassifier,
  logEpochs,
  persistentUpDown,
  predictInBlocks,
  Run,
  setup,
} from './lib.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;

/** The protocol, and every choice the papers leave open. */
const PROTOCOL = {
  trainImages: 44_000,
  validationImages: 10_000,
  splitSeed: 2006,
  pretrainEpochs: quick ? 10 : 30,
  /** Lower layers: the preset's CD-1 (rbm.m's settings). */
  lowerLayer: hinton2006.pretrain[0]! as TrainOptions,
  /** The top RBM's recipe: see results/dbn2006-top-rbm (chosen on the validation images). */
  topLayer: hinton2006.pretrain[2]! as TrainOptions,
  upDown: {
    epochs: quick ? 6 : 300,
    batchSize: 100,
    gibbsSteps: [3, 6, 10],
    learningRate: [0.01, 0.005, 0.0025],
    weightCost: 0,
    persistent: false,
    seed: 2,
  } satisfies UpDownOptions,
  validateEvery: quick ? 2 : 10,
  /** Last phase on all 60,000 images: k and learning rate of the end of the schedule. */
  final: { maxEpochs: quick ? 2 : 60, checkEvery: quick ? 1 : 5 },
  /**
   * Backprop: lr 0.03, chosen by validation error among five SGD recipes
   * (results/dbn2006-backprop/); then, as the 2006 papers' last phase, the same recipe again
   * on all 60,000 images for the number of epochs the validation chose.
   */
  backprop: {
    epochs: quick ? 6 : 50,
    batchSize: 100,
    learningRate: 0.03,
    momentum: 0.9,
    weightDecay: 1e-5,
    validationFraction: 1 / 6,
    patience: 10,
    seed: 3,
  } satisfies FineTuneOptions,
  /** The random-init grid: the same budget, Glorot-scaled initial weights. */
  randomInit: [
    { optimizer: 'sgd', learningRate: 0.1 },
    { optimizer: 'sgd', learningRate: 0.03 },
    { optimizer: 'adam', learningRate: 0.001 },
  ] as const,
  /**
   * The generating model: the final DBN continued by up-down with persistent chains in the top
   * RBM (results/dbn2006-persistent/: 71.6 % → 86.2 % of samples recognised in 10 epochs,
   * test error 1.67 % → 1.68 %), on all 60,000 images, k = 10.
   */
  generation: persistentUpDown(quick ? 2 : 10),
  /**
   * Figure 8: 10 per label, 1,000 Gibbs steps with the label clamped, chains started from the
   * label alone (every penultimate unit off; results/dbn2006-samples-probe/: 86.2 % → 92.4 %
   * against random starts), binary penultimate states sent down. Judged as drawn, and on
   * `judgedPerLabel` per label for a steadier figure.
   */
  samples: {
    perLabel: 10,
    judgedPerLabel: 50,
    gibbsSteps: 1000,
    start: 'label',
    seed: 7,
    judgeSeed: 8,
  } as const,
};

const run = new Run(quick ? 'dbn2006-quick' : 'dbn2006');
const { ops, train: all, test } = await setup();
const split = trainValidationSplit(all, {
  validation: PROTOCOL.validationImages,
  seed: PROTOCOL.splitSeed,
});
const train = sliceRows(split.train, 0, PROTOCOL.trainImages);
const validation = split.validation;
run.log(
  `backend ${ops.name}; ${quick ? 'QUICK (shortened) protocol' : 'full protocol'}: ${JSON.stringify(PROTOCOL)}`,
);
const trainSource = toMatrixSource(train);
const allSource = toMatrixSource(all);
const X = {
  train: asTensor(ops, train),
  validation: asTensor(ops, validation),
  all: asTensor(ops, all),
  test: asTensor(ops, test),
};
const dbnError = (dbn: DBN, x: Tensor, d: Dataset) =>
  classificationReport(
    predictInBlocks(ops, x, (b) => dbn.classify(b)),
    d.labels!,
    10,
  );
const netError = (net: FeedForwardNet, x: Tensor, d: Dataset) =>
  classificationReport(
    predictInBlocks(ops, x, (b) => ops.read(ops.argmax(net.forward(b), 1))),
    d.labels!,
    10,
  );
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const readDbn = (file: string) =>
  decodeDBN(ops, readFileSync(run.modelPath(file)), run.modelPath(file)).dbn;

// ---------------------------------------------------------------- greedy pre-training
const pretrainLayers = [
  { ...PROTOCOL.lowerLayer, epochs: PROTOCOL.pretrainEpochs },
  { ...PROTOCOL.lowerLayer, epochs: PROTOCOL.pretrainEpochs },
  { ...PROTOCOL.topLayer, epochs: PROTOCOL.pretrainEpochs },
];
const pretrained = await run.stage('pretrain', async () => {
  const checkpoint = run.modelPath('pretrain.checkpoint');
  const options = { layers: pretrainLayers, labels: train.labels!, seed: 1 };
  let dbn: DBN;
  let state = null;
  if (existsSync(checkpoint)) {
    const restored = decodePretrainCheckpoint(ops, readFileSync(checkpoint), 'dbn', checkpoint);
    dbn = restored.model;
    state = restored.state;
    run.log(`resuming pre-training at layer ${state.layer + 1}`);
  } else dbn = new DBN(ops, hinton2006.config, new SeededRandom(1));
  const trainer = dbn.pretrainer(trainSource, options);
  if (state) trainer.setState(state);
  const histories = await trainer.fit({
    onEpoch: async (e) => {
      logEpochs(run, 'pre-training ')(e);
      await run.saveModel(
        'pretrain.checkpoint',
        encodePretrainCheckpoint('dbn', dbn, trainer, { protocol: 'dbn2006' }),
      );
    },
  });
  await run.saveModel(
    'pretrained.dbn',
    encodeDBN(dbn, { hyperParameters: { layers: pretrainLayers }, history: histories }),
  );
  const result = {
    validationError: dbnError(dbn, X.validation, validation).error,
    testError: dbnError(dbn, X.test, test).error,
    seconds: histories.flat().reduce((s, e) => s + e.seconds, 0),
  };
  run.log(
    `after pre-training: validation ${pct(result.validationError)}, test ${pct(result.testError)}`,
  );
  dbn.dispose();
  return result;
});

// ---------------------------------------------------------------- up-down on 44,000 images
interface Best {
  epoch: number;
  validationError: number;
  trainError: number;
}
const upDown44 = await run.stage('updown-44k', async () => {
  const checkpoint = run.modelPath('updown-44k.checkpoint');
  let dbn: DBN;
  let loop: ReturnType<typeof upDownTrainer>;
  let best: Best | null = null;
  const validations: { epoch: number; validationError: number; trainError: number }[] = [];
  if (existsSync(checkpoint)) {
    const restored = restoreUpDownCheckpoint(ops, readFileSync(checkpoint), {
      labels: train.labels!,
      source: checkpoint,
    });
    ({ dbn, loop } = restored);
    best = (restored.settings.best as Best | null) ?? null;
    validations.push(...((restored.settings.validations as typeof validations) ?? []));
    run.log(`resuming up-down after epoch ${loop.history.length}`);
  } else {
    dbn = readDbn('pretrained.dbn');
    loop = upDownTrainer(dbn, { ...PROTOCOL.upDown, labels: train.labels!, rows: train.rows });
  }
  const epochs = PROTOCOL.upDown.epochs;
  await loop.fit(trainSource, {
    onEpoch: async (e) => {
      run.log(
        `up-down epoch ${e.epoch + 1}/${epochs}: k=${e.gibbsSteps}, generative error ${e.generativeError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
      );
      if ((e.epoch + 1) % PROTOCOL.validateEvery === 0 || e.epoch + 1 === epochs) {
        const v = {
          epoch: e.epoch + 1,
          validationError: dbnError(dbn, X.validation, validation).error,
          trainError: dbnError(dbn, X.train, train).error,
        };
        validations.push(v);
        const better = !best || v.validationError < best.validationError;
        run.log(
          `  validation ${pct(v.validationError)}, training ${pct(v.trainError)}${better ? ' (best so far)' : ''}`,
        );
        if (better) {
          best = v;
          await run.saveModel(
            'updown-44k-best.dbn',
            encodeDBN(dbn, { hyperParameters: PROTOCOL.upDown, history: loop.history }),
          );
        }
      }
      await run.saveModel(
        'updown-44k.checkpoint',
        encodeUpDownCheckpoint(dbn, loop, PROTOCOL.upDown, { best, validations }),
      );
    },
  });
  loop.dispose();
  dbn.dispose();
  const seconds = loop.history.reduce((s, e) => s + e.seconds, 0);
  return { best: best!, validations, seconds };
});

// ---------------------------------------------------------------- up-down on all 60,000
// The paper tested the network that was best on validation (1.39 %) before its last phase.
const bestTest = await run.stage('updown-44k-best-test', async () => {
  const dbn = readDbn('updown-44k-best.dbn');
  const testError = dbnError(dbn, X.test, test).error;
  dbn.dispose();
  run.log(`best validation point: test error ${pct(testError)}`);
  return { testError };
});

const final = await run.stage('updown-60k', async () => {
  const checkpoint = run.modelPath('updown-60k.checkpoint');
  const target = upDown44.best.trainError;
  const options: UpDownOptions = {
    ...PROTOCOL.upDown,
    epochs: PROTOCOL.final.maxEpochs,
    gibbsSteps: PROTOCOL.upDown.gibbsSteps.at(-1)!,
    learningRate: PROTOCOL.upDown.learningRate.at(-1)!,
    seed: 5,
  };
  let dbn: DBN;
  let loop: ReturnType<typeof upDownTrainer>;
  const checks: { epoch: number; trainError: number }[] = [];
  if (existsSync(checkpoint)) {
    const restored = restoreUpDownCheckpoint(ops, readFileSync(checkpoint), {
      labels: all.labels!,
      source: checkpoint,
    });
    ({ dbn, loop } = restored);
    checks.push(...((restored.settings.checks as typeof checks) ?? []));
    run.log(`resuming the 60,000-image phase after epoch ${loop.history.length}`);
  } else {
    dbn = readDbn('updown-44k-best.dbn');
    loop = upDownTrainer(dbn, { ...options, labels: all.labels!, rows: all.rows });
  }
  const stop = new AbortController();
  if (checks.some((c) => c.trainError <= target)) stop.abort();
  run.log(
    `continuing from epoch ${upDown44.best.epoch} on all 60,000 images until the training error is at most ${pct(target)}`,
  );
  await loop.fit(allSource, {
    signal: stop.signal,
    onEpoch: async (e) => {
      run.log(
        `up-down (60,000) epoch ${e.epoch + 1}: k=${e.gibbsSteps}, generative error ${e.generativeError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
      );
      if ((e.epoch + 1) % PROTOCOL.final.checkEvery === 0) {
        const c = { epoch: e.epoch + 1, trainError: dbnError(dbn, X.all, all).error };
        checks.push(c);
        run.log(`  error on the 60,000 training images ${pct(c.trainError)}`);
        if (c.trainError <= target) stop.abort();
      }
      await run.saveModel(
        'updown-60k.checkpoint',
        encodeUpDownCheckpoint(dbn, loop, options, { checks }),
      );
    },
  });
  await run.saveModel(
    'final.dbn',
    encodeDBN(dbn, { hyperParameters: options, history: loop.history }),
  );
  const result = {
    epochs: loop.history.length,
    checks,
    trainError: dbnError(dbn, X.all, all).error,
    testError: dbnError(dbn, X.test, test).error,
    seconds: loop.history.reduce((s, e) => s + e.seconds, 0),
  };
  run.log(`final DBN: test error ${pct(result.testError)} after ${result.epochs} more epochs`);
  loop.dispose();
  dbn.dispose();
  return result;
});

// ---------------------------------------------------------------- the generating model
const generation = await run.stage('updown-persistent', async () => {
  const checkpoint = run.modelPath('updown-persistent.checkpoint');
  const options = PROTOCOL.generation;
  let dbn: DBN;
  let loop: ReturnType<typeof upDownTrainer>;
  if (existsSync(checkpoint)) {
    const restored = restoreUpDownCheckpoint(ops, readFileSync(checkpoint), {
      labels: all.labels!,
      source: checkpoint,
    });
    ({ dbn, loop } = restored);
    run.log(`resuming persistent up-down after epoch ${loop.history.length}`);
  } else {
    dbn = readDbn('final.dbn');
    loop = upDownTrainer(dbn, { ...options, labels: all.labels!, rows: all.rows });
  }
  await loop.fit(allSource, {
    onEpoch: async (e) => {
      run.log(
        `persistent up-down (60,000) epoch ${e.epoch + 1}/${options.epochs}: k=${e.gibbsSteps}, generative error ${e.generativeError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
      );
      await run.saveModel(
        'updown-persistent.checkpoint',
        encodeUpDownCheckpoint(dbn, loop, options, {}),
      );
    },
  });
  await run.saveModel(
    'generation.dbn',
    encodeDBN(dbn, { hyperParameters: options, history: loop.history }),
  );
  const result = {
    epochs: loop.history.length,
    testError: dbnError(dbn, X.test, test).error,
    seconds: loop.history.reduce((s, e) => s + e.seconds, 0),
  };
  run.log(`generating DBN: test error ${pct(result.testError)}`);
  loop.dispose();
  dbn.dispose();
  return result;
});

// ---------------------------------------------------------------- samples (figure 8)
const samples = await run.stage('samples-generation', async () => {
  const dbn = readDbn('generation.dbn');
  const { perLabel, judgedPerLabel, gibbsSteps, start, seed, judgeSeed } = PROTOCOL.samples;
  const labels = Array.from({ length: 10 * perLabel }, (_, i) => Math.floor(i / perLabel));
  const draw = (ys: number[], rngSeed: number) =>
    ops.tidy(() =>
      ops.read(dbn.generate(ys, { rng: new SeededRandom(rngSeed), gibbsSteps, start, count: 1 })),
    );
  const images = draw(labels, seed);
  await writePng(
    run.modelPath('samples.png'),
    imageGrid(images, labels.length, {
      tileShape: [28, 28],
      columns: perLabel,
      zoom: 2,
      normalize: 'unit',
    }),
  );
  const knn = new NearestNeighbourClassifier(ops, all, all.labels!, { k: 3 });
  const recognised = recognitionRate(knn, images, labels);
  const judgedLabels = Array.from({ length: 10 * judgedPerLabel }, (_, i) =>
    Math.floor(i / judgedPerLabel),
  );
  const judged = recognitionRate(knn, draw(judgedLabels, judgeSeed), judgedLabels);
  knn.dispose();
  // variety within a row: the mean distance between two samples of a row, against two
  // random training images of the same digit
  const rowDistance = meanPairDistance(images, labels, perLabel);
  const realDistance = meanPairDistance(realDigits(perLabel), labels, perLabel);
  run.log(
    `samples recognised as their label: ${Math.round(recognised.rate * 100)} % of the picture's ${labels.length} (per label ${recognised.perLabel.map((r) => Math.round(r * 100)).join(' ')}), ${(judged.rate * 100).toFixed(1)} % of ${judgedLabels.length} more; ` +
      `mean distance between two samples of a row ${rowDistance.toFixed(2)} (real digits of one class: ${realDistance.toFixed(2)})`,
  );
  dbn.dispose();
  return {
    recognised: recognised.rate,
    perLabel: recognised.perLabel,
    judged: { rate: judged.rate, total: judgedLabels.length, perLabel: judged.perLabel },
    rowDistance,
    realDistance,
  };
});

// ---------------------------------------------------------------- backprop (H&S 2006)
const backpropRun = async (net: FeedForwardNet, options: FineTuneOptions, label: string) => {
  const history = await fineTuneClassifier(run, net, all, options, label);
  return {
    history,
    bestValidationLoss: Math.min(
      ...history.map((h) => h.validationLoss ?? Number.POSITIVE_INFINITY),
    ),
    testError: netError(net, X.test, test).error,
    seconds: history.reduce((s, e) => s + e.seconds, 0),
  };
};
const backprop = await run.stage(`backprop-lr${PROTOCOL.backprop.learningRate}`, async () => {
  const net = unrollClassifier(readDbn('pretrained.dbn'));
  const r = await backpropRun(net, PROTOCOL.backprop, 'backprop (pre-trained)');
  run.log(
    `pre-trained + backprop: test error ${pct(r.testError)} (best epoch ${bestEpochOf(r.history)})`,
  );
  net.dispose();
  return r;
});
const backpropEpoch = bestEpochOf(backprop.history);
/** The stopping point found on validation, then the same recipe on all 60,000 images. */
const onAllImages = (options: FineTuneOptions, epochs: number) => ({
  ...options,
  epochs,
  validationFraction: 0,
});
const backpropAll = await run.stage(
  `backprop-lr${PROTOCOL.backprop.learningRate}-all-60k`,
  async () => {
    const net = unrollClassifier(readDbn('pretrained.dbn'));
    const options = onAllImages(PROTOCOL.backprop, backpropEpoch);
    const r = await backpropRun(net, options, 'backprop (pre-trained, all 60,000)');
    await run.saveModel(
      'backprop.classifier',
      encodeClassifier(net, { hyperParameters: options, history: r.history }),
    );
    run.log(`pre-trained + backprop on all 60,000: test error ${pct(r.testError)}`);
    net.dispose();
    return r;
  },
);
const randomNet = () =>
  FeedForwardNet.random(
    ops,
    [784, 500, 500, 2000, 10],
    ['sigmoid', 'sigmoid', 'sigmoid', 'softmax'],
    new SeededRandom(4),
    'glorot',
  );
const randomInit: Record<string, Awaited<ReturnType<typeof backpropRun>>> = {};
for (const variant of PROTOCOL.randomInit) {
  const name = `random-${variant.optimizer}-${variant.learningRate}`;
  randomInit[name] = await run.stage(name, async () => {
    const net = randomNet();
    const r = await backpropRun(net, { ...PROTOCOL.backprop, ...variant }, `random init ${name}`);
    run.log(`random init (${name}): test error ${pct(r.testError)}`);
    net.dispose();
    return r;
  });
}
const bestRandom = Object.entries(randomInit).sort(
  (a, b) => a[1].bestValidationLoss - b[1].bestValidationLoss,
)[0]!;
const bestRandomVariant = PROTOCOL.randomInit.find(
  (v) => `random-${v.optimizer}-${v.learningRate}` === bestRandom[0],
)!;
const bestRandomEpoch = bestEpochOf(bestRandom[1].history);
const randomAll = await run.stage(`${bestRandom[0]}-all-60k`, async () => {
  const net = randomNet();
  const options = onAllImages({ ...PROTOCOL.backprop, ...bestRandomVariant }, bestRandomEpoch);
  const r = await backpropRun(net, options, `random init ${bestRandom[0]} (all 60,000)`);
  run.log(`random init (${bestRandom[0]}) on all 60,000: test error ${pct(r.testError)}`);
  net.dispose();
  return r;
});

// ---------------------------------------------------------------- the tables
const hours = (s: number) => `${(s / 3600).toFixed(2)} h`;
const upDownSeconds = upDown44.seconds + final.seconds + generation.seconds;
const total =
  pretrained.seconds +
  upDownSeconds +
  backprop.seconds +
  backpropAll.seconds +
  randomAll.seconds +
  Object.values(randomInit).reduce((s, r) => s + r.seconds, 0);
const table = `# The 2006 DBN on real MNIST (backend ${ops.name}${quick ? ', QUICK protocol' : ''})

${quick ? "**Shortened protocol (`--quick`)**: not the papers' numbers." : "The papers' full protocol."} Pre-training ${PROTOCOL.pretrainEpochs} epochs per layer on ${PROTOCOL.trainImages} images; up-down ${PROTOCOL.upDown.epochs} epochs (k = ${PROTOCOL.upDown.gibbsSteps.join(', ')}), best of ${upDown44.validations.length} validations at epoch ${upDown44.best.epoch}, then ${final.epochs} epoch${final.epochs === 1 ? '' : 's'} on all 60,000; backprop (SGD, lr ${PROTOCOL.backprop.learningRate}) on 50,000 images until the validation loss stops improving (patience ${PROTOCOL.backprop.patience}), then the same recipe on all 60,000 for the chosen number of epochs (the random-init baseline likewise). Log: run.log.

| model | published | deepbelief (test) | validation | time |
|---|---|---|---|---|
| DBN after greedy pre-training (label free energy) | 2.49 % | ${pct(pretrained.testError)} | ${pct(pretrained.validationError)} | ${hours(pretrained.seconds)} |
| DBN + up-down, best validation point (44,000 images) | 1.39 % | ${pct(bestTest.testError)} | ${pct(upDown44.best.validationError)} | ${hours(upDown44.seconds)} |
| DBN + up-down, then all 60,000 (Hinton, Osindero & Teh 2006) | 1.25 % | ${pct(final.testError)} | – | ${hours(final.seconds)} more |
| the same + ${generation.epochs} up-down epochs with persistent chains: the generating model | – | ${pct(generation.testError)} | – | ${hours(generation.seconds)} more |
| DBN + backprop, stopped on validation (50,000 images, best epoch ${backpropEpoch}) | – | ${pct(backprop.testError)} | – | ${hours(backprop.seconds)} |
| DBN + backprop, then all 60,000 for ${backpropEpoch} epochs (Hinton & Salakhutdinov 2006) | 1.2 % | ${pct(backpropAll.testError)} | – | ${hours(backpropAll.seconds)} more |
| random init + backprop, best of the grid (${bestRandom[0]}), stopped on validation (best epoch ${bestRandomEpoch}) | – | ${pct(bestRandom[1].testError)} | – | ${hours(bestRandom[1].seconds)} |
| random init, then all 60,000 for ${bestRandomEpoch} epochs | 1.6 % | ${pct(randomAll.testError)} | – | ${hours(randomAll.seconds)} more |

Random-init grid (test error): ${Object.entries(randomInit)
  .map(([k, r]) => `${k} ${pct(r.testError)}`)
  .join(', ')}.

Samples from the generating model (samples.png, ${PROTOCOL.samples.perLabel} per label, ${PROTOCOL.samples.gibbsSteps} Gibbs steps from the label alone, binary penultimate states sent down): ${Math.round(samples.recognised * 100)} % of the picture's digits recognised as their label by a 3-NN vote over the 60,000 training images, ${(samples.judged.rate * 100).toFixed(1)} % of ${samples.judged.total} more drawn the same way; mean distance between two samples of one row ${samples.rowDistance.toFixed(2)} (two real digits of one class: ${samples.realDistance.toFixed(2)}).

Training time, all stages: ${hours(total)} (up-down ${hours(upDownSeconds)}). Times: the up-down phase on 44,000 images reports the sum of its epoch times, kept in its checkpoint across resumes (it ran in two sessions); the other stages ran in one process each and report their wall time, evaluations included. The wall-clock account of the whole run is in README.md.
`;
run.write('results.md', table);
run.write(
  'results.json',
  `${JSON.stringify(
    {
      backend: ops.name,
      quick,
      protocol: PROTOCOL,
      pretrained,
      upDown44k: { ...upDown44, bestTestError: bestTest.testError },
      final,
      generation,
      samples,
      backprop: {
        testError: backprop.testError,
        bestEpoch: backpropEpoch,
        seconds: backprop.seconds,
      },
      backpropAll60k: { testError: backpropAll.testError, seconds: backpropAll.seconds },
      randomInitAll60k: {
        variant: bestRandom[0],
        epochs: bestRandomEpoch,
        testError: randomAll.testError,
        seconds: randomAll.seconds,
      },
      randomInit: Object.fromEntries(
        Object.entries(randomInit).map(([k, r]) => [
          k,
          { testError: r.testError, bestValidationLoss: r.bestValidationLoss, seconds: r.seconds },
        ]),
      ),
      trainingSeconds: total,
    },
    null,
    2,
  )}\n`,
);
run.log(table);
for (const f of ['pretrain.checkpoint']) if (existsSync(run.modelPath(f))) rmSync(run.modelPath(f));

/** Mean Euclidean distance between consecutive pairs of images within each label's row. */
function meanPairDistance(images: Float32Array, labels: number[], perLabel: number): number {
  let sum = 0;
  let count = 0;
  for (let row = 0; row < labels.length / perLabel; row++) {
    for (let i = 0; i < perLabel; i++) {
      for (let j = i + 1; j < perLabel; j++) {
        const a = (row * perLabel + i) * 784;
        const b = (row * perLabel + j) * 784;
        let d = 0;
        for (let p = 0; p < 784; p++) d += (images[a + p]! - images[b + p]!) ** 2;
        sum += Math.sqrt(d);
        count++;
      }
    }
  }
  return sum / count;
}

/** `perLabel` real test digits of each class, in label order. */
function realDigits(perLabel: number): Float32Array {
  const out = new Float32Array(10 * perLabel * 784);
  const taken = new Array<number>(10).fill(0);
  for (let i = 0; i < test.rows; i++) {
    const y = test.labels![i]!;
    if (taken[y]! >= perLabel) continue;
    const at = (y * perLabel + taken[y]!) * 784;
    for (let p = 0; p < 784; p++) out[at + p] = test.features[i * 784 + p]! * test.scale;
    taken[y]!++;
  }
  return out;
}
