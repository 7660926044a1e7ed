import { DatasetError } from './errors.js';
import { gunzipWeb, isGzip } from './gzip.js';

/** A digest to check a file against. `md5` exists only because some publishers give only MD5. */
export interface Checksum {
  readonly algorithm: 'sha256' | 'md5';
  /** Lower-case hex digest. */
  readonly digest: string;
  /**
   * What the digest covers: `'file'` = the bytes exactly as downloaded (gzip or not);
   * `'decompressed'` = the bytes after gunzip (the IDX bytes), so any mirror's `.gz` or plain copy verifies.
   */
  readonly of: 'file' | 'decompressed';
}

/**
 * Hex digest of `bytes`. SHA-256 uses Web Crypto (`crypto.subtle`, in browsers and Node ≥ 19);
 * MD5 uses {@link md5Hex}, because Web Crypto has no MD5 and some datasets publish only MD5.
 */
export async function digestHex(
  bytes: Uint8Array,
  algorithm: Checksum['algorithm'],
): Promise<string> {
  if (algorithm === 'md5') return md5Hex(bytes);
  if (algorithm !== 'sha256') {
    throw new DatasetError('BAD_OPTION', 'checksum', `unsupported algorithm ${String(algorithm)}`);
  }
  const hash = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(hash));
}

/**
 * Checks `bytes` (as downloaded) against `checksum`; when `checksum.of` is `'decompressed'` and the
 * bytes are gzip, the decompressed bytes are hashed. Returns the decompressed bytes when it had
 * to decompress them (so callers need not do it twice), else `bytes`.
 *
 * @throws {DatasetError} `CHECKSUM_MISMATCH` naming `source`, both digests and the algorithm.
 */
export async function verifyChecksum(
  bytes: Uint8Array,
  checksum: Checksum,
  source: string,
): Promise<Uint8Array> {
  const target =
    checksum.of === 'decompressed' && isGzip(bytes) ? await gunzipWeb(bytes, source) : bytes;
  const actual = await digestHex(target, checksum.algorithm);
  if (actual !== checksum.digest.toLowerCase()) {
    const what = checksum.of === 'decompressed' ? 'decompressed bytes' : 'file bytes';
    throw new DatasetError(
      'CHECKSUM_MISMATCH',
      source,
      `${checksum.algorithm} of the ${what} is ${actual}, expected ${checksum.digest} (corrupt or wrong file; it was not saved)`,
    );
  }
  return target;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const MD5_SHIFTS = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
  20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6,
  10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];
const MD5_K = Int32Array.from({ length: 64 }, (_, i) =>
  Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296),
);
const MD5_G = Uint8Array.from({ length: 64 }, (_, i) =>
  i < 16 ? i : i < 32 ? (5 * i + 1) % 16 : i < 48 ? (3 * i + 5) % 16 : (7 * i) % 16,
);

/** MD5 (RFC 1321) hex digest. Only for checking files whose publishers give MD5 digests. */
export function md5Hex(bytes: Uint8Array): string {
  const state = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  const words = new Int32Array(16);
  const full = bytes.length - (bytes.length % 64);
  for (let off = 0; off < full; off += 64) md5Block(state, words, bytes, off);
  const rem = bytes.length - full;
  const tail = new Uint8Array(rem < 56 ? 64 : 128);
  tail.set(bytes.subarray(full));
  tail[rem] = 0x80;
  const bitsLow = (bytes.length * 8) >>> 0;
  const bitsHigh = Math.floor(bytes.length / 0x20000000) >>> 0;
  const tv = new DataView(tail.buffer);
  tv.setUint32(tail.length - 8, bitsLow, true);
  tv.setUint32(tail.length - 4, bitsHigh, true);
  for (let off = 0; off < tail.length; off += 64) md5Block(state, words, tail, off);
  const out = new Uint8Array(16);
  new DataView(out.buffer).setInt32(0, state[0]!, true);
  new DataView(out.buffer).setInt32(4, state[1]!, true);
  new DataView(out.buffer).setInt32(8, state[2]!, true);
  new DataView(out.buffer).setInt32(12, state[3]!, true);
  return toHex(out);
}

function md5Block(state: Int32Array, m: Int32Array, bytes: Uint8Array, off: number): void {
  for (let j = 0; j < 16; j++) {
    const p = off + 4 * j;
    m[j] = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let i = 0; i < 64; i++) {
    let f: number;
    if (i < 16) f = (b & c) | (~b & d);
    else if (i < 32) f = (d & b) | (~d & c);
    else if (i < 48) f = b ^ c ^ d;
    else f = c ^ (b | ~d);
    f = (f + a + MD5_K[i]! + m[MD5_G[i]!]!) | 0;
    a = d;
    d = c;
    c = b;
    const s = MD5_SHIFTS[i]!;
    b = (b + ((f << s) | (f >>> (32 - s)))) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}
