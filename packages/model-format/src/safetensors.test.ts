import { describe, expect, it } from 'vitest';
import { craft, f32bytes, split } from './__fixtures__/craft.js';
import { checkJsonStructure } from './json.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';

function bitsOf(data: Float32Array): number[] {
  return Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length));
}

describe('encodeSafetensors layout', () => {
  it('writes the spec layout: u64 LE length, space-padded JSON header, contiguous LE data', () => {
    const bytes = encodeSafetensors(
      {
        a: { shape: [1, 2], data: Float32Array.from([1, -2]) },
        b: { shape: [3], data: Float32Array.from([0.5, 0.25, 8]) },
      },
      { note: 'hi' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(headerText.trimEnd()).toBe(
      '{"__metadata__":{"note":"hi"},' +
        '"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},' +
        '"b":{"dtype":"F32","shape":[3],"data_offsets":[8,20]}}',
    );
    expect(headerText.slice(headerText.trimEnd().length)).toMatch(/^ *$/);
    expect(bytes.length).toBe(8 + n + 20);
    const view = new DataView(bytes.buffer, 8 + n);
    expect([0, 4, 8, 12, 16].map((o) => view.getFloat32(o, true))).toEqual([1, -2, 0.5, 0.25, 8]);
  });

  it('omits __metadata__ when there is none and handles no tensors at all', () => {
    const bytes = encodeSafetensors({});
    expect(split(bytes).header).toEqual({});
    expect(decodeSafetensors(bytes)).toEqual({ tensors: {}, metadata: {} });
  });
});

describe('safetensors round trip', () => {
  it('returns the same names, shapes, values and metadata', () => {
    const tensors: Record<string, NamedTensor> = {
      W: { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      'layers.1.hiddenBias': { shape: [1, 4], data: Float32Array.from([-1, 0, 1e-30, 3.4e38]) },
      scalar: { shape: [], data: Float32Array.from([42]) },
      empty: { shape: [0, 7], data: new Float32Array(0) },
    };
    const metadata = { deepbelief: '{"x":1}', 'ünïcode ✓': 'värde' };
    const out = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(out.metadata).toEqual(metadata);
    expect(Object.keys(out.tensors)).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      expect(out.tensors[name]!.shape).toEqual(t.shape);
      expect(Array.from(out.tensors[name]!.data)).toEqual(Array.from(t.data));
    }
  });

  it('keeps NaN payloads, signed zeros, infinities and subnormals bit for bit', () => {
    const bits = Uint32Array.from([
      0x7fc00000, // canonical quiet NaN
      0x7fc00123, // quiet NaN with payload
      0xffc0abcd, // negative NaN with payload
      0x7f800001, // signalling NaN
      0x80000000, // -0
      0x7f800000, // +Infinity
      0xff800000, // -Infinity
      0x00000001, // smallest subnormal
    ]);
    const data = new Float32Array(bits.buffer);
    const out = decodeSafetensors(encodeSafetensors({ x: { shape: [2, 4], data } }));
    expect(bitsOf(out.tensors.x!.data).map((b) => b.toString(16))).toEqual(
      Array.from(bits, (b) => b.toString(16)),
    );
  });

  it('round-trips a large tensor (2048 × 2048, 16 MiB) exactly', () => {
    const n = 2048 * 2048;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 1e3;
    const bytes = encodeSafetensors({ big: { shape: [2048, 2048], data } });
    expect(bytes.length).toBeGreaterThan(n * 4);
    const out = decodeSafetensors(bytes).tensors.big!;
    expect(out.shape).toEqual([2048, 2048]);
    expect(out.data.length).toBe(n);
    expect(Buffer.from(out.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it('decodes input at any byte offset into aligned, independent arrays', () => {
    const bytes = encodeSafetensors({ v: { shape: [1, 3], data: Float32Array.from([1, 2, 3]) } });
    for (const shift of [1, 2, 3, 5]) {
      const backing = new Uint8Array(bytes.length + shift);
      backing.set(bytes, shift);
      const view = backing.subarray(shift);
      const out = decodeSafetensors(view).tensors.v!;
      expect(out.data.byteOffset % 4).toBe(0);
      expect(Array.from(out.data)).toEqual([1, 2, 3]);
      backing.fill(0);
      expect(Array.from(out.data)).toEqual([1, 2, 3]);
    }
  });

  it('encodes from Float32Array views that do not start at offset 0', () => {
    const backing = Float32Array.from([9, 9, 1, 2, 3, 9]);
    const view = backing.subarray(2, 5);
    const out = decodeSafetensors(encodeSafetensors({ v: { shape: [3], data: view } }));
    expect(Array.from(out.tensors.v!.data)).toEqual([1, 2, 3]);
  });

  it('reads files laid out by other writers: unpadded header, data order differing from key order', () => {
    // As the reference implementation may write it: tensors sorted by offset, not by key.
    const header = JSON.stringify({
      z: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      a: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    });
    const out = decodeSafetensors(craft(header, f32bytes([1, 2, 3])));
    expect(Array.from(out.tensors.z!.data)).toEqual([1, 2]);
    expect(Array.from(out.tensors.a!.data)).toEqual([3]);
    const reversed = JSON.stringify({
      a: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      z: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    });
    expect(
      Array.from(decodeSafetensors(craft(reversed, f32bytes([1, 2, 3]))).tensors.a!.data),
    ).toEqual([3]);
  });

  it('accepts several zero-size tensors at the same offset', () => {
    const header = JSON.stringify({
      e1: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
      e2: { dtype: 'F32', shape: [5, 0], data_offsets: [0, 0] },
      x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
    });
    const out = decodeSafetensors(craft(header, f32bytes([7])));
    expect(out.tensors.e2!.shape).toEqual([5, 0]);
    expect(Array.from(out.tensors.x!.data)).toEqual([7]);
  });

  it('treats hostile names such as __proto__ as plain names (no prototype pollution)', () => {
    const bytes = encodeSafetensors(
      {
        ['__proto__']: { shape: [1], data: Float32Array.from([1]) },
        constructor: { shape: [1], data: Float32Array.from([2]) },
      },
      { ['__proto__']: 'meta' },
    );
    const out = decodeSafetensors(bytes);
    expect(Object.getPrototypeOf(out.tensors)).toBe(Object.prototype);
    expect(Object.keys(out.tensors)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(out.tensors, '__proto__')?.value.data[0]).toBe(1);
    expect(Object.getOwnPropertyDescriptor(out.metadata, '__proto__')?.value).toBe('meta');
    expect(({} as Record<string, unknown>).data).toBeUndefined();
  });
});

describe('checkJsonStructure', () => {
  it('finds duplicate keys after escapes are decoded, with the path', () => {
    expect(checkJsonStructure('{"a":{"b":1,"\\u0062":2}}')).toEqual({
      kind: 'duplicate-key',
      key: 'b',
      path: 'a',
    });
    expect(checkJsonStructure('{"a":[{"k":1},{"k":2,"k":3}]}')).toEqual({
      kind: 'duplicate-key',
      key: 'k',
      path: 'a[1]',
    });
  });

  it('ignores braces, commas and quotes inside strings, and equal keys in sibling objects', () => {
    expect(checkJsonStructure('{"a":"{\\"a\\":1,","b":[{"a":1},{"a":2}]}')).toBeNull();
  });

  it('refuses nesting deeper than the limit without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(checkJsonStructure(deep)?.kind).toBe('too-deep');
    expect(checkJsonStructure('[[[]]]', 3)).toBeNull();
    expect(checkJsonStructure('[[[[]]]]', 3)?.kind).toBe('too-deep');
  });
});
