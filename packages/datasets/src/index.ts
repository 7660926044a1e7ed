/**
 * `@deepbelief/datasets`: data for deepbelief models as plain typed arrays — IDX
 * (MNIST/Fashion-MNIST), CSV and NPY readers, synthetic sets with known answers,
 * preprocessing, and seeded, resumable mini-batching.
 *
 * This entry is for Node (it adds file-system loaders and cached downloads); browsers import
 * `@deepbelief/datasets/browser`, which has everything else.
 * @module
 */

export * from './browser.js';
export {
  type DownloadFileOptions,
  type DownloadMnistOptions,
  defaultCacheDir,
  downloadFile,
  downloadMnist,
  writeFileAtomic,
} from './download.js';
export {
  findIdxFile,
  type LoadMnistDirOptions,
  type LoadMnistOptions,
  loadFashionMnist,
  loadMnist,
  loadMnistDir,
  mnistDataDir,
  readCsvFile,
  readFileBytes,
  readIdxFile,
  readNpyFile,
} from './node.js';
export { brownCorpusDir, loadBrownCorpus, loadTextFolder } from './text-node.js';
