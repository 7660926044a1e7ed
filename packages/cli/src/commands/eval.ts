import { SeededRandom } from '@deepbelief/core';
import { type Dataset, firstNonBinary } from '@deepbelief/datasets';
import {
  type ClassificationReport,
  type DBN,
  dbnLogLikelihoodBound,
  mapRows,
} from '@deepbelief/dbn';
import {
  annealedImportanceSampling,
  columnMeans,
  exactLogPartition,
  MAX_EXACT_UNITS,
  type RBM,
  toMatrixSource,
} from '@deepbelief/rbm';
import {
  type BackendFlags,
  type DataFlags,
  dataOptions,
  loadSplit,
  startBackend,
} from '../common.js';
import { binarizationOf, type DataSpec, parseDataSpec } from '../data.js';
import { UsageError } from '../errors.js';
import {
  evaluateClassifier,
  evaluateDbn,
  evaluateRbmReconstruction,
  evaluateReconstruction,
  meanNegativeFreeEnergy,
} from '../evaluate.js';
import { buildModel, disposeModel, effectiveKind, readModel, runInfoOf } from '../models.js';
import { formatDuration, formatMetric, type Terminal } from '../terminal.js';

/** Flags of `deepbelief eval`. */
export interface EvalFlags extends DataFlags, BackendFlags {
  readonly json?: boolean;
  readonly ais?: boolean;
  readonly aisRuns?: number;
  readonly aisBetas?: number;
  readonly exact?: boolean;
  /** Samples of the recognition posterior per image for a DBN's likelihood bound. */
  readonly boundSamples?: number;
  readonly seed?: number;
  /** Semantic-hashing models: write the precision–recall curves to this SVG file. */
  readonly plot?: string;
}

/**
 * The `--data` of a command on an existing model: the flag, else the data the model was
 * trained on (recorded in the file by `train`), else an error.
 */
export function dataSpecFor(
  flags: DataFlags,
  run: { data?: unknown } | undefined,
  command: string,
): DataSpec {
  if (flags.data !== undefined) return parseDataSpec(flags.data);
  if (typeof run?.data === 'string')
    return parseDataSpec(run.data, `the data recorded in the model (${run.data})`);
  throw new UsageError(`${command}: no data: pass --data (e.g. --data mnist)`);
}

/** Data options for a model: the flags, with `--binarize`/`--label-column` defaulting to the training run's. */
function evalDataOptions(flags: DataFlags, run: Record<string, unknown> | undefined) {
  return dataOptions({
    ...flags,
    binarize:
      flags.binarize ?? (flags.data === undefined ? binarizationOf(run?.binarize) : undefined),
    labelColumn:
      flags.labelColumn ??
      (flags.data === undefined &&
      (typeof run?.labelColumn === 'string' || typeof run?.labelColumn === 'number')
        ? run.labelColumn
        : undefined),
  });
}

function checkColumns(data: Dataset, expected: number, spec: DataSpec, path: string): void {
  if (data.cols !== expected) {
    throw new UsageError(
      `--data ${spec.text} has ${data.cols} columns, but the model in ${path} takes ${expected} inputs`,
    );
  }
}

/** `deepbelief eval FILE`: test error, reconstruction error and likelihoods of a model. */
export async function evalCommand(term: Terminal, path: string, flags: EvalFlags): Promise<void> {
  const read = await readModel(path);
  const run = runInfoOf(read.file) as Record<string, unknown> | undefined;
  const spec = dataSpecFor(flags, run, 'eval');
  const { kind, model: section } = effectiveKind(read.file);
  if (kind === 'autoencoder' && (section as { input?: unknown }).input === 'word-counts')
    return (await import('./search.js')).evalHashing(term, read, flags);
  if ((flags.ais || flags.exact) && kind !== 'rbm' && kind !== 'dbn') {
    throw new UsageError(
      `${flags.ais ? '--ais' : '--exact'}: likelihoods are computed for RBM and DBN files; ${path} holds a '${kind}'`,
    );
  }
  const { ops, name: backend } = await startBackend(term, flags);
  const model = buildModel(ops, read, ['rbm', 'dbn', 'classifier', 'autoencoder'], 'eval');
  const test = await loadSplit(term, spec, 'test', evalDataOptions(flags, run));
  const result: Record<string, unknown> = {
    file: path,
    kind: read.file.kind,
    data: spec.text,
    split: spec.kind === 'csv' || spec.kind === 'npy' ? 'all' : 'test',
    rows: test.rows,
    backend,
  };
  let report: ClassificationReport | undefined;
  const started = performance.now();
  switch (model.kind) {
    case 'dbn': {
      checkColumns(test, model.dbn.sizes[0]!, spec, path);
      if (flags.ais || flags.exact) {
        await evalDbnBound(term, model.dbn, test, spec, flags, result, run);
        break;
      }
      if (model.dbn.numLabels === 0) {
        throw new UsageError(`${path}: this DBN has no label units, so it cannot classify`);
      }
      report = evaluateDbn(model.dbn, test);
      break;
    }
    case 'classifier':
      checkColumns(test, model.net.inputSize, spec, path);
      report = evaluateClassifier(model.net, test);
      break;
    case 'autoencoder': {
      checkColumns(test, model.autoencoder.sizes[0]!, spec, path);
      const r = evaluateReconstruction(ops, (x) => model.autoencoder.reconstruct(x), test);
      result.reconstructionError = r.perImage;
      result.meanSquaredError = r.perPixel;
      break;
    }
    case 'rbm':
      checkColumns(test, model.rbm.numVisible, spec, path);
      await evalRbm(term, model.rbm, test, spec, flags, result, run);
      break;
  }
  if (report) {
    result.testError = report.error;
    result.correct = report.correct;
    result.total = report.total;
    result.confusion = report.confusion;
  }
  result.seconds = Math.round(((performance.now() - started) / 1000) * 1000) / 1000;
  disposeModel(model);
  if (flags.json) {
    term.result(JSON.stringify(result));
    return;
  }
  printResult(term, result, report);
}

async function evalRbm(
  term: Terminal,
  rbm: RBM,
  test: Dataset,
  spec: DataSpec,
  flags: EvalFlags,
  result: Record<string, unknown>,
  run: Record<string, unknown> | undefined,
): Promise<void> {
  const recon = evaluateRbmReconstruction(rbm, test);
  result.reconstructionError = recon.reconstructionError;
  if (!Number.isNaN(recon.crossEntropy)) result.crossEntropy = recon.crossEntropy;
  const binary =
    rbm.hiddenType === 'bernoulli' && rbm.segments.every((s) => s.type === 'bernoulli');
  if ((flags.ais || flags.exact) && !binary) {
    throw new UsageError(
      `${flags.ais ? '--ais' : '--exact'}: log-likelihoods are implemented for RBMs with Bernoulli visible and hidden units`,
    );
  }
  if (flags.ais || flags.exact) requireBinaryData(test, spec, flags, result, run);
  const negF = flags.ais || flags.exact ? meanNegativeFreeEnergy(rbm, test) : 0;
  if (flags.exact) {
    const smaller = Math.min(rbm.numVisible, rbm.numHidden);
    if (smaller > MAX_EXACT_UNITS) {
      throw new UsageError(
        `--exact: this RBM is ${rbm.numVisible}-${rbm.numHidden}; exact log Z enumerates every state of the smaller layer (2^${smaller}) and is limited to ${MAX_EXACT_UNITS} units. Use --ais instead`,
      );
    }
  }
  if (flags.ais) {
    const train = await loadSplit(
      term,
      spec,
      'train',
      evalDataOptions({ ...flags, limit: undefined }, run),
    );
    const ais = runAis(term, rbm, columnMeans(toMatrixSource(train)), flags, result);
    result.testLogLikelihood = negF - ais.logZ;
  }
  if (flags.exact) {
    const logZ = exactLogPartition(rbm);
    result.exactLogZ = logZ;
    if (flags.ais) result.aisTestLogLikelihood = result.testLogLikelihood;
    result.testLogLikelihood = negF - logZ;
  }
}

/** Stops unless the data is binary (likelihoods need it), and records the binarisation. */
function requireBinaryData(
  test: Dataset,
  spec: DataSpec,
  flags: EvalFlags,
  result: Record<string, unknown>,
  run: Record<string, unknown> | undefined,
): void {
  const at = firstNonBinary(test);
  if (at >= 0) {
    const value = test.features[at]! * test.scale;
    throw new UsageError(
      `${flags.ais ? '--ais' : '--exact'}: an RBM with Bernoulli visible units gives probabilities to binary vectors only, but --data ${spec.text} has ${+value.toPrecision(4)} at row ${Math.floor(at / test.cols)}, column ${at % test.cols}. ` +
        'Binarise it: --binarize stochastic (a fixed seeded draw, 1 with probability p, as the binarised MNIST of Salakhutdinov & Murray 2008) or --binarize threshold (at 0.5)',
    );
  }
  result.binarization =
    binarizationOf(flags.binarize ?? (flags.data === undefined ? run?.binarize : undefined)) ??
    'none (the data is 0/1 as given)';
}

/** AIS on `rbm` with a progress bar; records log Z and its spread in `result`. */
function runAis(
  term: Terminal,
  rbm: RBM,
  dataMeans: Float32Array,
  flags: EvalFlags,
  result: Record<string, unknown>,
) {
  const runs = flags.aisRuns;
  const betas = flags.aisBetas;
  const progress = term.progress();
  const started = performance.now();
  const ais = annealedImportanceSampling(rbm, {
    dataMeans,
    ...(runs !== undefined ? { runs } : {}),
    ...(betas !== undefined ? { betas } : {}),
    rng: new SeededRandom(flags.seed ?? 1),
    progressEvery: 100,
    onProgress: (fraction) =>
      progress.update({ label: 'AIS', value: Math.round(fraction * 1000), total: 1000 }),
  });
  progress.stop();
  term.info(
    term.err.dim(
      `AIS: ${ais.temperatures} temperatures × ${ais.runs} runs in ${formatDuration((performance.now() - started) / 1000)}`,
    ),
  );
  result.logZ = ais.logZ;
  result.logZStd = ais.logZStd;
  result.logZLow = ais.logZLow;
  result.logZHigh = ais.logZHigh;
  result.aisRuns = ais.runs;
  result.aisTemperatures = ais.temperatures;
  return ais;
}

/**
 * The variational lower bound on a DBN's test log-likelihood (Salakhutdinov & Murray 2008):
 * log Z of the top RBM by AIS (base rates from the training data's penultimate features) or
 * exactly, then `dbnLogLikelihoodBound` over the test rows in blocks of 1,000.
 */
async function evalDbnBound(
  term: Terminal,
  dbn: DBN,
  test: Dataset,
  spec: DataSpec,
  flags: EvalFlags,
  result: Record<string, unknown>,
  run: Record<string, unknown> | undefined,
): Promise<void> {
  const flag = flags.ais ? '--ais' : '--exact';
  if (dbn.numLabels > 0)
    throw new UsageError(
      `${flag}: the DBN likelihood bound is implemented for DBNs without label units; this one has ${dbn.numLabels}`,
    );
  requireBinaryData(test, spec, flags, result, run);
  const o = dbn.ops;
  const top = dbn.top;
  let logZ: number;
  if (flags.exact) {
    const smaller = Math.min(top.numVisible, top.numHidden);
    if (smaller > MAX_EXACT_UNITS)
      throw new UsageError(
        `--exact: the top RBM is ${top.numVisible}-${top.numHidden}; exact log Z enumerates every state of the smaller layer (2^${smaller}) and is limited to ${MAX_EXACT_UNITS} units. Use --ais instead`,
      );
    logZ = exactLogPartition(top);
    result.exactLogZ = logZ;
  } else {
    const train = await loadSplit(
      term,
      spec,
      'train',
      evalDataOptions({ ...flags, limit: undefined }, run),
    );
    const features = mapRows(o, toMatrixSource(train), dbn.penultimateSize, (v) => dbn.up(v));
    logZ = runAis(term, top, columnMeans(features), flags, result).logZ;
  }
  const rng = new SeededRandom((flags.seed ?? 1) + 1);
  const samples = flags.boundSamples ?? 100;
  const source = toMatrixSource(test);
  let total = 0;
  for (let start = 0; start < test.rows; start += 1000) {
    const n = Math.min(1000, test.rows - start);
    const x = new Float32Array(n * test.cols);
    source.readRows(
      Uint32Array.from({ length: n }, (_, i) => start + i),
      x,
    );
    const block = o.tidy(() =>
      dbnLogLikelihoodBound(dbn, o.fromArray(x, [n, test.cols]), { logZ, samples, rng }),
    );
    total += block.bound * n;
  }
  result.boundSamples = samples;
  result.testLogLikelihoodBound = total / test.rows;
}

function printResult(
  term: Terminal,
  result: Record<string, unknown>,
  report: ClassificationReport | undefined,
): void {
  const s = term.out;
  term.result(
    `${s.bold(String(result.file))} (${result.kind}) on ${result.rows} ${result.split} rows of ${result.data}`,
  );
  const num = (k: string) => result[k] as number;
  if (report) {
    term.result(
      `test error ${s.bold(`${(report.error * 100).toFixed(2)}%`)} (${report.total - report.correct} of ${report.total} wrong)`,
    );
    term.result(confusionTable(report.confusion));
  }
  if (result.reconstructionError !== undefined) {
    const unit =
      result.kind === 'autoencoder' ? 'squared error per image' : 'mean squared error per pixel';
    term.result(`reconstruction error ${formatMetric(num('reconstructionError'))} (${unit})`);
  }
  if (result.crossEntropy !== undefined) {
    term.result(`reconstruction cross-entropy ${formatMetric(num('crossEntropy'))} nats per image`);
  }
  if (result.logZ !== undefined) {
    term.result(
      `AIS log Z ${num('logZ').toFixed(3)} ± ${num('logZStd').toFixed(3)} (${num('aisRuns')} runs, ${num('aisTemperatures')} temperatures)`,
    );
  }
  if (result.exactLogZ !== undefined) term.result(`exact log Z ${num('exactLogZ').toFixed(3)}`);
  if (result.testLogLikelihood !== undefined) {
    const how = result.exactLogZ !== undefined ? 'exact' : 'AIS';
    term.result(
      `test log-likelihood ${s.bold(num('testLogLikelihood').toFixed(2))} nats per image (${how}; binarisation: ${String(result.binarization)})`,
    );
  }
  if (result.testLogLikelihoodBound !== undefined) {
    term.result(
      `test log-likelihood ≥ ${s.bold(num('testLogLikelihoodBound').toFixed(2))} nats per image (variational lower bound, ${num('boundSamples')} posterior samples per image, ${result.exactLogZ !== undefined ? 'exact' : 'AIS'} log Z of the top RBM; binarisation: ${String(result.binarization)})`,
    );
  }
  if (result.aisTestLogLikelihood !== undefined) {
    term.result(
      `AIS test log-likelihood ${num('aisTestLogLikelihood').toFixed(2)} nats per image (binarisation: ${String(result.binarization)})`,
    );
  }
}

/** A confusion matrix as an aligned text table (rows: true class, columns: predicted). */
export function confusionTable(confusion: readonly (readonly number[])[]): string {
  const width = Math.max(4, ...confusion.flat().map((v) => String(v).length + 1));
  const pad = (v: string | number) => String(v).padStart(width);
  const header = `${'true\\pred'.padEnd(10)}${confusion.map((_, j) => pad(j)).join('')}`;
  const lines = confusion.map(
    (row, i) => `${String(i).padEnd(10)}${row.map((v) => pad(v)).join('')}`,
  );
  return [header, ...lines].join('\n');
}
