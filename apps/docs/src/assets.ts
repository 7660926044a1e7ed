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
