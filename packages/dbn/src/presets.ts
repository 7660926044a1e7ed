import type { TrainOptions } from '@deepbelief/rbm';
import type { DBNConfig } from './dbn.js';
import type { FineTuneOptions } from './feedforward.js';

/** A model recipe: architecture, per-layer pre-training options and fine-tuning options. */
export interface DBNPreset {
  readonly name: string;
  readonly description: string;
  readonly config: DBNConfig;
  readonly pretrain: readonly TrainOptions[];
  readonly backprop: FineTuneOptions;
}

/** rbm.m / practical-guide settings used by Hinton, Osindero & Teh and Hinton & Salakhutdinov. */
const paperLayer = (epochs: number): TrainOptions => ({
  epochs,
  batchSize: 100,
  learningRate: 0.1,
  momentum: { initial: 0.5, final: 0.9, switchEpoch: 5 },
  weightCost: 2e-4,
  k: 1,
});

/**
 * Hinton, Osindero & Teh (2006), *A fast learning algorithm for deep belief nets*:
 * 784-500-500 with a top RBM of 2,000 units over the 500 penultimate units and 10 softmax
 * label units; each layer pre-trained for 30 sweeps through the training set in mini-batches
 * of 100 (the paper's protocol; learning-rate and momentum values as in rbm.m). The top RBM
 * learns with CD-10: with CD-1 its label free energy classified with 6.16 % validation error,
 * with CD-10 4.25 % (`results/dbn2006-top-rbm/`), and the full pre-trained DBN with 2.22 % test
 * error (paper 2.49 %). Backprop: SGD lr 0.03, the best validation error of five recipes
 * (`results/dbn2006-backprop/`).
 */
export const hinton2006: DBNPreset = {
  name: 'hinton2006',
  description: '784-500-500-2000 with 10 label units in the top RBM (Hinton, Osindero & Teh 2006)',
  config: { sizes: [784, 500, 500, 2000], labels: 10 },
  pretrain: [paperLayer(30), paperLayer(30), { ...paperLayer(30), k: 10 }],
  backprop: {
    epochs: 50,
    batchSize: 100,
    learningRate: 0.03,
    momentum: 0.9,
    weightDecay: 1e-5,
    validationFraction: 1 / 6,
    patience: 10,
  },
};

/** A quick DBN for demos and tests on 2 cores: 784-200-200-(500 ↔ 200+10), 2 epochs per layer. */
export const small: DBNPreset = {
  name: 'small',
  description: '784-200-200-500 with 10 label units, 2 epochs per layer (minutes on a laptop)',
  config: { sizes: [784, 200, 200, 500], labels: 10 },
  pretrain: [paperLayer(2), paperLayer(2), paperLayer(2)].map((l) => ({
    ...l,
    momentum: { initial: 0.5, final: 0.9, switchEpoch: 1 },
  })),
  backprop: {
    epochs: 3,
    batchSize: 100,
    learningRate: 0.1,
    momentum: 0.9,
    weightDecay: 1e-5,
    validationFraction: 0.1,
    patience: 3,
  },
};

/** Autoencoder recipe of Hinton & Salakhutdinov (2006): 784-1000-500-250-30, linear code units. */
export const autoencoder2006 = {
  name: 'autoencoder2006',
  description:
    '784-1000-500-250-30 deep autoencoder with a linear 30-unit code (Hinton & Salakhutdinov 2006)',
  sizes: [784, 1000, 500, 250, 30] as const,
  // rbm.m: 0.1 for binary layers; rbmhidlinear.m: 0.001 for the linear code layer
  pretrain: [
    paperLayer(50),
    paperLayer(50),
    paperLayer(50),
    { ...paperLayer(50), learningRate: 0.001 },
  ] as readonly TrainOptions[],
  fineTune: {
    epochs: 200,
    batchSize: 100,
    learningRate: 1e-3,
    optimizer: 'adam',
  } as FineTuneOptions,
};

/** Presets by name. */
export const dbnPresets: Record<string, DBNPreset> = { hinton2006, small };

/**
 * Semantic-hashing recipe (Salakhutdinov & Hinton 2009) for a 2,000-word vocabulary:
 * 2000-500-500-32 with a replicated-softmax bottom RBM (learning rate 0.005: its hidden
 * inputs sum over every word of a document) and logistic code units, 50 epochs of CD-1 per
 * layer, then Adam on the documents' word distributions with deterministic N(0, 16) noise on
 * the code units' inputs, until the held-out loss stops improving.
 */
export const semanticHashing = {
  name: 'semantic-hashing',
  description:
    '2000-500-500-32 word-count autoencoder with binary codes (Salakhutdinov & Hinton 2009)',
  sizes: [2000, 500, 500, 32] as const,
  kind: { input: 'word-counts', code: 'binary' } as const,
  pretrain: [
    { ...paperLayer(50), learningRate: 0.005 },
    { ...paperLayer(50), learningRate: 0.05 },
    { ...paperLayer(50), learningRate: 0.05 },
  ] as readonly TrainOptions[],
  fineTune: {
    epochs: 200,
    batchSize: 100,
    learningRate: 1e-3,
    optimizer: 'adam',
    validationFraction: 1 / 6,
    patience: 10,
  } as FineTuneOptions,
};
