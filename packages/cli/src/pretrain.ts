import { SeededRandom } from '@deepbelief/core';
import { checkLabels, type DBN, type Labels, mapRows, withOneHot } from '@deepbelief/dbn';
import {
  type EpochEvent,
  type FitHooks,
  type MatrixInput,
  RBMTrainer,
  type TrainOptions,
  toMatrixSource,
} from '@deepbelief/rbm';

/** Options of {@link pretrainLayers}. */
export interface PretrainLayersOptions {
  /** Training options for each layer, bottom-up. */
  readonly layers: readonly TrainOptions[];
  readonly labels?: Labels;
  readonly seed: number;
  readonly propagate?: 'probabilities' | 'samples';
  /** Layers already trained (their weights are in `dbn`): skipped, but their data is propagated. */
  readonly completedLayers?: number;
  /** Stop after this many batches in all (the run can be resumed from the last completed layer). */
  readonly maxBatches?: number;
  readonly hooks?: Pick<FitHooks, 'onBatch' | 'onEpoch' | 'signal'>;
  /** Called after each layer finishes training (write a checkpoint here). */
  readonly onLayer?: (layer: number, history: EpochEvent[]) => void | Promise<void>;
}

/** What {@link pretrainLayers} did. */
export interface PretrainLayersResult {
  /** Layers fully trained, including those skipped as already complete. */
  readonly completedLayers: number;
  /** Epoch histories of the layers trained in this call. */
  readonly histories: EpochEvent[][];
}

/**
 * Greedy layer-wise pre-training of a DBN, exactly as `DBN.pretrain` does it (same random
 * streams, so the same weights for the same seed), but resumable at layer boundaries and
 * stoppable after a number of batches: layers before `completedLayers` are skipped (their
 * random streams are still drawn, and the data still flows up through them).
 */
export async function pretrainLayers(
  dbn: DBN,
  input: MatrixInput,
  options: PretrainLayersOptions,
): Promise<PretrainLayersResult> {
  const o = dbn.ops;
  let source = toMatrixSource(input);
  if (dbn.numLabels > 0) checkLabels(options.labels!, source.rows, dbn.numLabels);
  const rng = new SeededRandom(options.seed);
  const done = options.completedLayers ?? 0;
  const histories: EpochEvent[][] = [];
  let batches = 0;
  for (let l = 0; l < dbn.layers.length; l++) {
    const rbm = dbn.layers[l]!;
    const top = l === dbn.layers.length - 1;
    const trainerRng = rng.fork();
    if (l >= done) {
      const data =
        top && dbn.numLabels > 0 ? withOneHot(source, options.labels!, dbn.numLabels) : source;
      const trainer = new RBMTrainer(
        rbm,
        { layerName: `layer ${l + 1}`, ...options.layers[l]! },
        trainerRng,
      );
      try {
        const remaining =
          options.maxBatches === undefined ? undefined : options.maxBatches - batches;
        await trainer.fit(data, {
          ...options.hooks,
          onBatch: (e) => {
            batches++;
            return options.hooks?.onBatch?.(e);
          },
          ...(remaining !== undefined ? { maxBatches: remaining } : {}),
        });
        if (trainer.completedEpochs < trainer.options.epochs) {
          return { completedLayers: l, histories };
        }
        histories.push([...trainer.history]);
        await options.onLayer?.(l, [...trainer.history]);
      } finally {
        trainer.dispose();
      }
    }
    if (!top) {
      const sampleRng = rng.fork();
      source = mapRows(o, source, rbm.numHidden, (v) => {
        const p = rbm.hiddenProbabilities(v);
        return options.propagate === 'samples' ? o.bernoulli(p, sampleRng) : p;
      });
    }
  }
  return { completedLayers: dbn.layers.length, histories };
}
