/**
 * Trains the small DBN the "Generate digits" demo ships (`public/models/dbn-mnist-small.safetensors`):
 * the 2006 architecture scaled down — 784-256-256 with a top RBM of 1,024 units over the
 * 256 penultimate units and 10 softmax label units — with the quickstart's recipe for digits
 * a reader recognises (issue #18, `results/quickstart-top-rbm/`):
 * - the two lower layers: CD-1 with the settings of rbm.m, on all 60,000 MNIST training digits;
 * - the top RBM: CD with k rising from 1 to 10 over the epochs and sampled binary visible
 *   states in the negative chain (a true Gibbs chain, like the clamped chains of the demo);
 * - up-down fine-tuning with persistent top-level chains and a learning rate decaying over
 *   thirds of the epochs.
 *
 * It reports the test error of the model's own classifier and how many generated digits a
 * 3-nearest-neighbour vote over the 60,000 training images (independent of the DBN) recognises
 * as their clamped label, for the page's first picture (seed 2006, 10 per digit) at 200 and
 * 1,000 Gibbs steps, and saves the model in the project's format. Fixed seeds: a rerun gives
 * the same weights. Runs on the onnx backend (about 5 minutes on 2 cores).
 *
 *   pnpm train-demo-dbn [epochs per layer (10)] [up-down epochs (10)]
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOnnxBackend } from '@deepbelief/backend-onnx';
import { Ops, SeededRandom } from '@deepbelief/core';
import { type Dataset, loadMnist } from '@deepbelief/datasets';
import { DBN, encodeDBN, NearestNeighbourClassifier, recognitionRate } from '@deepbelief/dbn';
import { writeFileAtomic } from '@deepbelief/model-format/node';
import type { TrainOptions } from '@deepbelief/rbm';
import { upDown } from '@deepbelief/wake-sleep';
import { DEMO_GENERATION, SHIPPED_DBN } from '../src/assets.js';

const docsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const epochs = Number(process.argv[2] ?? 10);
const upDownEpochs = Number(process.argv[3] ?? 10);
const SIZES = [784, 256, 256, 1024];
const LABELS = 10;
const SEED = 2006;

/** The lower layers: CD-1 with the settings of rbm.m. */
const lowerLayer: TrainOptions = {
  epochs,
  batchSize: 100,
  learningRate: 0.1,
  momentum: { initial: 0.5, final: 0.9, switchEpoch: 5 },
  weightCost: 2e-4,
  k: 1,
};
/** The top RBM: the quickstart's recipe (`QUICKSTART_TOP_RBM` of the CLI). */
const topLayer: TrainOptions = { ...lowerLayer, k: { from: 1, to: 10 }, visibleStates: 'samples' };
const layers = [lowerLayer, lowerLayer, topLayer];
/** Up-down: the quickstart's settings (persistent chains, learning rate decaying by thirds). */
const fineTuning = {
  epochs: upDownEpochs,
  batchSize: 100,
  learningRate: [0.01, 0.005, 0.0025],
  gibbsSteps: [3, 6, 10],
  persistent: true,
  seed: SEED,
};

const ops = new Ops(await createOnnxBackend());
const train = await loadMnist({ split: 'train' });
const test = await loadMnist({ split: 'test' });
if (!train.labels || !test.labels) throw new Error('MNIST labels are missing');
const judge = new NearestNeighbourClassifier(ops, train, train.labels, { k: 3 });

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
 * The page's first picture — `DEMO_GENERATION.perDigit` digits of each label, one label at a
 * time from one generator seeded as the page's — judged by the 3-NN vote.
 */
function recognised(dbn: DBN, gibbsSteps: number): number {
  const rng = new SeededRandom(DEMO_GENERATION.seed);
  const n = DEMO_GENERATION.perDigit;
  const pixels = new Float32Array(LABELS * n * SIZES[0]!);
  const intended: number[] = [];
  for (let label = 0; label < LABELS; label++) {
    const part = ops.tidy(() => ops.read(dbn.generate(label, { count: n, rng, gibbsSteps })));
    pixels.set(part, label * part.length);
    intended.push(...new Array<number>(n).fill(label));
  }
  return recognitionRate(judge, pixels, intended).rate;
}

const report = (stage: string, dbn: DBN) => {
  const result = {
    stage,
    testError: testError(dbn, test),
    samplesRecognised: {
      steps200: recognised(dbn, 200),
      steps1000: recognised(dbn, 1000),
    },
    recogniser: '3-nearest-neighbour vote over the 60,000 MNIST training images',
  };
  console.log(
    `${stage}: test error ${(100 * result.testError).toFixed(2)}%, samples recognised as their label by 3-NN: ${(100 * result.samplesRecognised.steps200).toFixed(0)}% at 200 Gibbs steps, ${(100 * result.samplesRecognised.steps1000).toFixed(0)}% at 1000`,
  );
  return result;
};

const dbn = new DBN(ops, { sizes: SIZES, labels: LABELS }, new SeededRandom(SEED));
const started = performance.now();
const histories = await dbn.pretrain(train, {
  layers,
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
const pretrainMinutes = (performance.now() - started) / 60000;
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
    layers,
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
    {
      pretrainingMinutes: Number(pretrainMinutes.toFixed(2)),
      trainingMinutes: Number(minutes.toFixed(2)),
      note: 'minutes include the evaluations after pre-training',
    },
  ],
});
await writeFileAtomic(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes) after ${minutes.toFixed(1)} minutes`);
judge.dispose();
dbn.dispose();
