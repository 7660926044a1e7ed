import type { Ops } from '@deepbelief/core';
import type { Dataset } from '@deepbelief/datasets';
import {
  type DBN,
  type DeepAutoencoder,
  decodeBackpropCheckpoint,
  encodeAutoencoder,
  encodeBackpropCheckpoint,
  encodeClassifier,
  encodeDBN,
  type FeedForwardNet,
  type FineTuneOptions,
  fineTuneTrainer,
  unrollClassifier,
} from '@deepbelief/dbn';
import { toMatrixSource } from '@deepbelief/rbm';
import {
  encodeUpDownCheckpoint,
  restoreUpDownCheckpoint,
  type UpDownOptions,
  upDownTrainer,
  type WakeSleepEpoch,
} from '@deepbelief/wake-sleep';
import {
  type BackendFlags,
  type DataFlags,
  dataOptions,
  formatBytes,
  loadSplit,
  startBackend,
} from '../common.js';
import type { parseDataSpec } from '../data.js';
import { UsageError } from '../errors.js';
import {
  buildModel,
  disposeModel,
  jsonSafe,
  modelInputs,
  readModel,
  runInfoOf,
  saveBytes,
  withRunInfo,
} from '../models.js';
import { formatDuration, formatMetric, type Terminal } from '../terminal.js';
import {
  backpropEpochLine,
  type CheckpointFlags,
  checkCheckpointFlags,
  loopRun,
  runTraining,
} from '../training-run.js';
import { dataSpecFor } from './eval.js';

/** Flags of `deepbelief finetune up-down`. */
export interface UpDownFlags extends DataFlags, BackendFlags, CheckpointFlags {
  readonly out: string;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly gibbsSteps?: number[];
  readonly weightCost?: number;
  readonly momentum?: number;
  readonly topLearningRate?: number;
  readonly persistent?: boolean;
  readonly seed?: number;
}

/** Flags of `deepbelief finetune backprop`. */
export interface BackpropFlags extends DataFlags, BackendFlags, CheckpointFlags {
  readonly out: string;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly optimizer?: 'sgd' | 'adam' | 'cg';
  readonly lineSearches?: number;
  readonly outputOnlyEpochs?: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
  readonly validationFraction?: number;
  readonly patience?: number;
  readonly seed?: number;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** What a fine-tuning checkpoint records besides the algorithm's options: where it came from. */
interface FineTuneRun {
  readonly from: string;
  readonly data: string;
  readonly limit?: number;
  readonly binarize?: boolean | 'threshold' | 'stochastic';
  readonly labelColumn?: string | number;
  readonly seed: number;
  /** The pre-training record of the file fine-tuned. */
  readonly pretraining: object;
}

/** Training flags that cannot change on `--resume` (the checkpoint's options are used). */
function refuseChangedOptions(flags: object, names: readonly [string, string][]): void {
  const given = names.filter(([key]) => (flags as Record<string, unknown>)[key] !== undefined);
  if (given.length)
    throw new UsageError(
      `--resume: ${given.map(([, f]) => f).join(', ')} cannot change when resuming; the checkpoint's options are used (only --epochs may raise the number of epochs)`,
    );
}

/** The run a checkpoint records, or a usage error naming the file. */
function recordedRun(settings: Record<string, unknown>, path: string): FineTuneRun {
  const run = settings.run as FineTuneRun | undefined;
  if (!run || typeof run.data !== 'string' || typeof run.from !== 'string')
    throw new UsageError(`--resume ${path}: the checkpoint does not record its run (data, source)`);
  return run;
}

/** Loads the training data for a fine-tuning run and checks its width. */
async function fineTuneData(
  term: Terminal,
  flags: DataFlags,
  run: Partial<FineTuneRun> | undefined,
  inputs: number,
  command: string,
): Promise<{
  data: Dataset;
  spec: ReturnType<typeof parseDataSpec>;
  /** The data settings in effect (flags first, then the recorded run's). */
  used: Pick<FineTuneRun, 'data' | 'limit' | 'binarize' | 'labelColumn'>;
}> {
  const spec = dataSpecFor(flags, run, command);
  const fromRun = flags.data === undefined;
  const used = {
    data: spec.text,
    ...defined({
      limit: flags.limit ?? (fromRun ? run?.limit : undefined),
      binarize: flags.binarize ?? (fromRun ? run?.binarize : undefined),
      labelColumn: flags.labelColumn ?? (fromRun ? run?.labelColumn : undefined),
    }),
  };
  const data = await loadSplit(term, spec, 'train', dataOptions({ ...flags, ...used }));
  if (data.cols !== inputs)
    throw new UsageError(
      `--data ${spec.text} has ${data.cols} columns, the model takes ${inputs} inputs`,
    );
  return { data, spec, used };
}

/** `deepbelief finetune up-down FILE`: contrastive wake-sleep fine-tuning of a DBN. */
export async function finetuneUpDown(
  term: Terminal,
  path: string | undefined,
  flags: UpDownFlags,
): Promise<void> {
  checkCheckpointFlags(flags);
  if (!path && !flags.resume)
    throw new UsageError('finetune up-down: give a DBN file, or --resume CHECKPOINT');
  const { ops, name: backend } = await startBackend(term, flags);
  let dbn: DBN;
  let loop: ReturnType<typeof upDownTrainer>;
  let options: UpDownOptions & { epochs: number };
  let run: FineTuneRun;
  let data: Dataset;
  if (flags.resume) {
    refuseChangedOptions(flags, [
      ['batchSize', '--batch-size'],
      ['learningRate', '--learning-rate'],
      ['gibbsSteps', '--gibbs-steps'],
      ['weightCost', '--weight-cost'],
      ['momentum', '--momentum'],
      ['topLearningRate', '--top-learning-rate'],
      ['persistent', '--persistent'],
      ['seed', '--seed'],
    ]);
    const read = await readModel(flags.resume);
    run = recordedRun(read.file.training?.hyperParameters ?? {}, flags.resume);
    const sizes = (read.file.model['wake-sleep-dbn'] as { sizes?: number[] } | undefined)?.sizes;
    ({ data } = await fineTuneData(term, flags, run, sizes?.[0] ?? 0, 'finetune up-down'));
    const restored = restoreUpDownCheckpoint(ops, read.bytes, {
      source: flags.resume,
      ...(data.labels ? { labels: data.labels } : {}),
      ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
    });
    ({ dbn, loop } = restored);
    options = restored.options;
    const at = loop.getPosition();
    term.info(
      `resuming from ${flags.resume}: epoch ${at.epoch + 1}/${options.epochs}, batch ${at.batch}`,
    );
  } else {
    const read = await readModel(path!);
    const recorded = runInfoOf(read.file);
    const model = buildModel(ops, read, ['dbn'], 'finetune up-down');
    if (model.kind !== 'dbn') throw new UsageError(`${path}: finetune up-down takes a DBN file`);
    dbn = model.dbn;
    const loaded = await fineTuneData(
      term,
      flags,
      recorded as Partial<FineTuneRun>,
      dbn.sizes[0]!,
      'finetune up-down',
    );
    data = loaded.data;
    if (dbn.numLabels > 0 && !data.labels)
      throw new UsageError(`--data ${loaded.spec.text} has no labels, but the DBN has label units`);
    const seed = flags.seed ?? 1;
    options = defined({
      epochs: flags.epochs ?? 10,
      batchSize: flags.batchSize,
      learningRate: flags.learningRate,
      gibbsSteps:
        flags.gibbsSteps && flags.gibbsSteps.length === 1 ? flags.gibbsSteps[0] : flags.gibbsSteps,
      weightCost: flags.weightCost,
      momentum: flags.momentum,
      topLearningRate: flags.topLearningRate,
      persistent: flags.persistent,
      seed,
    });
    run = {
      from: path!,
      ...loaded.used,
      seed,
      pretraining: read.file.training?.hyperParameters ?? {},
    };
    loop = upDownTrainer(dbn, {
      ...options,
      ...(dbn.numLabels > 0 ? { labels: data.labels!, rows: data.rows } : {}),
    });
  }
  const source = toMatrixSource(data);
  const started = performance.now();
  const finished = await runTraining(
    term,
    loopRun(loop, source, {
      epochs: options.epochs,
      checkpoint: () => encodeUpDownCheckpoint(dbn, loop, options, { run }),
      label: (e) => `up-down epoch ${e.epoch + 1}/${e.epochs}`,
      epochLine: (e: WakeSleepEpoch) =>
        `up-down epoch ${e.epoch + 1}/${options.epochs}: generative error ${formatMetric(e.generativeError)}, ${e.gibbsSteps} Gibbs steps (${formatDuration(e.seconds)})`,
      metric: 'error',
    }),
    flags,
  );
  if (!finished) {
    loop.dispose();
    dbn.dispose();
    return;
  }
  const seconds = (performance.now() - started) / 1000;
  const bytes = withRunInfo(
    encodeDBN(dbn, {
      hyperParameters: { upDown: options, pretraining: run.pretraining },
      history: jsonSafe(loop.history),
    }),
    {
      command: 'finetune up-down',
      ...runFields(run),
      backend,
      seconds: Math.round(seconds * 1000) / 1000,
      ...(flags.resume ? { resumedFrom: flags.resume } : {}),
    },
  );
  loop.dispose();
  await saveBytes(flags.out, bytes);
  term.result(
    `${term.out.bold('fine-tuned')} ${run.from} by up-down for ${options.epochs} epochs on ${data.rows} rows in ${formatDuration(seconds)} (${backend})`,
  );
  term.result(`wrote ${flags.out} (${formatBytes(bytes.length)}, kind wake-sleep-dbn)`);
  dbn.dispose();
}

/** The run-info fields of a fine-tuning run. */
function runFields(run: FineTuneRun) {
  return {
    from: run.from,
    data: run.data,
    limit: run.limit,
    binarize: run.binarize,
    labelColumn: run.labelColumn,
    seed: run.seed,
  };
}

/** The network backprop trains, and how its result is saved. */
interface BackpropTarget {
  readonly of: 'classifier' | 'autoencoder';
  readonly net: FeedForwardNet;
  readonly model: FeedForwardNet | DeepAutoencoder;
  encode(training: { hyperParameters: object; history: unknown[] }): Uint8Array;
  readonly what: string;
  dispose(): void;
}

function classifierTarget(net: FeedForwardNet): BackpropTarget {
  return {
    of: 'classifier',
    net,
    model: net,
    encode: (training) => encodeClassifier(net, training),
    what: `classifier ${[net.inputSize, ...net.layers.map((l) => l.W.cols)].join('-')}`,
    dispose: () => net.dispose(),
  };
}

function autoencoderTarget(ae: DeepAutoencoder): BackpropTarget {
  return {
    of: 'autoencoder',
    net: ae.net ?? ae.unroll(),
    model: ae,
    encode: (training) => encodeAutoencoder(ae, training),
    what: `autoencoder ${ae.sizes.join('-')}`,
    dispose: () => ae.dispose(),
  };
}

/** Resumes or starts the backprop target of `finetune backprop`. */
async function backpropTarget(
  term: Terminal,
  ops: Ops,
  path: string | undefined,
  flags: BackpropFlags,
): Promise<{
  target: BackpropTarget;
  data: Dataset;
  run: FineTuneRun;
  options: FineTuneOptions & { epochs: number };
  state?: ReturnType<typeof decodeBackpropCheckpoint>['state'];
}> {
  if (flags.resume) {
    refuseChangedOptions(flags, [
      ['batchSize', '--batch-size'],
      ['learningRate', '--learning-rate'],
      ['optimizer', '--optimizer'],
      ['lineSearches', '--line-searches'],
      ['outputOnlyEpochs', '--output-only-epochs'],
      ['momentum', '--momentum'],
      ['weightDecay', '--weight-decay'],
      ['validationFraction', '--validation-fraction'],
      ['patience', '--patience'],
      ['seed', '--seed'],
    ]);
    const read = await readModel(flags.resume);
    const of = read.file.model.of === 'autoencoder' ? 'autoencoder' : 'classifier';
    const restored = decodeBackpropCheckpoint(ops, read.bytes, of, flags.resume);
    const run = recordedRun(restored.settings, flags.resume);
    const options = {
      ...(restored.settings.backprop as FineTuneOptions & { epochs: number }),
      ...(flags.epochs !== undefined ? { epochs: flags.epochs } : {}),
    };
    const target =
      of === 'classifier'
        ? classifierTarget(restored.model as FeedForwardNet)
        : autoencoderTarget(restored.model as DeepAutoencoder);
    const { data } = await fineTuneData(
      term,
      flags,
      run,
      target.net.inputSize,
      'finetune backprop',
    );
    term.info(
      `resuming from ${flags.resume}: epoch ${restored.state.epoch + 1}/${options.epochs}, batch ${restored.state.batch}`,
    );
    return { target, data, run, options, state: restored.state };
  }
  const read = await readModel(path!);
  const recorded = runInfoOf(read.file);
  const model = buildModel(ops, read, ['dbn', 'autoencoder'], 'finetune backprop');
  const { data, spec, used } = await fineTuneData(
    term,
    flags,
    recorded as Partial<FineTuneRun>,
    modelInputs(model),
    'finetune backprop',
  );
  const seed = flags.seed ?? 1;
  const options: FineTuneOptions & { epochs: number } = defined({
    epochs: flags.epochs ?? 10,
    batchSize: flags.batchSize,
    learningRate: flags.learningRate,
    optimizer: flags.optimizer,
    lineSearches: flags.lineSearches,
    outputOnlyEpochs: flags.outputOnlyEpochs,
    momentum: flags.momentum,
    weightDecay: flags.weightDecay ?? (model.kind === 'dbn' ? 1e-5 : undefined),
    validationFraction: flags.validationFraction ?? (model.kind === 'dbn' ? 0.1 : undefined),
    patience: flags.patience,
    seed,
  });
  const run: FineTuneRun = {
    from: path!,
    ...used,
    seed,
    pretraining: read.file.training?.hyperParameters ?? {},
  };
  if (model.kind === 'dbn') {
    const numClasses = model.dbn.numLabels || data.numClasses;
    if (!data.labels || !numClasses)
      throw new UsageError(
        `--data ${spec.text} has no labels; backprop fine-tuning of a DBN trains a classifier`,
      );
    const net = unrollClassifier(model.dbn, { numClasses, seed });
    disposeModel(model);
    return { target: classifierTarget(net), data, run, options };
  }
  if (model.kind === 'autoencoder')
    return { target: autoencoderTarget(model.autoencoder), data, run, options };
  throw new UsageError(`${path}: finetune backprop takes dbn or autoencoder files`);
}

/**
 * `deepbelief finetune backprop FILE`: unrolls a DBN into a classifier and fine-tunes it by
 * back-propagation (or fine-tunes a deep autoencoder on its reconstructions).
 */
export async function finetuneBackprop(
  term: Terminal,
  path: string | undefined,
  flags: BackpropFlags,
): Promise<void> {
  checkCheckpointFlags(flags);
  if (!path && !flags.resume)
    throw new UsageError('finetune backprop: give a model file, or --resume CHECKPOINT');
  const { ops, name: backend } = await startBackend(term, flags);
  const { target, data, run, options, state } = await backpropTarget(term, ops, path, flags);
  const trainer =
    target.of === 'classifier'
      ? fineTuneTrainer(
          target.net,
          data,
          { labels: data.labels! },
          'softmax-cross-entropy',
          options,
        )
      : fineTuneTrainer(target.net, data, { data }, 'sigmoid-cross-entropy', options);
  if (state) trainer.loop.setState(state);
  const { loop } = trainer;
  const started = performance.now();
  const finished = await runTraining(
    term,
    loopRun(loop, trainer.source, {
      epochs: options.epochs,
      checkpoint: () =>
        encodeBackpropCheckpoint(target.of, target.model, loop, { backprop: options, run }),
      label: (e) => `backprop epoch ${e.epoch + 1}/${e.epochs}`,
      epochLine: backpropEpochLine('backprop', options.epochs),
      metric: 'loss',
    }),
    flags,
  );
  if (!finished) {
    loop.dispose();
    target.dispose();
    return;
  }
  trainer.algorithm.restoreBest();
  const seconds = (performance.now() - started) / 1000;
  const bytes = withRunInfo(
    target.encode({
      hyperParameters: { backprop: options, pretraining: run.pretraining },
      history: jsonSafe(loop.history),
    }),
    {
      command: 'finetune backprop',
      ...runFields(run),
      backend,
      seconds: Math.round(seconds * 1000) / 1000,
      ...(flags.resume ? { resumedFrom: flags.resume } : {}),
    },
  );
  loop.dispose();
  await saveBytes(flags.out, bytes);
  term.result(
    `${term.out.bold('fine-tuned')} ${target.what} by backprop on ${data.rows} rows in ${formatDuration(seconds)} (${backend})`,
  );
  term.result(`wrote ${flags.out} (${formatBytes(bytes.length)})`);
  target.dispose();
}
