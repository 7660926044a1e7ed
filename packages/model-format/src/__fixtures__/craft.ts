// Test helpers: build safetensors bytes by hand, including invalid ones.
import { encodeModel, type ModelInput } from '../model.js';

/** Fixed timestamp so test files are byte-for-byte reproducible. */
export const FIXED_TIME = '2024-01-02T03:04:05.000Z';

/** Assembles `[u64 declared length][header text][data]`; the length defaults to the header's. */
export function craft(
  header: string | Uint8Array,
  data: Uint8Array,
  declaredLength?: bigint,
): Uint8Array {
  const json = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian float32 bytes of `values`. */
export function f32bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** Splits safetensors bytes into the parsed header object and the data section. */
export function split(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { header, data: bytes.slice(8 + n) };
}

/** A small valid RBM (3 visible, 2 hidden) as a model input. */
export function rbmInput(overrides: Partial<ModelInput> = {}): ModelInput {
  return {
    kind: 'rbm',
    model: { visible: 3, hidden: 2, visibleUnits: 'binary', hiddenUnits: 'binary' },
    tensors: {
      W: { shape: [3, 2], data: Float32Array.from([0.1, -0.2, 0.3, -0.4, 0.5, -0.6]) },
      visibleBias: { shape: [1, 3], data: Float32Array.from([0.01, 0.02, 0.03]) },
      hiddenBias: { shape: [1, 2], data: Float32Array.from([-0.5, 0.5]) },
    },
    training: {
      hyperParameters: { learningRate: 0.1, epochs: 5, cdSteps: 1 },
      history: [{ epoch: 1, reconstructionError: 0.25 }],
      state: { epoch: 5, random: { algorithm: 'xoshiro128**', state: [1, 2, 3, 4] } },
    },
    packageVersions: { '@deepbelief/rbm': '0.1.0' },
    ...overrides,
  };
}

/** The bytes of {@link rbmInput} with the fixed timestamp. */
export function rbmBytes(overrides: Partial<ModelInput> = {}): Uint8Array {
  return encodeModel(rbmInput(overrides), { createdAt: FIXED_TIME });
}
