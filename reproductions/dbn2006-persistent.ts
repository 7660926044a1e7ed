/**
 * Issue #20's untried lever: up-down with **persistent** chains in the top RBM, continued from
 * the full-protocol 2006 DBN (results/dbn2006/final.dbn, 300 + 60 up-down epochs with chains
 * restarted at each mini-batch, as in the paper). On the quickstart's small DBN persistent
 * chains raised the recognised fraction of clamped samples by 9 points (results/quickstart).
 *
 * Measures, before and after every `--every` epochs: the test error (deterministic up pass,
 * exact label free energy) and the fraction of 500 clamped samples (50 per label, 1,000 Gibbs
 * steps, binary penultimate states sent down) that a 3-NN vote over the 60,000 training
 * images recognises as their label. Resumable (a checkpoint per epoch, evaluations inside it).
 * Each `--epochs` is its own run (files suffixed with it), from the same start.
 *
 * Run (after reproductions/dbn2006.ts):
 *   node --conditions=deepbelief-source --import tsx reproductions/dbn2006-persistent.ts
 *   [--epochs 20] [--every 10]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { imageGrid, writePng } from '@deepbelief/cli';
import { SeededRandom } from '@deepbelief/core';
import {
  classificationReport,
  type DBN,
  decodeDBN,
  encodeDBN,
  NearestNeighbourClassifier,
  recognitionRate,
} from '@deepbelief/dbn';
import { toMatrixSource } from '@deepbelief/rbm';
import {
  encodeUpDownCheckpoint,
  restoreUpDownCheckpoint,
  upDownTrainer,
} from '@deepbelief/wake-sleep';
import { asTensor, persistentUpDown, predictInBlocks, RESULTS, Run, setup } from './lib.js';

const { values } = parseArgs({
  options: { epochs: { type: 'string', default: '20' }, every: { type: 'string', default: '10' } },
});
const epochs = Number(values.epochs);
const every = Number(values.every);
const run = new Run('dbn2006-persistent');
const source = join(RESULTS, 'dbn2006', 'final.dbn');
if (!existsSync(source))
  throw new Error(`${source} is missing: run reproductions/dbn2006.ts first`);
const { ops, train: all, test } = await setup();
const testX = asTensor(ops, test);
const knn = new NearestNeighbourClassifier(ops, all, all.labels!, { k: 3 });

const PROTOCOL = {
  start: 'results/dbn2006/final.dbn (full protocol: test error 1.67 %)',
  data: 'all 60,000 MNIST training images (grey levels), labels clamped',
  upDown: persistentUpDown(epochs),
  samples: {
    perLabel: 50,
    gibbsSteps: 1000,
    seed: 8,
    judge: '3-NN over the 60,000 training images',
  },
};
run.log(`backend ${ops.name}; ${JSON.stringify(PROTOCOL)}`);

interface Evaluation {
  epoch: number;
  testError: number;
  recognised: number;
  perLabel: number[];
}
async function evaluate(dbn: DBN, epoch: number): Promise<Evaluation> {
  const testError = classificationReport(
    predictInBlocks(ops, testX, (b) => dbn.classify(b)),
    test.labels!,
    10,
  ).error;
  const { perLabel, gibbsSteps, seed } = PROTOCOL.samples;
  const labels = Array.from({ length: 10 * perLabel }, (_, i) => Math.floor(i / perLabel));
  const images = ops.tidy(() =>
    ops.read(dbn.generate(labels, { rng: new SeededRandom(seed), gibbsSteps, count: 1 })),
  );
  const r = recognitionRate(knn, images, labels);
  run.log(
    `after ${epoch} persistent epochs: test error ${(testError * 100).toFixed(2)} %, samples recognised ${(r.rate * 100).toFixed(1)} % (${r.recognised}/${r.total}; per label ${r.perLabel.map((x) => Math.round(x * 100)).join(' ')})`,
  );
  if (epoch === epochs) {
    // ten per label for the picture: the first ten chains of each label
    const picked = new Float32Array(100 * 784);
    for (let y = 0; y < 10; y++)
      for (let i = 0; i < 10; i++)
        picked.set(
          images.subarray((y * perLabel + i) * 784, (y * perLabel + i + 1) * 784),
          (y * 10 + i) * 784,
        );
    await writePng(
      run.modelPath(`samples-${epochs}.png`),
      imageGrid(picked, 100, { tileShape: [28, 28], columns: 10, zoom: 2, normalize: 'unit' }),
    );
  }
  return { epoch, testError, recognised: r.rate, perLabel: [...r.perLabel] };
}

const result = await run.stage(`persistent-updown-${epochs}`, async () => {
  const checkpoint = run.modelPath(`persistent-${epochs}.checkpoint`);
  let dbn: DBN;
  let loop: ReturnType<typeof upDownTrainer>;
  let evaluations: Evaluation[] = [];
  if (existsSync(checkpoint)) {
    const restored = restoreUpDownCheckpoint(ops, readFileSync(checkpoint), {
      labels: all.labels!,
      source: checkpoint,
    });
    ({ dbn, loop } = restored);
    evaluations = (restored.settings.evaluations as Evaluation[]) ?? [];
    run.log(`resuming after epoch ${loop.history.length}`);
  } else {
    dbn = decodeDBN(ops, readFileSync(source), source).dbn;
    evaluations.push(await evaluate(dbn, 0));
    loop = upDownTrainer(dbn, { ...PROTOCOL.upDown, labels: all.labels!, rows: all.rows });
  }
  await loop.fit(toMatrixSource(all), {
    onEpoch: async (e) => {
      run.log(
        `persistent up-down epoch ${e.epoch + 1}/${epochs}: k=${e.gibbsSteps}, generative error ${e.generativeError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
      );
      if ((e.epoch + 1) % every === 0 || e.epoch + 1 === epochs)
        evaluations.push(await evaluate(dbn, e.epoch + 1));
      await run.saveModel(
        `persistent-${epochs}.checkpoint`,
        encodeUpDownCheckpoint(dbn, loop, PROTOCOL.upDown, { evaluations }),
      );
    },
  });
  await run.saveModel(
    `persistent-${epochs}.dbn`,
    encodeDBN(dbn, { hyperParameters: PROTOCOL.upDown, history: loop.history }),
  );
  const seconds = loop.history.reduce((s, e) => s + e.seconds, 0);
  loop.dispose();
  dbn.dispose();
  return { evaluations, seconds };
});

const f = (x: number) => `${(x * 100).toFixed(1)} %`;
run.write(
  `results-${epochs}.md`,
  `# The 2006 DBN, continued by up-down with persistent chains

Command: \`node --conditions=deepbelief-source --import tsx reproductions/dbn2006-persistent.ts\` (after \`reproductions/dbn2006.ts\`). Log: run.log (one line per epoch). Backend ${ops.name}.

| persistent up-down epochs | test error | samples recognised (500) | per label 0–9 |
|---|---|---|---|
${result.evaluations
  .map(
    (e) =>
      `| ${e.epoch} | ${(e.testError * 100).toFixed(2)} % | ${f(e.recognised)} | ${e.perLabel.map((x) => Math.round(x * 100)).join(', ')} |`,
  )
  .join('\n')}

Training time: ${(result.seconds / 60).toFixed(1)} min. Protocol: ${'```'}json
${JSON.stringify(PROTOCOL, null, 2)}
${'```'}
`,
);
run.write(
  `results-${epochs}.json`,
  `${JSON.stringify({ protocol: PROTOCOL, ...result }, null, 2)}\n`,
);
knn.dispose();
run.log('done');
