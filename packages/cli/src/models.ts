import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Ops } from '@deepbelief/core';
import {
  type DBN,
  type DeepAutoencoder,
  dbnFromFile,
  decodeAutoencoder,
  decodeClassifier,
  type FeedForwardNet,
} from '@deepbelief/dbn';
import { decodeModel, encodeModel, type ModelFile } from '@deepbelief/model-format';
import { readSafetensorsBytes, writeFileAtomic } from '@deepbelief/model-format/node';
import { type RBM, rbmFromTensors } from '@deepbelief/rbm';
import { UsageError } from './errors.js';

/** A model file read from disk: its bytes and its validated envelope and tensors. */
export interface ReadModel {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly file: ModelFile;
}

/** A model built on a backend from a file, by kind. */
export type LoadedModel =
  | { readonly kind: 'rbm'; readonly rbm: RBM }
  | { readonly kind: 'dbn'; readonly dbn: DBN }
  | { readonly kind: 'classifier'; readonly net: FeedForwardNet }
  | { readonly kind: 'autoencoder'; readonly autoencoder: DeepAutoencoder };

/** Reads and validates a deepbelief model file (errors name the path; exit code 2). */
export async function readModel(path: string): Promise<ReadModel> {
  const bytes = await readSafetensorsBytes(path);
  return { path, bytes, file: decodeModel(bytes, { source: path }) };
}

/** The file's model with a checkpoint unwrapped: `{kind: 'rbm'|'dbn', model}` for checkpoints. */
export function effectiveKind(file: ModelFile): { kind: string; model: ModelFile['model'] } {
  if (file.kind === 'checkpoint') {
    const of = String(file.model.of);
    const inner = file.model[of];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      return { kind: of, model: inner as ModelFile['model'] };
    }
  }
  return { kind: file.kind, model: file.model };
}

/**
 * Builds the model a file holds on `ops`: `rbm` (and RBM checkpoints), `dbn` /
 * `wake-sleep-dbn` (and DBN checkpoints), `classifier` or `autoencoder`.
 *
 * @throws {UsageError} for another kind, or one not in `accept` (the message says which
 * kinds the command takes).
 */
export function buildModel(
  ops: Ops,
  read: ReadModel,
  accept: readonly LoadedModel['kind'][],
  command: string,
): LoadedModel {
  const { file, bytes, path } = read;
  const { kind, model } = effectiveKind(file);
  const family =
    kind === 'rbm'
      ? 'rbm'
      : kind === 'dbn' || kind === 'wake-sleep-dbn'
        ? 'dbn'
        : kind === 'classifier' || kind === 'autoencoder'
          ? kind
          : undefined;
  if (!family || !accept.includes(family)) {
    const label = file.kind === 'checkpoint' ? `a checkpoint of a '${kind}'` : `a '${kind}' model`;
    throw new UsageError(
      `${path}: ${command} takes ${accept.map((k) => (k === 'dbn' ? 'dbn/wake-sleep-dbn' : k)).join(', ')} files; this is ${label}`,
    );
  }
  switch (family) {
    case 'rbm':
      return { kind: 'rbm', rbm: rbmFromTensors(ops, file, model) };
    case 'dbn':
      return {
        kind: 'dbn',
        dbn: dbnFromFile(ops, {
          ...file,
          kind: file.kind === 'checkpoint' ? 'dbn' : file.kind,
          model,
        }),
      };
    case 'classifier':
      return { kind: 'classifier', net: decodeClassifier(ops, bytes, path).net };
    case 'autoencoder':
      return { kind: 'autoencoder', autoencoder: decodeAutoencoder(ops, bytes, path).autoencoder };
  }
}

/** Number of inputs (visible units) a loaded model takes. */
export function modelInputs(model: LoadedModel): number {
  switch (model.kind) {
    case 'rbm':
      return model.rbm.numVisible;
    case 'dbn':
      return model.dbn.sizes[0]!;
    case 'classifier':
      return model.net.inputSize;
    case 'autoencoder':
      return model.autoencoder.sizes[0]!;
  }
}

/** Frees a loaded model's tensors. */
export function disposeModel(model: LoadedModel): void {
  if (model.kind === 'rbm') model.rbm.dispose();
  else if (model.kind === 'dbn') model.dbn.dispose();
  else if (model.kind === 'classifier') model.net.dispose();
  else model.autoencoder.dispose();
}

/** What a `train` or `finetune` run records beside the hyper-parameters in the file. */
export interface RunInfo {
  readonly command: string;
  readonly data: string;
  readonly limit?: number;
  readonly binarize?: boolean | 'threshold' | 'stochastic';
  readonly labelColumn?: string | number;
  readonly seed: number;
  readonly backend: string;
  readonly seconds: number;
  readonly [key: string]: unknown;
}

/**
 * Rewrites model bytes with `run` stored as `training.hyperParameters.run` (the envelope's
 * free-form training object), so that `info` can show how the model was made and `eval` can
 * default to the same data. Optionally changes the kind, the model section and the training
 * state (used to wrap a DBN as a checkpoint).
 */
export function withRunInfo(
  bytes: Uint8Array,
  run: RunInfo,
  change: { kind?: string; model?: object; state?: object } = {},
): Uint8Array {
  const file = decodeModel(bytes);
  const training = file.training ?? { hyperParameters: {} };
  return encodeModel({
    kind: change.kind ?? file.kind,
    model: change.model ?? file.model,
    tensors: file.tensors,
    training: {
      hyperParameters: { ...training.hyperParameters, run: stripUndefined(run) },
      ...(training.history ? { history: training.history } : {}),
      ...(change.state ? { state: change.state } : training.state ? { state: training.state } : {}),
    },
    packageVersions: file.packageVersions,
  });
}

function stripUndefined(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The run record a file's training section holds (see {@link withRunInfo}), if any. */
export function runInfoOf(file: ModelFile): Partial<RunInfo> | undefined {
  const run = file.training?.hyperParameters?.run;
  return typeof run === 'object' && run !== null && !Array.isArray(run)
    ? (run as Partial<RunInfo>)
    : undefined;
}

/**
 * A copy of training records that JSON can hold: non-finite numbers (a validation loss of
 * NaN when nothing was held out) become `null`.
 */
export function jsonSafe<T>(records: readonly T[]): T[] {
  return JSON.parse(
    JSON.stringify(records, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
  ) as T[];
}

/** Writes bytes atomically, creating the parent directory if needed. */
export async function saveBytes(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, bytes);
}
