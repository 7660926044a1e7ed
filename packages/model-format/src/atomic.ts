import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ModelFormatError } from './errors.js';

/** Bytes to write: one buffer, or chunks produced (possibly asynchronously) while writing. */
export type AtomicWriteData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Permission bits of the new file. Default `0o644` (before the umask). */
  readonly mode?: number;
}

/** The temporary path {@link writeFileAtomic} uses for `path`: same directory, unique name. */
export function temporaryPathFor(path: string): string {
  return join(
    dirname(path),
    `${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename durable. Not possible everywhere (Windows cannot open directories).
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * Replaces `path` with `data` so that readers (and a crash at any moment) see either the
 * complete old file or the complete new one, never a mix: writes `path.tmp-<pid>-<random>` in
 * the same directory, fsyncs it, renames it over `path`, then fsyncs the directory where the
 * platform allows. On any error the temporary file is removed and `path` is untouched. A
 * process killed mid-write can leave a stale `*.tmp-*` file behind, but never a damaged `path`.
 *
 * @throws ModelFormatError (`io`) naming the path, with the system error as `cause`.
 */
export async function writeFileAtomic(
  path: string,
  data: AtomicWriteData,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const tmp = temporaryPathFor(path);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx', options.mode ?? 0o644);
    if (data instanceof Uint8Array) {
      await handle.writeFile(data);
    } else {
      for await (const chunk of data) await handle.writeFile(chunk);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (cause) {
    await handle?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    if (cause instanceof ModelFormatError) throw cause;
    throw new ModelFormatError(
      'io',
      path,
      `could not save (the previous file, if any, is unchanged): ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
  await syncDirectory(dirname(path));
}
