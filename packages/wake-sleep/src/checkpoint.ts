import { DeepBeliefError, type Ops, type TrainingLoop } from '@deepbelief/core';
import { type DBN, dbnFromFile, dbnModelInput, type Labels } from '@deepbelief/dbn';
import {
  decodeLoopState,
  decodeModel,
  encodeLoopState,
  encodeModel,
  type ModelFile,
  validateWith,
} from '@deepbelief/model-format';
import { z } from 'zod';
import { upDownOptionsSchema, upDownTrainer, type WakeSleepEpoch } from './train.js';
import { WAKE_SLEEP_PACKAGE_VERSION } from './version.js';

const checkpointModelSchema = z.strictObject({
  of: z.literal('wake-sleep-dbn'),
  algorithm: z.literal('up-down'),
  'wake-sleep-dbn': z.record(z.string(), z.unknown()),
});

/**
 * An up-down checkpoint (kind `checkpoint`): the DBN's tensors (recognition, generative
 * and top RBM), the training loop's state (`state.*` tensors: the persistent chains, if
 * any) and the options, so that {@link restoreUpDownCheckpoint} continues bit-identically.
 */
export function encodeUpDownCheckpoint(
  dbn: DBN,
  loop: TrainingLoop<WakeSleepEpoch>,
  options: z.input<typeof upDownOptionsSchema>,
  /** Anything else to keep with the run (its data, its source file); stored beside `upDown`. */
  settings: Readonly<Record<string, unknown>> = {},
): Uint8Array {
  const model = dbnModelInput(dbn);
  const loopState = encodeLoopState(loop.getState());
  return encodeModel({
    kind: 'checkpoint',
    model: { of: model.kind, algorithm: 'up-down', [model.kind]: model.model },
    tensors: { ...model.tensors, ...loopState.tensors },
    training: {
      hyperParameters: { ...settings, upDown: upDownOptionsSchema.parse(options) },
      history: loop.history,
      state: loopState.state,
    },
    packageVersions: { '@deepbelief/wake-sleep': WAKE_SLEEP_PACKAGE_VERSION },
  });
}

/**
 * Restores {@link encodeUpDownCheckpoint} bytes: the DBN and its up-down loop, positioned
 * where the checkpoint was taken. `epochs` may raise the number of epochs.
 */
export function restoreUpDownCheckpoint(
  ops: Ops,
  bytes: Uint8Array,
  options: { labels?: Labels; source?: string; epochs?: number },
): {
  dbn: DBN;
  loop: TrainingLoop<WakeSleepEpoch>;
  options: z.output<typeof upDownOptionsSchema>;
  settings: Record<string, unknown>;
} {
  const source = options.source ?? '<bytes>';
  const file = decodeModel(bytes, { source, expectKind: 'checkpoint' });
  const model = file.model as { of?: unknown; algorithm?: unknown };
  if (model.of !== 'wake-sleep-dbn' || model.algorithm !== 'up-down')
    throw new DeepBeliefError(
      `${source}: this checkpoint holds a '${String(model.of)}'${model.algorithm ? ` trained by ${String(model.algorithm)}` : ''}, not an up-down run`,
    );
  const m = validateWith(checkpointModelSchema, file.model, 'model', source);
  const { upDown, ...settings } = file.training?.hyperParameters ?? {};
  const hyper = validateWith(
    upDownOptionsSchema,
    {
      ...(typeof upDown === 'object' ? upDown : {}),
      ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    },
    'training.hyperParameters.upDown',
    source,
  );
  const dbn = dbnFromFile(ops, {
    ...file,
    kind: 'wake-sleep-dbn',
    model: m['wake-sleep-dbn'] as ModelFile['model'],
  });
  try {
    const state = decodeLoopState<WakeSleepEpoch>(file);
    const loop = upDownTrainer(dbn, {
      ...hyper,
      // the labels' own length: a mismatch with the data is reported by the loop's fit
      ...(options.labels ? { labels: options.labels, rows: options.labels.length } : {}),
    });
    loop.setState(state);
    return { dbn, loop, options: hyper, settings };
  } catch (error) {
    dbn.dispose();
    throw error;
  }
}
