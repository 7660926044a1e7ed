import { ModelFormatError } from './errors.js';
import { checkJsonStructure, preview } from './json.js';

/** A float32 array with its shape (row-major). `data.length` equals the product of `shape`. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Tensors by name. */
export type TensorMap = Readonly<Record<string, NamedTensor>>;

/** What {@link decodeSafetensors} returns. */
export interface DecodedSafetensors {
  /** Tensors by name, each with its own freshly allocated (aligned) `Float32Array`. */
  readonly tensors: Record<string, NamedTensor>;
  /** The `__metadata__` string map (empty if the file has none). */
  readonly metadata: Record<string, string>;
}

/** Options of {@link decodeSafetensors}. */
export interface DecodeSafetensorsOptions {
  /** Name used in error messages (usually the file path). Default `<bytes>`. */
  readonly source?: string;
  /** Largest header accepted, in bytes. Default {@link MAX_HEADER_BYTES}. */
  readonly maxHeaderBytes?: number;
}

/** Default bound on the JSON header (the same 100 MB the reference implementation uses). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Every dtype the safetensors spec defines; only `F32` is read by deepbelief. */
export const SAFETENSORS_DTYPES: readonly string[] = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
];

const METADATA = '__metadata__';
const ENTRY_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.join(', ')}]`;
}

/** Copies float32 bytes (little-endian in the file) into `out`, byte-exact (NaN payloads kept). */
function copyFloat32(src: Uint8Array, out: Float32Array): void {
  const dst = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  dst.set(src);
  if (!LITTLE_ENDIAN) swap32(dst);
}

function swap32(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

function isShape(shape: unknown): shape is number[] {
  return (
    Array.isArray(shape) &&
    shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  );
}

/** Number of elements of a validated shape, or `null` if its byte size is not a safe integer. */
function elementCount(shape: readonly number[]): number | null {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n * 4 > Number.MAX_SAFE_INTEGER) return null;
  }
  return n;
}

/**
 * Serialises float32 tensors and a string→string metadata map into safetensors bytes:
 * an 8-byte little-endian header length `N`, `N` bytes of UTF-8 JSON (padded with spaces to a
 * multiple of 8, so the data starts 8-byte aligned), then the tensors' raw little-endian bytes,
 * contiguous, in the order given.
 *
 * @throws ModelFormatError (`bad-input`) for an empty or reserved name, a shape that is not
 *   non-negative integers, data that is not a `Float32Array` of the shape's size, or a
 *   non-string metadata value.
 */
export function encodeSafetensors(
  tensors: TensorMap,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const src = '<save>';
  const entries: [string, unknown][] = [];
  const metaEntries = Object.entries(metadata);
  for (const [key, value] of metaEntries) {
    if (typeof value !== 'string') {
      throw new ModelFormatError(
        'bad-input',
        src,
        `metadata "${key}" must be a string, got ${preview(value)}`,
      );
    }
  }
  if (metaEntries.length > 0) entries.push([METADATA, Object.fromEntries(metaEntries)]);

  const parts: { data: Float32Array; begin: number }[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name === '' || name === METADATA) {
      throw new ModelFormatError(
        'bad-input',
        src,
        `tensor name ${JSON.stringify(name)} is not allowed (empty or reserved)`,
      );
    }
    const shape = tensor?.shape;
    if (!isShape(shape)) {
      throw new ModelFormatError(
        'bad-input',
        src,
        `tensor "${name}": shape must be an array of non-negative integers, got ${preview(shape)}`,
      );
    }
    if (!(tensor.data instanceof Float32Array)) {
      throw new ModelFormatError(
        'bad-input',
        src,
        `tensor "${name}": data must be a Float32Array, got ${Object.prototype.toString.call(tensor.data)}`,
      );
    }
    const count = elementCount(shape);
    if (count === null || count !== tensor.data.length) {
      throw new ModelFormatError(
        'bad-input',
        src,
        `tensor "${name}": shape ${formatShape(shape)} holds ${count ?? 'too many'} values but data has ${tensor.data.length}`,
      );
    }
    entries.push([
      name,
      { dtype: 'F32', shape: [...shape], data_offsets: [offset, offset + count * 4] },
    ]);
    parts.push({ data: tensor.data, begin: offset });
    offset += count * 4;
  }

  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(entries)));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const total = 8 + headerLength + offset;
  let out: Uint8Array;
  try {
    out = new Uint8Array(total);
  } catch (cause) {
    throw new ModelFormatError(
      'too-large',
      src,
      `cannot allocate ${total} bytes for the file (${String(cause)})`,
      { cause },
    );
  }
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 0x100000000, true);
  view.setUint32(4, Math.floor(headerLength / 0x100000000), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  const dataStart = 8 + headerLength;
  for (const { data, begin } of parts) {
    const dst = out.subarray(dataStart + begin, dataStart + begin + data.byteLength);
    dst.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!LITTLE_ENDIAN) swap32(dst);
  }
  return out;
}

/**
 * Reads and bounds the header length from the first 8 bytes of a safetensors file of
 * `fileSize` bytes, before any of the header is read.
 *
 * @returns the header length `N` (the data starts at `8 + N`).
 * @throws ModelFormatError `truncated` if the file is shorter than 8 bytes or than `8 + N`,
 *   `header-too-large` if `N` exceeds the bound, `bad-header` if `N` is 0.
 */
export function readHeaderLength(
  prefix: Uint8Array,
  fileSize: number,
  options: DecodeSafetensorsOptions = {},
): number {
  const source = options.source ?? '<bytes>';
  const bound = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (fileSize < 8 || prefix.length < 8) {
    throw new ModelFormatError(
      'truncated',
      source,
      `file is ${Math.min(fileSize, prefix.length)} bytes, too short for a safetensors file (it must start with an 8-byte header length)`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(bound)) {
    throw new ModelFormatError(
      'header-too-large',
      source,
      `header length ${length} bytes exceeds the ${bound}-byte limit: not a safetensors file, or a hostile one`,
    );
  }
  const n = Number(length);
  if (n === 0) {
    throw new ModelFormatError(
      'bad-header',
      source,
      'header length is 0: a safetensors header is at least a JSON object "{}"',
    );
  }
  if (8 + n > fileSize) {
    throw new ModelFormatError(
      'truncated',
      source,
      `header length ${n} bytes runs past the end of the ${fileSize}-byte file: the file is truncated or not safetensors`,
    );
  }
  return n;
}

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeader(bytes: Uint8Array, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new ModelFormatError('bad-header', source, 'header is not valid UTF-8', { cause });
  }
  if (!text.startsWith('{')) {
    throw new ModelFormatError(
      'bad-header',
      source,
      `header must start with "{", found ${preview(text.slice(0, 16))}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ModelFormatError(
      'bad-header',
      source,
      `header is not valid JSON (${(cause as Error).message})`,
      { cause },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelFormatError('bad-header', source, 'header JSON is not an object');
  }
  const problem = checkJsonStructure(text);
  if (problem?.kind === 'duplicate-key') {
    const where = problem.path ? ` in "${problem.path}"` : '';
    throw new ModelFormatError(
      'bad-header',
      source,
      `header has the key "${problem.key}" twice${where}: ambiguous, refusing to guess`,
    );
  }
  if (problem) {
    throw new ModelFormatError('bad-header', source, 'header JSON nests too deeply');
  }
  return parsed as Record<string, unknown>;
}

function parseMetadata(value: unknown, source: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(
      'bad-metadata',
      source,
      `__metadata__ must be an object of strings, got ${preview(value)}`,
    );
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new ModelFormatError(
        'bad-metadata',
        source,
        `__metadata__ "${key}" must be a string, got ${preview(v)}`,
      );
    }
  }
  return Object.fromEntries(Object.entries(value as Record<string, string>));
}

function parseEntry(name: string, value: unknown, dataLength: number, source: string): Entry {
  const fail = (code: 'bad-tensor' | 'bad-offsets' | 'truncated', detail: string) =>
    new ModelFormatError(code, source, `tensor "${name}": ${detail}`);
  if (name === '') throw new ModelFormatError('bad-tensor', source, 'a tensor has an empty name');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('bad-tensor', `entry must be an object, got ${preview(value)}`);
  }
  const e = value as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!ENTRY_FIELDS.has(key)) {
      throw fail('bad-tensor', `unexpected field "${key}" (allowed: dtype, shape, data_offsets)`);
    }
  }
  for (const key of ENTRY_FIELDS) {
    if (!(key in e)) throw fail('bad-tensor', `missing field "${key}"`);
  }
  const { dtype, shape, data_offsets: offsets } = e;
  if (typeof dtype !== 'string' || !SAFETENSORS_DTYPES.includes(dtype)) {
    throw fail('bad-tensor', `dtype ${preview(dtype)} is not a safetensors dtype`);
  }
  if (dtype !== 'F32') {
    throw new ModelFormatError(
      'unsupported-dtype',
      source,
      `tensor "${name}": dtype ${dtype} is not supported; deepbelief model files store F32 only`,
    );
  }
  if (!isShape(shape)) {
    throw fail(
      'bad-tensor',
      `shape must be an array of non-negative integers, got ${preview(shape)}`,
    );
  }
  const count = elementCount(shape);
  if (count === null) {
    throw fail('bad-tensor', `shape ${formatShape(shape)} is too large to address`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    throw fail(
      'bad-offsets',
      `data_offsets must be [begin, end] non-negative integers, got ${preview(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    throw fail('bad-offsets', `data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    throw fail(
      'truncated',
      `data_offsets [${begin}, ${end}] run past the end of the ${dataLength}-byte data section: the file is truncated or corrupt`,
    );
  }
  if (end - begin !== count * 4) {
    throw fail(
      'bad-offsets',
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape ${formatShape(shape)} of F32 needs ${count * 4}`,
    );
  }
  return { name, shape, begin, end };
}

/**
 * Parses safetensors bytes, validating everything before trusting it: the header length is
 * bounded and checked against the file size before the header is read; the header must be
 * UTF-8 JSON with no duplicate keys; every tensor must be F32 with a non-negative integer
 * shape and data offsets that lie inside the data section, match the shape, and tile it
 * exactly (no overlaps, holes, or trailing bytes); `__metadata__` must map strings to strings.
 * Data is copied into fresh `Float32Array`s, so any input byte offset is fine.
 *
 * @throws ModelFormatError naming the source and the tensor or field at fault.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  options: DecodeSafetensorsOptions = {},
): DecodedSafetensors {
  const source = options.source ?? '<bytes>';
  const headerLength = readHeaderLength(bytes.subarray(0, 8), bytes.length, options);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), source);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA) metadata = parseMetadata(value, source);
    else entries.push(parseEntry(name, value, dataLength, source));
  }

  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: Entry | null = null;
  for (const entry of sorted) {
    if (entry.begin > expected) {
      const where = previous
        ? `between tensor "${previous.name}" and tensor "${entry.name}"`
        : `before the first tensor ("${entry.name}")`;
      throw new ModelFormatError(
        'bad-offsets',
        source,
        `bytes ${expected}..${entry.begin} of the data section, ${where}, belong to no tensor`,
      );
    }
    if (entry.begin < expected && previous) {
      throw new ModelFormatError(
        'bad-offsets',
        source,
        `tensor "${entry.name}" (data_offsets [${entry.begin}, ${entry.end}]) overlaps tensor "${previous.name}" (data_offsets [${previous.begin}, ${previous.end}])`,
      );
    }
    expected = entry.end;
    previous = entry;
  }
  if (expected !== dataLength) {
    throw new ModelFormatError(
      'bad-offsets',
      source,
      `${dataLength - expected} bytes after the last tensor belong to no tensor (data section is ${dataLength} bytes, tensors cover ${expected})`,
    );
  }

  const tensors = Object.fromEntries(
    entries.map((entry) => {
      const data = new Float32Array((entry.end - entry.begin) / 4);
      copyFloat32(bytes.subarray(dataStart + entry.begin, dataStart + entry.end), data);
      return [entry.name, { shape: entry.shape, data }];
    }),
  );
  return { tensors, metadata };
}
