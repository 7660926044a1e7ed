import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@deepbelief/model-format/node';
import { PNG } from 'pngjs';
import { UsageError } from './errors.js';

/** How {@link imageGrid} lays out and scales tiles. */
export interface GridOptions {
  /** `[height, width]` of each tile in values (e.g. `[28, 28]`). */
  readonly tileShape: readonly [number, number];
  /** Tiles per row; default ⌈√n⌉. */
  readonly columns?: number;
  /**
   * `unit`: values are intensities in [0, 1] (clipped), as pixel probabilities.
   * `per-tile`: each tile is stretched to [0, 255] from its own min and max, as filters.
   */
  readonly normalize: 'unit' | 'per-tile';
  /** Pixels drawn per value (nearest-neighbour upscaling); default 1. */
  readonly zoom?: number;
  /** Gray level of the 1-pixel borders between and around tiles; default 128. */
  readonly borderGray?: number;
}

/** An 8-bit RGBA image (pngjs's layout). */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Lays `count` tiles (row-major values, `tileShape` each, one after the other in `values`)
 * out as a grid with 1-pixel borders: `columns × (w·zoom + 1) + 1` pixels wide. Tiles fill
 * rows left to right; missing tiles in the last row stay border-gray.
 */
export function imageGrid(values: Float32Array, count: number, options: GridOptions): RgbaImage {
  const [th, tw] = options.tileShape;
  const size = th * tw;
  if (count < 1) throw new UsageError('imageGrid: nothing to draw (0 tiles)');
  if (values.length < count * size) {
    throw new UsageError(
      `imageGrid: ${values.length} values cannot fill ${count} tiles of ${th}×${tw}`,
    );
  }
  const zoom = options.zoom ?? 1;
  const columns = Math.max(1, Math.min(options.columns ?? Math.ceil(Math.sqrt(count)), count));
  const rows = Math.ceil(count / columns);
  const cellW = tw * zoom + 1;
  const cellH = th * zoom + 1;
  const width = columns * cellW + 1;
  const height = rows * cellH + 1;
  const data = new Uint8Array(width * height * 4);
  const border = options.borderGray ?? 128;
  for (let p = 0; p < width * height; p++) {
    data[p * 4] = border;
    data[p * 4 + 1] = border;
    data[p * 4 + 2] = border;
    data[p * 4 + 3] = 255;
  }
  for (let t = 0; t < count; t++) {
    const tile = values.subarray(t * size, (t + 1) * size);
    let lo = 0;
    let hi = 1;
    if (options.normalize === 'per-tile') {
      lo = Number.POSITIVE_INFINITY;
      hi = Number.NEGATIVE_INFINITY;
      for (const v of tile) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const range = hi - lo;
    const x0 = (t % columns) * cellW + 1;
    const y0 = Math.floor(t / columns) * cellH + 1;
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const v = tile[y * tw + x]!;
        const unit = range > 0 ? (v - lo) / range : 0.5;
        const gray = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(unit) ? unit : 0)));
        for (let dy = 0; dy < zoom; dy++) {
          for (let dx = 0; dx < zoom; dx++) {
            const p = ((y0 + y * zoom + dy) * width + x0 + x * zoom + dx) * 4;
            data[p] = gray;
            data[p + 1] = gray;
            data[p + 2] = gray;
          }
        }
      }
    }
  }
  return { width, height, data };
}

/** PNG bytes of an RGBA image. */
export function encodePng(image: RgbaImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const bytes = PNG.sync.write(png, { colorType: 6 });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes PNG bytes into RGBA (for tests and tools). */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    width: png.width,
    height: png.height,
    data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
  };
}

/** Writes an image as a PNG file atomically (never a half-written file), creating its directory. */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, encodePng(image));
}
