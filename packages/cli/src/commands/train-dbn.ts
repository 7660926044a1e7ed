import { SeededRandom } from '@deepbelief/core';
import { DBN, type DBNPreset, dbnFromFile, dbnPresets, encodeDBN } from '@deepbelief/dbn';
import { decodeModel } from '@deepbelief/model-format';
import { readSafetensorsBytes } from '@deepbelief/model-format/node';
import type { EpochEvent, TrainOptions } from '@deepbelief/rbm';
import { z } from 'zod';
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
} from '../common.js';
import { type DbnConfig, loadConfig, type RbmTrainingConfig } from '../config.js';
import { InterruptedError, UsageError } from '../errors.js';
import { effectiveKind, saveBytes, withRunInfo } from '../models.js';
import { pretrainLayers } from '../pretrain.js';
import { formatDuration, formatMetric, type Terminal } from '../terminal.js';
import { trainingFromFlags } from './train-rbm.js';

/** Flags of `deepbelief train dbn`. */
export interface TrainDbnFlags extends DataFlags, BackendFlags {
  readonly config?: string;
  readonly seed?: number;
  readonly out?: string;
  readonly preset?: string;
  readonly sizes?: number[];
  readonly labels?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly cd?: number;
  readonly pcd?: boolean;
  readonly momentum?: number;
  readonly weightCost?: number;
  readonly propagate?: 'probabilities' | 'samples';
  readonly checkpoint?: string;
  readonly resume?: string;
  readonly maxBatches?: number;
}

/** What a DBN checkpoint keeps besides the weights, to continue at the next layer. */
const dbnStateSchema = z.strictObject({
  completedLayers: z.int().min(0),
  dataRows: z.int().min(1),
  seed: z.int(),
  labels: z.int().min(0),
  propagate: z.enum(['probabilities', 'samples']),
  layers: z.array(z.record(z.string(), z.unknown())).min(1),
});

/**
 * Per-layer training options: the preset's (its first layer's for a custom depth), then the
 * config file's `pretrain` (one object for all layers or one per layer), then the flags.
 */
export function layerOptions(
  layers: number,
  preset: DBNPreset | { pretrain: readonly TrainOptions[] } | undefined,
  fromConfig: RbmTrainingConfig | readonly RbmTrainingConfig[] | undefined,
  fromFlags: RbmTrainingConfig,
  where: string,
): TrainOptions[] {
  if (Array.isArray(fromConfig) && fromConfig.length !== layers) {
    throw new UsageError(
      `${where}: pretrain has ${fromConfig.length} entries but the network has ${layers} layers; give one object for all layers or one per layer`,
    );
  }
  return Array.from({ length: layers }, (_, i) => {
    const base =
      preset && preset.pretrain.length === layers
        ? preset.pretrain[i]!
        : (preset?.pretrain[0] ?? { epochs: 10 });
    const cfg = Array.isArray(fromConfig) ? fromConfig[i] : fromConfig;
    return { ...base, ...(cfg as RbmTrainingConfig | undefined), ...fromFlags } as TrainOptions;
  });
}

/** The flags that a resumed DBN run cannot change. */
const FIXED_ON_RESUME: readonly [keyof TrainDbnFlags, string][] = [
  ['preset', '--preset'],
  ['sizes', '--sizes'],
  ['labels', '--labels'],
  ['epochs', '--epochs'],
  ['batchSize', '--batch-size'],
  ['learningRate', '--learning-rate'],
  ['cd', '--cd'],
  ['pcd', '--pcd'],
  ['momentum', '--momentum'],
  ['weightCost', '--weight-cost'],
  ['propagate', '--propagate'],
  ['seed', '--seed'],
];

/** `deepbelief train dbn`: greedy layer-wise pre-training of a DBN (optionally with label units). */
export async function trainDbn(term: Terminal, flags: TrainDbnFlags): Promise<void> {
  const started = performance.now();
  const config: DbnConfig = flags.config ? await loadConfig(flags.config, 'dbn') : {};
  const spec = requireDataSpec(flags.data ?? config.data, 'train dbn');
  const out = flags.out ?? config.out ?? 'dbn.safetensors';
  const checkpointPath = flags.checkpoint ?? config.checkpoint;
  const dataFlags: DataFlags = {
    limit: flags.limit ?? config.limit,
    labelColumn: flags.labelColumn ?? config.labelColumn,
    binarize: flags.binarize ?? config.binarize,
    download: flags.download ?? config.download,
  };
  if (flags.resume) {
    const fixed = FIXED_ON_RESUME.filter(([key]) => flags[key] !== undefined).map(([, f]) => f);
    if (fixed.length) {
      throw new UsageError(
        `--resume: ${fixed.join(', ')} cannot change when resuming; the checkpoint's settings are used`,
      );
    }
  }
  const { ops, name: backend } = await startBackend(term, {
    backend: flags.backend ?? config.backend,
    threads: flags.threads ?? config.threads,
  });
  const data = await loadSplit(term, spec, 'train', dataOptions(dataFlags));

  let dbn: DBN;
  let seed: number;
  let labels: number;
  let propagate: 'probabilities' | 'samples';
  let layers: TrainOptions[];
  let completedLayers = 0;
  let history: EpochEvent[] = [];
  let presetName: string | undefined;
  if (flags.resume) {
    const bytes = await readSafetensorsBytes(flags.resume);
    const file = decodeModel(bytes, { source: flags.resume, expectKind: 'checkpoint' });
    const { kind, model } = effectiveKind(file);
    if (kind !== 'dbn') {
      throw new UsageError(
        `--resume ${flags.resume}: this is a checkpoint of a '${kind}', not of a DBN (train ${kind} --resume takes it)`,
      );
    }
    const parsed = dbnStateSchema.safeParse(file.training?.state);
    if (!parsed.success) {
      throw new UsageError(
        `--resume ${flags.resume}: not a DBN checkpoint written by train dbn (training.state is missing or invalid)`,
      );
    }
    const state = parsed.data;
    ({ seed, labels, propagate, completedLayers } = state);
    layers = state.layers as TrainOptions[];
    history = (file.training?.history ?? []) as unknown as EpochEvent[];
    dbn = dbnFromFile(ops, { ...file, kind: 'dbn', model });
    if (state.dataRows !== data.rows || dbn.sizes[0] !== data.cols) {
      throw new UsageError(
        `--resume ${flags.resume}: the checkpoint was trained on ${state.dataRows} rows × ${dbn.sizes[0]} columns, but --data ${spec.text} gives ${data.rows} × ${data.cols}; use the same --data and --limit`,
      );
    }
    term.info(
      `resuming from ${flags.resume}: ${completedLayers} of ${dbn.layers.length} layers trained`,
    );
  } else {
    seed = flags.seed ?? config.seed ?? 1;
    presetName =
      flags.preset ?? config.preset ?? (flags.sizes || config.sizes ? undefined : 'small');
    const preset = presetName === undefined ? undefined : dbnPresets[presetName];
    if (presetName !== undefined && !preset) {
      throw new UsageError(
        `--preset: unknown preset '${presetName}'; choose ${Object.keys(dbnPresets).join(', ')}`,
      );
    }
    const sizes = flags.sizes ?? config.sizes ?? [...preset!.config.sizes];
    if (sizes.length < 2) throw new UsageError('--sizes: a DBN needs at least two layer sizes');
    if (sizes[0] !== data.cols) {
      const from =
        flags.sizes || config.sizes ? '--sizes starts with' : `--preset ${presetName} expects`;
      throw new UsageError(
        `${from} ${sizes[0]} inputs, but --data ${spec.text} has ${data.cols} columns; pass --sizes ${data.cols},…`,
      );
    }
    labels = flags.labels ?? config.labels ?? data.numClasses ?? 0;
    if (labels > 0 && !data.labels) {
      throw new UsageError(
        `--data ${spec.text} has no labels, so the top RBM cannot have label units: pass --labels 0${spec.kind === 'csv' ? ', or --label-column' : ''}`,
      );
    }
    if (labels === 1) throw new UsageError('--labels: use 0 (no label units) or at least 2');
    if (labels > 0 && (data.numClasses ?? 0) > labels) {
      throw new UsageError(
        `--labels ${labels}: the data has ${data.numClasses} classes; use --labels ${data.numClasses}`,
      );
    }
    propagate = flags.propagate ?? config.propagate ?? 'probabilities';
    layers = layerOptions(
      sizes.length - 1,
      preset,
      config.pretrain,
      trainingFromFlags(flags),
      flags.config ?? '--config',
    );
    dbn = new DBN(
      ops,
      { sizes, labels, visibleType: config.visibleType ?? 'bernoulli' },
      new SeededRandom(seed),
    );
  }

  const describe = `${dbn.sizes.join('-')}${dbn.numLabels ? ` with ${dbn.numLabels} label units` : ''}`;
  term.info(`training dbn ${describe}, ${layers.map((l) => l.epochs).join('/')} epochs per layer`);
  const progress = term.progress();
  const hooks = rbmProgressHooks(progress);
  const interrupt = interruptible(term);
  const trainStarted = performance.now();
  const runInfo = () => ({
    command: 'train dbn',
    data: spec.text,
    limit: dataFlags.limit,
    binarize: dataFlags.binarize,
    labelColumn: dataFlags.labelColumn,
    seed,
    backend,
    seconds: Math.round(((performance.now() - trainStarted) / 1000) * 1000) / 1000,
    ...(presetName ? { preset: presetName } : {}),
  });
  const hyperParameters = () => ({ layers, labels, propagate, seed });
  const checkpoint = async (completed: number) => {
    if (!checkpointPath) return;
    const plain = encodeDBN(dbn, { hyperParameters: hyperParameters(), history });
    const file = decodeModel(plain);
    await saveBytes(
      checkpointPath,
      withRunInfo(plain, runInfo(), {
        kind: 'checkpoint',
        model: { of: 'dbn', dbn: file.model },
        state: { completedLayers: completed, dataRows: data.rows, ...hyperParameters() },
      }),
    );
  };
  let result: Awaited<ReturnType<typeof pretrainLayers>>;
  try {
    result = await pretrainLayers(dbn, data, {
      layers,
      ...(data.labels && dbn.numLabels > 0 ? { labels: data.labels } : {}),
      seed,
      propagate,
      completedLayers,
      ...(flags.maxBatches !== undefined ? { maxBatches: flags.maxBatches } : {}),
      hooks: { ...hooks, signal: interrupt.signal },
      onLayer: async (l, h) => {
        history = [...history, ...h];
        await checkpoint(l + 1);
      },
    });
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  if (result.completedLayers < dbn.layers.length) {
    const where = `${result.completedLayers} of ${dbn.layers.length} layers complete`;
    const resume = checkpointPath
      ? `checkpoint written to ${checkpointPath} after each layer; continue with --resume ${checkpointPath}`
      : 'no checkpoint was written (pass --checkpoint FILE to be able to resume)';
    dbn.dispose();
    if (interrupt.signal.aborted) throw new InterruptedError(`stopped with ${where}; ${resume}`);
    term.result(
      `stopped after ${flags.maxBatches} batches (--max-batches) with ${where}; ${resume}`,
    );
    return;
  }
  const bytes = withRunInfo(
    encodeDBN(dbn, { hyperParameters: hyperParameters(), history }),
    runInfo(),
  );
  await saveBytes(out, bytes);
  const s = term.out;
  term.result(
    `${s.bold('trained')} dbn ${describe} on ${data.rows} rows of ${spec.text} in ${formatDuration(trainSeconds)} (${backend})`,
  );
  const lastOfLayer = dbn.layers.map((_, i) =>
    history.filter((e) => e.layer === `layer ${i + 1}`).at(-1),
  );
  term.result(
    `reconstruction error by layer: ${lastOfLayer.map((e) => (e ? formatMetric(e.reconstructionError) : '?')).join(', ')}`,
  );
  term.result(
    `wrote ${out} (${formatBytes(bytes.length)}) in ${formatDuration((performance.now() - started) / 1000)} total`,
  );
  dbn.dispose();
}
