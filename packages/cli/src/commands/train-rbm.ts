import { SeededRandom } from '@deepbelief/core';
import { readSafetensorsBytes } from '@deepbelief/model-format/node';
import {
  encodeCheckpoint,
  encodeRBM,
  type GibbsSteps,
  RBM,
  RBMTrainer,
  restoreCheckpoint,
  type TrainOptions,
  toMatrixSource,
} from '@deepbelief/rbm';
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
import { loadConfig, type RbmConfig, type RbmTrainingConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { saveBytes, withRunInfo } from '../models.js';
import { formatDuration, formatMetric, type Terminal } from '../terminal.js';
import { loopRun, runTraining } from '../training-run.js';

/** Flags of `deepbelief train rbm`. */
export interface TrainRbmFlags extends DataFlags, BackendFlags {
  readonly config?: string;
  readonly seed?: number;
  readonly out?: string;
  readonly hidden?: number;
  readonly visibleType?: 'bernoulli' | 'gaussian';
  readonly learnSigma?: boolean;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly cd?: GibbsSteps;
  readonly pcd?: boolean;
  readonly chains?: number;
  readonly momentum?: number;
  readonly weightCost?: number;
  readonly sparsityTarget?: number;
  readonly sparsityCost?: number;
  readonly checkpoint?: string;
  readonly checkpointEvery?: number;
  readonly resume?: string;
  readonly maxBatches?: number;
}

/** Defaults of `train rbm` when neither a flag nor the config file sets a value. */
export const RBM_DEFAULTS = { hidden: 500, epochs: 10, seed: 1, out: 'rbm.safetensors' } as const;

/** The training options the flags set (flag names mapped to `TrainOptions` names). */
export function trainingFromFlags(flags: {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  cd?: GibbsSteps;
  pcd?: boolean;
  chains?: number;
  momentum?: number;
  weightCost?: number;
  sparsityTarget?: number;
  sparsityCost?: number;
}): RbmTrainingConfig {
  const out: Record<string, unknown> = {
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    learningRate: flags.learningRate,
    k: flags.cd,
    persistent: flags.pcd,
    chains: flags.chains,
    momentum: flags.momentum,
    weightCost: flags.weightCost,
    sparsityTarget: flags.sparsityTarget,
    sparsityCost: flags.sparsityCost,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as RbmTrainingConfig;
}

/** Flags that set the architecture or training options, which a resumed run cannot change. */
const FIXED_ON_RESUME: readonly [keyof TrainRbmFlags, string][] = [
  ['hidden', '--hidden'],
  ['visibleType', '--visible-type'],
  ['learnSigma', '--learn-sigma'],
  ['batchSize', '--batch-size'],
  ['learningRate', '--learning-rate'],
  ['cd', '--cd'],
  ['pcd', '--pcd'],
  ['chains', '--chains'],
  ['momentum', '--momentum'],
  ['weightCost', '--weight-cost'],
  ['sparsityTarget', '--sparsity-target'],
  ['sparsityCost', '--sparsity-cost'],
];

/** `deepbelief train rbm`: trains one RBM with CD-k or PCD, with checkpoints and resume. */
export async function trainRbm(term: Terminal, flags: TrainRbmFlags): Promise<void> {
  const started = performance.now();
  const config: RbmConfig = flags.config ? await loadConfig(flags.config, 'rbm') : {};
  const dataText = flags.data ?? config.data;
  const spec = requireDataSpec(dataText, 'train rbm');
  const seed = flags.seed ?? config.seed ?? RBM_DEFAULTS.seed;
  const out = flags.out ?? config.out ?? RBM_DEFAULTS.out;
  const checkpointPath = flags.checkpoint ?? config.checkpoint;
  const checkpointEvery = flags.checkpointEvery ?? config.checkpointEvery;
  if (checkpointEvery !== undefined && !checkpointPath) {
    throw new UsageError('--checkpoint-every: needs --checkpoint FILE to write to');
  }
  const dataFlags: DataFlags = {
    limit: flags.limit ?? config.limit,
    labelColumn: flags.labelColumn ?? config.labelColumn,
    binarize: flags.binarize ?? config.binarize,
    download: flags.download ?? config.download,
  };
  const backendFlags = {
    backend: flags.backend ?? config.backend,
    threads: flags.threads ?? config.threads,
  };
  if (flags.resume) {
    const fixed = FIXED_ON_RESUME.filter(([key]) => flags[key] !== undefined).map(([, f]) => f);
    if (fixed.length) {
      throw new UsageError(
        `--resume: ${fixed.join(', ')} cannot change when resuming; the checkpoint's architecture and training options are used (only --epochs may raise the number of epochs)`,
      );
    }
  }

  const { ops, name: backend } = await startBackend(term, backendFlags);
  const data = await loadSplit(term, spec, 'train', dataOptions(dataFlags));

  let rbm: RBM;
  let trainer: RBMTrainer;
  if (flags.resume) {
    const bytes = await readSafetensorsBytes(flags.resume);
    const epochs = flags.epochs ?? config.training?.epochs;
    const restored = restoreCheckpoint(ops, bytes, {
      source: flags.resume,
      ...(epochs !== undefined ? { override: { epochs } } : {}),
    });
    ({ rbm, trainer } = restored);
    if (restored.dataRows !== data.rows || rbm.numVisible !== data.cols) {
      throw new UsageError(
        `--resume ${flags.resume}: the checkpoint was trained on ${restored.dataRows} rows × ${rbm.numVisible} columns, but --data ${spec.text} gives ${data.rows} × ${data.cols}; use the same --data and --limit`,
      );
    }
    const state = trainer.getState();
    term.info(
      `resuming from ${flags.resume}: epoch ${state.epoch + 1}/${trainer.options.epochs}, batch ${state.batch}`,
    );
  } else {
    const training: TrainOptions = {
      epochs: RBM_DEFAULTS.epochs,
      ...config.training,
      ...trainingFromFlags(flags),
      layerName: 'rbm',
    };
    const root = new SeededRandom(seed);
    rbm = new RBM(
      ops,
      {
        visible: data.cols,
        hidden: flags.hidden ?? config.hidden ?? RBM_DEFAULTS.hidden,
        visibleType: flags.visibleType ?? config.visibleType ?? 'bernoulli',
        learnSigma: flags.learnSigma ?? config.learnSigma ?? false,
      },
      root.fork(),
    );
    trainer = new RBMTrainer(rbm, training, root.fork());
  }

  const trainStarted = performance.now();
  const run = loopRun(trainer.loop, toMatrixSource(data), {
    epochs: trainer.options.epochs,
    checkpoint: () => encodeCheckpoint(rbm, trainer, data.rows),
    label: (e) => `${e.algorithm} epoch ${e.epoch + 1}/${e.epochs}`,
    epochLine: rbmEpochLine,
    metric: 'recon',
  });
  const finished = await runTraining(
    term,
    // RBMTrainer.fit: the loop's, after initialising the visible biases from the data
    { ...run, fit: (hooks) => trainer.fit(data, hooks) },
    { ...flags, checkpoint: checkpointPath, checkpointEvery },
  );
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  if (!finished) {
    trainer.dispose();
    rbm.dispose();
    return;
  }

  const bytes = withRunInfo(encodeRBM(rbm, { trainer }), {
    command: 'train rbm',
    data: spec.text,
    limit: dataFlags.limit,
    binarize: dataFlags.binarize,
    labelColumn: dataFlags.labelColumn,
    seed,
    backend,
    seconds: Math.round(trainSeconds * 1000) / 1000,
    ...(flags.resume ? { resumedFrom: flags.resume } : {}),
  });
  await saveBytes(out, bytes);
  const last = trainer.history.at(-1);
  const s = term.out;
  term.result(
    `${s.bold('trained')} rbm ${rbm.numVisible}-${rbm.numHidden} (${rbm.segments[0]!.type} visible, ${trainer.algorithm.name}) on ${data.rows} rows of ${spec.text} in ${formatDuration(trainSeconds)} (${backend})`,
  );
  if (last) {
    term.result(
      `reconstruction error ${formatMetric(last.reconstructionError)} after epoch ${last.epoch + 1}`,
    );
  }
  term.result(
    `wrote ${out} (${formatBytes(bytes.length)}) in ${formatDuration((performance.now() - started) / 1000)} total`,
  );
  trainer.dispose();
  rbm.dispose();
}
