import { DeepBeliefError, type LoopState, type Ops } from '@deepbelief/core';
import {
  decodeLoopState,
  decodeModel,
  encodeLoopState,
  encodeModel,
  type ModelFile,
  validateWith,
} from '@deepbelief/model-format';
import type { EpochEvent } from '@deepbelief/rbm';
import { z } from 'zod';
import type { DeepAutoencoder } from './autoencoder.js';
import type { DBN } from './dbn.js';
import type { Backpropagation, FeedForwardNet, FineTuneEpoch } from './feedforward.js';
import {
  autoencoderFromFile,
  autoencoderModelInput,
  classifierFromFile,
  classifierModelInput,
  dbnFromFile,
  dbnModelInput,
} from './serialize.js';
import type { StackState, StackTrainer } from './stack.js';
import { DBN_PACKAGE_VERSION } from './version.js';

/**
 * Checkpoints of the algorithms this package runs: greedy pre-training of a DBN or an
 * autoencoder's stack (resumable mid-layer), and backpropagation of a classifier or an
 * autoencoder. Every checkpoint is a model file of kind `checkpoint` whose `model` is
 * `{ of: KIND, algorithm, [KIND]: the model's own section }` (as an RBM checkpoint's
 * `{ of: 'rbm', rbm }`), with the model's tensors, the loop state's tensors under `state.`,
 * and in `training.state` the loop's position (see `encodeLoopState` of
 * `@deepbelief/model-format`) plus, for a stack, the layer.
 */

type Model = 'dbn' | 'autoencoder' | 'classifier';
type Algorithm = 'pretrain' | 'backprop';

/** `model` of a checkpoint: what it holds (`of`), how it is trained, and that model's section under its kind. */
const checkpointModelSchema = z.looseObject({
  of: z.enum(['dbn', 'autoencoder', 'classifier']),
  algorithm: z.enum(['pretrain', 'backprop']),
});

const stackExtraSchema = z.looseObject({
  layer: z.number().int().min(0),
  histories: z.array(z.array(z.unknown())),
  started: z.boolean(),
});

/** Anything saved beside a checkpoint: what the run was started with (options, data, seed). */
export type CheckpointSettings = Readonly<Record<string, unknown>>;

function modelInput(model: DBN | DeepAutoencoder | FeedForwardNet, of: Model) {
  if (of === 'dbn') return dbnModelInput(model as DBN);
  if (of === 'autoencoder') return autoencoderModelInput(model as DeepAutoencoder);
  return classifierModelInput(model as FeedForwardNet);
}

function encode(
  of: Model,
  algorithm: Algorithm,
  model: DBN | DeepAutoencoder | FeedForwardNet,
  loop: LoopState<unknown> | null,
  settings: CheckpointSettings,
  extra: object,
): Uint8Array {
  const input = modelInput(model, of);
  const state = loop ? encodeLoopState(loop) : null;
  return encodeModel({
    kind: 'checkpoint',
    model: { of, algorithm, [of]: input.model },
    tensors: { ...input.tensors, ...(state?.tensors ?? {}) },
    training: {
      hyperParameters: settings,
      state: { ...(state?.state ?? {}), ...extra },
    },
    packageVersions: { '@deepbelief/dbn': DBN_PACKAGE_VERSION },
  });
}

/** Reads a checkpoint written by this module, checking it holds `of` trained by `algorithm`. */
function open(
  bytes: Uint8Array,
  of: Model,
  algorithm: Algorithm,
  source: string,
): { file: ModelFile; modelFile: ModelFile; settings: Record<string, unknown> } {
  const file = decodeModel(bytes, { source, expectKind: 'checkpoint' });
  const head = file.model as { of?: unknown; algorithm?: unknown };
  if (head.of !== of || head.algorithm !== algorithm)
    throw new DeepBeliefError(
      `${source}: this checkpoint holds a '${String(head.of)}'${head.algorithm ? ` (${String(head.algorithm)})` : ''}, not a '${of}' (${algorithm})`,
    );
  validateWith(checkpointModelSchema, file.model, 'model', source);
  const section = file.model[of];
  if (typeof section !== 'object' || section === null || Array.isArray(section))
    throw new DeepBeliefError(`${source}: the checkpoint's model.${of} is missing`);
  return {
    file,
    modelFile: { ...file, kind: of, model: section as ModelFile['model'] },
    settings: { ...(file.training?.hyperParameters ?? {}) },
  };
}

/** The loop part of `training.state` (without a stack's own fields). */
function loopPart(file: ModelFile, keys: readonly string[]): ModelFile {
  const state = { ...(file.training?.state ?? {}) };
  for (const k of keys) delete state[k];
  return { ...file, training: { hyperParameters: {}, ...file.training, state } };
}

/** A checkpoint of greedy pre-training (`StackTrainer`), mid-layer or between layers. */
export function encodePretrainCheckpoint(
  of: 'dbn' | 'autoencoder',
  model: DBN | DeepAutoencoder,
  trainer: StackTrainer,
  settings: CheckpointSettings,
): Uint8Array {
  const s = trainer.getState();
  return encode(of, 'pretrain', model, s.loop, settings, {
    layer: s.layer,
    histories: s.histories,
    started: s.loop !== null,
  });
}

/** Reads {@link encodePretrainCheckpoint} bytes: the model, the stack's state and the settings. */
export function decodePretrainCheckpoint<M extends 'dbn' | 'autoencoder'>(
  ops: Ops,
  bytes: Uint8Array,
  of: M,
  source = '<bytes>',
): {
  model: M extends 'dbn' ? DBN : DeepAutoencoder;
  state: StackState;
  settings: Record<string, unknown>;
} {
  const { file, modelFile, settings } = open(bytes, of, 'pretrain', source);
  const extra = validateWith(
    stackExtraSchema,
    file.training?.state ?? {},
    'training.state',
    source,
    'bad-metadata',
  );
  const model = (
    of === 'dbn' ? dbnFromFile(ops, modelFile) : autoencoderFromFile(ops, modelFile)
  ) as M extends 'dbn' ? DBN : DeepAutoencoder;
  const loop = extra.started
    ? decodeLoopState<EpochEvent>(loopPart(file, ['layer', 'histories', 'started']))
    : null;
  return {
    model,
    state: { layer: extra.layer, histories: extra.histories as EpochEvent[][], loop },
    settings,
  };
}

/** A checkpoint of backpropagation (`fineTuneTrainer`) of a classifier or an autoencoder. */
export function encodeBackpropCheckpoint(
  of: 'classifier' | 'autoencoder',
  model: FeedForwardNet | DeepAutoencoder,
  loop: { getState(): LoopState<FineTuneEpoch> },
  settings: CheckpointSettings,
): Uint8Array {
  return encode(of, 'backprop', model, loop.getState(), settings, {});
}

/** Reads {@link encodeBackpropCheckpoint} bytes: the model, the loop's state and the settings. */
export function decodeBackpropCheckpoint<M extends 'classifier' | 'autoencoder'>(
  ops: Ops,
  bytes: Uint8Array,
  of: M,
  source = '<bytes>',
): {
  model: M extends 'classifier' ? FeedForwardNet : DeepAutoencoder;
  state: LoopState<FineTuneEpoch>;
  settings: Record<string, unknown>;
} {
  const { file, modelFile, settings } = open(bytes, of, 'backprop', source);
  const model = (
    of === 'classifier' ? classifierFromFile(ops, modelFile) : autoencoderFromFile(ops, modelFile)
  ) as M extends 'classifier' ? FeedForwardNet : DeepAutoencoder;
  return { model, state: decodeLoopState<FineTuneEpoch>(file), settings };
}

export type { Backpropagation };
