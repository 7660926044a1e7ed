import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpyFile } from './node.js';
import { datasetFromNpy, encodeNpy, parseNpy } from './npy.js';

// Written by NumPy 2.4 (fixtures/npy/make_npy_fixtures.py).
const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/npy/${name}`, import.meta.url));
const read = async (name: string) => new Uint8Array(await readFile(fixture(name)));

// (np.arange(12).reshape(3, 4) - 5.5) / 4
const X = Array.from({ length: 12 }, (_, i) => (i - 5.5) / 4);

describe('parseNpy on files written by NumPy', () => {
  it('reads <f4, <f8 (to float32), version 2 headers', async () => {
    for (const name of ['f4_3x4.npy', 'f8_3x4.npy', 'v2_f4_3x4.npy']) {
      const arr = parseNpy(await read(name), name);
      expect(arr.shape, name).toEqual([3, 4]);
      expect(arr.data, name).toBeInstanceOf(Float32Array);
      expect(Array.from(arr.data), name).toEqual(X);
    }
    expect(parseNpy(await read('f8_3x4.npy')).descr).toBe('<f8');
  });

  it('reads |u1 in 1-D and 2-D without copying', async () => {
    const bytes = await read('u1_2x3.npy');
    const arr = parseNpy(bytes);
    expect(arr).toMatchObject({ descr: '|u1', shape: [2, 3] });
    expect(Array.from(arr.data)).toEqual([0, 10, 20, 30, 40, 255]);
    expect(arr.data.buffer).toBe(bytes.buffer);
    expect(Array.from(parseNpy(await read('u1_5.npy')).data)).toEqual([0, 1, 127, 128, 255]);
  });

  it('reads int64 label vectors as int32', async () => {
    const arr = parseNpy(await read('labels_i8_3.npy'));
    expect(arr.data).toBeInstanceOf(Int32Array);
    expect(Array.from(arr.data)).toEqual([2, 0, 1]);
  });

  it('rejects big-endian, Fortran-order and 3-D arrays clearly', async () => {
    await expect(readNpyFile(fixture('be_f4_3x4.npy'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_DTYPE',
      message: expect.stringMatching(/be_f4_3x4\.npy: dtype '>f4' is not supported/),
    });
    expect(() => parseNpy(new Uint8Array(0), 'e.npy')).toThrow(
      expect.objectContaining({ code: 'EMPTY_FILE' }),
    );
    const fortran = await read('fortran_f4_3x4.npy');
    expect(() => parseNpy(fortran, 'f.npy')).toThrow(
      expect.objectContaining({
        code: 'BAD_HEADER',
        message: expect.stringMatching(/^f\.npy: Fortran-order/),
      }),
    );
    const threeD = await read('f4_2x2x2.npy');
    expect(() => parseNpy(threeD, 'c.npy')).toThrow(
      'c.npy: shape (2, 2, 2) is not supported: expected a 1-D or 2-D array',
    );
  });

  it('rejects wrong magic, truncated and oversized files', async () => {
    const good = await read('f4_3x4.npy');
    const bad = good.slice();
    bad[1] = 0x4f;
    expect(() => parseNpy(bad, 'm.npy')).toThrow(expect.objectContaining({ code: 'BAD_MAGIC' }));
    expect(() => parseNpy(good.subarray(0, good.length - 4), 't.npy')).toThrow(
      expect.objectContaining({
        code: 'TRUNCATED',
        message: 't.npy: truncated data: shape (3, 4) of <f4 needs 176 bytes, file has 172',
      }),
    );
    expect(() => parseNpy(good.subarray(0, 40), 'h.npy')).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
    expect(() => parseNpy(new Uint8Array([...good, 0, 0]), 'x.npy')).toThrow(
      expect.objectContaining({ code: 'TRAILING_BYTES' }),
    );
  });
});

describe('encodeNpy', () => {
  it('writes exactly the bytes NumPy writes', async () => {
    expect(encodeNpy(new Float32Array(X), [3, 4])).toEqual(await read('f4_3x4.npy'));
    expect(encodeNpy(new Uint8Array([0, 1, 127, 128, 255]), [5])).toEqual(await read('u1_5.npy'));
    expect(encodeNpy(new Uint8Array([0, 10, 20, 30, 40, 255]), [2, 3])).toEqual(
      await read('u1_2x3.npy'),
    );
  });
});

describe('datasetFromNpy', () => {
  it('pairs features with float or int labels', async () => {
    const features = parseNpy(await read('f4_3x4.npy'));
    for (const labelsFile of ['labels_f8_3.npy', 'labels_i8_3.npy']) {
      const ds = datasetFromNpy(features, { labels: parseNpy(await read(labelsFile)) });
      expect([ds.rows, ds.cols, ds.numClasses]).toEqual([3, 4, 3]);
      expect(Array.from(ds.labels!)).toEqual([2, 0, 1]);
    }
    const pixels = datasetFromNpy(parseNpy(await read('u1_2x3.npy')));
    expect(pixels.scale).toBe(1 / 255);
  });

  it('rejects a label count that does not match the rows, and non-integer labels', async () => {
    const features = parseNpy(await read('f4_3x4.npy'));
    const five = parseNpy(await read('u1_5.npy'));
    expect(() => datasetFromNpy(features, { labels: five, source: 'y.npy' })).toThrow(
      'y.npy: labels have shape (5) but there are 3 rows: expected (3,)',
    );
    const fractional = parseNpy(encodeNpy(new Float32Array([0, 0.5, 1]), [3]));
    expect(() => datasetFromNpy(features, { labels: fractional })).toThrow(
      expect.objectContaining({ code: 'LABEL_OUT_OF_RANGE' }),
    );
  });
});
