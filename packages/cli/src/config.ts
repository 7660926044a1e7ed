import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fineTuneOptionsSchema } from '@deepbelief/dbn';
import { type ResolvedTrainOptions, trainOptionsSchema } from '@deepbelief/rbm';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';

const int = (min: number) => z.int().min(min);

/**
 * A library's options schema as config-file fields: the same names and checks, every field
 * optional and without its default (so that a config file layers over presets and under
 * flags), minus `omit`, with `overrides`. Derived, not copied: an option added to the
 * library is accepted in config files at once.
 */
function configFields<T extends object>(
  schema: z.ZodObject,
  omit: readonly string[],
  overrides: Readonly<Record<string, z.ZodType>> = {},
): ConfigObject<T> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (omit.includes(key)) continue;
    let f: z.ZodType = overrides[key] ?? field;
    while (f instanceof z.ZodDefault || f instanceof z.ZodOptional) f = f.unwrap() as z.ZodType;
    shape[key] = f.optional();
  }
  return z.strictObject(shape) as unknown as ConfigObject<T>;
}

/** The static type of {@link configFields}' result: every field of `T`, optional. */
type ConfigObject<T> = z.ZodObject<
  { [K in keyof T]-?: z.ZodOptional<z.ZodType<NonNullable<T[K]>>> },
  z.core.$strict
>;

/**
 * RBM training options in a config file: `@deepbelief/rbm`'s `trainOptionsSchema` (a constant
 * learning rate only: a file cannot hold a schedule function; `layerName` is set by the
 * command).
 */
export const rbmTrainingSchema = configFields<RbmTrainingConfig>(
  trainOptionsSchema,
  ['layerName'],
  {
    learningRate: z.number().positive().finite(),
  },
);
/** {@link rbmTrainingSchema}'s type. */
export type RbmTrainingConfig = Partial<
  Omit<ResolvedTrainOptions, 'layerName' | 'learningRate'>
> & {
  readonly learningRate?: number;
};

/** Back-propagation options in a config file: `@deepbelief/dbn`'s `fineTuneOptionsSchema` (epochs 0 skips it). */
export const fineTuneSchema = configFields<FineTuneConfig>(fineTuneOptionsSchema, [], {
  epochs: int(0),
});
/** {@link fineTuneSchema}'s type. */
export type FineTuneConfig = Partial<z.output<typeof fineTuneOptionsSchema>>;

/** Settings every `train` config file may hold (the same as the common flags). */
const commonFields = {
  /** JSON Schema reference for editors; ignored. */
  $schema: z.string().optional(),
  data: z.string().min(1).optional(),
  limit: int(1).optional(),
  labelColumn: z
    .union([z.string().min(1), z.int()], { error: 'expected a column name or index' })
    .optional(),
  binarize: z.union([z.boolean(), z.enum(['threshold', 'stochastic'])]).optional(),
  download: z.boolean().optional(),
  seed: z.int().optional(),
  backend: z.string().min(1).optional(),
  threads: int(1).optional(),
  out: z.string().min(1).optional(),
};

const layerTrainingSchema = z.union([rbmTrainingSchema, z.array(rbmTrainingSchema).min(1)], {
  error: 'expected training options (an object) or one object per layer (a list)',
});

/** Config file of `deepbelief train rbm`. */
export const rbmConfigSchema = z.strictObject({
  ...commonFields,
  model: z.literal('rbm').optional(),
  hidden: int(1).optional(),
  visibleType: z.enum(['bernoulli', 'gaussian']).optional(),
  learnSigma: z.boolean().optional(),
  training: rbmTrainingSchema.optional(),
  checkpoint: z.string().min(1).optional(),
  checkpointEvery: int(1).optional(),
});
/** {@link rbmConfigSchema}'s type. */
export type RbmConfig = z.output<typeof rbmConfigSchema>;

/** Config file of `deepbelief train dbn`. */
export const dbnConfigSchema = z.strictObject({
  ...commonFields,
  model: z.literal('dbn').optional(),
  preset: z.enum(['small', 'hinton2006']).optional(),
  sizes: z.array(int(1)).min(2).optional(),
  labels: int(0).optional(),
  visibleType: z.enum(['bernoulli', 'gaussian']).optional(),
  propagate: z.enum(['probabilities', 'samples']).optional(),
  pretrain: layerTrainingSchema.optional(),
  checkpoint: z.string().min(1).optional(),
});
/** {@link dbnConfigSchema}'s type. */
export type DbnConfig = z.output<typeof dbnConfigSchema>;

/** Config file of `deepbelief train autoencoder`. */
export const autoencoderConfigSchema = z.strictObject({
  ...commonFields,
  model: z.literal('autoencoder').optional(),
  preset: z.enum(['autoencoder2006', 'semantic-hashing']).optional(),
  sizes: z.array(int(1)).min(2).optional(),
  pretrain: layerTrainingSchema.optional(),
  fineTune: fineTuneSchema.optional(),
});
/** {@link autoencoderConfigSchema}'s type. */
export type AutoencoderConfig = z.output<typeof autoencoderConfigSchema>;

/** Config schemas by model, as `train <model> --config FILE` reads them. */
export const configSchemas = {
  rbm: rbmConfigSchema,
  dbn: dbnConfigSchema,
  autoencoder: autoencoderConfigSchema,
} as const;

/** A model `train` can make from a config file. */
export type ConfigModel = keyof typeof configSchemas;

/** JSON Schema of a config file (for editors and `deepbelief schema`). */
export function configJsonSchema(model: ConfigModel): object {
  return z.toJSONSchema(configSchemas[model]);
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest of `candidates` to `word`, if it is close enough to be a typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Keys the object schema at `path` accepts (for typo hints). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: unknown = schema;
  for (const key of path) {
    if (s instanceof z.ZodOptional) s = s.unwrap();
    if (s instanceof z.ZodUnion) s = s.options.find((o: unknown) => o instanceof z.ZodObject);
    if (s instanceof z.ZodArray && typeof key === 'number') s = s.element;
    else if (s instanceof z.ZodObject) s = (s.shape as Record<string, unknown>)[String(key)];
    else return [];
  }
  if (s instanceof z.ZodOptional) s = s.unwrap();
  if (s instanceof z.ZodUnion) s = s.options.find((o: unknown) => o instanceof z.ZodObject);
  if (s instanceof z.ZodArray) s = s.element;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/**
 * One line per zod issue (at most 5), each naming the field by its path, e.g.
 * `training.learningRate: Too small: expected number to be >0 (got -1)` or
 * `unknown field 'hiden' (did you mean 'hidden'?)`.
 */
export function formatConfigIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, 5).map((issue) => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path);
      return issue.keys
        .map((k) => {
          const hint = suggest(k, known);
          const where = field ? `${field}.${k}` : k;
          return `unknown field '${where}'${hint ? ` (did you mean '${hint}'?)` : ''}`;
        })
        .join('; ');
    }
    const got =
      'input' in issue && issue.input !== undefined ? ` (got ${preview(issue.input)})` : '';
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return `${field || '(top level)'}: missing (expected ${issue.expected})`;
    }
    return `${field || '(top level)'}: ${issue.message}${got}`;
  });
  if (issues.length > 5) lines.push(`… and ${issues.length - 5} more`);
  return lines.join('; ');
}

/** Parses JSON or YAML text (by extension; YAML otherwise, a superset of JSON). */
export function parseConfigText(text: string, path: string): unknown {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${path}: not valid JSON: ${(error as Error).message}`);
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0];
      const at = where ? ` at line ${where.line}, column ${where.col}` : '';
      const first = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new UsageError(`${path}: not valid YAML${at}: ${first}`);
    }
    throw error;
  }
}

/**
 * Reads and validates a `train` config file (JSON, or YAML for `.yaml`/`.yml`/anything else).
 *
 * @throws {UsageError} naming the file and each bad field, or when the file's `model` is not
 * the one being trained.
 */
export async function loadConfig<M extends ConfigModel>(
  path: string,
  model: M,
): Promise<z.output<(typeof configSchemas)[M]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--config: cannot read '${path}'${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`,
    );
  }
  const raw = parseConfigText(text, path) ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${path}: a config file must hold an object (key: value pairs)`);
  }
  const declared = (raw as Record<string, unknown>).model;
  if (declared !== undefined && declared !== model) {
    throw new UsageError(
      `${path}: model: this file configures '${String(declared)}', but the command is 'train ${model}'`,
    );
  }
  const schema = configSchemas[model];
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new UsageError(
      `${path}: invalid config: ${formatConfigIssues(schema, result.error.issues)}`,
    );
  }
  return result.data as z.output<(typeof configSchemas)[M]>;
}
