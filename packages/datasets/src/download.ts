import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { type Checksum, verifyChecksum } from './checksum.js';
import { DatasetError } from './errors.js';
import { type FetchBytesOptions, fetchBytes } from './http.js';
import {
  FASHION_MNIST_FILES,
  FASHION_MNIST_MIRRORS,
  MNIST_FILES,
  MNIST_MIRRORS,
  type MnistFiles,
  type MnistKind,
  type MnistSplit,
  splitFiles,
} from './mnist.js';
import { fetchMnistFile } from './web.js';

/**
 * The cache directory: `$DEEPBELIEF_CACHE` if set, else `$XDG_CACHE_HOME/deepbelief`, else
 * `~/.cache/deepbelief`.
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.DEEPBELIEF_CACHE) return env.DEEPBELIEF_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'deepbelief');
  return join(homedir(), '.cache', 'deepbelief');
}

/**
 * Writes `bytes` to `dest` atomically: to a uniquely named `<dest>.<pid>.<random>.part` file
 * in the same directory, then `rename`. A crash or a concurrent writer never leaves a partial
 * file under the final name; the temp file is removed on failure.
 */
export async function writeFileAtomic(dest: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const temp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions extends FetchBytesOptions {
  /** Expected digest, checked before the file is given its final name. */
  checksum?: Checksum;
}

/**
 * Downloads `url` to `dest`: the body is received in full (a dropped connection or short body
 * is an error), checked against `checksum`, written to a temp file and renamed into place.
 * So `dest` either does not exist or holds verified bytes; re-running after an interruption
 * simply downloads again ("resume-safe").
 *
 * @throws {DatasetError} `TRUNCATED`, `CHECKSUM_MISMATCH`, `NOT_FOUND` or `DOWNLOAD_FAILED`,
 * naming the URL; nothing is written in those cases.
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: DownloadFileOptions = {},
): Promise<void> {
  const bytes = await fetchBytes(url, options);
  if (options.checksum) await verifyChecksum(bytes, options.checksum, url);
  await writeFileAtomic(dest, bytes);
}

/** Options of {@link downloadMnist}. */
export interface DownloadMnistOptions extends FetchBytesOptions {
  /** Default `'mnist'`. */
  kind?: MnistKind;
  /** Splits to fetch; default both. */
  splits?: readonly MnistSplit[];
  /** Root cache directory; default {@link defaultCacheDir}. Files go to `<cacheDir>/<kind>/`. */
  cacheDir?: string;
  /**
   * Base URLs tried in order; default `$DEEPBELIEF_MNIST_MIRROR` /
   * `$DEEPBELIEF_FASHION_MNIST_MIRROR` (comma-separated) or {@link MNIST_MIRRORS} /
   * {@link FASHION_MNIST_MIRRORS}.
   */
  mirrors?: readonly string[];
  /** Expected checksums; default {@link MNIST_FILES} / {@link FASHION_MNIST_FILES}. */
  files?: MnistFiles;
  /** Progress messages (one line per file); default silent. */
  log?: (message: string) => void;
}

/**
 * Makes sure the IDX files of an MNIST-format dataset are in the cache and returns their
 * directory (`<cacheDir>/<kind>`), ready for `loadMnist({ dir })`.
 *
 * A file already there under its final name (`<name>` or `<name>.gz`) is used as is: files
 * only get that name after their checksum matched. Otherwise each mirror is tried in turn
 * (`<name>.gz`, then `<name>`); the first download that verifies is kept.
 *
 * MNIST checksums are SHA-256 of the decompressed IDX bytes; Fashion-MNIST ones are the
 * publisher's MD5 of the `.gz` files (see {@link MNIST_FILES}, {@link FASHION_MNIST_FILES}).
 *
 * @throws {DatasetError} when a file cannot be fetched and verified from any mirror. The code
 * is that of the last real failure (`CHECKSUM_MISMATCH`, `TRUNCATED`, `DOWNLOAD_FAILED`), or
 * `DOWNLOAD_FAILED` when no mirror had the file; the message lists every attempt.
 */
export async function downloadMnist(options: DownloadMnistOptions = {}): Promise<string> {
  const kind = options.kind ?? 'mnist';
  const dir = join(options.cacheDir ?? defaultCacheDir(), kind);
  const files = options.files ?? (kind === 'mnist' ? MNIST_FILES : FASHION_MNIST_FILES);
  const mirrors = options.mirrors ?? defaultMirrors(kind);
  if (mirrors.length === 0)
    throw new DatasetError('BAD_OPTION', kind, 'no mirrors to download from');
  for (const split of options.splits ?? ['train', 'test']) {
    for (const spec of splitFiles(files, split)) {
      if ((await cachedFile(dir, spec.name)) !== undefined) continue;
      const failures: DatasetError[] = [];
      let done = false;
      for (const mirror of mirrors) {
        try {
          options.log?.(`downloading ${spec.name} from ${mirror}`);
          const { url, bytes } = await fetchMnistFile(mirror, spec, options);
          await writeFileAtomic(join(dir, basename(new URL(url).pathname)), bytes);
          options.log?.(`saved ${url} (${bytes.length} bytes, ${spec.checksum.algorithm} ok)`);
          done = true;
          break;
        } catch (error) {
          if (!(error instanceof DatasetError)) throw error;
          failures.push(error);
        }
      }
      if (!done) {
        const real = failures.filter((f) => f.code !== 'NOT_FOUND');
        throw new DatasetError(
          real.at(-1)?.code ?? 'DOWNLOAD_FAILED',
          spec.name,
          `could not download a verified copy from ${mirrors.length} mirror(s):\n  ${failures.map((f) => f.message).join('\n  ')}`,
          { cause: failures.at(-1) },
        );
      }
    }
  }
  return dir;
}

function defaultMirrors(kind: MnistKind): readonly string[] {
  const env =
    kind === 'mnist'
      ? process.env.DEEPBELIEF_MNIST_MIRROR
      : process.env.DEEPBELIEF_FASHION_MNIST_MIRROR;
  if (env) {
    return env
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  return kind === 'mnist' ? MNIST_MIRRORS : FASHION_MNIST_MIRRORS;
}

/** Path of `<name>.gz` or `<name>` in `dir` (in that order) if one exists. */
async function cachedFile(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [`${name}.gz`, name]) {
    const path = join(dir, candidate);
    try {
      await access(path);
      return path;
    } catch {
      // not there
    }
  }
  return undefined;
}
