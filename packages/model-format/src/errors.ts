import { DeepBeliefError } from '@deepbelief/core';

/**
 * What went wrong, as a stable machine-readable tag (the message is for people):
 * - `truncated`: the file ends before its header or data does.
 * - `header-too-large`: the declared header length is over the bound (checked before reading it).
 * - `bad-header`: the safetensors header is not valid UTF-8 JSON of the right form.
 * - `bad-tensor`: a tensor entry is malformed (name, dtype field, shape, unknown field).
 * - `unsupported-dtype`: a tensor is stored in a dtype other than F32.
 * - `bad-offsets`: data offsets out of range, overlapping, leaving holes, or not matching the shape.
 * - `bad-metadata`: `__metadata__` or the deepbelief metadata is malformed or fails validation.
 * - `not-a-model`: a valid safetensors file with no deepbelief metadata, or another format.
 * - `newer-format`: written by a newer deepbelief whose format version this one cannot read.
 * - `wrong-kind`: the file holds a different kind of model than the caller asked for.
 * - `missing-tensor`, `bad-shape`, `unexpected-tensor`: tensors disagree with the model description.
 * - `bad-input`: what the caller asked to save is invalid (shape/data mismatch, NaN hyper-parameter…).
 * - `too-large`: the file or tensor is too large to handle.
 * - `io`: the file could not be opened, read or written.
 */
export type ModelFormatErrorCode =
  | 'truncated'
  | 'header-too-large'
  | 'bad-header'
  | 'bad-tensor'
  | 'unsupported-dtype'
  | 'bad-offsets'
  | 'bad-metadata'
  | 'not-a-model'
  | 'newer-format'
  | 'wrong-kind'
  | 'missing-tensor'
  | 'bad-shape'
  | 'unexpected-tensor'
  | 'bad-input'
  | 'too-large'
  | 'io';

/**
 * A model file (or what was about to be saved as one) is invalid, or could not be read or
 * written. The message starts with the file (or `<bytes>` / `<save>` when there is none) and
 * names the tensor or field at fault; {@link ModelFormatError.code} tells the cases apart.
 */
export class ModelFormatError extends DeepBeliefError {
  override name = 'ModelFormatError';

  constructor(
    /** Machine-readable category of the problem. */
    readonly code: ModelFormatErrorCode,
    /** The file (or `<bytes>`) the problem was found in. */
    readonly source: string,
    /** What is wrong, without the source prefix. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}
