import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { decodeIdx, encodeIdx, type IdxDtype, parseIdx } from './idx.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatasetError) return error.code;
    throw error;
  }
  return undefined;
}

describe('parseIdx', () => {
  it('reads the header and big-endian data of every element type', () => {
    const cases: [IdxDtype, number[]][] = [
      ['uint8', [0, 1, 128, 255, 7, 9]],
      ['int8', [-128, -1, 0, 1, 127, 5]],
      ['int16', [-32768, -2, 0, 300, 32767, 12]],
      ['int32', [-2147483648, -70000, 0, 1, 70000, 2147483647]],
      ['float32', [-1.5, 0, 0.25, 3.140000104904175, 1e-7, 65504]],
      ['float64', [-1.5, 0, 0.1, Math.PI, 1e-300, 1e300]],
    ];
    for (const [dtype, values] of cases) {
      const bytes = encodeIdx(dtype, [2, 3], values);
      const parsed = parseIdx(bytes);
      expect(parsed.dtype).toBe(dtype);
      expect(parsed.shape).toEqual([2, 3]);
      expect(Array.from(parsed.data)).toEqual(
        dtype === 'float32' ? Array.from(new Float32Array(values)) : values,
      );
    }
  });

  it('matches the MNIST label-file layout byte for byte', () => {
    // magic 0x00000801, count 3 (big-endian), then the labels
    const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4]);
    const parsed = parseIdx(bytes);
    expect(parsed).toMatchObject({ dtype: 'uint8', shape: [3] });
    expect(Array.from(parsed.data)).toEqual([5, 0, 4]);
    expect(encodeIdx('uint8', [3], [5, 0, 4])).toEqual(bytes);
  });

  it('returns uint8 data as a view into the input (no copy)', () => {
    const bytes = encodeIdx('uint8', [4], [1, 2, 3, 4]);
    const parsed = parseIdx(bytes);
    expect(parsed.data.buffer).toBe(bytes.buffer);
    expect(parsed.data.byteOffset).toBe(8);
  });

  it('rejects each kind of corruption with its own code and names the source', () => {
    const good = encodeIdx('uint8', [2, 2], [1, 2, 3, 4]);
    const withByte = (at: number, value: number) => {
      const b = good.slice();
      b[at] = value;
      return b;
    };
    const source = 'fixtures/x-idx2-ubyte';
    const parse =
      (b: Uint8Array, extra = {}) =>
      () =>
        parseIdx(b, { source, ...extra });
    expect(codeOf(parse(new Uint8Array(0)))).toBe('EMPTY_FILE');
    expect(codeOf(parse(good.subarray(0, 3)))).toBe('TRUNCATED');
    expect(codeOf(parse(withByte(1, 0x12)))).toBe('BAD_MAGIC');
    expect(codeOf(parse(withByte(2, 0x07)))).toBe('UNSUPPORTED_DTYPE');
    expect(codeOf(parse(withByte(3, 0)))).toBe('BAD_HEADER');
    expect(codeOf(parse(good.subarray(0, 10)))).toBe('TRUNCATED'); // inside the header
    expect(codeOf(parse(good.subarray(0, good.length - 1)))).toBe('TRUNCATED'); // body
    expect(codeOf(parse(new Uint8Array([...good, 0])))).toBe('TRAILING_BYTES');
    expect(codeOf(parse(good, { dtype: 'float32' }))).toBe('UNSUPPORTED_DTYPE');
    expect(codeOf(parse(good, { ndim: 3 }))).toBe('BAD_HEADER');
    // a dimension that claims far more data than the file holds
    expect(codeOf(parse(withByte(4, 0x7f)))).toBe('TRUNCATED');

    expect(() => parseIdx(good.subarray(0, good.length - 1), { source })).toThrow(
      /^fixtures\/x-idx2-ubyte: truncated body: shape \[2, 2\] of uint8 needs 16 bytes, file has 15 \(1 missing\)$/,
    );
    expect(() => parseIdx(withByte(0, 1), { source })).toThrow(
      /fixtures\/x-idx2-ubyte: bad IDX magic number 0x01000802/,
    );
  });

  it('says so when handed gzip data', () => {
    expect(() => parseIdx(gzipSync(encodeIdx('uint8', [1], [1])), { source: 'a.gz' })).toThrow(
      /a\.gz: bad IDX magic number 0x1f8b.*gzip-compressed/,
    );
  });
});

describe('decodeIdx', () => {
  it('decompresses gzip input (detected by magic number) and parses it', async () => {
    const plain = encodeIdx('int16', [3], [-5, 0, 1000]);
    const fromGz = await decodeIdx(gzipSync(plain), { source: 'x.gz' });
    const fromPlain = await decodeIdx(plain.buffer as ArrayBuffer);
    expect(Array.from(fromGz.data)).toEqual([-5, 0, 1000]);
    expect(Array.from(fromPlain.data)).toEqual([-5, 0, 1000]);
  });

  it('reports corrupt or cut-off gzip as BAD_GZIP', async () => {
    const gz = gzipSync(encodeIdx('uint8', [1000], new Uint8Array(1000).fill(3)));
    await expect(
      decodeIdx(gz.subarray(0, gz.length - 10), { source: 'cut.gz' }),
    ).rejects.toMatchObject({
      code: 'BAD_GZIP',
      message: expect.stringMatching(/^cut\.gz: gzip data does not decompress/),
    });
  });
});

describe('encodeIdx', () => {
  it('rejects a shape that does not match the data', () => {
    expect(() => encodeIdx('uint8', [2, 2], [1, 2, 3])).toThrow(/holds 4 values, data has 3/);
  });
});
