/**
 * The catalogue of corrupt, hostile and invalid inputs: every row is its own test asserting
 * the error code and the specific message, and BAD-INPUTS.md is this table rendered with the
 * actual messages (regenerate with `UPDATE_BAD_INPUTS=1 pnpm vitest run packages/model-format`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { craft, FIXED_TIME, rbmBytes, rbmInput, split } from './__fixtures__/craft.js';
import type { ModelFormatErrorCode } from './errors.js';
import {
  checkTensorNames,
  decodeModel,
  encodeModel,
  loadModelFile,
  ModelFormatError,
  type ModelInput,
  randomStateSchema,
  requireTensor,
  saveModelFile,
  validateWith,
} from './node.js';
import { encodeSafetensors } from './safetensors.js';

const SRC = 'model.safetensors';
const tmp = mkdtempSync(join(tmpdir(), 'deepbelief-bad-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------- a model package's loader ----
// What @deepbelief/rbm is expected to do with a file: validate the architecture and
// hyper-parameters with zod through validateWith, then every tensor against them.

const rbmModel = z.strictObject({
  visible: z.int().positive(),
  hidden: z.int().positive(),
  visibleUnits: z.enum(['binary', 'gaussian']),
  hiddenUnits: z.enum(['binary']),
});
const rbmHyperParameters = z.looseObject({
  learningRate: z.number().positive(),
  epochs: z.int().positive(),
  cdSteps: z.int().min(1),
});

function loadRbm(bytes: Uint8Array): void {
  const file = decodeModel(bytes, { source: SRC, expectKind: 'rbm' });
  const m = validateWith(rbmModel, file.model, 'model', SRC);
  if (file.training) {
    validateWith(
      rbmHyperParameters,
      file.training.hyperParameters,
      'training.hyperParameters',
      SRC,
    );
    const random = file.training.state?.random;
    if (random !== undefined) validateWith(randomStateSchema, random, 'training.state.random', SRC);
  }
  checkTensorNames(file, ['W', 'visibleBias', 'hiddenBias']);
  requireTensor(file, 'W', [m.visible, m.hidden]);
  requireTensor(file, 'visibleBias', [1, m.visible]);
  requireTensor(file, 'hiddenBias', [1, m.hidden]);
}

// ---------------------------------------------------------------- building bad files ----------

const good = rbmBytes();
const { header: goodHeader, data: goodData } = split(good);
const goodEnvelope = JSON.parse((goodHeader.__metadata__ as { deepbelief: string }).deepbelief);
// biome-ignore lint/suspicious/noExplicitAny: tests mutate parsed JSON freely
type Json = Record<string, any>;

/** The good file with its header object changed by `mutate`. */
function headerWith(mutate: (h: Json) => void, data: Uint8Array = goodData): Uint8Array {
  const h = structuredClone(goodHeader) as Json;
  mutate(h);
  return craft(JSON.stringify(h), data);
}

/** The good file with the deepbelief envelope changed (or replaced by a raw string). */
function envelopeWith(mutate: (e: Json) => unknown): Uint8Array {
  const e = structuredClone(goodEnvelope) as Json;
  const replaced = mutate(e);
  const text = typeof replaced === 'string' ? replaced : JSON.stringify(replaced ?? e);
  return headerWith((h) => {
    h.__metadata__.deepbelief = text;
  });
}

/** The good header as text, with `from` replaced by `to` (for what JSON objects cannot hold). */
function headerText(from: string, to: string): Uint8Array {
  const text = JSON.stringify(goodHeader);
  if (!text.includes(from)) throw new Error(`test setup: header has no ${from}`);
  return craft(text.replace(from, to), goodData);
}

function u64(n: bigint, fileSize: number): Uint8Array {
  const out = new Uint8Array(fileSize);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

const load = (bytes: Uint8Array) => () => loadRbm(bytes);
const save = (input: ModelInput) => () => encodeModel(input, { createdAt: FIXED_TIME });

interface BadInput {
  category: string;
  input: string;
  run: () => unknown;
  code: ModelFormatErrorCode;
  /** A part of the message specific to this case. */
  message: string;
}

const W3x2 = { shape: [3, 2], data: new Float32Array(6) };

const cases: BadInput[] = [
  // ---- framing and truncation
  {
    category: 'truncated',
    input: 'empty file (0 bytes)',
    run: load(new Uint8Array(0)),
    code: 'truncated',
    message: 'file is 0 bytes, too short for a safetensors file',
  },
  {
    category: 'truncated',
    input: '5-byte file (cut inside the length prefix)',
    run: load(good.subarray(0, 5)),
    code: 'truncated',
    message: 'file is 5 bytes, too short',
  },
  {
    category: 'hostile',
    input: 'header length 2^64-1',
    run: load(u64(0xffffffffffffffffn, 64)),
    code: 'header-too-large',
    message: 'header length 18446744073709551615 bytes exceeds the 100000000-byte limit',
  },
  {
    category: 'hostile',
    input: 'header length 100 000 001 (just over the bound) in a 64-byte file',
    run: load(u64(100_000_001n, 64)),
    code: 'header-too-large',
    message: 'header length 100000001 bytes exceeds the 100000000-byte limit',
  },
  {
    category: 'truncated',
    input: 'header length 4096 in a 100-byte file',
    run: load(u64(4096n, 100)),
    code: 'truncated',
    message: 'header length 4096 bytes runs past the end of the 100-byte file',
  },
  {
    category: 'corrupt',
    input: 'header length 0',
    run: load(u64(0n, 16)),
    code: 'bad-header',
    message: 'header length is 0',
  },
  {
    category: 'truncated',
    input: 'checkpoint cut in the middle of the header',
    run: load(good.subarray(0, 200)),
    code: 'truncated',
    message: 'runs past the end of the 200-byte file',
  },
  {
    category: 'truncated',
    input: 'checkpoint missing its last 5 bytes',
    run: load(good.subarray(0, good.length - 5)),
    code: 'truncated',
    message:
      'tensor "hiddenBias": data_offsets [36, 44] run past the end of the 39-byte data section',
  },
  {
    category: 'truncated',
    input: 'checkpoint with the whole data section missing',
    run: load(good.subarray(0, good.length - goodData.length)),
    code: 'truncated',
    message: 'tensor "W": data_offsets [0, 24] run past the end of the 0-byte data section',
  },
  // ---- header text
  {
    category: 'corrupt',
    input: 'header bytes not valid UTF-8 (0xFF inside a name)',
    run: load(
      craft(Uint8Array.from([0x7b, 0x22, 0x57, 0xff, 0x22, 0x3a, 0x31, 0x7d]), new Uint8Array(0)),
    ),
    code: 'bad-header',
    message: 'header is not valid UTF-8',
  },
  {
    category: 'corrupt',
    input: 'header is a JSON array',
    run: load(craft('[1, 2]  ', new Uint8Array(0))),
    code: 'bad-header',
    message: 'header must start with "{", found "[1, 2]  "',
  },
  {
    category: 'corrupt',
    input: 'header JSON cut short',
    run: load(craft('{"W": {"dtype": "F32"', new Uint8Array(0))),
    code: 'bad-header',
    message: 'header is not valid JSON',
  },
  {
    category: 'corrupt',
    input: 'header padded with NUL bytes instead of spaces',
    run: load(craft('{}\0\0\0\0\0\0', new Uint8Array(0))),
    code: 'bad-header',
    message: 'header is not valid JSON',
  },
  {
    category: 'hostile',
    input: 'tensor "W" declared twice (JSON.parse would keep the last)',
    run: load(headerText('"visibleBias":', '"W":')),
    code: 'bad-header',
    message: 'header has the key "W" twice: ambiguous',
  },
  {
    category: 'hostile',
    input: 'field "dtype" twice inside one tensor entry',
    run: load(
      headerText('"dtype":"F32","shape":[3,2]', '"dtype":"F32","dtype":"F16","shape":[3,2]'),
    ),
    code: 'bad-header',
    message: 'header has the key "dtype" twice in "W"',
  },
  {
    category: 'hostile',
    input: 'header nested 10 000 arrays deep',
    run: load(
      headerText(
        '"__metadata__":',
        `"x":${'['.repeat(10_000)}${']'.repeat(10_000)},"__metadata__":`,
      ),
    ),
    code: 'bad-header',
    message: 'header JSON nests too deeply',
  },
  // ---- tensor entries
  {
    category: 'corrupt',
    input: 'tensor with an empty name',
    run: load(headerText('"hiddenBias":', '"":')),
    code: 'bad-tensor',
    message: 'a tensor has an empty name',
  },
  {
    category: 'corrupt',
    input: 'tensor entry is a number',
    run: load(
      headerWith((h) => {
        h.W = 5;
      }),
    ),
    code: 'bad-tensor',
    message: 'tensor "W": entry must be an object, got 5',
  },
  {
    category: 'corrupt',
    input: 'tensor entry without "dtype"',
    run: load(
      headerWith((h) => {
        delete h.W.dtype;
      }),
    ),
    code: 'bad-tensor',
    message: 'tensor "W": missing field "dtype"',
  },
  {
    category: 'corrupt',
    input: 'tensor entry with an unknown field "offsets"',
    run: load(
      headerWith((h) => {
        h.W.offsets = [0, 24];
      }),
    ),
    code: 'bad-tensor',
    message: 'tensor "W": unexpected field "offsets"',
  },
  {
    category: 'wrong dtype',
    input: 'tensor stored as F16',
    run: load(
      headerWith((h) => {
        h.W.dtype = 'F16';
      }),
    ),
    code: 'unsupported-dtype',
    message: 'tensor "W": dtype F16 is not supported; deepbelief model files store F32 only',
  },
  {
    category: 'hostile',
    input: 'dtype "PICKLE" (not a safetensors dtype)',
    run: load(
      headerWith((h) => {
        h.W.dtype = 'PICKLE';
      }),
    ),
    code: 'bad-tensor',
    message: 'tensor "W": dtype "PICKLE" is not a safetensors dtype',
  },
  {
    category: 'wrong shape',
    input: 'negative dimension',
    run: load(
      headerWith((h) => {
        h.W.shape = [-3, -2];
      }),
    ),
    code: 'bad-tensor',
    message: 'tensor "W": shape must be an array of non-negative integers, got [-3,-2]',
  },
  {
    category: 'wrong shape',
    input: 'fractional dimension',
    run: load(
      headerWith((h) => {
        h.W.shape = [1.5, 4];
      }),
    ),
    code: 'bad-tensor',
    message: 'got [1.5,4]',
  },
  {
    category: 'wrong shape',
    input: 'shape is a string',
    run: load(
      headerWith((h) => {
        h.W.shape = '3x2';
      }),
    ),
    code: 'bad-tensor',
    message: 'got "3x2"',
  },
  {
    category: 'hostile',
    input: 'shape [2^40, 2^40] (size overflows)',
    run: load(
      headerWith((h) => {
        h.W.shape = [2 ** 40, 2 ** 40];
      }),
    ),
    code: 'bad-tensor',
    message: 'tensor "W": shape [1099511627776, 1099511627776] is too large to address',
  },
  // ---- offsets
  {
    category: 'corrupt',
    input: 'data_offsets with one number',
    run: load(
      headerWith((h) => {
        h.W.data_offsets = [0];
      }),
    ),
    code: 'bad-offsets',
    message: 'tensor "W": data_offsets must be [begin, end] non-negative integers, got [0]',
  },
  {
    category: 'corrupt',
    input: 'data_offsets ending before they begin',
    run: load(
      headerWith((h) => {
        h.W.data_offsets = [24, 0];
      }),
    ),
    code: 'bad-offsets',
    message: 'tensor "W": data_offsets [24, 0] end before they begin',
  },
  {
    category: 'hostile',
    input: 'data_offsets pointing 1 TB past the end',
    run: load(
      headerWith((h) => {
        h.hiddenBias.data_offsets = [36, 2 ** 40];
      }),
    ),
    code: 'truncated',
    message:
      'tensor "hiddenBias": data_offsets [36, 1099511627776] run past the end of the 44-byte data section',
  },
  {
    category: 'wrong shape',
    input: 'shape [2, 2] but 24 bytes of data',
    run: load(
      headerWith((h) => {
        h.W.shape = [2, 2];
      }),
    ),
    code: 'bad-offsets',
    message: 'tensor "W": data_offsets [0, 24] span 24 bytes but shape [2, 2] of F32 needs 16',
  },
  {
    category: 'hostile',
    input: 'two tensors sharing bytes',
    run: load(
      headerWith(
        (h) => {
          h.visibleBias.data_offsets = [20, 32];
          h.hiddenBias.data_offsets = [32, 40];
        },
        goodData.subarray(0, 40),
      ),
    ),
    code: 'bad-offsets',
    message:
      'tensor "visibleBias" (data_offsets [20, 32]) overlaps tensor "W" (data_offsets [0, 24])',
  },
  {
    category: 'corrupt',
    input: 'unused bytes between two tensors',
    run: load(
      headerWith((h) => {
        h.hiddenBias.data_offsets = [40, 48];
      }, new Uint8Array(48)),
    ),
    code: 'bad-offsets',
    message:
      'bytes 36..40 of the data section, between tensor "visibleBias" and tensor "hiddenBias", belong to no tensor',
  },
  {
    category: 'corrupt',
    input: 'unused bytes at the start of the data',
    run: load(
      headerWith((h) => {
        h.W.data_offsets = [4, 28];
        h.visibleBias.data_offsets = [28, 40];
        h.hiddenBias.data_offsets = [40, 48];
      }, new Uint8Array(48)),
    ),
    code: 'bad-offsets',
    message: 'bytes 0..4 of the data section, before the first tensor ("W"), belong to no tensor',
  },
  {
    category: 'hostile',
    input: '1 KiB appended after the last tensor',
    run: load(
      craft(JSON.stringify(goodHeader), new Uint8Array([...goodData, ...new Uint8Array(1024)])),
    ),
    code: 'bad-offsets',
    message: '1024 bytes after the last tensor belong to no tensor',
  },
  // ---- __metadata__
  {
    category: 'corrupt',
    input: '`__metadata__` is an array',
    run: load(
      headerWith((h) => {
        h.__metadata__ = ['x'];
      }),
    ),
    code: 'bad-metadata',
    message: '__metadata__ must be an object of strings, got ["x"]',
  },
  {
    category: 'corrupt',
    input: '`__metadata__` value is an object, not a string',
    run: load(
      headerWith((h) => {
        h.__metadata__.deepbelief = goodEnvelope;
      }),
    ),
    code: 'bad-metadata',
    message: '__metadata__ "deepbelief" must be a string',
  },
  // ---- deepbelief envelope
  {
    category: 'not a model',
    input: 'plain safetensors file (e.g. from PyTorch)',
    run: load(encodeSafetensors({ weight: W3x2 }, { format: 'pt' })),
    code: 'not-a-model',
    message:
      'not a deepbelief model file: the safetensors metadata has no "deepbelief" entry (keys: "format")',
  },
  {
    category: 'corrupt',
    input: 'deepbelief metadata is not JSON',
    run: load(envelopeWith(() => '{format: deepbelief-model')),
    code: 'bad-metadata',
    message: '__metadata__.deepbelief is not valid JSON',
  },
  {
    category: 'corrupt',
    input: 'deepbelief metadata is a JSON array',
    run: load(envelopeWith(() => '[1]')),
    code: 'bad-metadata',
    message: '__metadata__.deepbelief must hold a JSON object, got [1]',
  },
  {
    category: 'not a model',
    input: 'format "keras-model"',
    run: load(
      envelopeWith((e) => {
        e.format = 'keras-model';
      }),
    ),
    code: 'not-a-model',
    message: 'format is "keras-model", expected "deepbelief-model"',
  },
  {
    category: 'future version',
    input: 'formatVersion 2 (written by a newer deepbelief)',
    run: load(
      envelopeWith((e) => {
        e.formatVersion = 2;
      }),
    ),
    code: 'newer-format',
    message:
      'this file was written by a newer deepbelief (format version 2); this version reads up to 1 — upgrade @deepbelief/model-format',
  },
  {
    category: 'corrupt',
    input: 'formatVersion "1" (a string)',
    run: load(
      envelopeWith((e) => {
        e.formatVersion = '1';
      }),
    ),
    code: 'bad-metadata',
    message: 'formatVersion must be a positive integer, got "1"',
  },
  {
    category: 'corrupt',
    input: 'formatVersion 0',
    run: load(
      envelopeWith((e) => {
        e.formatVersion = 0;
      }),
    ),
    code: 'bad-metadata',
    message: 'formatVersion must be a positive integer, got 0',
  },
  {
    category: 'corrupt',
    input: 'envelope without "kind"',
    run: load(
      envelopeWith((e) => {
        delete e.kind;
      }),
    ),
    code: 'bad-metadata',
    message: 'missing field "kind" (expected string)',
  },
  {
    category: 'hostile',
    input: 'kind "rbm; rm -rf /"',
    run: load(
      envelopeWith((e) => {
        e.kind = 'rbm; rm -rf /';
      }),
    ),
    code: 'bad-metadata',
    message: 'field "kind": must be a kebab-case name such as "rbm" (got "rbm; rm -rf /")',
  },
  {
    category: 'corrupt',
    input: 'envelope without "model"',
    run: load(
      envelopeWith((e) => {
        delete e.model;
      }),
    ),
    code: 'bad-metadata',
    message: 'missing field "model" (expected record)',
  },
  {
    category: 'corrupt',
    input: 'createdAt "yesterday"',
    run: load(
      envelopeWith((e) => {
        e.createdAt = 'yesterday';
      }),
    ),
    code: 'bad-metadata',
    message: 'field "createdAt": Invalid ISO datetime (got "yesterday")',
  },
  {
    category: 'hostile',
    input: 'unknown top-level field "onLoad" with code in it',
    run: load(
      envelopeWith((e) => {
        e.onLoad = 'require("child_process").exec("…")';
      }),
    ),
    code: 'bad-metadata',
    message: 'top level has unknown field(s) "onLoad"',
  },
  {
    category: 'corrupt',
    input: 'training without hyperParameters',
    run: load(
      envelopeWith((e) => {
        delete e.training.hyperParameters;
      }),
    ),
    code: 'bad-metadata',
    message: 'missing field "training.hyperParameters" (expected record)',
  },
  {
    category: 'corrupt',
    input: 'package version given as a number',
    run: load(
      envelopeWith((e) => {
        e.packageVersions['@deepbelief/rbm'] = 1;
      }),
    ),
    code: 'bad-metadata',
    message:
      'field "packageVersions.@deepbelief/rbm": Invalid input: expected string, received number (got 1)',
  },
  {
    category: 'hostile',
    input: '"kind" twice in the envelope ("rbm" then "dbn")',
    run: load(
      envelopeWith((e) => JSON.stringify(e).replace('"kind":"rbm"', '"kind":"rbm","kind":"dbn"')),
    ),
    code: 'bad-metadata',
    message: 'deepbelief metadata has the key "kind" twice: ambiguous',
  },
  {
    category: 'wrong kind',
    input: 'a DBN file loaded as an RBM',
    run: load(
      envelopeWith((e) => {
        e.kind = 'dbn';
      }),
    ),
    code: 'wrong-kind',
    message: 'expected a "rbm" model file, but this file holds a "dbn"',
  },
  // ---- architecture and tensors disagree (checked by the model package through this API)
  {
    category: 'bad architecture',
    input: 'model.hidden is -2',
    run: load(
      envelopeWith((e) => {
        e.model.hidden = -2;
      }),
    ),
    code: 'bad-metadata',
    message: 'field "model.hidden": Too small: expected number to be >0 (got -2)',
  },
  {
    category: 'bad architecture',
    input: 'model.visibleUnits "softmax" (unknown unit type)',
    run: load(
      envelopeWith((e) => {
        e.model.visibleUnits = 'softmax';
      }),
    ),
    code: 'bad-metadata',
    message:
      'field "model.visibleUnits": Invalid option: expected one of "binary"|"gaussian" (got "softmax")',
  },
  {
    category: 'wrong shape',
    input: 'W stored transposed ([2, 3] for 3 visible, 2 hidden)',
    run: load(
      headerWith((h) => {
        h.W.shape = [2, 3];
      }),
    ),
    code: 'bad-shape',
    message: 'tensor "W" has shape [2, 3], but the model metadata implies [3, 2]',
  },
  {
    category: 'wrong shape',
    input: 'metadata says 4 visible units, tensors hold 3',
    run: load(
      envelopeWith((e) => {
        e.model.visible = 4;
      }),
    ),
    code: 'bad-shape',
    message: 'tensor "W" has shape [3, 2], but the model metadata implies [4, 2]',
  },
  {
    category: 'wrong shape',
    input: 'hiddenBias missing',
    run: load(
      encodeModel({
        ...rbmInput(),
        tensors: { W: W3x2, visibleBias: { shape: [1, 3], data: new Float32Array(3) } },
      }),
    ),
    code: 'missing-tensor',
    message: 'missing tensor(s) "hiddenBias"',
  },
  {
    category: 'wrong shape',
    input: 'an extra tensor "payload"',
    run: load(
      encodeModel({
        ...rbmInput(),
        tensors: { ...rbmInput().tensors, payload: { shape: [1], data: new Float32Array(1) } },
      }),
    ),
    code: 'unexpected-tensor',
    message: 'unexpected tensor(s) "payload" for this model',
  },
  // ---- hyper-parameters and training state in a file
  {
    category: 'bad hyper-parameters',
    input: 'learningRate -0.1 in a saved file',
    run: load(
      envelopeWith((e) => {
        e.training.hyperParameters.learningRate = -0.1;
      }),
    ),
    code: 'bad-metadata',
    message:
      'field "training.hyperParameters.learningRate": Too small: expected number to be >0 (got -0.1)',
  },
  {
    category: 'bad hyper-parameters',
    input: 'cdSteps 0 in a saved file',
    run: load(
      envelopeWith((e) => {
        e.training.hyperParameters.cdSteps = 0;
      }),
    ),
    code: 'bad-metadata',
    message:
      'field "training.hyperParameters.cdSteps": Too small: expected number to be >=1 (got 0)',
  },
  {
    category: 'bad training state',
    input: 'random-generator state all zeros',
    run: load(
      envelopeWith((e) => {
        e.training.state.random.state = [0, 0, 0, 0];
      }),
    ),
    code: 'bad-metadata',
    message: 'field "training.state.random.state": the all-zero state is invalid',
  },
  {
    category: 'bad training state',
    input: 'random-generator state word 2^32',
    run: load(
      envelopeWith((e) => {
        e.training.state.random.state = [1, 2, 3, 2 ** 32];
      }),
    ),
    code: 'bad-metadata',
    message:
      'field "training.state.random.state.3": Too big: expected number to be <=4294967295 (got 4294967296)',
  },
  // ---- refused at save time
  {
    category: 'bad hyper-parameters',
    input: 'saving learningRate NaN (JSON would write null)',
    run: save(rbmInput({ training: { hyperParameters: { learningRate: Number.NaN } } })),
    code: 'bad-input',
    message: 'training.hyperParameters.learningRate is NaN, which JSON cannot represent',
  },
  {
    category: 'bad hyper-parameters',
    input: 'saving a hyper-parameter of Infinity',
    run: save(
      rbmInput({ training: { hyperParameters: { weightDecay: Number.POSITIVE_INFINITY } } }),
    ),
    code: 'bad-input',
    message: 'training.hyperParameters.weightDecay is Infinity',
  },
  {
    category: 'bad input',
    input: 'saving a Map in the model description',
    run: save(rbmInput({ model: { sizes: new Map() } })),
    code: 'bad-input',
    message: 'model.sizes is a Map, not a plain object',
  },
  {
    category: 'bad input',
    input: 'saving undefined in the model description',
    run: save(rbmInput({ model: { visible: undefined } })),
    code: 'bad-input',
    message: 'model.visible is undefined, which JSON cannot represent',
  },
  {
    category: 'bad input',
    input: 'saving a model description with a cycle',
    run: save(
      rbmInput({
        model: (() => {
          const m: Json = {};
          m.self = m;
          return m;
        })(),
      }),
    ),
    code: 'bad-input',
    message: 'model.self refers back to itself (a cycle)',
  },
  {
    category: 'bad input',
    input: 'saving 5 values for shape [3, 2]',
    run: save(rbmInput({ tensors: { W: { shape: [3, 2], data: new Float32Array(5) } } })),
    code: 'bad-input',
    message: 'tensor "W": shape [3, 2] holds 6 values but data has 5',
  },
  {
    category: 'bad input',
    input: 'saving a Float64Array',
    run: save(
      rbmInput({
        tensors: { W: { shape: [3, 2], data: new Float64Array(6) as unknown as Float32Array } },
      }),
    ),
    code: 'bad-input',
    message: 'tensor "W": data must be a Float32Array, got [object Float64Array]',
  },
  {
    category: 'bad input',
    input: 'saving a tensor named `__metadata__`',
    run: save(rbmInput({ tensors: { __metadata__: W3x2 } })),
    code: 'bad-input',
    message: 'tensor name "__metadata__" is not allowed',
  },
  {
    category: 'bad input',
    input: 'saving kind "RBM" (not kebab-case)',
    run: save(rbmInput({ kind: 'RBM' })),
    code: 'bad-input',
    message: 'kind must be a kebab-case name such as "rbm", got "RBM"',
  },
];

// ---- files on disk (async; paths are shown relative to a temporary directory)
interface BadFile {
  category: string;
  input: string;
  run: () => Promise<unknown>;
  code: ModelFormatErrorCode;
  message: string;
}

const fileCases: BadFile[] = [
  {
    category: 'bad file',
    input: 'path that does not exist',
    run: () => loadModelFile(join(tmp, 'nope.safetensors')),
    code: 'io',
    message: 'nope.safetensors: cannot open: ENOENT',
  },
  {
    category: 'bad file',
    input: 'a directory instead of a file',
    run: async () => {
      mkdirSync(join(tmp, 'dir.safetensors'), { recursive: true });
      return loadModelFile(join(tmp, 'dir.safetensors'));
    },
    code: 'io',
    message: 'dir.safetensors: not a regular file',
  },
  {
    category: 'truncated',
    input: 'checkpoint on disk cut to half its size (e.g. disk full, no atomic write)',
    run: async () => {
      const p = join(tmp, 'half.safetensors');
      await saveModelFile(p, rbmInput(), { createdAt: FIXED_TIME });
      truncateSync(p, Math.floor(good.length / 2));
      return loadModelFile(p);
    },
    code: 'truncated',
    message: 'half.safetensors: header length',
  },
  {
    category: 'bad file',
    input: 'a text file (CSV) passed as a model',
    run: async () => {
      const p = join(tmp, 'data.csv');
      writeFileSync(p, '0,1,0,1\n1,0,1,0\n');
      return loadModelFile(p);
    },
    code: 'header-too-large',
    message: 'data.csv: header length 734416799649573936 bytes exceeds',
  },
];

async function errorOf(run: () => unknown): Promise<ModelFormatError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof ModelFormatError) return e;
    throw new Error(`expected a ModelFormatError, got ${String(e)}`);
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('bad inputs: each is refused with a specific ModelFormatError', () => {
  for (const c of [...cases, ...fileCases]) {
    it(`${c.category}: ${c.input}`, async () => {
      const error = await errorOf(c.run);
      expect(error.message).toContain(c.message);
      expect(error.code).toBe(c.code);
      expect(error.message.startsWith(`${error.source}: `)).toBe(true);
    });
  }

  it('the catalogue has at least 30 distinct inputs and messages', async () => {
    const all = [...cases, ...fileCases];
    expect(new Set(all.map((c) => c.input)).size).toBe(all.length);
    const messages = await Promise.all(all.map(async (c) => (await errorOf(c.run)).message));
    expect(new Set(messages).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(30);
  });
});

// ---------------------------------------------------------------- BAD-INPUTS.md ---------------

const mdPath = new URL('../BAD-INPUTS.md', import.meta.url);

/** A markdown table padded the way `biome format` lays it out, so lint and this test agree. */
function markdownTable(header: string[], rows: string[][]): string[] {
  const width = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(3, width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

async function renderTable(): Promise<string> {
  const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows: string[][] = [];
  for (const c of [...cases, ...fileCases]) {
    const message = (await errorOf(c.run)).message.replaceAll(tmp, '<tmp>');
    rows.push([
      String(rows.length + 1),
      cell(c.category),
      cell(c.input),
      `\`${c.code}\``,
      `\`${cell(message)}\``,
    ]);
  }
  return [
    '# Bad inputs and the errors they produce',
    '',
    'Generated from `src/bad-inputs.test.ts`, where each row is a test asserting the error code and',
    'message; a test fails if this file and the table drift apart. Regenerate with',
    '`UPDATE_BAD_INPUTS=1 pnpm vitest run --project model-format`.',
    '',
    'Every error is a `ModelFormatError` (a `DeepBeliefError`) whose message starts with the file',
    'it concerns (`model.safetensors` for in-memory bytes here; `<save>` for what is being saved)',
    'and whose `code` field is the stable tag below. Checks of the architecture, hyper-parameters,',
    'training state and tensor shapes against them are made by the model package through',
    '`validateWith`, `checkTensorNames` and `requireTensor`, as the RBM loader in the test does.',
    '',
    ...markdownTable(['#', 'category', 'bad input', 'code', 'error message'], rows),
    '',
  ].join('\n');
}

it('BAD-INPUTS.md matches the table of tests', async () => {
  const table = await renderTable();
  if (process.env.UPDATE_BAD_INPUTS) writeFileSync(mdPath, table);
  expect(readFileSync(mdPath, 'utf8')).toBe(table);
});
