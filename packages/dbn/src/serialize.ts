import { DeepBeliefError, type Ops, SeededRandom } from '@deepbelief/core';
import {
  decodeModel,
  encodeModel,
  type ModelFile,
  requireTensor,
  validateWith,
} from '@deepbelief/model-format';
import { rbmFromTensors, rbmModelSection, rbmTensors } from '@deepbelief/rbm';
import { z } from 'zod';
import { DeepAutoencoder } from './autoencoder.js';
import { DBN } from './dbn.js';
import { type DenseLayer, FeedForwardNet } from './feedforward.js';
import { DBN_PACKAGE_VERSION } from './version.js';

const dbnModelSchema = z.strictObject({
  sizes: z.array(z.number().int().min(1)).min(2),
  labels: z.number().int().min(0),
  visibleType: z.enum(['bernoulli', 'gaussian']),
  layers: z.array(z.unknown()).min(1),
});

const netModelSchema = z.strictObject({
  layers: z
    .array(
      z.strictObject({
        inputs: z.number().int().min(1),
        outputs: z.number().int().min(1),
        activation: z.enum(['sigmoid', 'linear', 'softmax']),
      }),
    )
    .min(1),
});

type TensorEntries = Record<string, { shape: readonly number[]; data: Float32Array }>;

/** Training record to store beside a model (hyper-parameters and per-epoch history). */
export interface TrainingNote {
  readonly hyperParameters: object;
  readonly history?: readonly unknown[];
}

/** A model's kind, architecture and tensors: what `encodeModel` stores, and checkpoints reuse. */
export interface ModelParts {
  readonly kind: string;
  readonly model: Record<string, unknown>;
  readonly tensors: TensorEntries;
}

/**
 * A DBN's parts: kind `dbn`, or `wake-sleep-dbn` once its generative weights are untied.
 * Tensors: `layers.<i>.W|visibleBias|hiddenBias` per RBM (the top RBM's W includes its label
 * rows), and `layers.<i>.generative.W|bias` for untied layers.
 */
export function dbnModelInput(dbn: DBN): ModelParts {
  const o = dbn.ops;
  const tensors: TensorEntries = {};
  for (const [i, rbm] of dbn.layers.entries())
    Object.assign(tensors, rbmTensors(rbm, `layers.${i}.`));
  dbn.generative?.forEach((g, i) => {
    tensors[`layers.${i}.generative.W`] = { shape: [...g.W.shape], data: o.read(g.W) };
    tensors[`layers.${i}.generative.bias`] = { shape: [...g.b.shape], data: o.read(g.b) };
  });
  return {
    kind: dbn.generative ? 'wake-sleep-dbn' : 'dbn',
    model: {
      sizes: [...dbn.sizes],
      labels: dbn.numLabels,
      visibleType: dbn.layers[0]!.segments[0]!.type === 'gaussian' ? 'gaussian' : 'bernoulli',
      layers: dbn.layers.map(rbmModelSection),
    },
    tensors,
  };
}

/** Encodes a DBN (see {@link dbnModelInput} for the kind and the tensor names). */
export function encodeDBN(dbn: DBN, training?: TrainingNote): Uint8Array {
  return encodeModel({
    ...dbnModelInput(dbn),
    ...(training ? { training } : {}),
    packageVersions: { '@deepbelief/dbn': DBN_PACKAGE_VERSION },
  });
}

/** Decodes a `dbn` or `wake-sleep-dbn` file, validating the architecture and every shape. */
export function decodeDBN(
  ops: Ops,
  bytes: Uint8Array,
  source = '<bytes>',
): { dbn: DBN; file: ModelFile } {
  const file = decodeModel(bytes, { source, expectKind: ['dbn', 'wake-sleep-dbn'] });
  return { dbn: dbnFromFile(ops, file), file };
}

/** Builds a DBN from an already decoded file. */
export function dbnFromFile(ops: Ops, file: ModelFile): DBN {
  const m = validateWith(dbnModelSchema, file.model, 'model', file.source);
  if (m.layers.length !== m.sizes.length - 1) {
    throw new DeepBeliefError(
      `${file.source}: model.layers has ${m.layers.length} entries for ${m.sizes.length} sizes`,
    );
  }
  const dbn = new DBN(
    ops,
    { sizes: m.sizes, labels: m.labels, visibleType: m.visibleType },
    new SeededRandom(0),
  );
  dbn.layers.forEach((rbm, i) => {
    const loaded = rbmFromTensors(ops, file, m.layers[i], `layers.${i}.`, `model.layers.${i}`);
    if (loaded.numVisible !== rbm.numVisible || loaded.numHidden !== rbm.numHidden) {
      throw new DeepBeliefError(
        `${file.source}: model.layers.${i} is ${loaded.numVisible}×${loaded.numHidden}, the sizes say ${rbm.numVisible}×${rbm.numHidden}`,
      );
    }
    rbm.setParameters(loaded.getParameters());
    loaded.dispose();
  });
  if (file.kind === 'wake-sleep-dbn') {
    dbn.generative = dbn.layers.slice(0, -1).map((rbm, i) => ({
      W: ops.keep(
        ops.tensor(
          requireTensor(file, `layers.${i}.generative.W`, [rbm.numVisible, rbm.numHidden]),
          [rbm.numVisible, rbm.numHidden],
        ),
      ),
      b: ops.keep(
        ops.tensor(requireTensor(file, `layers.${i}.generative.bias`, [1, rbm.numVisible]), [
          1,
          rbm.numVisible,
        ]),
      ),
    }));
  }
  return dbn;
}

function netTensors(net: FeedForwardNet, prefix: string): TensorEntries {
  const o = net.ops;
  const out: TensorEntries = {};
  net.layers.forEach((l, i) => {
    out[`${prefix}${i}.W`] = { shape: [...l.W.shape], data: o.read(l.W) };
    out[`${prefix}${i}.bias`] = { shape: [...l.b.shape], data: o.read(l.b) };
  });
  return out;
}

function netFromFile(ops: Ops, file: ModelFile, model: unknown, prefix: string): FeedForwardNet {
  const m = validateWith(netModelSchema, model, 'model', file.source);
  const layers: DenseLayer[] = m.layers.map((l, i) => ({
    W: ops.tensor(requireTensor(file, `${prefix}${i}.W`, [l.inputs, l.outputs]), [
      l.inputs,
      l.outputs,
    ]),
    b: ops.tensor(requireTensor(file, `${prefix}${i}.bias`, [1, l.outputs]), [1, l.outputs]),
    activation: l.activation,
  }));
  return new FeedForwardNet(ops, layers);
}

const netModel = (net: FeedForwardNet) => ({
  layers: net.layers.map((l) => ({
    inputs: l.W.rows,
    outputs: l.W.cols,
    activation: l.activation,
  })),
});

/** A classifier's parts: kind `classifier`, tensors `layers.<i>.W|bias`. */
export function classifierModelInput(net: FeedForwardNet): ModelParts {
  return { kind: 'classifier', model: netModel(net), tensors: netTensors(net, 'layers.') };
}

/** Encodes a fine-tuned feed-forward classifier (kind `classifier`; tensors `layers.<i>.W|bias`). */
export function encodeClassifier(net: FeedForwardNet, training?: TrainingNote): Uint8Array {
  return encodeModel({
    ...classifierModelInput(net),
    ...(training ? { training } : {}),
    packageVersions: { '@deepbelief/dbn': DBN_PACKAGE_VERSION },
  });
}

/** Builds a classifier from an already decoded file (or a checkpoint's model section). */
export function classifierFromFile(ops: Ops, file: ModelFile): FeedForwardNet {
  return netFromFile(ops, file, file.model, 'layers.');
}

export function decodeClassifier(
  ops: Ops,
  bytes: Uint8Array,
  source = '<bytes>',
): { net: FeedForwardNet; file: ModelFile } {
  const file = decodeModel(bytes, { source, expectKind: 'classifier' });
  return { net: classifierFromFile(ops, file), file };
}

/**
 * A deep autoencoder's parts (kind `autoencoder`): once unrolled, the network as
 * `encoder.<i>` and `decoder.<i>` tensors (`W`, `bias`) with the encoder sizes; before (a
 * stack being pre-trained), its RBMs as `rbms.<i>.*`.
 */
export function autoencoderModelInput(ae: DeepAutoencoder): ModelParts {
  if (!ae.net) {
    const tensors: TensorEntries = {};
    for (const [i, rbm] of ae.rbms.entries()) Object.assign(tensors, rbmTensors(rbm, `rbms.${i}.`));
    return {
      kind: 'autoencoder',
      model: {
        sizes: [...ae.sizes],
        ...ae.kind,
        ...(ae.vocabulary ? { vocabulary: [...ae.vocabulary] } : {}),
        rbms: ae.rbms.map(rbmModelSection),
      },
      tensors,
    };
  }
  const net = ae.net;
  const L = ae.rbms.length;
  const enc = new FeedForwardNet(net.ops, net.layers.slice(0, L));
  const dec = new FeedForwardNet(net.ops, net.layers.slice(L));
  return {
    kind: 'autoencoder',
    model: {
      sizes: [...ae.sizes],
      ...ae.kind,
      ...(ae.vocabulary ? { vocabulary: [...ae.vocabulary] } : {}),
      encoder: netModel(enc),
      decoder: netModel(dec),
    },
    tensors: { ...netTensors(enc, 'encoder.'), ...netTensors(dec, 'decoder.') },
  };
}

/** Encodes a deep autoencoder, unrolled (see {@link autoencoderModelInput}). */
export function encodeAutoencoder(ae: DeepAutoencoder, training?: TrainingNote): Uint8Array {
  if (!ae.net) ae.unroll();
  return encodeModel({
    ...autoencoderModelInput(ae),
    ...(training ? { training } : {}),
    packageVersions: { '@deepbelief/dbn': DBN_PACKAGE_VERSION },
  });
}

/** Builds a deep autoencoder from an already decoded file (or a checkpoint's model section). */
export function autoencoderFromFile(ops: Ops, file: ModelFile): DeepAutoencoder {
  const source = file.source;
  const m = validateWith(
    z.looseObject({
      sizes: z.array(z.number().int().min(1)).min(2),
      input: z.enum(['binary', 'word-counts']).optional(),
      code: z.enum(['linear', 'binary']).optional(),
      vocabulary: z.array(z.string()).optional(),
      encoder: z.unknown().optional(),
      decoder: z.unknown().optional(),
      rbms: z.array(z.unknown()).optional(),
    }),
    file.model,
    'model',
    source,
  );
  const ae = new DeepAutoencoder(ops, m.sizes, new SeededRandom(0), {
    ...(m.input ? { input: m.input } : {}),
    ...(m.code ? { code: m.code } : {}),
  });
  if (m.vocabulary) {
    if (m.vocabulary.length !== m.sizes[0]) {
      ae.dispose();
      throw new DeepBeliefError(
        `${source}: model.vocabulary has ${m.vocabulary.length} words for ${m.sizes[0]} inputs`,
      );
    }
    ae.vocabulary = m.vocabulary;
  }
  if (m.rbms) {
    if (m.rbms.length !== ae.rbms.length) {
      ae.dispose();
      throw new DeepBeliefError(
        `${source}: model.rbms has ${m.rbms.length} entries for sizes [${m.sizes.join(', ')}]`,
      );
    }
    ae.rbms.forEach((rbm, i) => {
      const loaded = rbmFromTensors(ops, file, m.rbms![i], `rbms.${i}.`, `model.rbms.${i}`);
      rbm.setParameters(loaded.getParameters());
      loaded.dispose();
    });
    return ae;
  }
  const enc = netFromFile(ops, file, m.encoder, 'encoder.');
  const dec = netFromFile(ops, file, m.decoder, 'decoder.');
  if (enc.layers.length !== ae.rbms.length || dec.layers.length !== ae.rbms.length) {
    throw new DeepBeliefError(
      `${source}: the encoder and decoder need ${ae.rbms.length} layers each for sizes [${m.sizes.join(', ')}]`,
    );
  }
  ae.net = new FeedForwardNet(ops, [...enc.layers, ...dec.layers]);
  return ae;
}

export function decodeAutoencoder(
  ops: Ops,
  bytes: Uint8Array,
  source = '<bytes>',
): { autoencoder: DeepAutoencoder; file: ModelFile } {
  const file = decodeModel(bytes, { source, expectKind: 'autoencoder' });
  return { autoencoder: autoencoderFromFile(ops, file), file };
}
