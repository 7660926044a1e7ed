/** How {@link tileImage} maps values to grey levels. */
export type TileScaling =
  /** Values are probabilities or pixels in [0, 1]: 0 is black, 1 is white. */
  | 'unit'
  /**
   * Each tile on its own symmetric range ±max|w|: 0 is mid-grey, positive weights are light,
   * negative ones dark (the usual way of showing RBM filters).
   */
  | 'symmetric';

/** Layout of a grid of small images. */
export interface TileLayout {
  /** Pixels per tile side (28 for MNIST). */
  readonly tileWidth: number;
  readonly tileHeight: number;
  /** Tiles per row of the grid. */
  readonly columns: number;
  /** Pixels between tiles. */
  readonly gap: number;
}

/** Size in pixels of a grid of `count` tiles. */
export function gridSize(count: number, layout: TileLayout): { width: number; height: number } {
  const cols = Math.min(layout.columns, Math.max(count, 1));
  const rows = Math.max(1, Math.ceil(count / layout.columns));
  return {
    width: cols * layout.tileWidth + (cols - 1) * layout.gap,
    height: rows * layout.tileHeight + (rows - 1) * layout.gap,
  };
}

/**
 * Renders `count` row-major tiles (`tileWidth·tileHeight` values each, one after the other in
 * `values`) into RGBA pixels laid out as a grid. Gaps are left transparent.
 */
export function tileImage(
  values: Float32Array,
  count: number,
  layout: TileLayout,
  scaling: TileScaling,
): { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> } {
  const { tileWidth: tw, tileHeight: th, columns, gap } = layout;
  const per = tw * th;
  if (values.length < count * per) {
    throw new RangeError(`tileImage: ${values.length} values cannot fill ${count} tiles of ${per}`);
  }
  const { width, height } = gridSize(count, layout);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let t = 0; t < count; t++) {
    const base = t * per;
    let scale = 1;
    if (scaling === 'symmetric') {
      let max = 0;
      for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(values[base + i]!));
      scale = max > 0 ? 0.5 / max : 0;
    }
    const x0 = (t % columns) * (tw + gap);
    const y0 = Math.floor(t / columns) * (th + gap);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const v = values[base + y * tw + x]!;
        const grey = scaling === 'unit' ? v : 0.5 + v * scale;
        const level = Math.round(Math.min(Math.max(grey, 0), 1) * 255);
        const at = ((y0 + y) * width + x0 + x) * 4;
        rgba[at] = level;
        rgba[at + 1] = level;
        rgba[at + 2] = level;
        rgba[at + 3] = 255;
      }
    }
  }
  return { width, height, rgba };
}

/**
 * The inverse of {@link tileImage} in 'unit' scaling: reads `count` tiles back out of an RGBA
 * grid `width` pixels wide, as grey levels in [0, 1] (the red channel / 255), row-major, one
 * tile after the other. The browser test judges the demo's canvas with it.
 */
export function readTiles(
  rgba: ArrayLike<number>,
  width: number,
  count: number,
  layout: TileLayout,
): Float32Array {
  const { tileWidth: tw, tileHeight: th, columns, gap } = layout;
  const grid = gridSize(count, layout);
  if (width !== grid.width || rgba.length < width * grid.height * 4) {
    throw new RangeError(
      `readTiles: an image ${width} pixels wide with ${rgba.length / 4} pixels does not hold ${count} tiles of ${tw}×${th} (expected ${grid.width}×${grid.height})`,
    );
  }
  const per = tw * th;
  const values = new Float32Array(count * per);
  for (let t = 0; t < count; t++) {
    const x0 = (t % columns) * (tw + gap);
    const y0 = Math.floor(t / columns) * (th + gap);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        values[t * per + y * tw + x] = rgba[((y0 + y) * width + x0 + x) * 4]! / 255;
      }
    }
  }
  return values;
}

/** Draws tiles on a canvas, resizing it to the grid (display size is left to CSS). */
export function drawTiles(
  canvas: HTMLCanvasElement,
  values: Float32Array,
  count: number,
  layout: TileLayout,
  scaling: TileScaling,
): void {
  const { width, height, rgba } = tileImage(values, count, layout, scaling);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('drawTiles: this browser gives no 2D canvas context');
  context.clearRect(0, 0, width, height);
  context.putImageData(new ImageData(rgba, width, height), 0, 0);
}
