export {
  type Activation,
  BACKEND_SPEC_VERSION,
  type Backend,
  type BackendMemory,
  BINARY_OPS,
  type BinaryOp,
  REDUCE_OPS,
  type ReduceOp,
  UNARY_OPS,
  type UnaryOp,
} from './backend.js';
export { BackendError, DeepBeliefError, ShapeError } from './errors.js';
export { createJsBackend, type JsHandle, sigmoidScalar, softplusScalar } from './js-backend.js';
export {
  bytesToFloat32,
  type MatrixLike,
  Ops,
  type OpsMemory,
  type TidyResult,
} from './ops.js';
export { type RandomState, SeededRandom } from './random.js';
export {
  type BackendEntry,
  type BackendFailure,
  BackendRegistry,
  backendRegistry,
} from './registry.js';
export { type Axis, broadcastShapes, checkShape, formatShape, type Shape } from './shape.js';
export { Tensor } from './tensor.js';
export {
  type AlgorithmState,
  type BatchProgress,
  DivergenceError,
  type EpochSummary,
  firstNonFinite,
  forEachBlock,
  type LoopOptions,
  type LoopState,
  type MatrixSource,
  type StepContext,
  type TrainingAlgorithm,
  type TrainingHooks,
  TrainingLoop,
} from './training.js';
