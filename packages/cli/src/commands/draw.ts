import type { Ops, Tensor } from '@deepbelief/core';
import {
  type BackendFlags,
  type DataFlags,
  dataOptions,
  loadSplit,
  startBackend,
} from '../common.js';
import { binarizationOf, imageShapeFor } from '../data.js';
import { UsageError } from '../errors.js';
import { firstRows } from '../evaluate.js';
import {
  buildModel,
  disposeModel,
  type LoadedModel,
  modelInputs,
  readModel,
  runInfoOf,
} from '../models.js';
import { imageGrid, writePng } from '../png.js';
import type { Terminal } from '../terminal.js';
import { dataSpecFor } from './eval.js';

/** Flags of `deepbelief draw filters` and `draw reconstructions`. */
export interface DrawFlags extends DataFlags, BackendFlags {
  readonly out: string;
  readonly count?: number;
  readonly columns?: number;
  readonly shape?: [number, number];
  readonly zoom?: number;
}

/** The first-layer weights `[inputs, units]` of any model file kind. */
export function firstLayerWeights(model: LoadedModel): Tensor {
  switch (model.kind) {
    case 'rbm':
      return model.rbm.W;
    case 'dbn':
      return model.dbn.layers[0]!.W;
    case 'classifier':
      return model.net.layers[0]!.W;
    case 'autoencoder':
      return (model.autoencoder.net ?? model.autoencoder.unroll()).layers[0]!.W;
  }
}

/** The weights into each of the first `count` units, one filter (a column of W) after another. */
export function filterValues(ops: Ops, W: Tensor, count: number): Float32Array {
  const [inputs, units] = W.shape as [number, number];
  const n = Math.min(count, units);
  const w = ops.read(W);
  const out = new Float32Array(n * inputs);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < inputs; i++) out[j * inputs + i] = w[i * units + j]!;
  return out;
}

/** `deepbelief draw filters FILE`: first-layer weights as a PNG grid, each normalised to [0, 255]. */
export async function drawFilters(term: Terminal, path: string, flags: DrawFlags): Promise<void> {
  const read = await readModel(path);
  const { ops } = await startBackend(term, flags);
  const model = buildModel(ops, read, ['rbm', 'dbn', 'classifier', 'autoencoder'], 'draw filters');
  const W = firstLayerWeights(model);
  const [inputs, units] = W.shape as [number, number];
  const count = Math.min(flags.count ?? 100, units);
  const values = filterValues(ops, W, count);
  const image = imageGrid(values, count, {
    tileShape: imageShapeFor(inputs, flags.shape),
    normalize: 'per-tile',
    zoom: flags.zoom ?? 1,
    ...(flags.columns !== undefined ? { columns: flags.columns } : {}),
  });
  await writePng(flags.out, image);
  disposeModel(model);
  term.result(
    `wrote ${flags.out} (${image.width}×${image.height}): the first ${count} of ${units} first-layer filters, each scaled to its own range`,
  );
}

function reconstructor(model: LoadedModel, path: string): (x: Tensor) => Tensor {
  switch (model.kind) {
    case 'rbm':
      return (x) => model.rbm.reconstruct(x);
    case 'dbn':
      return (x) => model.dbn.down(model.dbn.up(x));
    case 'autoencoder':
      return (x) => model.autoencoder.reconstruct(x);
    case 'classifier':
      throw new UsageError(
        `${path}: a classifier cannot reconstruct its input; give an rbm, dbn or autoencoder file`,
      );
  }
}

/**
 * `deepbelief draw reconstructions FILE`: test images and their reconstructions side by side
 * (input, reconstruction, input, reconstruction, … in each row).
 */
export async function drawReconstructions(
  term: Terminal,
  path: string,
  flags: DrawFlags,
): Promise<void> {
  const read = await readModel(path);
  const spec = dataSpecFor(flags, runInfoOf(read.file), 'draw reconstructions');
  const { ops } = await startBackend(term, flags);
  const model = buildModel(
    ops,
    read,
    ['rbm', 'dbn', 'autoencoder', 'classifier'],
    'draw reconstructions',
  );
  const reconstruct = reconstructor(model, path);
  const count = flags.count ?? 20;
  const run = runInfoOf(read.file);
  const data = await loadSplit(
    term,
    spec,
    'test',
    dataOptions({
      ...flags,
      limit: count,
      binarize:
        flags.binarize ?? (flags.data === undefined ? binarizationOf(run?.binarize) : undefined),
    }),
  );
  const inputs = firstRows(data, count);
  const n = inputs.length / data.cols;
  if (data.cols !== modelInputs(model)) {
    throw new UsageError(
      `--data ${spec.text} has ${data.cols} columns, but the model in ${path} takes ${modelInputs(model)} inputs`,
    );
  }
  const recon = ops.tidy(() => ops.read(reconstruct(ops.tensor(inputs, [n, data.cols]))));
  const values = new Float32Array(2 * n * data.cols);
  for (let i = 0; i < n; i++) {
    values.set(inputs.subarray(i * data.cols, (i + 1) * data.cols), 2 * i * data.cols);
    values.set(recon.subarray(i * data.cols, (i + 1) * data.cols), (2 * i + 1) * data.cols);
  }
  const pairsPerRow = flags.columns ?? 10;
  const image = imageGrid(values, 2 * n, {
    tileShape: imageShapeFor(data.cols, flags.shape, data.imageShape),
    columns: 2 * pairsPerRow,
    normalize: 'unit',
    zoom: flags.zoom ?? 1,
  });
  await writePng(flags.out, image);
  disposeModel(model);
  term.result(
    `wrote ${flags.out} (${image.width}×${image.height}): ${n} test images of ${spec.text}, each followed by its reconstruction`,
  );
}
