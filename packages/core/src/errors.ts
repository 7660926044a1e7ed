/** Base class of every error deepbelief throws on purpose: catch this to tell them apart. */
export class DeepBeliefError extends Error {
  override name = 'DeepBeliefError';
}

/** A tensor had the wrong shape for an operation. The message names the op and the shapes. */
export class ShapeError extends DeepBeliefError {
  override name = 'ShapeError';
}

/** A backend could not be found, loaded or used. The message says what to install or pick. */
export class BackendError extends DeepBeliefError {
  override name = 'BackendError';
}
