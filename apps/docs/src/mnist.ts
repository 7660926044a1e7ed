import { type Dataset, mnistFromBuffers } from '@deepbelief/datasets/browser';
import { MNIST_SUBSET } from './assets.js';

/** The demo's MNIST subset: training images and a few held-out test images. */
export interface DemoMnist {
  readonly train: Dataset;
  readonly test: Dataset;
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/**
 * Fetches the gzip IDX files that `scripts/prepare-assets.ts` copied from the real MNIST and
 * parses them with `@deepbelief/datasets/browser` (pixels stay uint8 with scale 1/255).
 */
export async function loadDemoMnist(baseUrl: string): Promise<DemoMnist> {
  const base = `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${MNIST_SUBSET.folder}`;
  const f = MNIST_SUBSET.files;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [f.trainImages, f.trainLabels, f.testImages, f.testLabels].map((name) =>
      fetchBytes(`${base}${name}`),
    ),
  );
  const [train, test] = await Promise.all([
    mnistFromBuffers(trainImages!, trainLabels!, {
      name: 'mnist-train-subset',
      imagesSource: f.trainImages,
      labelsSource: f.trainLabels,
    }),
    mnistFromBuffers(testImages!, testLabels!, {
      name: 'mnist-test-subset',
      imagesSource: f.testImages,
      labelsSource: f.testLabels,
    }),
  ]);
  return { train, test };
}

/** Rows `0 … count−1` of a dataset as float32 values in [0, 1]. */
export function firstRows(data: Dataset, count: number): Float32Array {
  const n = Math.min(count, data.rows);
  const out = new Float32Array(n * data.cols);
  for (let i = 0; i < out.length; i++) out[i] = data.features[i]! * data.scale;
  return out;
}
