import { DatasetError } from './errors.js';

/** True when `bytes` starts with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data with the web-standard `DecompressionStream` (browsers, Node ≥ 18),
 * so this works without `node:zlib`. Node code in this package uses zlib instead (faster).
 *
 * @throws {DatasetError} `BAD_GZIP` (naming `source`) when the data is corrupt or cut short.
 */
export async function gunzipWeb(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    throw new DatasetError(
      'BAD_GZIP',
      source,
      `gzip data does not decompress (corrupt or truncated): ${(cause as Error).message}`,
      { cause },
    );
  }
}
