import { readFileSync } from 'node:fs';
import { DeepBeliefError, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FIXED_TIME, rbmBytes, rbmInput } from './__fixtures__/craft.js';
import { ModelFormatError } from './errors.js';
import {
  checkTensorNames,
  decodeModel,
  encodeModel,
  MODEL_FORMAT_VERSION,
  type ModelInput,
  prefixTensors,
  randomStateSchema,
  requireTensor,
  tensorsWithPrefix,
  validateWith,
} from './model.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';
import { MODEL_FORMAT_PACKAGE_VERSION } from './version.js';

function mat(rows: number, cols: number, seed: number): NamedTensor {
  const rng = new SeededRandom(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() - 0.5;
  return { shape: [rows, cols], data };
}

function roundTrip(input: ModelInput) {
  const file = decodeModel(encodeModel(input, { createdAt: FIXED_TIME }), {
    source: 'x.safetensors',
    expectKind: input.kind,
  });
  expect(file.kind).toBe(input.kind);
  expect(file.model).toEqual(input.model);
  expect(file.training).toEqual(input.training);
  expect(file.createdAt).toBe(FIXED_TIME);
  expect(file.formatVersion).toBe(MODEL_FORMAT_VERSION);
  expect(file.packageVersions['@deepbelief/model-format']).toBe(MODEL_FORMAT_PACKAGE_VERSION);
  expect(Object.keys(file.tensors).sort()).toEqual(Object.keys(input.tensors).sort());
  for (const [name, t] of Object.entries(input.tensors)) {
    expect(requireTensor(file, name, t.shape)).toEqual(t.data);
  }
  return file;
}

describe('model round trip for every model kind', () => {
  it('rbm, with training state including a SeededRandom state that resumes exactly', () => {
    const rng = new SeededRandom(7);
    rng.uniformArray(10);
    const file = roundTrip(
      rbmInput({
        training: {
          hyperParameters: { learningRate: 0.05, momentum: 0.5, epochs: 3, cdSteps: 1 },
          history: [{ epoch: 1, reconstructionError: 0.3 }],
          state: { epoch: 3, random: rng.getState() },
        },
      }),
    );
    const state = validateWith(
      randomStateSchema,
      file.training?.state?.random,
      'training.state.random',
    );
    expect(SeededRandom.fromState(state).uniformArray(5)).toEqual(rng.uniformArray(5));
  });

  it('dbn with label units', () => {
    roundTrip({
      kind: 'dbn',
      model: {
        layerSizes: [6, 4, 3],
        unitTypes: ['binary', 'binary', 'binary'],
        labels: { count: 2, attachedTo: 'top' },
      },
      tensors: {
        ...prefixTensors('layers.0.', {
          W: mat(6, 4, 1),
          visibleBias: mat(1, 6, 2),
          hiddenBias: mat(1, 4, 3),
        }),
        ...prefixTensors('layers.1.', {
          W: mat(4, 3, 4),
          visibleBias: mat(1, 4, 5),
          hiddenBias: mat(1, 3, 6),
        }),
        'labels.W': mat(2, 3, 7),
        'labels.bias': mat(1, 2, 8),
      },
      training: { hyperParameters: { learningRate: [0.1, 0.05], epochsPerLayer: 10 } },
    });
  });

  it('wake-sleep-dbn with untied recognition and generative weights', () => {
    const layer = (i: number, a: number, b: number) =>
      prefixTensors(`layers.${i}.`, {
        'recognition.W': mat(a, b, 10 * i + 1),
        'recognition.bias': mat(1, b, 10 * i + 2),
        'generative.W': mat(b, a, 10 * i + 3),
        'generative.bias': mat(1, a, 10 * i + 4),
      });
    const file = roundTrip({
      kind: 'wake-sleep-dbn',
      model: { layerSizes: [5, 4, 3], tiedWeights: false },
      tensors: { ...layer(0, 5, 4), ...layer(1, 4, 3) },
    });
    expect(file.training).toBeUndefined();
    const l1 = tensorsWithPrefix(file, 'layers.1.');
    expect(requireTensor(l1, 'generative.W', [3, 4]).length).toBe(12);
  });

  it('autoencoder (unrolled encoder and decoder)', () => {
    roundTrip({
      kind: 'autoencoder',
      model: { encoderSizes: [8, 4, 2], decoderSizes: [2, 4, 8], codeUnits: 'linear' },
      tensors: {
        'encoder.0.W': mat(8, 4, 1),
        'encoder.0.bias': mat(1, 4, 2),
        'encoder.1.W': mat(4, 2, 3),
        'encoder.1.bias': mat(1, 2, 4),
        'decoder.0.W': mat(2, 4, 5),
        'decoder.0.bias': mat(1, 4, 6),
        'decoder.1.W': mat(4, 8, 7),
        'decoder.1.bias': mat(1, 8, 8),
      },
      training: { hyperParameters: { optimizer: 'sgd', learningRate: 0.01 }, history: [0.5, 0.4] },
    });
  });

  it('checkpoint with optimiser state tensors', () => {
    roundTrip({
      kind: 'checkpoint',
      model: { of: 'rbm', visible: 3, hidden: 2 },
      tensors: {
        W: mat(3, 2, 1),
        visibleBias: mat(1, 3, 2),
        hiddenBias: mat(1, 2, 3),
        'state.velocity.W': mat(3, 2, 4),
        'state.persistentChains': mat(10, 3, 5),
      },
      training: {
        hyperParameters: { learningRate: 0.1, persistent: true },
        history: [],
        state: {
          epoch: 2,
          batchInEpoch: 17,
          random: { algorithm: 'xoshiro128**', state: [1, 2, 3, 4] },
        },
      },
    });
  });

  it('encodes deterministically for a fixed createdAt and records the current time by default', () => {
    expect(rbmBytes()).toEqual(rbmBytes());
    const before = Date.now();
    const file = decodeModel(encodeModel(rbmInput()));
    expect(Date.parse(file.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(file.packageVersions['@deepbelief/rbm']).toBe('0.1.0');
  });

  it('keeps other __metadata__ entries apart from the envelope', () => {
    const bytes = rbmBytes();
    const { tensors, metadata } = decodeSafetensors(bytes);
    const file = decodeModel(encodeSafetensors(tensors, { ...metadata, format: 'pt' }));
    expect(file.extraMetadata).toEqual({ format: 'pt' });
  });
});

describe('format versions', () => {
  function withVersion(version: unknown): Uint8Array {
    const { tensors, metadata } = decodeSafetensors(rbmBytes());
    const env = JSON.parse(metadata.deepbelief!);
    env.formatVersion = version;
    env.somethingNew = { added: 'in a later version' };
    return encodeSafetensors(tensors, { deepbelief: JSON.stringify(env) });
  }

  it('refuses a newer format version with an upgrade message before validating other fields', () => {
    expect(() => decodeModel(withVersion(2), { source: 'future.safetensors' })).toThrow(
      'future.safetensors: this file was written by a newer deepbelief (format version 2); this version reads up to 1 — upgrade',
    );
    try {
      decodeModel(withVersion(17));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelFormatError);
      expect(e).toBeInstanceOf(DeepBeliefError);
      expect((e as ModelFormatError).code).toBe('newer-format');
      expect((e as ModelFormatError).source).toBe('<bytes>');
    }
  });

  it('the package version constant matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(MODEL_FORMAT_PACKAGE_VERSION).toBe(pkg.version);
  });
});

describe('helpers for model packages', () => {
  it('requireTensor returns the data of a tensor with the right shape', () => {
    const file = decodeModel(rbmBytes(), { source: 'm.safetensors' });
    expect(Array.from(requireTensor(file, 'hiddenBias', [1, 2]))).toEqual([-0.5, 0.5]);
    expect(() => requireTensor(file, 'hiddenBias', [2])).toThrow(
      'm.safetensors: tensor "hiddenBias" has shape [1, 2], but the model metadata implies [2]',
    );
    expect(() => requireTensor(file, 'toString', [1])).toThrow(/tensor "toString".*is missing/);
  });

  it('tensorsWithPrefix names the full tensor in errors', () => {
    const file = decodeModel(
      encodeModel({
        kind: 'dbn',
        model: {},
        tensors: prefixTensors('layers.3.', { W: mat(2, 2, 1) }),
      }),
      { source: 'd.safetensors' },
    );
    const layer = tensorsWithPrefix(file, 'layers.3.');
    expect(Object.keys(layer.tensors)).toEqual(['W']);
    expect(() => requireTensor(layer, 'W', [2, 3])).toThrow(
      'd.safetensors: tensor "layers.3.W" has shape [2, 2], but the model metadata implies [2, 3]',
    );
    expect(() => requireTensor(layer, 'hiddenBias', [1, 2])).toThrow(
      'd.safetensors: tensor "layers.3.hiddenBias" (expected shape [1, 2]) is missing; tensors present under "layers.3.": "layers.3.W"',
    );
    expect(() => checkTensorNames(layer, ['W'])).not.toThrow();
  });

  it('validateWith reports every bad field with its path', () => {
    const schema = z.strictObject({
      learningRate: z.number().positive(),
      epochs: z.number().int(),
    });
    expect(validateWith(schema, { learningRate: 0.1, epochs: 3 }, 'hp')).toEqual({
      learningRate: 0.1,
      epochs: 3,
    });
    expect(() =>
      validateWith(schema, { learningRate: -1, extra: 1 }, 'training.hyperParameters', 'f'),
    ).toThrow(
      /^f: invalid metadata: .*field "training\.hyperParameters\.learningRate": Too small: expected number to be >0 \(got -1\).*missing field "training\.hyperParameters\.epochs" \(expected number\).*"training\.hyperParameters" has unknown field\(s\) "extra"/,
    );
  });
});
