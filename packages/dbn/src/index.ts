export { type AutoencoderKind, DeepAutoencoder } from './autoencoder.js';
export {
  type CheckpointSettings,
  decodeBackpropCheckpoint,
  decodePretrainCheckpoint,
  encodeBackpropCheckpoint,
  encodePretrainCheckpoint,
} from './checkpoint.js';
export { checkLabels, type Labels, mapRows, oneHot, withOneHot } from './data.js';
export { DBN, type DBNConfig, type GenerateOptions, type GenerativeLayer } from './dbn.js';
export {
  type ClassificationReport,
  classificationReport,
  evaluateClassifier,
  evaluateDbn,
  evaluateReconstruction,
} from './evaluate.js';
export {
  Backpropagation,
  type DenseLayer,
  FeedForwardNet,
  type FineTuneEpoch,
  type FineTuneOptions,
  type FineTuneTargets,
  fineTune,
  fineTuneOptionsSchema,
  fineTuneSplit,
  fineTuneTrainer,
  type LayerActivation,
  type LayerNoise,
  type Loss,
} from './feedforward.js';
export { HammingIndex } from './hashing.js';
export { type DbnBound, type DbnBoundOptions, dbnLogLikelihoodBound } from './likelihood.js';
export {
  cosineDistanceMatrix,
  fitLSA,
  type LSA,
  medianThresholdCodes,
  projectLSA,
  symmetricEigen,
} from './lsa.js';
export { fitPCA, type PCA, pcaReconstruct } from './pca.js';
export {
  autoencoder2006,
  type DBNPreset,
  dbnPresets,
  hinton2006,
  semanticHashing,
  small,
} from './presets.js';
export {
  NearestNeighbourClassifier,
  type NearestNeighbourOptions,
  type RecognitionReport,
  recognitionRate,
} from './recognition.js';
export {
  type PrecisionRecall,
  precisionAtRecall,
  RECALL_LEVELS,
  randomHyperplaneCodes,
} from './retrieval.js';
export {
  compareRetrieval,
  type RetrievalMethod,
  type RetrievalSide,
  type RetrievalTiming,
} from './retrieval-comparison.js';
export {
  autoencoderFromFile,
  autoencoderModelInput,
  classifierFromFile,
  classifierModelInput,
  dbnFromFile,
  dbnModelInput,
  decodeAutoencoder,
  decodeClassifier,
  decodeDBN,
  encodeAutoencoder,
  encodeClassifier,
  encodeDBN,
  type ModelParts,
  type TrainingNote,
} from './serialize.js';
export {
  type LayerTrainOptions,
  type StackHooks,
  type StackOptions,
  type StackState,
  StackTrainer,
  trainStack,
} from './stack.js';
export { unrollClassifier } from './unroll.js';
export { DBN_PACKAGE_VERSION } from './version.js';
