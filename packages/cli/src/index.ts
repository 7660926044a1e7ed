/**
 * `@deepbelief/cli`: the `deepbelief` command (train, fine-tune, evaluate, sample, draw and
 * inspect RBMs, DBNs and deep autoencoders), and the pieces it is made of for programs that
 * want to run it in-process or reuse its config files, data specs and PNG grids.
 *
 * ```ts
 * import { main } from '@deepbelief/cli';
 * const code = await main(['eval', 'dbn.safetensors', '--data', 'mnist', '--json']);
 * ```
 * @module
 */

export {
  type BackendChoice,
  describeBackend,
  registerBackends,
  type SelectedBackend,
  selectBackend,
} from './backend.js';
export {
  type AutoencoderConfig,
  autoencoderConfigSchema,
  type ConfigModel,
  configJsonSchema,
  configSchemas,
  type DbnConfig,
  dbnConfigSchema,
  type FineTuneConfig,
  fineTuneSchema,
  formatConfigIssues,
  loadConfig,
  parseConfigText,
  type RbmConfig,
  type RbmTrainingConfig,
  rbmConfigSchema,
  rbmTrainingSchema,
} from './config.js';
export {
  bundledMnistDir,
  type DataSpec,
  describeData,
  imageShapeFor,
  type LoadDataOptions,
  loadData,
  parseDataSpec,
  type Split,
  SYNTHETIC_ROWS,
} from './data.js';
export { EXIT_CODES, exitCodeFor, InterruptedError, messageFor, UsageError } from './errors.js';
export {
  evaluateClassifier,
  evaluateDbn,
  evaluateRbmReconstruction,
  evaluateReconstruction,
  meanNegativeFreeEnergy,
  type RbmReconstruction,
} from './evaluate.js';
export {
  buildModel,
  type LoadedModel,
  modelInputs,
  type ReadModel,
  type RunInfo,
  readModel,
  runInfoOf,
  withRunInfo,
} from './models.js';
export { DATA_FORMS } from './parsers.js';
export { type PlotCurve, precisionRecallSvg } from './plot.js';
export {
  decodePng,
  encodePng,
  type GridOptions,
  imageGrid,
  type RgbaImage,
  writePng,
} from './png.js';
export { CLI_VERSION, createProgram, main } from './program.js';
export {
  type CliIo,
  colorEnabled,
  formatDuration,
  formatMetric,
  type OutputStream,
  type Progress,
  type ProgressStep,
  processIo,
  Terminal,
} from './terminal.js';
export {
  type CheckpointFlags,
  checkCheckpointFlags,
  runTraining,
  type TrainingRun,
} from './training-run.js';
