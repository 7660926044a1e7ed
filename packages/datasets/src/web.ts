import { verifyChecksum } from './checksum.js';
import type { Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { type FetchBytesOptions, fetchBytes } from './http.js';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  MNIST_FILES,
  type MnistFileSpec,
  type MnistFiles,
  type MnistKind,
  type MnistSplit,
  mnistFromBuffers,
  splitFiles,
} from './mnist.js';

/** Options of {@link fetchMnistFile}. */
export interface FetchFileOptions extends FetchBytesOptions {
  /** Check the file's checksum (default true). */
  verify?: boolean;
  /**
   * Which variants to request: `'auto'` (default) tries `<name>.gz`, then `<name>` when the
   * server answers 404; `true` only `.gz`; `false` only the plain file.
   */
  compressed?: boolean | 'auto';
}

/** A fetched, verified file: where it came from and its bytes as served (gzip or plain). */
export interface FetchedFile {
  readonly url: string;
  readonly bytes: Uint8Array;
}

/**
 * Fetches one dataset file from a base URL (e.g. `'/data/mnist/'` or a mirror), trying the
 * `.gz` name first, and verifies it against `spec.checksum` before returning it. Browser-safe.
 *
 * @throws {DatasetError} `CHECKSUM_MISMATCH`, `TRUNCATED`, `NOT_FOUND` or `DOWNLOAD_FAILED`,
 * naming the URL.
 */
export async function fetchMnistFile(
  baseUrl: string,
  spec: MnistFileSpec,
  options: FetchFileOptions = {},
): Promise<FetchedFile> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const mode = options.compressed ?? 'auto';
  const names =
    mode === 'auto' ? [`${spec.name}.gz`, spec.name] : mode ? [`${spec.name}.gz`] : [spec.name];
  let lastError: unknown;
  for (const name of names) {
    const url = `${base}${name}`;
    let bytes: Uint8Array;
    try {
      bytes = await fetchBytes(url, options);
    } catch (error) {
      lastError = error;
      if (error instanceof DatasetError && error.code === 'NOT_FOUND') continue;
      throw error;
    }
    if (options.verify !== false) await verifyChecksum(bytes, spec.checksum, url);
    return { url, bytes };
  }
  throw lastError;
}

/** Options of {@link fetchMnist}. */
export interface FetchMnistOptions extends FetchFileOptions {
  /** Folder URL holding the IDX files (plain or `.gz`), e.g. `'/data/mnist/'`. */
  baseUrl: string;
  /** Default `'mnist'`. */
  kind?: MnistKind;
  /** Default `'train'`. */
  split?: MnistSplit;
  /** Expected checksums; default {@link MNIST_FILES} / {@link FASHION_MNIST_FILES}. */
  files?: MnistFiles;
}

/**
 * Browser-safe loader: fetches an MNIST or Fashion-MNIST split from URLs, verifies checksums,
 * decompresses with `DecompressionStream` and returns the uint8 dataset (`scale` 1/255).
 */
export async function fetchMnist(options: FetchMnistOptions): Promise<Dataset> {
  const kind = options.kind ?? 'mnist';
  const split = options.split ?? 'train';
  const files = options.files ?? (kind === 'mnist' ? MNIST_FILES : FASHION_MNIST_FILES);
  const [imagesSpec, labelsSpec] = splitFiles(files, split);
  const [images, labels] = await Promise.all([
    fetchMnistFile(options.baseUrl, imagesSpec, options),
    fetchMnistFile(options.baseUrl, labelsSpec, options),
  ]);
  return mnistFromBuffers(images.bytes, labels.bytes, {
    imagesSource: images.url,
    labelsSource: labels.url,
    name: `${kind}-${split}`,
    ...(kind === 'fashion-mnist' ? { classNames: FASHION_MNIST_CLASSES } : {}),
  });
}
