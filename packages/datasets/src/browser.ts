/**
 * Browser-safe entry point of `@deepbelief/datasets` (`@deepbelief/datasets/browser`): no
 * `node:*` module is reachable from here. Loaders take bytes (`ArrayBuffer`/`Uint8Array`) or
 * URLs; gzip goes through `DecompressionStream`, SHA-256 through Web Crypto.
 *
 * The main entry re-exports all of this and adds the Node file-system and download helpers.
 * @module
 */

export {
  type Batch,
  type BatchOptions,
  batches,
  Epoch,
  type EpochPosition,
  type EpochsOptions,
  epochs,
  gatherRows,
} from './batching.js';
export { type Checksum, digestHex, md5Hex, verifyChecksum } from './checksum.js';
export { type CsvResult, type ParseCsvOptions, parseCsv } from './csv.js';
export {
  createDataset,
  type Dataset,
  type DatasetInit,
  type FeatureArray,
  getRow,
  type LabelArray,
  labelCounts,
  sliceRows,
  subset,
  toFloat32,
} from './dataset.js';
export { DatasetError, type DatasetErrorCode } from './errors.js';
export { gunzipWeb, isGzip } from './gzip.js';
export { type FetchBytesOptions, fetchBytes } from './http.js';
export {
  decodeIdx,
  encodeIdx,
  IDX_DTYPES,
  type IdxArray,
  type IdxArrayTypes,
  type IdxDtype,
  type ParseIdxOptions,
  parseIdx,
} from './idx.js';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  FASHION_MNIST_MIRRORS,
  MNIST_FILES,
  MNIST_MIRRORS,
  type MnistFileSpec,
  type MnistFiles,
  type MnistFromIdxOptions,
  type MnistKind,
  type MnistSplit,
  mnistFromBuffers,
  mnistFromIdx,
  splitFiles,
} from './mnist.js';
export {
  datasetFromNpy,
  encodeNpy,
  type NpyArray,
  type NpyDatasetOptions,
  type NpyDescr,
  parseNpy,
} from './npy.js';
export {
  BINARIZATION_SEEDS,
  type Binarization,
  binarize,
  binarizeAs,
  binarizeStochastic,
  binarizeStochasticInPlace,
  firstNonBinary,
  fitMinMax,
  fitStandardization,
  type MinMaxParams,
  oneHot,
  type Standardization,
  scaleToUnit,
  standardize,
  unstandardizeInPlace,
} from './preprocess.js';
export { type SplitOptions, trainValidationSplit } from './split.js';
export {
  BARS_AND_STRIPES_CLASSES,
  BARS_AND_STRIPES_MAX_ROWS,
  type BarsAndStripesSize,
  barsAndStripes,
  barsAndStripesProbability,
  type GaussianComponent,
  type GaussianMixtureOptions,
  gaussianMixture,
  gaussianMixtureLogDensity,
  sampleBarsAndStripes,
} from './synthetic.js';
export {
  buildVocabulary,
  ENGLISH_STOP_WORDS,
  type Idf,
  type Passage,
  type PassageOptions,
  parseBrownTagged,
  passagesOf,
  prepareTextRetrieval,
  splitByDocument,
  type TextCorpus,
  type TextDocument,
  type TextRetrievalData,
  type TextRetrievalOptions,
  tfidf,
  tokenize,
  type Vocabulary,
  wordCounts,
} from './text.js';
export {
  type FetchedFile,
  type FetchFileOptions,
  type FetchMnistOptions,
  fetchMnist,
  fetchMnistFile,
} from './web.js';
