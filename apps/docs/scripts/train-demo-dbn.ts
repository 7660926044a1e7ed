/**
 * Trains the small DBN the "Generate digits" demo ships (`public/models/dbn-mnist-small.safetensors`):
 * the 2006 architecture scaled down — 784-256-256 with a top RBM of 1,024 units over the
 * 256 penultimate units and 10 softmax label units — pre-trained greedily with CD-1 on all
 * 60,000 MNIST training digits, optionally fine-tuned with the up-down algorithm, and saved in
 * the project's model format. Fixed seeds: a rerun gives the same weights.
 *
 *   pnpm train-demo-dbn [epochs per layer (10)] [up-down epochs (0)]
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTfjsBackend } from '@deepbelief/backend-tfjs';
import { Ops, SeededRandom } from '@deepbelief/core';
import { type Dataset, loadMnist } from '@deepbelief/datasets';
import { DBN, encodeDBN } from '@deepbelief/dbn';
import { writeFileAtomic } from '@deepbelief/model-format/node';
import type { TrainOptions } from '@deepbelief/rbm';
import { upDown } from '@deepbelief/wake-sleep';
import { SHIPPED_DBN } from '../src/assets.js';

const docsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const epochs = Number(process.argv[2] ?? 10);
const upDownEpochs = Number(process.argv[3] ?? 0);
const SIZES = [784, 256, 256, 1024];
const LABELS = 10;
const SEED = 2006;

/** Every layer: CD-1 with the settings of rbm.m. */
const layer: TrainOptions = {
  epochs,
  batchSize: 100,
  learningRate: 0.1,
  momentum: { initial: 0.5, final: 0.9, switchEpoch: 5 },
  weightCost: 2e-4,
  k: 1,
};
const fineTuning = {
  epochs: upDownEpochs,
  batchSize: 100,
  learningRate: 0.01,
  gibbsSteps: [3, 6, 10],
  seed: SEED,
};

const ops = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
const train = await loadMnist({ split: 'train' });
const test = await loadMnist({ split: 'test' });
if (!train.labels || !test.labels) throw new Error('MNIST labels are missing');

/** Test error of the model's own classifier: the label with the lowest free energy. */
function testError(dbn: DBN, data: Dataset): number {
  let wrong = 0;
  const batch = 1000;
  const pixels = new Float32Array(batch * data.cols);
  for (let start = 0; start < data.rows; start += batch) {
    for (let i = 0; i < batch * data.cols; i++)
      pixels[i] = data.features[start * data.cols + i]! * data.scale;
    const predicted = ops.tidy(() => dbn.classify(ops.tensor(pixels, [batch, data.cols])));
    for (let i = 0; i < batch; i++) if (predicted[i] !== data.labels![start + i]) wrong++;
  }
  return wrong / data.rows;
}

/**
 * How often a generated digit is recognised, by the model's own classifier, as the label it
 * was generated for (10 samples per digit, 200 Gibbs steps, the demo page's default).
 */
function generationAgreement(dbn: DBN): number {
  const rng = new SeededRandom(SEED);
  let recognised = 0;
  for (let label = 0; label < LABELS; label++) {
    const predicted = ops.tidy(() =>
      dbn.classify(dbn.generate(label, { count: 10, rng, gibbsSteps: 200 })),
    );
    recognised += predicted.filter((p) => p === label).length;
  }
  return recognised / (10 * LABELS);
}

const report = (stage: string, dbn: DBN) => {
  const result = {
    stage,
    testError: testError(dbn, test),
    generationAgreement: generationAgreement(dbn),
  };
  console.log(
    `${stage}: test error ${(100 * result.testError).toFixed(2)}%, generated digits recognised as their label ${(100 * result.generationAgreement).toFixed(0)}%`,
  );
  return result;
};

const dbn = new DBN(ops, { sizes: SIZES, labels: LABELS }, new SeededRandom(SEED));
const started = performance.now();
const histories = await dbn.pretrain(train, {
  layers: layer,
  labels: train.labels,
  seed: SEED,
  hooks: {
    onLayer: (l, n) => console.log(`layer ${l + 1} of ${n}`),
    onEpoch: (e) =>
      console.log(
        `  ${e.layer} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
      ),
  },
});
const evaluations = [report('pre-training', dbn)];
if (upDownEpochs > 0) {
  await upDown(
    dbn,
    train,
    { ...fineTuning, labels: train.labels },
    {
      onEpoch: (e) =>
        console.log(
          `  up-down epoch ${e.epoch + 1}/${upDownEpochs} (k = ${e.gibbsSteps}): generative error ${e.generativeError.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
        ),
    },
  );
  evaluations.push(report('up-down', dbn));
}
const minutes = (performance.now() - started) / 60000;

const out = join(docsRoot, 'public', SHIPPED_DBN.folder, SHIPPED_DBN.file);
mkdirSync(dirname(out), { recursive: true });
const bytes = encodeDBN(dbn, {
  hyperParameters: {
    layers: layer,
    ...(upDownEpochs > 0 ? { upDown: fineTuning } : {}),
    seed: SEED,
    data: 'MNIST train, 60,000 digits',
    backend: ops.name,
  },
  history: [
    ...histories.map((h, i) => ({
      layer: i + 1,
      epochs: h.length,
      reconstructionError: h.at(-1)?.reconstructionError ?? null,
    })),
    ...evaluations.map((e) => ({ evaluation: 'MNIST test, 10,000 digits', ...e })),
    { trainingMinutes: Number(minutes.toFixed(2)) },
  ],
});
await writeFileAtomic(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes) after ${minutes.toFixed(1)} minutes`);
dbn.dispose();
