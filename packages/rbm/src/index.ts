export {
  type AisOptions,
  type AisResult,
  aisLogLikelihood,
  annealedImportanceSampling,
  salakhutdinovMurraySchedule,
} from './ais.js';
export { ContrastiveDivergence, cdName } from './contrastive-divergence.js';
export {
  columnMeans,
  type MatrixInput,
  type MatrixSource,
  readAll,
  toMatrixSource,
} from './data.js';
export {
  averageLogLikelihood,
  exactLogLikelihood,
  exactLogPartition,
  MAX_EXACT_UNITS,
} from './exact.js';
export {
  compareAisWithExact,
  contrastiveDivergenceGradient,
  exactGradient,
  type Gradients,
  gradientCosine,
} from './harness.js';
export {
  datasetReconstructionError,
  freeEnergyGap,
  meanFreeEnergy,
  meanNegativeFreeEnergy,
  pseudoLikelihood,
  type ReconstructionError,
  reconstructionError,
} from './monitor.js';
export {
  formatIssues,
  type GibbsSteps,
  gibbsStepsSchema,
  InvalidOptionsError,
  type LearningRate,
  type Momentum,
  momentumAt,
  momentumSchema,
  parseOptions,
  type ResolvedTrainOptions,
  type Schedule,
  scheduleAt,
  type TrainOptions,
  trainOptionsSchema,
} from './options.js';
export { type Clamp, type GibbsResult, RBM, type RBMConfig, type RBMParameters } from './rbm.js';
export {
  decodeRBM,
  encodeCheckpoint,
  encodeRBM,
  rbmFromTensors,
  rbmModelSchema,
  rbmModelSection,
  rbmTensors,
  restoreCheckpoint,
} from './serialize.js';
export {
  type BatchEvent,
  DivergenceError,
  type EpochEvent,
  type FitHooks,
  RBMTrainer,
  type TrainerState,
  trainRBM,
} from './trainer.js';
export {
  type HiddenType,
  layoutVisible,
  VISIBLE_TYPES,
  type VisibleGroup,
  type VisibleSegment,
  type VisibleType,
} from './units.js';
export { RBM_PACKAGE_VERSION } from './version.js';
