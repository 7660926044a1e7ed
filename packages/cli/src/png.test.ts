import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, imageGrid } from './png.js';

const gray = (image: { width: number; data: Uint8Array }, x: number, y: number) =>
  image.data[(y * image.width + x) * 4]!;

describe('imageGrid', () => {
  it('lays tiles out with 1-pixel borders and the documented size', () => {
    const values = new Float32Array(5 * 6).fill(1);
    const image = imageGrid(values, 5, { tileShape: [2, 3], columns: 3, normalize: 'unit' });
    expect(image.width).toBe(3 * (3 + 1) + 1);
    expect(image.height).toBe(2 * (2 + 1) + 1);
    expect(gray(image, 0, 0)).toBe(128); // border
    expect(gray(image, 1, 1)).toBe(255); // first pixel of tile 0
    expect(gray(image, 4, 1)).toBe(128); // border between tiles 0 and 1
    expect(gray(image, 5, 4)).toBe(255); // tile 4 (row 1, column 1)
    expect(gray(image, 9, 4)).toBe(128); // the missing sixth tile stays border-gray
  });

  it('maps unit values to 0..255 (clipped) and zooms by repeating pixels', () => {
    const values = Float32Array.from([0, 0.5, 1, 2]);
    const image = imageGrid(values, 1, { tileShape: [2, 2], normalize: 'unit', zoom: 2 });
    expect(image.width).toBe(2 * 2 + 2);
    expect([
      gray(image, 1, 1),
      gray(image, 2, 2),
      gray(image, 3, 1),
      gray(image, 1, 3),
      gray(image, 3, 3),
    ]).toEqual([0, 0, 128, 255, 255]);
  });

  it('stretches each tile to its own range for filters', () => {
    const values = Float32Array.from([-2, 2, 10, 11]);
    const image = imageGrid(values, 2, { tileShape: [1, 2], columns: 2, normalize: 'per-tile' });
    expect([gray(image, 1, 1), gray(image, 2, 1), gray(image, 4, 1), gray(image, 5, 1)]).toEqual([
      0, 255, 0, 255,
    ]);
  });

  it('refuses too few values for the tiles', () => {
    expect(() =>
      imageGrid(new Float32Array(3), 1, { tileShape: [2, 2], normalize: 'unit' }),
    ).toThrow(/3 values cannot fill 1 tiles of 2×2/);
  });
});

describe('PNG encoding', () => {
  it('round-trips through pngjs', () => {
    const image = imageGrid(
      Float32Array.from({ length: 16 }, (_, i) => i / 15),
      1,
      {
        tileShape: [4, 4],
        normalize: 'unit',
      },
    );
    const bytes = encodePng(image);
    expect([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const back = decodePng(bytes);
    expect(back.width).toBe(image.width);
    expect(back.height).toBe(image.height);
    expect([...back.data]).toEqual([...image.data]);
  });
});
