import { type LoopState, SeededRandom } from '@deepbelief/core';
import {
  autoencoder2006,
  DeepAutoencoder,
  decodeBackpropCheckpoint,
  decodePretrainCheckpoint,
  encodeAutoencoder,
  encodeBackpropCheckpoint,
  encodePretrainCheckpoint,
  type FineTuneEpoch,
  type FineTuneOptions,
  fineTuneTrainer,
  type StackState,
  semanticHashing,
} from '@deepbelief/dbn';
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
import { type AutoencoderConfig, loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { jsonSafe, type RunInfo, readModel, saveBytes, withRunInfo } from '../models.js';
import { formatDuration, type Terminal } from '../terminal.js';
import {
  backpropEpochLine,
  type CheckpointFlags,
  checkCheckpointFlags,
  loopRun,
  runTraining,
} from '../training-run.js';
import { layerOptions, stackPosition } from './train-dbn.js';
import { trainingFromFlags } from './train-rbm.js';

/** Flags of `deepbelief train autoencoder`. */
export interface TrainAutoencoderFlags extends DataFlags, BackendFlags, CheckpointFlags {
  readonly config?: string;
  readonly seed?: number;
  readonly out?: string;
  readonly preset?: string;
  readonly sizes?: number[];
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly cd?: GibbsSteps;
  readonly momentum?: number;
  readonly weightCost?: number;
  readonly finetuneEpochs?: number;
  readonly finetuneLearningRate?: number;
  readonly optimizer?: 'sgd' | 'adam';
  /** Code length in bits (`train hashing`): the last size. */
  readonly bits?: number;
  /** `binary` for `train hashing` (logistic code units trained with deterministic noise). */
  readonly code?: 'linear' | 'binary';
}

/** The autoencoder recipes by name. */
const PRESETS = { autoencoder2006, 'semantic-hashing': semanticHashing } as const;
type PresetName = keyof typeof PRESETS;

/** `deepbelief train autoencoder`: pre-trains a deep autoencoder, unrolls it and fine-tunes it. */
export async function trainAutoencoder(
  term: Terminal,
  flags: TrainAutoencoderFlags,
): Promise<void> {
  checkCheckpointFlags(flags);
  const started = performance.now();
  const config: AutoencoderConfig = flags.config
    ? await loadConfig(flags.config, 'autoencoder')
    : {};
  const spec = requireDataSpec(flags.data ?? config.data, 'train autoencoder');
  const out = flags.out ?? config.out ?? 'autoencoder.safetensors';
  const seed = flags.seed ?? config.seed ?? 1;
  const text = spec.kind === 'text';
  const presetName =
    flags.preset ??
    config.preset ??
    (flags.sizes || config.sizes ? undefined : text ? 'semantic-hashing' : 'autoencoder2006');
  if (presetName !== undefined && !(presetName in PRESETS)) {
    throw new UsageError(
      `--preset: unknown autoencoder preset '${presetName}'; choose ${Object.keys(PRESETS).join(' or ')}`,
    );
  }
  const preset = presetName ? PRESETS[presetName as PresetName] : undefined;
  // word counts in, and binary codes for the hashing recipe (or --bits)
  const kind = {
    input: text ? 'word-counts' : 'binary',
    code:
      flags.code ??
      (presetName === 'semantic-hashing' || flags.bits !== undefined ? 'binary' : 'linear'),
  } as const;
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
  const resume = flags.resume ? await readModel(flags.resume) : undefined;
  const algorithm = resume?.file.model.algorithm;
  if (resume && (resume.file.model.of !== 'autoencoder' || !algorithm)) {
    throw new UsageError(
      `--resume ${flags.resume}: not a checkpoint of train autoencoder (it holds a '${String(resume.file.model.of ?? resume.file.kind)}')`,
    );
  }
  const recorded = resume ? settingsSchema.safeParse(resume.file.training?.hyperParameters) : null;
  if (recorded && !recorded.success)
    throw new UsageError(
      `--resume ${flags.resume}: the checkpoint's training.hyperParameters are missing or invalid`,
    );
  const settings = (recorded?.data as AutoencoderSettings | undefined) ?? newSettings();

  function newSettings(): AutoencoderSettings {
    const sizes = flags.sizes ?? config.sizes ?? [...preset!.sizes];
    if (sizes.length < 2) throw new UsageError('--sizes: an autoencoder needs at least two sizes');
    if (flags.bits !== undefined) sizes[sizes.length - 1] = flags.bits;
    // a corpus's vocabulary may be smaller than the preset's 2,000 words
    if (text && !(flags.sizes ?? config.sizes)) sizes[0] = data.cols;
    const layers = layerOptions(
      sizes.length - 1,
      preset,
      config.pretrain,
      trainingFromFlags(flags),
      flags.config ?? '--config',
    );
    const fineTune = {
      ...(preset?.fineTune ?? {
        epochs: 10,
        batchSize: 100,
        learningRate: 1e-3,
        optimizer: 'adam',
      }),
      ...config.fineTune,
      ...(flags.finetuneEpochs !== undefined ? { epochs: flags.finetuneEpochs } : {}),
      ...(flags.finetuneLearningRate !== undefined
        ? { learningRate: flags.finetuneLearningRate }
        : {}),
      ...(flags.optimizer !== undefined ? { optimizer: flags.optimizer } : {}),
      seed,
    } as FineTuneOptions & { epochs: number };
    return { sizes, layers, fineTune, seed, ...(presetName ? { preset: presetName } : {}) };
  }
  const { sizes, layers } = settings;
  const fineTune = settings.fineTune as FineTuneOptions & { epochs: number };
  if (sizes[0] !== data.cols) {
    const from =
      flags.sizes || config.sizes ? '--sizes starts with' : `--preset ${presetName} expects`;
    throw new UsageError(
      `${from} ${sizes[0]} inputs, but --data ${spec.text} has ${data.cols} columns; pass --sizes ${data.cols},…`,
    );
  }

  const trainStarted = performance.now();
  const runInfo = () =>
    JSON.parse(
      JSON.stringify({
        command: 'train autoencoder',
        data: spec.text,
        limit: dataFlags.limit,
        binarize: dataFlags.binarize,
        labelColumn: dataFlags.labelColumn,
        seed: settings.seed,
        backend,
        seconds: Math.round(((performance.now() - trainStarted) / 1000) * 1000) / 1000,
        ...(settings.preset ? { preset: settings.preset } : {}),
      }),
    ) as RunInfo;
  let ae: DeepAutoencoder;
  let pretrainHistory: EpochEvent[] = settings.pretrainHistory ?? [];
  let backpropState: LoopState<FineTuneEpoch> | undefined;
  let stackState: StackState | undefined;
  if (resume && algorithm === 'backprop') {
    const restored = decodeBackpropCheckpoint(ops, resume.bytes, 'autoencoder', resume.path);
    ae = restored.model;
    backpropState = restored.state;
    term.info(
      `resuming from ${resume.path}: fine-tuning epoch ${backpropState.epoch + 1}/${fineTune.epochs}, batch ${backpropState.batch}`,
    );
  } else if (resume) {
    const restored = decodePretrainCheckpoint(ops, resume.bytes, 'autoencoder', resume.path);
    ae = restored.model;
    stackState = restored.state;
    term.info(`resuming from ${resume.path}: ${stackPosition(stackState, layers)}`);
  } else {
    ae = new DeepAutoencoder(ops, sizes, new SeededRandom(settings.seed), kind);
    if (text) ae.vocabulary = data.featureNames ?? null;
    term.info(
      `training autoencoder ${sizes.join('-')}, ${layers.map((l) => l.epochs).join('/')} epochs per layer, then ${fineTune.epochs} epochs of fine-tuning`,
    );
  }

  let used = 0; // batches run so far in this call (--max-batches counts both phases)
  if (!backpropState) {
    const stack = ae.pretrainer(data, { layers, seed: settings.seed });
    if (stackState) stack.setState(stackState);
    const finished = await runTraining<EpochEvent>(
      term,
      {
        fit: (hooks) =>
          stack.fit({
            ...hooks,
            onBatch: (e) => {
              used++;
              return hooks.onBatch?.(e);
            },
          }),
        done: () => stack.done,
        where: () => stackPosition(stack.getState(), layers),
        checkpoint: () =>
          encodePretrainCheckpoint('autoencoder', ae, stack, { ...settings, run: runInfo() }),
        label: (e) => `${e.algorithm} epoch ${e.epoch + 1}/${e.epochs}`,
        epochLine: rbmEpochLine,
        metric: 'recon',
      },
      flags,
    );
    if (!finished) {
      ae.dispose();
      return;
    }
    pretrainHistory = stack.getState().histories.flat();
  }
  let fineTuneHistory: FineTuneEpoch[] = [];
  if (fineTune.epochs > 0) {
    const setup = ae.fineTuneSetup(data, fineTune);
    const trainer = fineTuneTrainer(
      ae.net ?? ae.unroll(),
      data,
      setup.targets,
      setup.loss,
      setup.options,
    );
    if (backpropState) trainer.loop.setState(backpropState);
    const { loop } = trainer;
    const remaining = flags.maxBatches === undefined ? undefined : flags.maxBatches - used;
    const finished = await runTraining(
      term,
      loopRun(loop, trainer.source, {
        what: 'fine-tuning',
        epochs: fineTune.epochs,
        checkpoint: () =>
          encodeBackpropCheckpoint('autoencoder', ae, loop, {
            ...settings,
            pretrainHistory: jsonSafe(pretrainHistory),
            run: runInfo(),
          }),
        label: (e) => `fine-tune epoch ${e.epoch + 1}/${e.epochs}`,
        epochLine: backpropEpochLine('fine-tune', fineTune.epochs),
        metric: 'loss',
      }),
      { ...flags, ...(remaining !== undefined ? { maxBatches: remaining } : {}) },
    );
    if (!finished) {
      loop.dispose();
      ae.dispose();
      return;
    }
    trainer.algorithm.restoreBest();
    fineTuneHistory = loop.history;
    loop.dispose();
  } else {
    ae.unroll();
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const bytes = withRunInfo(
    encodeAutoencoder(ae, {
      hyperParameters: { sizes, layers, fineTune },
      history: jsonSafe([...pretrainHistory, ...fineTuneHistory]),
    }),
    {
      ...runInfo(),
      seconds: Math.round(trainSeconds * 1000) / 1000,
      ...(flags.resume ? { resumedFrom: flags.resume } : {}),
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

/** What a train-autoencoder checkpoint keeps besides the model and the loop's state. */
const settingsSchema = z.looseObject({
  sizes: z.array(z.int().min(1)).min(2),
  layers: z.array(z.record(z.string(), z.unknown())).min(1),
  fineTune: z.record(z.string(), z.unknown()),
  seed: z.int(),
  preset: z.string().optional(),
  pretrainHistory: z.array(z.unknown()).optional(),
});

interface AutoencoderSettings {
  readonly sizes: number[];
  readonly layers: TrainOptions[];
  readonly fineTune: Record<string, unknown>;
  readonly seed: number;
  readonly preset?: string;
  readonly pretrainHistory?: EpochEvent[];
}
