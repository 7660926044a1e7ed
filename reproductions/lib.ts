/**
 * Shared plumbing of the reproduction scripts: the fastest backend, real MNIST as tensors,
 * a log that goes to the terminal and to results/<name>.log, and resumable stages whose
 * results are stored as JSON so a re-run skips what is done.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ops, Tensor } from '@deepbelief/core';
import { BINARIZATION_SEEDS, binarizeAs, type Dataset, loadMnist } from '@deepbelief/datasets';
import {
  type DeepAutoencoder,
  decodeBackpropCheckpoint,
  decodePretrainCheckpoint,
  encodeBackpropCheckpoint,
  encodePretrainCheckpoint,
  type FeedForwardNet,
  type FineTuneEpoch,
  type FineTuneOptions,
  fineTune,
  fineTuneTrainer,
} from '@deepbelief/dbn';
import { writeFileAtomic } from '@deepbelief/model-format/node';
import {
  columnMeans,
  type EpochEvent,
  encodeCheckpoint,
  type MatrixInput,
  type RBM,
  RBMTrainer,
  restoreCheckpoint,
  type TrainOptions,
  toMatrixSource,
} from '@deepbelief/rbm';
import type { UpDownOptions } from '@deepbelief/wake-sleep';
import { fastestBackend } from '../scripts/lib/backends.js';

export const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(RESULTS, { recursive: true });

/** A reproduction run: its log, its stage cache and its model files. */
export class Run {
  readonly dir: string;
  private readonly started = performance.now();
  constructor(readonly name: string) {
    this.dir = join(RESULTS, name);
    mkdirSync(this.dir, { recursive: true });
  }

  log(message: string): void {
    const line = `[${new Date().toISOString()} +${((performance.now() - this.started) / 1000).toFixed(0)}s] ${message}`;
    console.log(line);
    appendFileSync(join(this.dir, 'run.log'), `${line}\n`);
  }

  /** Runs `fn` once; later runs return the stored result (delete stages/<name>.json to redo). */
  async stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const path = join(this.dir, 'stages', `${name}.json`);
    if (existsSync(path)) {
      this.log(`stage ${name}: done earlier, reusing ${path}`);
      return JSON.parse(readFileSync(path, 'utf8')) as T;
    }
    this.log(`stage ${name}: start`);
    const t0 = performance.now();
    const result = await fn();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      // a stage that reports its own `seconds` (e.g. epoch times summed across resumes) keeps them
      `${JSON.stringify({ seconds: (performance.now() - t0) / 1000, ...result }, null, 2)}\n`,
    );
    this.log(`stage ${name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  }

  async saveModel(file: string, bytes: Uint8Array): Promise<string> {
    const path = join(this.dir, file);
    await writeFileAtomic(path, bytes);
    return path;
  }

  modelPath(file: string): string {
    return join(this.dir, file);
  }

  write(file: string, text: string): void {
    writeFileSync(join(this.dir, file), text);
  }
}

export async function setup(): Promise<{ ops: Ops; train: Dataset; test: Dataset }> {
  const ops = await fastestBackend();
  const [train, test] = await Promise.all([
    loadMnist({ split: 'train' }),
    loadMnist({ split: 'test' }),
  ]);
  return { ops, train, test };
}

/**
 * MNIST binarised once with the fixed seeds (`BINARIZATION_SEEDS`), as every likelihood script
 * trains and tests on it: the binary datasets, the test set as a tensor, the first 10,000
 * training images as a tensor (the training log-likelihood) and the training column means
 * (AIS's base-rate model).
 */
export async function setupBinarised(): Promise<{
  ops: Ops;
  train: Dataset;
  test: Dataset;
  testX: Tensor;
  train10k: Tensor;
  means: Float32Array;
}> {
  const loaded = await setup();
  const { ops } = loaded;
  const train = binarizeAs(loaded.train, 'stochastic', BINARIZATION_SEEDS.train);
  const test = binarizeAs(loaded.test, 'stochastic', BINARIZATION_SEEDS.test);
  return {
    ops,
    train,
    test,
    testX: asTensor(ops, test),
    train10k: asTensor(ops, train, 10000),
    means: columnMeans(toMatrixSource(train)),
  };
}

/**
 * A learning-rate schedule: `base` for the first half of `total` epochs, then a linear decay
 * to base/10 at the last epoch (the likelihood papers give no schedule; the decay lets the
 * final weights settle).
 */
export const decayingLearningRate =
  (base: number, total: number) =>
  (epoch: number): number => {
    const half = Math.floor(total / 2);
    if (epoch < half) return base;
    return base * (1 - (0.9 * (epoch - half)) / Math.max(1, total - 1 - half));
  };

/** Logs each epoch of RBM training as `<prefix><layer> epoch e/E: reconstruction error … (s)`. */
export const logEpochs =
  (run: Run, prefix = '') =>
  (e: EpochEvent): void =>
    run.log(
      `${prefix}${e.layer} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
    );

/**
 * Backprop of a classifier on every row of `data` (labels one-hot, softmax cross-entropy),
 * logging each epoch as `<label> epoch e/E: train …, validation … (s)`.
 */
export function fineTuneClassifier(
  run: Run,
  net: FeedForwardNet,
  data: Dataset,
  options: FineTuneOptions,
  label: string,
): Promise<FineTuneEpoch[]> {
  return fineTune(net, data, { labels: data.labels! }, 'softmax-cross-entropy', options, {
    onEpoch: (e) =>
      run.log(
        `${label} epoch ${e.epoch + 1}/${options.epochs}: ${options.optimizer === 'cg' ? `cg, ${options.lineSearches ?? 3} line searches` : `lr ${JSON.stringify(options.learningRate)}`}, train ${e.trainLoss.toFixed(4)}, validation ${e.validationLoss?.toFixed(4) ?? '–'} (${e.seconds.toFixed(1)} s)`,
      ),
  });
}

/**
 * The 1-based epoch of the lowest validation loss of a fine-tuning history (whose weights
 * `fineTune` restores), or the last epoch when there was no validation split.
 */
export function bestEpochOf(history: readonly FineTuneEpoch[]): number {
  const losses = history.map((h) => h.validationLoss ?? Number.POSITIVE_INFINITY);
  const best = Math.min(...losses);
  return Number.isFinite(best) ? losses.indexOf(best) + 1 : history.length;
}

/**
 * Up-down with persistent chains on all 60,000 images, continuing the full-protocol 2006 DBN
 * (`dbn2006.ts`'s generating model, `dbn2006-persistent.ts`): k = 10, the learning rate
 * 0.0025 then 0.001.
 */
export const persistentUpDown = (epochs: number) =>
  ({
    epochs,
    batchSize: 100,
    gibbsSteps: 10,
    learningRate: [0.0025, 0.001],
    weightCost: 0,
    persistent: true,
    seed: 7,
  }) satisfies UpDownOptions;

/** All rows of a dataset as one float32 tensor in [0, 1] (kept; dispose when done). */
export function asTensor(ops: Ops, d: Dataset, rows = d.rows): Tensor {
  const x = new Float32Array(rows * d.cols);
  for (let i = 0; i < x.length; i++) x[i] = d.features[i]! * d.scale;
  return ops.keep(ops.fromArray(x, [rows, d.cols]));
}

/** Applies `fn` to row blocks of `x` and concatenates the Int32 results (e.g. predicted labels). */
export function predictInBlocks(
  ops: Ops,
  x: Tensor,
  fn: (block: Tensor) => ArrayLike<number>,
  block = 1000,
): Int32Array {
  const out = new Int32Array(x.rows);
  for (let s = 0; s < x.rows; s += block) {
    const e = Math.min(s + block, x.rows);
    const part = ops.tidy(() => Array.from(fn(ops.sliceRows(x, s, e))));
    out.set(part, s);
  }
  return out;
}

/**
 * The model and training state of `<name>.checkpoint` when it exists (logging where it
 * resumes), else a fresh model from `start` and no state.
 */
async function restoreOr<M, S>(
  run: Run,
  name: string,
  decode: (bytes: Uint8Array, path: string) => { model: M; state: S },
  where: (state: S) => string,
  start: () => M | Promise<M>,
): Promise<{ model: M; state: S | null }> {
  const path = run.modelPath(`${name}.checkpoint`);
  if (!existsSync(path)) return { model: await start(), state: null };
  const restored = decode(new Uint8Array(readFileSync(path)), path);
  run.log(`${name}: resuming ${where(restored.state)}`);
  return restored;
}

/**
 * Greedy pre-training of an autoencoder's stack, resumable: a checkpoint (`<name>.checkpoint`)
 * after every epoch, and a run that finds one continues from it. `create` builds the fresh
 * model when there is none. Returns the model and every layer's epoch history.
 */
export async function pretrainAutoencoder(
  run: Run,
  ops: Ops,
  name: string,
  create: () => DeepAutoencoder,
  input: MatrixInput,
  layers: readonly TrainOptions[],
  protocol: string,
): Promise<{ ae: DeepAutoencoder; histories: EpochEvent[][] }> {
  const { model: ae, state } = await restoreOr(
    run,
    name,
    (bytes, path) => decodePretrainCheckpoint(ops, bytes, 'autoencoder', path),
    (s) => `at layer ${s.layer + 1}`,
    create,
  );
  const stack = ae.pretrainer(input, { layers, seed: 1 });
  if (state) stack.setState(state);
  const histories = await stack.fit({
    onEpoch: async (e) => {
      run.log(
        `${name} ${e.layer} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(5)} (${e.seconds.toFixed(2)} s)`,
      );
      await run.saveModel(
        `${name}.checkpoint`,
        encodePretrainCheckpoint('autoencoder', ae, stack, { protocol }),
      );
    },
  });
  return { ae, histories };
}

/**
 * Fine-tuning of an autoencoder by backprop (its own targets and loss, see
 * `DeepAutoencoder.fineTuneSetup`), resumable like {@link pretrainAutoencoder}; `start`
 * gives the pre-trained model when there is no checkpoint. The best held-out epoch's
 * weights are restored at the end.
 */
export async function fineTuneAutoencoder(
  run: Run,
  ops: Ops,
  name: string,
  start: () => Promise<DeepAutoencoder>,
  input: MatrixInput,
  options: FineTuneOptions & { epochs: number },
  protocol: string,
): Promise<{ ae: DeepAutoencoder; history: FineTuneEpoch[] }> {
  const { model: ae, state } = await restoreOr(
    run,
    name,
    (bytes, path) => decodeBackpropCheckpoint(ops, bytes, 'autoencoder', path),
    (s) => `after epoch ${s.history.length}`,
    start,
  );
  const setup = ae.fineTuneSetup(input, options);
  const { loop, algorithm, source } = fineTuneTrainer(
    ae.net ?? ae.unroll(),
    input,
    setup.targets,
    setup.loss,
    setup.options,
  );
  if (state) loop.setState(state);
  const history = await loop.fit(source, {
    onEpoch: async (e) => {
      run.log(
        `${name} epoch ${e.epoch + 1}/${options.epochs}: cross-entropy ${e.trainLoss.toFixed(3)}, held out ${e.validationLoss?.toFixed(3)} (${e.seconds.toFixed(2)} s)`,
      );
      await run.saveModel(
        `${name}.checkpoint`,
        encodeBackpropCheckpoint('autoencoder', ae, loop, { protocol }),
      );
    },
  });
  algorithm.restoreBest();
  loop.dispose();
  return { ae, history };
}

/**
 * Trains one RBM, resumable: a checkpoint (`<name>.checkpoint`, weights plus the trainer's
 * state) after every epoch, and a run that finds one continues from it. `create` builds the
 * fresh RBM; a learning-rate schedule function is passed again on resume (files hold only
 * JSON). Returns the RBM, its epoch history and the training seconds summed over resumes.
 */
export async function trainRbmResumable(
  run: Run,
  ops: Ops,
  name: string,
  create: () => RBM,
  input: MatrixInput,
  options: TrainOptions,
  seed = 1,
): Promise<{ rbm: RBM; history: EpochEvent[]; seconds: number }> {
  const data = toMatrixSource(input);
  const { model } = await restoreOr(
    run,
    name,
    (bytes, path) => {
      const r = restoreCheckpoint(ops, bytes, {
        source: path,
        override:
          typeof options.learningRate === 'function' ? { learningRate: options.learningRate } : {},
      });
      return { model: r, state: r.trainer.completedEpochs };
    },
    (epochs) => `after epoch ${epochs}`,
    () => {
      const rbm = create();
      return { rbm, trainer: new RBMTrainer(rbm, options, seed) };
    },
  );
  const { rbm, trainer } = model;
  const history = await trainer.fit(data, {
    onEpoch: async (e) => {
      run.log(
        `${name} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${e.reconstructionError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
      );
      await run.saveModel(`${name}.checkpoint`, encodeCheckpoint(rbm, trainer, data.rows));
    },
  });
  trainer.dispose();
  return { rbm, history, seconds: history.reduce((t, e) => t + e.seconds, 0) };
}
