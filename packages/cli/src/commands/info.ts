import { stat } from 'node:fs/promises';
import type { ModelFile } from '@deepbelief/model-format';
import { formatBytes } from '../common.js';
import { effectiveKind, readModel, runInfoOf } from '../models.js';
import { formatMetric, type Terminal } from '../terminal.js';

/** Flags of `deepbelief info`. */
export interface InfoFlags {
  readonly json?: boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A one-line architecture summary for each model kind, e.g. `784-500 (bernoulli → bernoulli)`. */
export function describeArchitecture(kind: string, model: Json): string {
  if (kind === 'rbm') {
    const visible = Array.isArray(model.visible) ? (model.visible as Json[]) : [];
    const groups = visible.map((g) => `${g.size} ${g.type}`).join(' + ');
    return `visible ${groups}; hidden ${model.hidden} ${model.hiddenType}${model.learnSigma ? '; learned σ' : ''}`;
  }
  if (kind === 'dbn' || kind === 'wake-sleep-dbn') {
    const sizes = Array.isArray(model.sizes) ? (model.sizes as number[]) : [];
    const labels = Number(model.labels ?? 0);
    const top =
      sizes.length >= 2
        ? `top RBM ${sizes.at(-2)}${labels ? ` + ${labels} softmax labels` : ''} ↔ ${sizes.at(-1)}`
        : '';
    return `layers ${sizes.join('-')} (${model.visibleType} data units); ${top}${kind === 'wake-sleep-dbn' ? '; untied generative weights' : ''}`;
  }
  if (kind === 'classifier') {
    const layers = Array.isArray(model.layers) ? (model.layers as Json[]) : [];
    const first = layers[0];
    return `feed-forward ${[first?.inputs, ...layers.map((l) => l.outputs)].join('-')} (${layers.map((l) => l.activation).join(', ')})`;
  }
  if (kind === 'autoencoder') {
    const sizes = Array.isArray(model.sizes) ? (model.sizes as number[]) : [];
    return `encoder ${sizes.join('-')} (linear ${sizes.at(-1)}-unit code), decoder ${[...sizes].reverse().join('-')}`;
  }
  return JSON.stringify(model);
}

/** Everything `info` reports, as plain JSON. */
export function modelInfo(path: string, file: ModelFile, bytes: number): Json {
  const { kind, model } = effectiveKind(file);
  const tensors = Object.entries(file.tensors).map(([name, t]) => ({ name, shape: [...t.shape] }));
  const parameters = Object.entries(file.tensors)
    .filter(([name]) => !name.startsWith('state.'))
    .reduce((n, [, t]) => n + t.data.length, 0);
  const hp = file.training?.hyperParameters;
  const { run: _run, ...hyperParameters } = hp ?? {};
  return {
    file: path,
    bytes,
    format: file.format,
    formatVersion: file.formatVersion,
    kind: file.kind,
    ...(file.kind === 'checkpoint' ? { checkpointOf: kind } : {}),
    createdAt: file.createdAt,
    packageVersions: file.packageVersions,
    architecture: describeArchitecture(kind, model as Json),
    model,
    parameters,
    tensors,
    ...(file.training
      ? {
          training: {
            hyperParameters,
            ...(runInfoOf(file) ? { run: runInfoOf(file) } : {}),
            history: file.training.history ?? [],
            ...(file.training.state ? { state: file.training.state } : {}),
          },
        }
      : {}),
  };
}

/** A compact one-line view of a hyper-parameter value. */
function brief(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

/** History records as an aligned table (one row per record, one column per field). */
export function historyTable(history: readonly unknown[]): string[] {
  const rows = history.filter(isObject);
  if (!rows.length) return [];
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'epochs');
  const cell = (v: unknown) =>
    typeof v === 'number'
      ? Number.isInteger(v)
        ? String(v)
        : formatMetric(v)
      : v === undefined
        ? ''
        : String(v);
  const cells = rows.map((r) =>
    keys.map((k) =>
      k === 'epoch' && typeof r[k] === 'number' ? String((r[k] as number) + 1) : cell(r[k]),
    ),
  );
  const widths = keys.map((k, j) => Math.max(k.length, ...cells.map((c) => c[j]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, j) => v.padEnd(widths[j]!))
      .join('  ')
      .trimEnd();
  return [line(keys), ...cells.map(line)];
}

/** `deepbelief info FILE`: a model file's architecture, unit types, training history and format. */
export async function infoCommand(term: Terminal, path: string, flags: InfoFlags): Promise<void> {
  const read = await readModel(path);
  const size = (await stat(path)).size;
  const info = modelInfo(path, read.file, size);
  if (flags.json) {
    term.result(JSON.stringify(info));
    return;
  }
  const s = term.out;
  const training = info.training as Json | undefined;
  term.result(`${s.bold(path)} (${formatBytes(size)})`);
  term.result(`  format        ${info.format} version ${info.formatVersion}`);
  term.result(
    `  kind          ${info.kind}${info.checkpointOf ? ` (of a ${info.checkpointOf})` : ''}`,
  );
  term.result(`  architecture  ${info.architecture}`);
  term.result(`  parameters    ${Number(info.parameters).toLocaleString('en-US')}`);
  term.result(`  created       ${info.createdAt}`);
  term.result(
    `  written by    ${Object.entries(info.packageVersions as Json)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  term.result(
    `  tensors       ${(info.tensors as { name: string; shape: number[] }[]).map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ')}`,
  );
  if (!training) {
    term.result('  training      (not recorded)');
    return;
  }
  const run = training.run as Json | undefined;
  if (run) {
    const parts = Object.entries(run)
      .filter(([k]) => k !== 'command')
      .map(([k, v]) => `${k} ${typeof v === 'number' && k === 'seconds' ? `${v} s` : String(v)}`);
    term.result(`  trained by    deepbelief ${run.command ?? ''}: ${parts.join(', ')}`);
  }
  const hp = training.hyperParameters as Json;
  for (const [key, value] of Object.entries(hp)) term.result(`  ${key.padEnd(13)} ${brief(value)}`);
  if (training.state) term.result(`  state         ${brief(training.state)}`);
  const table = historyTable(training.history as unknown[]);
  if (table.length) {
    term.result(s.bold('training history'));
    for (const line of table) term.result(`  ${line}`);
  }
}
