import type { LoopState } from '@deepbelief/core';
import { z } from 'zod';
import { type ModelFile, randomStateSchema, tensorsWithPrefix, validateWith } from './model.js';
import type { NamedTensor } from './safetensors.js';

/** Prefix of the algorithm-state tensors of a checkpoint (`state.velocity.W`, …). */
export const STATE_TENSOR_PREFIX = 'state.';

const loopStateSchema = z.strictObject({
  epoch: z.number().int().min(0),
  batch: z.number().int().min(0),
  rows: z.number().int().min(0),
  epochDataRng: randomStateSchema,
  sampleRng: randomStateSchema,
  metricSum: z.number(),
  metricCount: z.number().int().min(0),
  stopped: z.boolean(),
  history: z.array(z.unknown()),
  values: z.record(z.string(), z.number().nullable()),
});

/**
 * Splits a training loop's state (`TrainingLoop.getState()` of `@deepbelief/core`) into the
 * JSON that goes into a checkpoint's `training.state` and the tensors stored beside the
 * model's, named `state.<name>`. Every algorithm's checkpoint uses it, so resume works the
 * same way for all of them.
 */
export function encodeLoopState(state: LoopState<unknown>): {
  state: object;
  tensors: Record<string, NamedTensor>;
} {
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, t] of Object.entries(state.algorithm.tensors))
    tensors[STATE_TENSOR_PREFIX + name] = { shape: [...t.shape], data: t.data };
  return {
    state: {
      epoch: state.epoch,
      batch: state.batch,
      rows: state.rows,
      epochDataRng: state.epochDataRng,
      sampleRng: state.sampleRng,
      metricSum: state.metricSum,
      metricCount: state.metricCount,
      stopped: state.stopped,
      history: state.history,
      values: state.algorithm.values,
    },
    tensors,
  };
}

/**
 * Reads what {@link encodeLoopState} wrote from a decoded checkpoint, validating the JSON
 * (errors name the file and the field). The algorithm checks its tensors' shapes when it
 * takes the state back.
 */
export function decodeLoopState<E>(file: ModelFile, field = 'training.state'): LoopState<E> {
  const json = validateWith(loopStateSchema, file.training?.state, field, file.source);
  const tensors = tensorsWithPrefix(file, STATE_TENSOR_PREFIX).tensors;
  return {
    epoch: json.epoch,
    batch: json.batch,
    rows: json.rows,
    epochDataRng: json.epochDataRng as LoopState<E>['epochDataRng'],
    sampleRng: json.sampleRng as LoopState<E>['sampleRng'],
    metricSum: json.metricSum,
    metricCount: json.metricCount,
    stopped: json.stopped,
    history: json.history as E[],
    algorithm: {
      values: json.values,
      tensors: Object.fromEntries(
        Object.entries(tensors).map(([name, t]) => [name, { shape: t.shape, data: t.data }]),
      ),
    },
  };
}
