/** The MNIST subset copied into `public/data/mnist/` at build time (see `scripts/prepare-assets.ts`). */
export const MNIST_SUBSET = {
  /** Training images the demo learns from. */
  train: 2000,
  /** Held-out images shown beside their reconstructions. */
  test: 100,
  /** Folder under the site's base URL. */
  folder: 'data/mnist/',
  files: {
    trainImages: 'train-2000-images-idx3-ubyte.gz',
    trainLabels: 'train-2000-labels-idx1-ubyte.gz',
    testImages: 't10k-100-images-idx3-ubyte.gz',
    testLabels: 't10k-100-labels-idx1-ubyte.gz',
  },
} as const;

/** `public/data/mnist/manifest.json`. */
export interface MnistSubsetManifest {
  readonly source: string;
  readonly train: number;
  readonly test: number;
  readonly files: { name: string; shape: number[]; bytes: number; sha256: string }[];
}

/** Folder under the site's base URL holding the tfjs `.wasm` binaries. */
export const WASM_FOLDER = 'wasm/';

/** The pre-trained DBN the generation demo loads (committed; made by scripts/train-demo-dbn.ts). */
export const SHIPPED_DBN = {
  /** Folder under the site's base URL (and under `public/`). */
  folder: 'models/',
  file: 'dbn-mnist-small.safetensors',
} as const;

/**
 * The generation demo's first picture: `perDigit` samples of each digit 0–9, one digit at a
 * time, from one generator seeded with `seed`, with `gibbsSteps` Gibbs iterations in the top
 * RBM. `scripts/train-demo-dbn.ts` judges the same picture, and the browser test judges the
 * page's, with a 3-NN vote over the MNIST training images.
 */
export const DEMO_GENERATION = {
  seed: 2006,
  perDigit: 10,
  gibbsSteps: 1000,
  /** How the canvas lays the tiles out: one row per digit. */
  layout: { tileWidth: 28, tileHeight: 28, columns: 10, gap: 2 },
} as const;
