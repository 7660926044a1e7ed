import { join } from 'node:path';
import { type Ops, SeededRandom } from '@deepbelief/core';
import type { Dataset } from '@deepbelief/datasets';
import {
  DBN,
  encodeDBN,
  NearestNeighbourClassifier,
  type RecognitionReport,
  recognitionRate,
  small,
} from '@deepbelief/dbn';
import type { EpochEvent, TrainOptions } from '@deepbelief/rbm';
import { upDown, type WakeSleepEpoch } from '@deepbelief/wake-sleep';
import {
  type BackendFlags,
  formatBytes,
  interruptible,
  loadSplit,
  rbmProgressHooks,
  startBackend,
  throwIfInterrupted,
} from '../common.js';
import { parseDataSpec } from '../data.js';
import { evaluateDbn } from '../evaluate.js';
import { saveBytes, withRunInfo } from '../models.js';
import { imageGrid, writePng } from '../png.js';
import { formatDuration, formatMetric, type Terminal } from '../terminal.js';
import { filterValues } from './draw.js';
import { confusionTable } from './eval.js';
import { dbnSamples } from './sample.js';

/**
 * Epochs per layer of the quickstart: the `small` preset's 2 give a 5.4% test error but
 * faint, often unrecognisable samples; 10 give clearer samples in about a minute on the
 * onnx backend (two cores).
 */
export const QUICKSTART_EPOCHS = 10;

/**
 * Up-down epochs of the quickstart. Greedy pre-training alone classifies well but generates
 * poorly: with the label clamped, the top RBM's chains settle in the wrong digit (27 % of the
 * samples recognised). Up-down fine-tuning (untied generative weights, k = 3, 6, 10 Gibbs
 * steps in the top RBM) is what the 2006 paper's figures came after;
 * results/quickstart/README.md measures each suspect.
 */
export const QUICKSTART_UP_DOWN_EPOCHS = 10;

/**
 * Up-down learning rate of the quickstart, one value per third of the epochs: with persistent
 * chains the samples are best when the rate decays at the end.
 */
export const QUICKSTART_UP_DOWN_LEARNING_RATE = [0.01, 0.005, 0.0025];

/**
 * The top RBM's negative chains persist from batch to batch during up-down (persistent CD):
 * they wander where the model puts mass far from the data and unlearn it, which is what the
 * clamped chains need (about 86–89 % of the samples recognised, against 77–81 % with chains
 * restarted at each batch; results/quickstart/README.md).
 */
export const QUICKSTART_PERSISTENT_CHAINS = true;

/**
 * How the quickstart pre-trains its top RBM: CD with k rising from 1 to 10 over the epochs and
 * sampled binary visible states in the negative chain (a true Gibbs chain, like the clamped
 * chains that draw the samples). Against the small preset's CD-1 with probabilities it lifts
 * the recognised samples from 85 % to 94 % (500 tiles) and the test error from 3.27 % to
 * 2.37 %, for about 50 s more training; CD-10 with probabilities reaches 88 %
 * (results/quickstart-top-rbm/).
 */
export const QUICKSTART_TOP_RBM = {
  k: { from: 1, to: 10 },
  visibleStates: 'samples',
} as const satisfies Partial<TrainOptions>;

/** Gibbs iterations per sample: the paper's figure 8 ran the top RBM for 1,000. */
export const QUICKSTART_GIBBS_STEPS = 1000;

/** `1 epoch`, `2 epochs`. */
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Flags of `deepbelief quickstart`. */
export interface QuickstartFlags extends BackendFlags {
  readonly outDir?: string;
  readonly epochs?: number;
  readonly limit?: number;
  readonly seed?: number;
  readonly gibbsSteps?: number;
  readonly zoom?: number;
  readonly upDown?: number;
}

/**
 * `deepbelief quickstart`: the README's main job. Pre-trains the `small` DBN preset on real
 * MNIST, fine-tunes it by up-down (`--up-down N`, default {@link QUICKSTART_UP_DOWN_EPOCHS}),
 * prints the test error (label free energy of the top RBM) and how many generated digits an
 * independent k-NN recognises as their label, and writes `samples.png` (one row per clamped
 * label 0–9), `filters.png` (first-layer weights) and `dbn.safetensors` into `--out-dir`.
 */
export async function quickstart(term: Terminal, flags: QuickstartFlags): Promise<void> {
  const started = performance.now();
  const outDir = flags.outDir ?? 'deepbelief-out';
  const seed = flags.seed ?? 1;
  const s = term.out;
  const timings: [string, number][] = [];
  const timed = async <T>(what: string, fn: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const value = await fn();
    timings.push([what, (performance.now() - t) / 1000]);
    return value;
  };

  const { ops, name: backend } = await timed('start backend', () => startBackend(term, flags));
  const spec = parseDataSpec('mnist');
  const options = flags.limit !== undefined ? { limit: flags.limit } : {};
  const [train, test] = await timed('load MNIST', async () => [
    await loadSplit(term, spec, 'train', options),
    await loadSplit(term, spec, 'test', {}),
  ]);
  const epochs = flags.epochs ?? QUICKSTART_EPOCHS;
  const top = small.pretrain.length - 1;
  const layers = small.pretrain.map((l, i) => ({
    ...l,
    epochs,
    ...(i === top ? QUICKSTART_TOP_RBM : {}),
  }));
  const dbn = new DBN(ops, small.config, new SeededRandom(seed));
  const subset =
    train.rows < 60000 ? ` (the first ${train.rows} of 60000 training images, --limit)` : '';
  term.result(
    `${s.bold('deepbelief quickstart')}: DBN ${small.config.sizes.join('-')} with 10 label units (the small preset's architecture, ${plural(epochs, 'epoch')} per layer, the top RBM with CD-1→10 on sampled states) on MNIST${subset}, backend ${backend}`,
  );
  const progress = term.progress();
  const interrupt = interruptible(term);
  const upDownEpochs = flags.upDown ?? QUICKSTART_UP_DOWN_EPOCHS;
  const upDownOptions = {
    epochs: upDownEpochs,
    learningRate: QUICKSTART_UP_DOWN_LEARNING_RATE,
    persistent: QUICKSTART_PERSISTENT_CHAINS,
    seed,
  };
  let history: EpochEvent[][];
  let upDownHistory: WakeSleepEpoch[] = [];
  try {
    history = await timed('pre-train 3 layers', () =>
      dbn.pretrain(train, {
        layers,
        labels: train.labels!,
        seed,
        hooks: { ...rbmProgressHooks(progress), signal: interrupt.signal },
      }),
    );
    throwIfInterrupted(interrupt.signal, 'quickstart stopped before training finished');
    if (upDownEpochs > 0) {
      upDownHistory = await timed(`up-down ${plural(upDownEpochs, 'epoch')}`, () =>
        upDown(
          dbn,
          train,
          { ...upDownOptions, labels: train.labels! },
          {
            signal: interrupt.signal,
            onBatch: (e) =>
              progress.update({
                label: `up-down epoch ${e.epoch + 1}/${upDownEpochs}`,
                value: e.batch + 1,
                total: e.batches,
              }),
            onEpoch: (e) =>
              progress.line(
                `up-down epoch ${e.epoch + 1}/${upDownEpochs}: generative error ${formatMetric(e.generativeError)}, ${e.gibbsSteps} Gibbs steps (${formatDuration(e.seconds)})`,
              ),
          },
        ),
      );
    }
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  throwIfInterrupted(interrupt.signal, 'quickstart stopped before training finished');

  const report = await timed('classify 10000 test images', () => evaluateDbn(dbn, test));
  const how =
    upDownEpochs > 0
      ? `after ${plural(upDownEpochs, 'epoch')} of up-down fine-tuning`
      : 'no fine-tuning';
  term.result(
    `test error ${s.bold(`${(report.error * 100).toFixed(2)}%`)} (${report.total - report.correct} of ${report.total} MNIST test images wrong; label free energy of the top RBM, ${how})`,
  );
  term.result(confusionTable(report.confusion));

  const zoom = flags.zoom ?? 2;
  const gibbsSteps = flags.gibbsSteps ?? QUICKSTART_GIBBS_STEPS;
  const samplesPath = join(outDir, 'samples.png');
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const samples = await timed('generate 100 samples', () =>
    dbnSamples(dbn, { labels, count: 10, gibbsSteps, rng: new SeededRandom(seed + 1) }),
  );
  const recognition = await timed('recognise the samples', () =>
    recogniseSamples(ops, train, samples, labels, 10),
  );
  const filtersPath = join(outDir, 'filters.png');
  const modelPath = join(outDir, 'dbn.safetensors');
  const bytes = withRunInfo(
    encodeDBN(dbn, {
      hyperParameters: {
        layers,
        labels: 10,
        propagate: 'probabilities',
        seed,
        ...(upDownEpochs > 0 ? { upDown: upDownOptions } : {}),
        gibbsSteps,
      },
      history: [
        ...history.flat(),
        ...upDownHistory,
        {
          evaluation: 'MNIST test, 10,000 digits',
          testError: report.error,
          samplesRecognised: recognition.rate,
          recogniser: `3-nearest-neighbour vote over ${train.rows} MNIST training images`,
        },
      ],
    }),
    {
      command: 'quickstart',
      data: 'mnist',
      limit: flags.limit,
      seed,
      backend,
      seconds:
        Math.round((timings.find(([w]) => w.startsWith('pre-train'))?.[1] ?? 0) * 1000) / 1000,
      preset: 'small',
    },
  );
  await timed('write files', async () => {
    await writePng(
      samplesPath,
      imageGrid(samples, 100, { tileShape: [28, 28], columns: 10, normalize: 'unit', zoom }),
    );
    await writePng(
      filtersPath,
      imageGrid(filterValues(ops, dbn.layers[0]!.W, 100), 100, {
        tileShape: [28, 28],
        columns: 10,
        normalize: 'per-tile',
        zoom,
      }),
    );
    await saveBytes(modelPath, bytes);
  });
  dbn.dispose();
  term.result(
    `samples recognised as their label: ${s.bold(`${Math.round(recognition.rate * 100)} %`)} (${recognition.recognised} of ${recognition.total}, by a 3-nearest-neighbour vote over the ${train.rows} training images, independent of the DBN; per label ${recognition.perLabel.map((r, y) => `${y}: ${Math.round(r * 100)}`).join(', ')})`,
  );
  term.result(
    `wrote ${samplesPath} (one row per label 0–9, ${gibbsSteps} Gibbs steps with the label clamped)`,
  );
  term.result(`wrote ${filtersPath} (100 of the 200 first-layer filters)`);
  term.result(`wrote ${modelPath} (${formatBytes(bytes.length)})`);
  const total = (performance.now() - started) / 1000;
  term.result(
    `timings: ${timings.map(([w, t]) => `${w} ${formatDuration(t)}`).join(', ')}; total ${formatDuration(total)}`,
  );
  term.result('next:');
  term.result(
    `  deepbelief finetune backprop ${modelPath} --epochs 10 --out ${join(outDir, 'classifier.safetensors')}   # a classifier`,
  );
  term.result(`  deepbelief info ${modelPath}`);
}

/**
 * The fraction of generated digits that a nearest-neighbour vote over the training images,
 * a classifier that shares nothing with the DBN, labels as the digit they were asked for.
 */
function recogniseSamples(
  ops: Ops,
  train: Dataset,
  samples: Float32Array,
  labels: readonly number[],
  perLabel: number,
): RecognitionReport {
  const knn = new NearestNeighbourClassifier(ops, train, train.labels!, { k: 3 });
  try {
    return recognitionRate(
      knn,
      samples,
      labels.flatMap((y) => new Array<number>(perLabel).fill(y)),
    );
  } finally {
    knn.dispose();
  }
}
