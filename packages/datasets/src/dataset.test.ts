import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestHex, md5Hex, verifyChecksum } from './checksum.js';
import { createDataset, getRow, labelCounts, sliceRows, subset, toFloat32 } from './dataset.js';

describe('createDataset', () => {
  it('defaults scale to 1/255 for uint8 and 1 for float32, numClasses to max label + 1', () => {
    const u = createDataset({
      features: new Uint8Array(6),
      rows: 2,
      cols: 3,
      labels: new Uint8Array([0, 4]),
    });
    expect(u.scale).toBe(1 / 255);
    expect(u.numClasses).toBe(5);
    expect(createDataset({ features: new Float32Array(6), rows: 3, cols: 2 }).scale).toBe(1);
  });

  it('checks shapes, labels and image shape, naming the source', () => {
    const base = { features: new Uint8Array(6), rows: 2, cols: 3, source: 'm.bin' };
    expect(() => createDataset({ ...base, rows: 3 })).toThrow(
      expect.objectContaining({
        code: 'SHAPE_MISMATCH',
        message: 'm.bin: features has 6 values but rows × cols = 3 × 3 = 9',
      }),
    );
    expect(() => createDataset({ ...base, labels: new Uint8Array(3) })).toThrow(
      /3 labels for 2 rows/,
    );
    expect(() => createDataset({ ...base, labels: new Int32Array([0, -1]) })).toThrow(
      expect.objectContaining({
        code: 'LABEL_OUT_OF_RANGE',
        message: expect.stringMatching(/label -1 at row 1/),
      }),
    );
    expect(() => createDataset({ ...base, labels: new Uint8Array([0, 3]), numClasses: 3 })).toThrow(
      'm.bin: label 3 at row 1 is out of range: expected 0..2',
    );
    expect(() => createDataset({ ...base, imageShape: [2, 2] })).toThrow(
      /imageShape 2×2 does not hold 3/,
    );
    expect(() => createDataset({ ...base, numClasses: 2 })).toThrow(
      /numClasses given without labels/,
    );
    expect(() =>
      createDataset({ ...base, features: [1, 2] as unknown as Uint8Array, rows: 1, cols: 2 }),
    ).toThrow(/Uint8Array or Float32Array/);
  });
});

describe('row helpers', () => {
  const ds = createDataset({
    features: new Uint8Array([0, 51, 102, 153, 204, 255]),
    rows: 3,
    cols: 2,
    labels: new Uint8Array([2, 0, 2]),
  });

  it('reads rows as real values', () => {
    expect(Array.from(getRow(ds, 1))).toEqual([Math.fround(0.4), Math.fround(0.6)]);
    expect(() => getRow(ds, 3)).toThrow(/row 3 is outside 0\.\.2/);
    expect(toFloat32(ds)[5]).toBe(1);
  });

  it('subsets by copying (keeping uint8) and slices without copying', () => {
    const s = subset(ds, [2, 0]);
    expect(Array.from(s.features)).toEqual([204, 255, 0, 51]);
    expect(s.features).toBeInstanceOf(Uint8Array);
    expect(Array.from(s.labels!)).toEqual([2, 2]);
    const v = sliceRows(ds, 1, 3);
    expect(v.features.buffer).toBe(ds.features.buffer);
    expect(Array.from(v.labels!)).toEqual([0, 2]);
    expect(labelCounts(ds)).toEqual([1, 0, 2]);
  });
});

describe('checksums', () => {
  it('md5Hex matches node:crypto on all padding boundaries', () => {
    for (const len of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 70_001]) {
      const b = Uint8Array.from({ length: len }, (_, i) => (i * 131 + 17) & 255);
      expect(md5Hex(b), `length ${len}`).toBe(createHash('md5').update(b).digest('hex'));
    }
    expect(md5Hex(new TextEncoder().encode('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72'); // RFC 1321
  });

  it('digestHex computes SHA-256 with Web Crypto', async () => {
    expect(await digestHex(new TextEncoder().encode('abc'), 'sha256')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', // FIPS 180-2 example
    );
  });

  it('verifyChecksum accepts upper-case digests and reports mismatches', async () => {
    const b = new TextEncoder().encode('abc');
    await expect(
      verifyChecksum(
        b,
        { algorithm: 'md5', digest: '900150983CD24FB0D6963F7D28E17F72', of: 'file' },
        'x',
      ),
    ).resolves.toBe(b);
    await expect(
      verifyChecksum(b, { algorithm: 'md5', digest: '00', of: 'file' }, 'x'),
    ).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });
  });
});
