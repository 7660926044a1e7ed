import { DeepBeliefError, SeededRandom } from '@deepbelief/core';
import type { DBN } from './dbn.js';
import { type DenseLayer, FeedForwardNet } from './feedforward.js';

/**
 * Unrolls a pre-trained DBN into a feed-forward sigmoid classifier (Hinton & Salakhutdinov
 * 2006): every RBM's recognition weights and hidden biases become a sigmoid layer (the
 * top RBM's rows for the penultimate units included), then a softmax output layer. When
 * the top RBM has label units, the output layer starts from their weights (Wᵧᵀ, bᵧ), i.e.
 * from what the top RBM already learned about labels; otherwise from N(0, 0.01²).
 */
export function unrollClassifier(
  dbn: DBN,
  options: { numClasses?: number; seed?: number } = {},
): FeedForwardNet {
  const o = dbn.ops;
  const numClasses = options.numClasses ?? dbn.numLabels;
  if (!numClasses || numClasses < 2)
    throw new DeepBeliefError('unrollClassifier: give numClasses (the DBN has no label units)');
  const n = dbn.penultimateSize;
  const layers: DenseLayer[] = dbn.layers.slice(0, -1).map((rbm) => ({
    W: o.add(rbm.W, 0),
    b: o.add(rbm.hiddenBias, 0),
    activation: 'sigmoid' as const,
  }));
  const top = dbn.top;
  layers.push({ W: o.sliceRows(top.W, 0, n), b: o.add(top.hiddenBias, 0), activation: 'sigmoid' });
  if (dbn.numLabels === numClasses) {
    layers.push({
      W: o.transpose(o.sliceRows(top.W, n, n + numClasses)),
      b: o.sliceColumns(top.visibleBias, n, n + numClasses),
      activation: 'softmax',
    });
  } else {
    layers.push({
      W: o.randomNormal([top.numHidden, numClasses], new SeededRandom(options.seed ?? 1), 0, 0.01),
      b: o.zeros([1, numClasses]),
      activation: 'softmax',
    });
  }
  return new FeedForwardNet(o, layers);
}
