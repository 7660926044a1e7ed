import { DeepBeliefError, SeededRandom } from '@deepbelief/core';
import type { EpochEvent, FitHooks, MatrixSource, RBM, TrainOptions } from '@deepbelief/rbm';
import { RBMTrainer } from '@deepbelief/rbm';
import { mapRows } from './data.js';

/** Per-layer training options: one object for all layers, or one per layer. */
export type LayerTrainOptions = TrainOptions | readonly TrainOptions[];

/** Options of {@link trainStack}. */
export interface StackOptions {
  readonly layers: LayerTrainOptions;
  readonly seed?: number;
  /** What layer l+1 trains on: the hidden probabilities of layer l (default) or samples. */
  readonly propagate?: 'probabilities' | 'samples';
  readonly hooks?: FitHooks & { onLayer?: (layer: number, layers: number) => void };
}

/**
 * Greedy layer-wise training of a stack of RBMs (Hinton, Osindero & Teh 2006): layer 0 on
 * `source`, each next layer on the hidden probabilities (or samples) of the one below.
 * `inputFor` may change what a layer sees (the top RBM of a DBN adds one-hot labels).
 * Returns each layer's epoch history.
 */
export async function trainStack(
  rbms: readonly RBM[],
  source: MatrixSource,
  options: StackOptions,
  inputFor: (layer: number, features: MatrixSource) => MatrixSource = (_, f) => f,
): Promise<EpochEvent[][]> {
  const rng = new SeededRandom(options.seed ?? 1);
  const histories: EpochEvent[][] = [];
  let features = source;
  for (let l = 0; l < rbms.length; l++) {
    const rbm = rbms[l]!;
    const layerOptions = Array.isArray(options.layers) ? options.layers[l] : options.layers;
    if (!layerOptions) throw new DeepBeliefError(`pretrain: no training options for layer ${l}`);
    options.hooks?.onLayer?.(l, rbms.length);
    const trainer = new RBMTrainer(
      rbm,
      { layerName: `layer ${l + 1}`, ...layerOptions },
      rng.fork(),
    );
    try {
      histories.push(await trainer.fit(inputFor(l, features), options.hooks));
    } finally {
      trainer.dispose();
    }
    if (l + 1 < rbms.length) {
      const o = rbm.ops;
      const sampleRng = rng.fork();
      features = mapRows(o, features, rbm.numHidden, (v) => {
        const p = rbm.hiddenProbabilities(v);
        return options.propagate === 'samples' ? o.bernoulli(p, sampleRng) : p;
      });
    }
  }
  return histories;
}
