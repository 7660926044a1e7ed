import { SeededRandom } from '@deepbelief/core';
import {
  autoencoder2006,
  DeepAutoencoder,
  encodeAutoencoder,
  type FineTuneOptions,
  fineTune as fineTuneNet,
} from '@deepbelief/dbn';
import type { EpochEvent } from '@deepbelief/rbm';
import {
  type BackendFlags,
  type DataFlags,
  dataOptions,
  formatBytes,
  interruptible,
  loadSplit,
  rbmProgressHooks,
  requireDataSpec,
  startBackend,
  throwIfInterrupted,
} from '../common.js';
import { type AutoencoderConfig, loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { jsonSafe, saveBytes, withRunInfo } from '../models.js';
import { formatDuration, formatMetric, type Terminal } from '../terminal.js';
import { layerOptions } from './train-dbn.js';
import { trainingFromFlags } from './train-rbm.js';

/** Flags of `deepbelief train autoencoder`. */
export interface TrainAutoencoderFlags extends DataFlags, BackendFlags {
  readonly config?: string;
  readonly seed?: number;
  readonly out?: string;
  readonly preset?: string;
  readonly sizes?: number[];
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly cd?: number;
  readonly momentum?: number;
  readonly weightCost?: number;
  readonly finetuneEpochs?: number;
  readonly finetuneLearningRate?: number;
  readonly optimizer?: 'sgd' | 'adam';
  readonly maxBatches?: number;
}

/** `deepbelief train autoencoder`: pre-trains a deep autoencoder, unrolls it and fine-tunes it. */
export async function trainAutoencoder(
  term: Terminal,
  flags: TrainAutoencoderFlags,
): Promise<void> {
  const started = performance.now();
  const config: AutoencoderConfig = flags.config
    ? await loadConfig(flags.config, 'autoencoder')
    : {};
  const spec = requireDataSpec(flags.data ?? config.data, 'train autoencoder');
  const out = flags.out ?? config.out ?? 'autoencoder.safetensors';
  const seed = flags.seed ?? config.seed ?? 1;
  const presetName =
    flags.preset ?? config.preset ?? (flags.sizes || config.sizes ? undefined : 'autoencoder2006');
  if (presetName !== undefined && presetName !== 'autoencoder2006') {
    throw new UsageError(
      `--preset: unknown autoencoder preset '${presetName}'; choose autoencoder2006`,
    );
  }
  const preset = presetName ? autoencoder2006 : undefined;
  const dataFlags: DataFlags = {
    limit: flags.limit ?? config.limit,
    labelColumn: flags.labelColumn ?? config.labelColumn,
    binarize: flags.binarize ?? config.binarize,
    download: flags.download ?? config.download,
  };
  const { ops, name: backend } = await startBackend(term, {
    backend: flags.backend ?? config.backend,
    threads: flags.threads ?? config.threads,
  });
  const data = await loadSplit(term, spec, 'train', dataOptions(dataFlags));
  const sizes = flags.sizes ?? config.sizes ?? [...preset!.sizes];
  if (sizes.length < 2) throw new UsageError('--sizes: an autoencoder needs at least two sizes');
  if (sizes[0] !== data.cols) {
    const from =
      flags.sizes || config.sizes ? '--sizes starts with' : `--preset ${presetName} expects`;
    throw new UsageError(
      `${from} ${sizes[0]} inputs, but --data ${spec.text} has ${data.cols} columns; pass --sizes ${data.cols},…`,
    );
  }
  const layers = layerOptions(
    sizes.length - 1,
    preset,
    config.pretrain,
    trainingFromFlags(flags),
    flags.config ?? '--config',
  );
  const fineTune: FineTuneOptions & { epochs: number } = {
    ...(preset?.fineTune ?? { epochs: 10, batchSize: 100, learningRate: 1e-3, optimizer: 'adam' }),
    ...config.fineTune,
    ...(flags.finetuneEpochs !== undefined ? { epochs: flags.finetuneEpochs } : {}),
    ...(flags.finetuneLearningRate !== undefined
      ? { learningRate: flags.finetuneLearningRate }
      : {}),
    ...(flags.optimizer !== undefined ? { optimizer: flags.optimizer } : {}),
    seed,
  } as FineTuneOptions & { epochs: number };

  const ae = new DeepAutoencoder(ops, sizes, new SeededRandom(seed));
  term.info(
    `training autoencoder ${sizes.join('-')}, ${layers.map((l) => l.epochs).join('/')} epochs per layer, then ${fineTune.epochs} epochs of fine-tuning`,
  );
  const progress = term.progress();
  const interrupt = interruptible(term);
  const trainStarted = performance.now();
  let pretrainHistory: EpochEvent[] = [];
  let fineTuneHistory: unknown[] = [];
  try {
    const histories = await ae.pretrain(data, {
      layers,
      seed,
      hooks: {
        ...rbmProgressHooks(progress),
        signal: interrupt.signal,
        ...(flags.maxBatches !== undefined ? { maxBatches: flags.maxBatches } : {}),
      },
    });
    pretrainHistory = histories.flat();
    throwIfInterrupted(interrupt.signal, 'the autoencoder was not saved');
    if (flags.maxBatches !== undefined && histories.some((h, i) => h.length < layers[i]!.epochs)) {
      term.result(
        `stopped after ${flags.maxBatches} batches per layer (--max-batches); the autoencoder was not saved`,
      );
      ae.dispose();
      return;
    }
    if (fineTune.epochs > 0) {
      // what DeepAutoencoder.fineTune does, with the interrupt signal passed on
      fineTuneHistory = await fineTuneNet(
        ae.net ?? ae.unroll(),
        data,
        { data },
        'sigmoid-cross-entropy',
        fineTune,
        {
          signal: interrupt.signal,
          onEpoch: (e) => {
            progress.line(
              `fine-tune epoch ${e.epoch + 1}/${fineTune.epochs}: loss ${formatMetric(e.trainLoss)}${e.validationLoss === null ? '' : `, validation ${formatMetric(e.validationLoss)}`} (${formatDuration(e.seconds)})`,
            );
          },
        },
      );
    } else {
      ae.unroll();
    }
    throwIfInterrupted(interrupt.signal, 'the autoencoder was not saved');
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const bytes = withRunInfo(
    encodeAutoencoder(ae, {
      hyperParameters: { sizes, layers, fineTune },
      history: jsonSafe([...pretrainHistory, ...fineTuneHistory]),
    }),
    {
      command: 'train autoencoder',
      data: spec.text,
      limit: dataFlags.limit,
      binarize: dataFlags.binarize,
      labelColumn: dataFlags.labelColumn,
      seed,
      backend,
      seconds: Math.round(trainSeconds * 1000) / 1000,
      ...(presetName ? { preset: presetName } : {}),
    },
  );
  await saveBytes(out, bytes);
  term.result(
    `${term.out.bold('trained')} autoencoder ${sizes.join('-')} on ${data.rows} rows of ${spec.text} in ${formatDuration(trainSeconds)} (${backend})`,
  );
  term.result(
    `wrote ${out} (${formatBytes(bytes.length)}) in ${formatDuration((performance.now() - started) / 1000)} total`,
  );
  ae.dispose();
}
