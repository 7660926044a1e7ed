import { constants as bufferConstants } from 'node:buffer';
import { open } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.js';
import { ModelFormatError } from './errors.js';
import {
  type DecodeModelOptions,
  decodeModel,
  type EncodeModelOptions,
  encodeModel,
  type ModelFile,
  type ModelInput,
} from './model.js';
import {
  type DecodedSafetensors,
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  readHeaderLength,
} from './safetensors.js';

export {
  type AtomicWriteData,
  temporaryPathFor,
  type WriteFileAtomicOptions,
  writeFileAtomic,
} from './atomic.js';
export * from './index.js';

/** Options for reading a file: the decode options minus `source`, which is the path. */
export type ReadFileOptions = Omit<DecodeSafetensorsOptions, 'source'>;

/**
 * Reads a safetensors file's bytes, refusing early (before allocating for the whole file)
 * anything that is not a regular file, is too short, or declares a header over the bound or
 * past the end of the file.
 *
 * @throws ModelFormatError naming the path.
 */
export async function readSafetensorsBytes(
  path: string,
  options: ReadFileOptions = {},
): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new ModelFormatError('io', path, `cannot open: ${(cause as Error).message}`, { cause });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ModelFormatError('io', path, 'not a regular file');
    const size = stat.size;
    if (size > bufferConstants.MAX_LENGTH) {
      throw new ModelFormatError(
        'too-large',
        path,
        `file is ${size} bytes, more than this runtime can hold in one buffer (${bufferConstants.MAX_LENGTH})`,
      );
    }
    const prefix = new Uint8Array(Math.min(8, size));
    await handle.read(prefix, 0, prefix.length, 0);
    readHeaderLength(prefix, size, { ...options, source: path });
    const bytes = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } catch (cause) {
    if (cause instanceof ModelFormatError) throw cause;
    throw new ModelFormatError('io', path, `cannot read: ${(cause as Error).message}`, { cause });
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Reads and validates a safetensors file (see `decodeSafetensors`). */
export async function readSafetensorsFile(
  path: string,
  options: ReadFileOptions = {},
): Promise<DecodedSafetensors> {
  const bytes = await readSafetensorsBytes(path, options);
  return decodeSafetensors(bytes, { ...options, source: path });
}

/**
 * Encodes a model (see `encodeModel`) and writes it atomically with {@link writeFileAtomic}:
 * an interrupted save leaves the previous file intact.
 *
 * @returns the number of bytes written.
 */
export async function saveModelFile(
  path: string,
  input: ModelInput,
  options: EncodeModelOptions = {},
): Promise<number> {
  const bytes = encodeModel(input, options);
  await writeFileAtomic(path, bytes);
  return bytes.length;
}

/**
 * Reads and validates a deepbelief model file (see `decodeModel`); errors name the path.
 * Nothing in a file is ever executed: it is parsed as JSON and raw float32 data only.
 */
export async function loadModelFile(
  path: string,
  options: Omit<DecodeModelOptions, 'source'> = {},
): Promise<ModelFile> {
  const bytes = await readSafetensorsBytes(path, options);
  return decodeModel(bytes, { ...options, source: path });
}
