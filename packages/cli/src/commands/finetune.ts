import {
  encodeAutoencoder,
  encodeClassifier,
  encodeDBN,
  type FineTuneEpoch,
  type FineTuneOptions,
  fineTune,
  unrollClassifier,
} from '@deepbelief/dbn';
import { type UpDownOptions, upDown } from '@deepbelief/wake-sleep';
import {
  type BackendFlags,
  type DataFlags,
  dataOptions,
  formatBytes,
  interruptible,
  loadSplit,
  startBackend,
  throwIfInterrupted,
} from '../common.js';
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
import { formatDuration, formatMetric, type Progress, type Terminal } from '../terminal.js';
import { dataSpecFor } from './eval.js';

/** Flags of `deepbelief finetune up-down`. */
export interface UpDownFlags extends DataFlags, BackendFlags {
  readonly out: string;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly gibbsSteps?: number[];
  readonly weightCost?: number;
  readonly seed?: number;
}

/** Flags of `deepbelief finetune backprop`. */
export interface BackpropFlags extends DataFlags, BackendFlags {
  readonly out: string;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly optimizer?: 'sgd' | 'adam';
  readonly momentum?: number;
  readonly weightDecay?: number;
  readonly validationFraction?: number;
  readonly patience?: number;
  readonly seed?: number;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function fineTuneLine(progress: Progress, total: number, e: FineTuneEpoch): void {
  const valid = e.validationLoss === null ? '' : `, validation ${formatMetric(e.validationLoss)}`;
  progress.line(
    `backprop epoch ${e.epoch + 1}/${total}: loss ${formatMetric(e.trainLoss)}${valid} (${formatDuration(e.seconds)})`,
  );
}

/** `deepbelief finetune up-down FILE`: contrastive wake-sleep fine-tuning of a DBN. */
export async function finetuneUpDown(
  term: Terminal,
  path: string,
  flags: UpDownFlags,
): Promise<void> {
  const read = await readModel(path);
  const run = runInfoOf(read.file);
  const spec = dataSpecFor(flags, run, 'finetune up-down');
  const { ops, name: backend } = await startBackend(term, flags);
  const model = buildModel(ops, read, ['dbn'], 'finetune up-down');
  if (model.kind !== 'dbn') throw new UsageError(`${path}: finetune up-down takes a DBN file`);
  const dbn = model.dbn;
  const data = await loadSplit(term, spec, 'train', dataOptions(flags));
  if (data.cols !== dbn.sizes[0]) {
    throw new UsageError(
      `--data ${spec.text} has ${data.cols} columns, the DBN takes ${dbn.sizes[0]} inputs`,
    );
  }
  if (dbn.numLabels > 0 && !data.labels) {
    throw new UsageError(`--data ${spec.text} has no labels, but the DBN has label units`);
  }
  const seed = flags.seed ?? 1;
  const options: UpDownOptions & { epochs: number } = defined({
    epochs: flags.epochs ?? 10,
    batchSize: flags.batchSize,
    learningRate: flags.learningRate,
    gibbsSteps:
      flags.gibbsSteps && flags.gibbsSteps.length === 1 ? flags.gibbsSteps[0] : flags.gibbsSteps,
    weightCost: flags.weightCost,
    seed,
  });
  const progress = term.progress();
  const interrupt = interruptible(term);
  const started = performance.now();
  let history: unknown[];
  try {
    history = await upDown(
      dbn,
      data,
      { ...options, ...(dbn.numLabels > 0 ? { labels: data.labels! } : {}) },
      {
        signal: interrupt.signal,
        onBatch: (e) =>
          progress.update({
            label: `up-down epoch ${e.epoch + 1}/${options.epochs}`,
            value: e.batch + 1,
            total: e.batches,
          }),
        onEpoch: (e) =>
          progress.line(
            `up-down epoch ${e.epoch + 1}/${options.epochs}: generative error ${formatMetric(e.generativeError)}, ${e.gibbsSteps} Gibbs steps (${formatDuration(e.seconds)})`,
          ),
      },
    );
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  throwIfInterrupted(interrupt.signal, `${path} was not fine-tuned`);
  const seconds = (performance.now() - started) / 1000;
  const bytes = withRunInfo(
    encodeDBN(dbn, {
      hyperParameters: { upDown: options, pretraining: read.file.training?.hyperParameters ?? {} },
      history: jsonSafe(history),
    }),
    {
      command: 'finetune up-down',
      from: path,
      data: spec.text,
      limit: flags.limit,
      binarize: flags.binarize,
      labelColumn: flags.labelColumn,
      seed,
      backend,
      seconds: Math.round(seconds * 1000) / 1000,
    },
  );
  await saveBytes(flags.out, bytes);
  disposeModel(model);
  term.result(
    `${term.out.bold('fine-tuned')} ${path} by up-down for ${options.epochs} epochs on ${data.rows} rows in ${formatDuration(seconds)} (${backend})`,
  );
  term.result(`wrote ${flags.out} (${formatBytes(bytes.length)}, kind wake-sleep-dbn)`);
}

/**
 * `deepbelief finetune backprop FILE`: unrolls a DBN into a classifier and fine-tunes it by
 * back-propagation (or fine-tunes a deep autoencoder on its reconstructions).
 */
export async function finetuneBackprop(
  term: Terminal,
  path: string,
  flags: BackpropFlags,
): Promise<void> {
  const read = await readModel(path);
  const run = runInfoOf(read.file);
  const spec = dataSpecFor(flags, run, 'finetune backprop');
  const { ops, name: backend } = await startBackend(term, flags);
  const model = buildModel(ops, read, ['dbn', 'autoencoder'], 'finetune backprop');
  const data = await loadSplit(term, spec, 'train', dataOptions(flags));
  if (data.cols !== modelInputs(model)) {
    throw new UsageError(
      `--data ${spec.text} has ${data.cols} columns, the model takes ${modelInputs(model)} inputs`,
    );
  }
  const seed = flags.seed ?? 1;
  const options: FineTuneOptions & { epochs: number } = defined({
    epochs: flags.epochs ?? 10,
    batchSize: flags.batchSize,
    learningRate: flags.learningRate,
    optimizer: flags.optimizer,
    momentum: flags.momentum,
    weightDecay: flags.weightDecay ?? (model.kind === 'dbn' ? 1e-5 : undefined),
    validationFraction: flags.validationFraction ?? (model.kind === 'dbn' ? 0.1 : undefined),
    patience: flags.patience,
    seed,
  });
  const progress = term.progress();
  const interrupt = interruptible(term);
  const started = performance.now();
  let bytes: Uint8Array;
  let what: string;
  try {
    const onEpoch = (e: FineTuneEpoch) => fineTuneLine(progress, options.epochs, e);
    if (model.kind === 'dbn') {
      const dbn = model.dbn;
      const numClasses = dbn.numLabels || data.numClasses;
      if (!data.labels || !numClasses) {
        throw new UsageError(
          `--data ${spec.text} has no labels; backprop fine-tuning of a DBN trains a classifier`,
        );
      }
      const net = unrollClassifier(dbn, { numClasses, seed });
      const history = await fineTune(
        net,
        data,
        { labels: data.labels },
        'softmax-cross-entropy',
        options,
        {
          onEpoch,
          signal: interrupt.signal,
        },
      );
      throwIfInterrupted(interrupt.signal, `${path} was not fine-tuned`);
      bytes = encodeClassifier(net, {
        hyperParameters: {
          backprop: options,
          pretraining: read.file.training?.hyperParameters ?? {},
        },
        history: jsonSafe(history),
      });
      what = `classifier ${[net.inputSize, ...net.layers.map((l) => l.W.cols)].join('-')}`;
      net.dispose();
    } else if (model.kind === 'autoencoder') {
      const ae = model.autoencoder;
      // what DeepAutoencoder.fineTune does, with the interrupt signal passed on
      const history = await fineTune(
        ae.net ?? ae.unroll(),
        data,
        { data },
        'sigmoid-cross-entropy',
        options,
        {
          onEpoch,
          signal: interrupt.signal,
        },
      );
      throwIfInterrupted(interrupt.signal, `${path} was not fine-tuned`);
      bytes = encodeAutoencoder(ae, {
        hyperParameters: {
          backprop: options,
          pretraining: read.file.training?.hyperParameters ?? {},
        },
        history: jsonSafe(history),
      });
      what = `autoencoder ${ae.sizes.join('-')}`;
    } else {
      throw new UsageError(`${path}: finetune backprop takes dbn or autoencoder files`);
    }
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  bytes = withRunInfo(bytes, {
    command: 'finetune backprop',
    from: path,
    data: spec.text,
    limit: flags.limit,
    binarize: flags.binarize,
    labelColumn: flags.labelColumn,
    seed,
    backend,
    seconds: Math.round(seconds * 1000) / 1000,
  });
  await saveBytes(flags.out, bytes);
  disposeModel(model);
  term.result(
    `${term.out.bold('fine-tuned')} ${what} by backprop on ${data.rows} rows in ${formatDuration(seconds)} (${backend})`,
  );
  term.result(`wrote ${flags.out} (${formatBytes(bytes.length)})`);
}
