import { DeepBeliefError, type Ops, SeededRandom, type Tensor } from '@deepbelief/core';
import {
  checkTensorNames,
  decodeLoopState,
  decodeModel,
  encodeLoopState,
  encodeModel,
  type ModelFile,
  requireTensor,
  STATE_TENSOR_PREFIX,
  type TensorMap,
  validateWith,
} from '@deepbelief/model-format';
import { z } from 'zod';
import type { EpochEvent } from './contrastive-divergence.js';
import { type ResolvedTrainOptions, type TrainOptions, trainOptionsSchema } from './options.js';
import { RBM, type RBMConfig } from './rbm.js';
import { RBMTrainer } from './trainer.js';
import { VISIBLE_TYPES } from './units.js';
import { RBM_PACKAGE_VERSION } from './version.js';

const groupSchema = z.strictObject({
  type: z.enum(VISIBLE_TYPES),
  size: z.number().int().min(1),
});

/** Schema of the `model` section of an RBM file. */
export const rbmModelSchema = z.strictObject({
  visible: z.array(groupSchema).min(1),
  hidden: z.number().int().min(1),
  hiddenType: z.enum(['bernoulli', 'gaussian']),
  learnSigma: z.boolean(),
});

const row = (t: Tensor) => t.rows === 1;

/** The RBM's parameters as named tensors (`W`, `visibleBias`, `hiddenBias`, `logSigma`), with `prefix`. */
export function rbmTensors(rbm: RBM, prefix = ''): TensorMap {
  const o = rbm.ops;
  const out: Record<string, { shape: number[]; data: Float32Array }> = {
    [`${prefix}W`]: { shape: [...rbm.W.shape], data: o.read(rbm.W) },
    [`${prefix}visibleBias`]: { shape: [...rbm.visibleBias.shape], data: o.read(rbm.visibleBias) },
    [`${prefix}hiddenBias`]: { shape: [...rbm.hiddenBias.shape], data: o.read(rbm.hiddenBias) },
  };
  if (rbm.logSigma && row(rbm.logSigma))
    out[`${prefix}logSigma`] = { shape: [...rbm.logSigma.shape], data: o.read(rbm.logSigma) };
  return out;
}

/** The architecture as stored in files. */
export function rbmModelSection(rbm: RBM) {
  const c = rbm.config;
  return {
    visible: c.visible as { type: string; size: number }[],
    hidden: c.hidden,
    hiddenType: rbm.hiddenType,
    learnSigma: rbm.learnSigma,
  };
}

/** Builds an RBM from a validated `model` section and named tensors (shapes checked). */
export function rbmFromTensors(
  ops: Ops,
  file: ModelFile,
  model: unknown,
  prefix = '',
  where = 'model',
): RBM {
  const m = validateWith(rbmModelSchema, model, where, file.source);
  const config: RBMConfig = {
    visible: m.visible,
    hidden: m.hidden,
    hiddenType: m.hiddenType,
    learnSigma: m.learnSigma,
  };
  const rbm = new RBM(ops, config, new SeededRandom(0), 0);
  const nv = rbm.numVisible;
  const nh = rbm.numHidden;
  rbm.setParameters({
    weights: requireTensor(file, `${prefix}W`, [nv, nh]),
    visibleBias: requireTensor(file, `${prefix}visibleBias`, [1, nv]),
    hiddenBias: requireTensor(file, `${prefix}hiddenBias`, [1, nh]),
    ...(m.learnSigma ? { logSigma: requireTensor(file, `${prefix}logSigma`, [1, nv]) } : {}),
  });
  return rbm;
}

/** Hyper-parameters as plain JSON (a learning-rate schedule function is recorded by name only). */
function jsonOptions(options: ResolvedTrainOptions) {
  const { learningRate, ...rest } = options;
  return { ...rest, learningRate: typeof learningRate === 'number' ? learningRate : 'schedule' };
}

/** Encodes a trained RBM as a deepbelief model file (safetensors bytes). */
export function encodeRBM(
  rbm: RBM,
  options: { trainer?: RBMTrainer; createdAt?: Date | string } = {},
): Uint8Array {
  return encodeModel(
    {
      kind: 'rbm',
      model: rbmModelSection(rbm),
      tensors: rbmTensors(rbm),
      ...(options.trainer
        ? {
            training: {
              hyperParameters: jsonOptions(options.trainer.options),
              history: options.trainer.history,
            },
          }
        : {}),
      packageVersions: { '@deepbelief/rbm': RBM_PACKAGE_VERSION },
    },
    options.createdAt ? { createdAt: options.createdAt } : {},
  );
}

/** Decodes an RBM file (or the RBM inside a checkpoint), validating architecture and shapes. */
export function decodeRBM(
  ops: Ops,
  bytes: Uint8Array,
  source = '<bytes>',
): { rbm: RBM; file: ModelFile } {
  const file = decodeModel(bytes, { source, expectKind: ['rbm', 'checkpoint'] });
  if (file.kind === 'checkpoint' && file.model.of !== 'rbm') {
    throw new DeepBeliefError(
      `${source}: this checkpoint holds a '${String(file.model.of)}', not an RBM`,
    );
  }
  const model = file.kind === 'checkpoint' ? file.model.rbm : file.model;
  return { rbm: rbmFromTensors(ops, file, model), file };
}

/**
 * A checkpoint: the RBM plus the training loop's state (momentum velocities, persistent
 * chains, sparsity estimates as `state.*` tensors; position, both random generators and the
 * partial epoch's error in `training.state`, written by `encodeLoopState`), so that training
 * resumed from it is bit-identical to an uninterrupted run. `dataRows` is checked on resume
 * (the loop refuses other data).
 */
export function encodeCheckpoint(rbm: RBM, trainer: RBMTrainer, dataRows: number): Uint8Array {
  const loopState = trainer.getLoopState();
  const { state, tensors } = encodeLoopState({
    ...loopState,
    rows: loopState.rows || dataRows,
  });
  return encodeModel({
    kind: 'checkpoint',
    model: { of: 'rbm', algorithm: 'cd', rbm: rbmModelSection(rbm) },
    tensors: { ...rbmTensors(rbm), ...tensors },
    training: {
      hyperParameters: jsonOptions(trainer.options),
      history: loopState.history,
      state,
    },
    packageVersions: { '@deepbelief/rbm': RBM_PACKAGE_VERSION },
  });
}

/**
 * Restores an RBM and its trainer from {@link encodeCheckpoint} bytes. Hyper-parameters come
 * from the file; `override` replaces fields (required for a learning-rate schedule function,
 * which files cannot hold — and useful to raise `epochs`).
 */
export function restoreCheckpoint(
  ops: Ops,
  bytes: Uint8Array,
  options: { source?: string; override?: Partial<TrainOptions> } = {},
): { rbm: RBM; trainer: RBMTrainer; dataRows: number } {
  const source = options.source ?? '<bytes>';
  const { rbm, file } = decodeRBM(ops, bytes, source);
  if (file.kind !== 'checkpoint' || !file.training?.state)
    throw new DeepBeliefError(`${source}: not a training checkpoint (kind '${file.kind}')`);
  const hp: Record<string, unknown> = { ...file.training.hyperParameters, ...options.override };
  if (hp.learningRate === 'schedule') {
    throw new DeepBeliefError(
      `${source}: trained with a learning-rate schedule function; pass it again as override.learningRate`,
    );
  }
  const trainOptions = validateWith(
    trainOptionsSchema,
    hp,
    'training.hyperParameters',
    source,
  ) as TrainOptions;
  const state = decodeLoopState<EpochEvent>(file);
  checkTensorNames(file, [
    ...Object.keys(rbmTensors(rbm)),
    ...Object.keys(file.tensors).filter((n) => n.startsWith(STATE_TENSOR_PREFIX)),
  ]);
  const trainer = new RBMTrainer(rbm, trainOptions, 0);
  trainer.setLoopState(state);
  return { rbm, trainer, dataRows: state.rows };
}
