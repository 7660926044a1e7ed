import { SeededRandom } from '@deepbelief/core';
import {
  DBN,
  type DBNPreset,
  dbnPresets,
  decodePretrainCheckpoint,
  encodeDBN,
  encodePretrainCheckpoint,
  type StackState,
} from '@deepbelief/dbn';
import { decodeModel } from '@deepbelief/model-format';
import { readSafetensorsBytes } from '@deepbelief/model-format/node';
import type { EpochEvent, GibbsSteps, TrainOptions } from '@deepbelief/rbm';
import { z } from 'zod';
import {
  type BackendFlags,
  type DataFlags,
  dataOptions,
  formatBytes,
  loadSplit,
  rbmEpochLine,
  requireDataSpec,
  startBackend,
} from '../common.js';
import { type DbnConfig, loadConfig, type RbmTrainingConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { effectiveKind, saveBytes, withRunInfo } from '../models.js';
import { formatDuration, formatMetric, type Terminal } from '../terminal.js';
import { runTraining } from '../training-run.js';
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
  readonly cd?: GibbsSteps;
  readonly pcd?: boolean;
  readonly momentum?: number;
  readonly weightCost?: number;
  readonly propagate?: 'probabilities' | 'samples';
  readonly checkpoint?: string;
  readonly resume?: string;
  readonly maxBatches?: number;
}

/** The settings a DBN pre-training checkpoint keeps besides the stack's state. */
const dbnSettingsSchema = z.looseObject({
  seed: z.int(),
  labels: z.int().min(0),
  propagate: z.enum(['probabilities', 'samples']),
  layers: z.array(z.record(z.string(), z.unknown())).min(1),
  preset: z.string().optional(),
});

/** `layer 2, epoch 3/10, batch 20`: where a stack stands. */
export function stackPosition(state: StackState, layers: readonly TrainOptions[]): string {
  if (state.layer >= layers.length) return `all ${layers.length} layers trained`;
  const epoch = state.loop?.epoch ?? 0;
  return `layer ${state.layer + 1}, epoch ${epoch + 1}/${layers[state.layer]!.epochs}, batch ${state.loop?.batch ?? 0}`;
}

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
  let presetName: string | undefined;
  let resumeState: StackState | undefined;
  if (flags.resume) {
    const bytes = await readSafetensorsBytes(flags.resume);
    const file = decodeModel(bytes, { source: flags.resume, expectKind: 'checkpoint' });
    const { kind } = effectiveKind(file);
    if (kind !== 'dbn' || file.model.algorithm !== 'pretrain') {
      throw new UsageError(
        `--resume ${flags.resume}: this is a checkpoint of a '${kind}'${file.model.algorithm ? ` (${String(file.model.algorithm)})` : ''}, not of DBN pre-training`,
      );
    }
    const restored = decodePretrainCheckpoint(ops, bytes, 'dbn', flags.resume);
    const parsed = dbnSettingsSchema.safeParse(restored.settings);
    if (!parsed.success) {
      throw new UsageError(
        `--resume ${flags.resume}: not a DBN checkpoint written by train dbn (training.hyperParameters is missing or invalid)`,
      );
    }
    ({ seed, labels, propagate } = parsed.data);
    layers = parsed.data.layers as TrainOptions[];
    presetName = parsed.data.preset;
    dbn = restored.model;
    resumeState = restored.state;
    if (dbn.sizes[0] !== data.cols) {
      throw new UsageError(
        `--resume ${flags.resume}: the checkpoint's DBN takes ${dbn.sizes[0]} columns, but --data ${spec.text} gives ${data.cols}; use the same --data`,
      );
    }
    term.info(`resuming from ${flags.resume}: ${stackPosition(resumeState, layers)}`);
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
  const stack = dbn.pretrainer(data, {
    layers,
    ...(data.labels && dbn.numLabels > 0 ? { labels: data.labels } : {}),
    seed,
    propagate,
  });
  if (resumeState) stack.setState(resumeState);
  const finished = await runTraining<EpochEvent>(
    term,
    {
      fit: (hooks) => stack.fit(hooks),
      done: () => stack.done,
      where: () => stackPosition(stack.getState(), layers),
      checkpoint: () =>
        encodePretrainCheckpoint('dbn', dbn, stack, {
          ...hyperParameters(),
          ...(presetName ? { preset: presetName } : {}),
          run: JSON.parse(JSON.stringify(runInfo())) as object, // without undefined fields
        }),
      label: (e) => `${e.algorithm} epoch ${e.epoch + 1}/${e.epochs}`,
      epochLine: rbmEpochLine,
      metric: 'recon',
    },
    { ...flags, checkpoint: checkpointPath },
  );
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  if (!finished) {
    dbn.dispose();
    return;
  }
  const history = stack.getState().histories.flat();
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
