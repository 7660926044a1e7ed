import { z } from 'zod';
import { ModelFormatError, type ModelFormatErrorCode } from './errors.js';
import {
  checkJsonStructure,
  findNonJson,
  type JsonObject,
  type JsonValue,
  preview,
} from './json.js';
import {
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  type TensorMap,
} from './safetensors.js';
import { MODEL_FORMAT_PACKAGE_VERSION } from './version.js';

/** Value of the envelope's `format` field. */
export const MODEL_FORMAT = 'deepbelief-model';
/** The newest envelope format version this package reads, and the one it writes. */
export const MODEL_FORMAT_VERSION = 1;
/** The safetensors `__metadata__` key holding the envelope as a JSON string. */
export const MODEL_METADATA_KEY = 'deepbelief';
/** Model kinds the deepbelief packages write. Other kebab-case kinds are accepted too. */
export const KNOWN_MODEL_KINDS = [
  'rbm',
  'dbn',
  'autoencoder',
  'wake-sleep-dbn',
  'checkpoint',
] as const;

const KIND_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A JSON object whose values are left to the model package to validate. */
const jsonObject = z.record(z.string(), z.unknown());

/** Zod schema of the training section of the envelope. */
export const trainingSchema = z.strictObject({
  hyperParameters: jsonObject,
  history: z.array(z.unknown()).optional(),
  state: jsonObject.optional(),
});

/** Zod schema of the whole envelope (format version 1). */
export const envelopeSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  kind: z.string().regex(KIND_PATTERN, 'must be a kebab-case name such as "rbm"'),
  createdAt: z.iso.datetime(),
  packageVersions: z.record(z.string(), z.string()),
  model: jsonObject,
  training: trainingSchema.optional(),
});

/**
 * Zod schema of a saved `SeededRandom` state (`getState()` of `@deepbelief/core`), for model
 * packages validating `training.state`.
 */
export const randomStateSchema = z.strictObject({
  algorithm: z.literal('xoshiro128**'),
  state: z
    .tuple([z.uint32(), z.uint32(), z.uint32(), z.uint32()])
    .refine((s) => s.some((w) => w !== 0), 'the all-zero state is invalid'),
});

/**
 * Training record to save with a model. Typed loosely so typed interfaces can be passed
 * directly; at save time every value must be plain JSON (checked, with the path named).
 */
export interface TrainingInput {
  /** Hyper-parameters the model was trained with (learning rate, epochs, CD-k, …). */
  readonly hyperParameters: object;
  /** Per-epoch (or per-layer) records such as reconstruction error. */
  readonly history?: readonly unknown[];
  /** Resumable state: epoch, `SeededRandom.getState()`, … (state tensors go in `tensors`). */
  readonly state?: object;
}

/** Training record as loaded from a file: enough to report on, and to resume, a run. */
export interface TrainingRecord {
  /** Hyper-parameters the model was trained with (learning rate, epochs, CD-k, …). */
  readonly hyperParameters: JsonObject;
  /** Per-epoch (or per-layer) records such as reconstruction error. */
  readonly history?: readonly JsonValue[];
  /** Resumable state: epoch, `SeededRandom.getState()`, … (state tensors go in `tensors`). */
  readonly state?: JsonObject;
}

/** The JSON stored under `__metadata__.deepbelief`. */
export interface ModelEnvelope {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  /** `rbm`, `dbn`, `autoencoder`, `wake-sleep-dbn`, `checkpoint`, … */
  readonly kind: string;
  /** ISO-8601 UTC time the file was written. */
  readonly createdAt: string;
  /** Versions of the packages that wrote the file, by package name. */
  readonly packageVersions: Readonly<Record<string, string>>;
  /** Kind-specific architecture: layer sizes, unit types, label units, … */
  readonly model: JsonObject;
  readonly training?: TrainingRecord;
}

/** What a model package hands to {@link encodeModel} / `saveModelFile`. */
export interface ModelInput {
  /** Kebab-case model kind, e.g. `rbm` (see {@link KNOWN_MODEL_KINDS}). */
  readonly kind: string;
  /** Kind-specific architecture; must be a plain JSON object (checked at save time). */
  readonly model: object;
  /** The float32 tensors, by name (see the naming convention in the README). */
  readonly tensors: TensorMap;
  readonly training?: TrainingInput;
  /** Versions of the calling packages; this package's own version is always added. */
  readonly packageVersions?: Readonly<Record<string, string>>;
}

/** Options of {@link encodeModel}. */
export interface EncodeModelOptions {
  /** Timestamp to record instead of now (for reproducible bytes). */
  readonly createdAt?: Date | string;
}

/** Options of {@link decodeModel}. */
export interface DecodeModelOptions extends DecodeSafetensorsOptions {
  /** Refuse files of any other kind (one kind or a list). */
  readonly expectKind?: string | readonly string[];
}

/** A loaded, validated model file: the envelope's fields plus the tensors. */
export interface ModelFile extends ModelEnvelope {
  /** Where it was read from (for error messages). */
  readonly source: string;
  readonly tensors: Readonly<Record<string, NamedTensor>>;
  /** Other `__metadata__` entries besides the envelope, if any. */
  readonly extraMetadata: Readonly<Record<string, string>>;
}

function formatIssues(issues: readonly z.core.$ZodIssue[], where: string): string {
  const lines = issues.slice(0, 5).map((issue) => {
    const path = [where, ...issue.path.map(String)].filter(Boolean).join('.');
    const field = path || '(root)';
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return `missing field "${field}" (expected ${issue.expected})`;
    }
    if (issue.code === 'unrecognized_keys') {
      return `${field === '(root)' ? 'top level' : `"${field}"`} has unknown field(s) ${issue.keys
        .map((k) => `"${k}"`)
        .join(', ')}`;
    }
    const got =
      'input' in issue && issue.input !== undefined ? ` (got ${preview(issue.input)})` : '';
    return `field "${field}": ${issue.message}${got}`;
  });
  if (issues.length > 5) lines.push(`… and ${issues.length - 5} more`);
  return lines.join('; ');
}

/**
 * Validates `value` with a zod schema and returns the parsed result; on failure throws a
 * {@link ModelFormatError} whose message names the bad fields (up to five) as `where.path.to.field`.
 * Model packages use it for their `model` section and hyper-parameters so that all
 * deepbelief validation errors read alike.
 *
 * @param where path prefix for messages, e.g. `model` or `training.hyperParameters`.
 */
export function validateWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: string,
  source = '<bytes>',
  code: ModelFormatErrorCode = 'bad-metadata',
): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ModelFormatError(
    code,
    source,
    `invalid metadata: ${formatIssues(result.error.issues, where)}`,
  );
}

function checkKind(kind: unknown, source: string): void {
  if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
    throw new ModelFormatError(
      'bad-input',
      source,
      `kind must be a kebab-case name such as "rbm", got ${preview(kind)}`,
    );
  }
}

/**
 * Builds a deepbelief model file in memory: the tensors as F32 safetensors, and the envelope
 * (format, version, kind, time, package versions, model, training) as JSON under
 * `__metadata__.deepbelief`. Browser-safe.
 *
 * @throws ModelFormatError (`bad-input`) if the kind is not kebab-case, `model` or `training`
 *   hold anything JSON cannot carry exactly (NaN, Infinity, undefined, class instances, cycles;
 *   the message names the path, e.g. `training.hyperParameters.learningRate`), or a tensor's
 *   data does not match its shape.
 */
export function encodeModel(input: ModelInput, options: EncodeModelOptions = {}): Uint8Array {
  const src = '<save>';
  checkKind(input?.kind, src);
  if (typeof input.model !== 'object' || input.model === null || Array.isArray(input.model)) {
    throw new ModelFormatError(
      'bad-input',
      src,
      `model must be a JSON object, got ${preview(input.model)}`,
    );
  }
  const badModel = findNonJson(input.model, 'model');
  if (badModel) throw new ModelFormatError('bad-input', src, badModel);
  if (input.training !== undefined) {
    const badTraining = findNonJson(input.training, 'training');
    if (badTraining) throw new ModelFormatError('bad-input', src, badTraining);
  }
  const createdAt =
    options.createdAt instanceof Date
      ? options.createdAt.toISOString()
      : (options.createdAt ?? new Date().toISOString());
  const envelope = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    kind: input.kind,
    createdAt,
    packageVersions: {
      ...input.packageVersions,
      '@deepbelief/model-format': MODEL_FORMAT_PACKAGE_VERSION,
    },
    model: input.model,
    ...(input.training === undefined ? {} : { training: input.training }),
  };
  // What we write must be what we can read back.
  validateWith(envelopeSchema, envelope, '', src, 'bad-input');
  return encodeSafetensors(input.tensors, { [MODEL_METADATA_KEY]: JSON.stringify(envelope) });
}

function parseEnvelope(text: string, source: string): ModelEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ModelFormatError(
      'bad-metadata',
      source,
      `__metadata__.${MODEL_METADATA_KEY} is not valid JSON (${(cause as Error).message})`,
      { cause },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelFormatError(
      'bad-metadata',
      source,
      `__metadata__.${MODEL_METADATA_KEY} must hold a JSON object, got ${preview(raw)}`,
    );
  }
  const problem = checkJsonStructure(text);
  if (problem?.kind === 'duplicate-key') {
    throw new ModelFormatError(
      'bad-metadata',
      source,
      `deepbelief metadata has the key "${problem.key}" twice${problem.path ? ` in "${problem.path}"` : ''}: ambiguous, refusing to guess`,
    );
  }
  if (problem) {
    throw new ModelFormatError(
      'bad-metadata',
      source,
      `deepbelief metadata nests too deeply at "${problem.path}"`,
    );
  }
  const obj = raw as Record<string, unknown>;
  if (obj.format !== MODEL_FORMAT) {
    throw new ModelFormatError(
      'not-a-model',
      source,
      `format is ${preview(obj.format)}, expected "${MODEL_FORMAT}"`,
    );
  }
  const version = obj.formatVersion;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new ModelFormatError(
      'bad-metadata',
      source,
      `formatVersion must be a positive integer, got ${preview(version)}`,
    );
  }
  if (version > MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(
      'newer-format',
      source,
      `this file was written by a newer deepbelief (format version ${version}); this version reads up to ${MODEL_FORMAT_VERSION} — upgrade @deepbelief/model-format (and the model packages) to load it`,
    );
  }
  return validateWith(envelopeSchema, obj, '', source) as ModelEnvelope;
}

function checkExpectedKind(kind: string, expect: DecodeModelOptions['expectKind'], source: string) {
  if (expect === undefined) return;
  const kinds = typeof expect === 'string' ? [expect] : expect;
  if (!kinds.includes(kind)) {
    const wanted = kinds.map((k) => `"${k}"`).join(' or ');
    throw new ModelFormatError(
      'wrong-kind',
      source,
      `expected a ${wanted} model file, but this file holds a "${kind}"`,
    );
  }
}

/**
 * Parses and validates a deepbelief model file from bytes (browser-safe): the safetensors
 * layer (see `decodeSafetensors`), then the envelope — `format`, then `formatVersion`
 * (newer versions are refused with an upgrade message), then every field — and the kind.
 * Kind-specific checks (tensor shapes against the architecture) are the model package's job:
 * see {@link requireTensor} and {@link checkTensorNames}.
 *
 * @throws ModelFormatError naming the source and the field or tensor at fault.
 */
export function decodeModel(bytes: Uint8Array, options: DecodeModelOptions = {}): ModelFile {
  const source = options.source ?? '<bytes>';
  const { tensors, metadata } = decodeSafetensors(bytes, options);
  const text = metadata[MODEL_METADATA_KEY];
  if (text === undefined) {
    const keys = Object.keys(metadata);
    throw new ModelFormatError(
      'not-a-model',
      source,
      `not a deepbelief model file: the safetensors metadata has no "${MODEL_METADATA_KEY}" entry (${keys.length ? `keys: ${keys.map((k) => `"${k}"`).join(', ')}` : 'no metadata at all'})`,
    );
  }
  const envelope = parseEnvelope(text, source);
  checkExpectedKind(envelope.kind, options.expectKind, source);
  const extraMetadata = Object.fromEntries(
    Object.entries(metadata).filter(([key]) => key !== MODEL_METADATA_KEY),
  );
  return { ...envelope, source, tensors, extraMetadata };
}

/** Anything with tensors by name and a source for messages: a {@link ModelFile}, typically. */
export interface TensorSource {
  readonly source?: string;
  readonly tensors: Readonly<Record<string, NamedTensor>>;
  /** Prefix the names had in the file (set by {@link tensorsWithPrefix}), used in messages. */
  readonly namePrefix?: string;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Returns the data of tensor `name`, after checking it exists and has exactly `shape`.
 * Model packages call this for every tensor so shape errors read alike everywhere.
 *
 * @throws ModelFormatError `missing-tensor` (listing the tensors present) or `bad-shape`
 *   (naming the tensor, the expected and the actual shape).
 */
export function requireTensor(
  file: TensorSource,
  name: string,
  shape: readonly number[],
): Float32Array {
  const source = file.source ?? '<bytes>';
  const prefix = file.namePrefix ?? '';
  const tensor = Object.hasOwn(file.tensors, name) ? file.tensors[name] : undefined;
  if (!tensor) {
    const present = Object.keys(file.tensors).map((n) => `"${prefix}${n}"`);
    throw new ModelFormatError(
      'missing-tensor',
      source,
      `tensor "${prefix}${name}" (expected shape ${shapeText(shape)}) is missing; tensors present${prefix ? ` under "${prefix}"` : ''}: ${present.length ? present.slice(0, 10).join(', ') + (present.length > 10 ? ' …' : '') : 'none'}`,
    );
  }
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new ModelFormatError(
      'bad-shape',
      source,
      `tensor "${prefix}${name}" has shape ${shapeText(tensor.shape)}, but the model metadata implies ${shapeText(shape)}`,
    );
  }
  return tensor.data;
}

/**
 * Checks the file holds exactly the tensors `expected` (no more, no fewer), so a file for a
 * different architecture or with stray data is refused rather than half-loaded.
 *
 * @throws ModelFormatError `missing-tensor` or `unexpected-tensor`, listing the names.
 */
export function checkTensorNames(file: TensorSource, expected: Iterable<string>): void {
  const source = file.source ?? '<bytes>';
  const prefix = file.namePrefix ?? '';
  const want = new Set(expected);
  const have = Object.keys(file.tensors);
  const missing = [...want].filter((n) => !Object.hasOwn(file.tensors, n));
  const extra = have.filter((n) => !want.has(n));
  const list = (names: string[]) =>
    names
      .slice(0, 10)
      .map((n) => `"${prefix}${n}"`)
      .join(', ') + (names.length > 10 ? ` … (${names.length} in all)` : '');
  if (missing.length) {
    throw new ModelFormatError('missing-tensor', source, `missing tensor(s) ${list(missing)}`);
  }
  if (extra.length) {
    throw new ModelFormatError(
      'unexpected-tensor',
      source,
      `unexpected tensor(s) ${list(extra)} for this model (expected only ${list([...want])})`,
    );
  }
}

/** `{W, hiddenBias}` → `{'layers.0.W', 'layers.0.hiddenBias'}` for `prefix = 'layers.0.'`. */
export function prefixTensors(prefix: string, tensors: TensorMap): Record<string, NamedTensor> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [prefix + name, t]));
}

/** The tensors whose names start with `prefix`, with the prefix removed (inverse of {@link prefixTensors}). */
export function tensorsWithPrefix(file: TensorSource, prefix: string): TensorSource {
  return {
    source: file.source ?? '<bytes>',
    namePrefix: (file.namePrefix ?? '') + prefix,
    tensors: Object.fromEntries(
      Object.entries(file.tensors)
        .filter(([name]) => name.startsWith(prefix))
        .map(([name, t]) => [name.slice(prefix.length), t]),
    ),
  };
}
