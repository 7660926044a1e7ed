import { describe, expect, it } from 'vitest';
import { gridSize, readTiles, tileImage } from '../src/tiles.js';

const layout = { tileWidth: 2, tileHeight: 2, columns: 3, gap: 1 };
const grey = (rgba: Uint8ClampedArray, width: number, x: number, y: number) =>
  rgba[(y * width + x) * 4]!;

describe('tile rendering', () => {
  it('lays tiles out in rows with gaps', () => {
    expect(gridSize(3, layout)).toEqual({ width: 8, height: 2 });
    expect(gridSize(4, layout)).toEqual({ width: 8, height: 5 });
    expect(gridSize(1, layout)).toEqual({ width: 2, height: 2 });
  });

  it("maps [0, 1] to black…white in 'unit' scaling and leaves gaps transparent", () => {
    const values = Float32Array.from([0, 1, 0.5, 2, /* tile 2 */ 1, 1, 1, 1]);
    const { width, height, rgba } = tileImage(values, 2, layout, 'unit');
    expect([width, height]).toEqual([5, 2]);
    expect(grey(rgba, width, 0, 0)).toBe(0);
    expect(grey(rgba, width, 1, 0)).toBe(255);
    expect(grey(rgba, width, 0, 1)).toBe(128);
    expect(grey(rgba, width, 1, 1)).toBe(255); // clipped
    expect(rgba[(0 * width + 2) * 4 + 3]).toBe(0); // the gap column
    expect(grey(rgba, width, 3, 0)).toBe(255); // second tile starts after the gap
  });

  it("centres each tile on mid-grey in 'symmetric' scaling", () => {
    const values = Float32Array.from([-2, 0, 1, 2, /* tile 2: all zero */ 0, 0, 0, 0]);
    const { width, rgba } = tileImage(values, 2, layout, 'symmetric');
    expect(grey(rgba, width, 0, 0)).toBe(0); // −max → black
    expect(grey(rgba, width, 1, 0)).toBe(128); // 0 → grey
    expect(grey(rgba, width, 1, 1)).toBe(255); // +max → white
    expect(grey(rgba, width, 3, 0)).toBe(128); // a zero tile stays grey, no division by 0
  });

  it('refuses too few values', () => {
    expect(() => tileImage(new Float32Array(7), 2, layout, 'unit')).toThrow(/cannot fill 2 tiles/);
  });

  it('reads unit-scaled tiles back out of the grid, to the nearest grey level', () => {
    const values = Float32Array.from({ length: 5 * 4 }, (_, i) => ((i * 37) % 101) / 100);
    const { width, rgba } = tileImage(values, 5, layout, 'unit');
    const back = readTiles(rgba, width, 5, layout);
    expect(back).toHaveLength(values.length);
    for (let i = 0; i < values.length; i++) expect(back[i]).toBeCloseTo(values[i]!, 2);
    expect(() => readTiles(rgba, width + 1, 5, layout)).toThrow(/does not hold 5 tiles/);
    expect(() => readTiles(rgba.subarray(0, 16), width, 5, layout)).toThrow(/does not hold/);
  });
});
