import { DeepBeliefError, type LoopState, SeededRandom } from '@deepbelief/core';
import type { EpochEvent, FitHooks, MatrixSource, RBM, TrainOptions } from '@deepbelief/rbm';
import { RBMTrainer } from '@deepbelief/rbm';
import { mapRows } from './data.js';

/** Per-layer training options: one object for all layers, or one per layer. */
export type LayerTrainOptions = TrainOptions | readonly TrainOptions[];

/** Options of {@link trainStack} and {@link StackTrainer}. */
export interface StackOptions {
  readonly layers: LayerTrainOptions;
  readonly seed?: number;
  /** What layer l+1 trains on: the hidden probabilities of layer l (default) or samples. */
  readonly propagate?: 'probabilities' | 'samples';
  readonly hooks?: StackHooks;
}

/** Hooks of greedy training: those of every training loop, plus the start of each layer. */
export type StackHooks = FitHooks & { onLayer?: (layer: number, layers: number) => void };

/** Where greedy training stands: enough, with the RBMs' weights, to resume mid-layer. */
export interface StackState {
  /** The layer being trained (the number of layers once all are done). */
  readonly layer: number;
  /** Epoch histories of the finished layers. */
  readonly histories: EpochEvent[][];
  /** The training loop of `layer`, when it has started. */
  readonly loop: LoopState<EpochEvent> | null;
}

/**
 * Greedy layer-wise training of a stack of RBMs (Hinton, Osindero & Teh 2006): layer 0 on
 * `source`, each next layer on the hidden probabilities (or samples) of the one below.
 * `inputFor` may change what a layer sees (the top RBM of a DBN adds one-hot labels).
 *
 * Resumable anywhere: {@link StackTrainer.getState} (inside a batch hook too) holds the
 * layer and its loop's state; restored on RBMs with the same weights, training continues
 * bit-identically. The random streams are forked from `seed` in a fixed order (per layer:
 * the trainer's, then the one sampling the features passed up), so finished layers are
 * replayed without drawing anything else.
 */
export class StackTrainer {
  private layer = 0;
  private histories: EpochEvent[][] = [];
  private pending: LoopState<EpochEvent> | null = null;
  private current: RBMTrainer | null = null;

  constructor(
    readonly rbms: readonly RBM[],
    readonly source: MatrixSource,
    readonly options: StackOptions,
    readonly inputFor: (layer: number, features: MatrixSource) => MatrixSource = (_, f) => f,
  ) {
    rbms.forEach((_, l) => {
      this.layerOptions(l);
    });
  }

  private layerOptions(l: number): TrainOptions {
    const { layers } = this.options;
    const options = Array.isArray(layers) ? layers[l] : (layers as TrainOptions);
    if (!options) throw new DeepBeliefError(`pretrain: no training options for layer ${l}`);
    return options;
  }

  /** True once every layer is trained. */
  get done(): boolean {
    return this.layer >= this.rbms.length;
  }

  /**
   * Trains from where the stack stands to the end, or until aborted or `maxBatches` (counted
   * over all layers of this call). Returns the histories of the finished layers.
   */
  async fit(hooks: StackHooks = this.options.hooks ?? {}): Promise<EpochEvent[][]> {
    const { rbms, options } = this;
    const rng = new SeededRandom(options.seed ?? 1);
    let features = this.source;
    let batches = 0;
    for (let l = 0; l < rbms.length; l++) {
      const rbm = rbms[l]!;
      const trainerRng = rng.fork();
      if (l >= this.layer) {
        const spent = hooks.maxBatches !== undefined && batches >= hooks.maxBatches;
        if (spent || hooks.signal?.aborted) return this.histories;
        hooks.onLayer?.(l, rbms.length);
        const trainer = new RBMTrainer(
          rbm,
          { layerName: `layer ${l + 1}`, ...this.layerOptions(l) },
          trainerRng,
        );
        if (this.pending) trainer.setLoopState(this.pending);
        this.pending = null;
        this.current = trainer;
        try {
          const remaining = hooks.maxBatches === undefined ? undefined : hooks.maxBatches - batches;
          await trainer.fit(this.inputFor(l, features), {
            ...hooks,
            onBatch: (e) => {
              batches++;
              return hooks.onBatch?.(e);
            },
            ...(remaining !== undefined ? { maxBatches: remaining } : {}),
          });
          if (!trainer.loop.done) {
            // stopped early: keep the position for getState()
            this.pending = trainer.getLoopState();
            return this.histories;
          }
          this.histories.push([...trainer.history]);
          this.layer = l + 1;
        } finally {
          this.current = null;
          trainer.dispose();
        }
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
    return this.histories;
  }

  /** A snapshot: with the RBMs' current weights it resumes bit-identically. */
  getState(): StackState {
    return {
      layer: this.layer,
      histories: this.histories.map((h) => [...h]),
      loop: this.current ? this.current.getLoopState() : this.pending,
    };
  }

  /** Restores {@link StackTrainer.getState}; the next {@link StackTrainer.fit} continues from there. */
  setState(state: StackState): void {
    if (!Number.isInteger(state.layer) || state.layer < 0 || state.layer > this.rbms.length)
      throw new DeepBeliefError(
        `pretrain state: layer ${state.layer} is not one of the ${this.rbms.length} layers`,
      );
    if (state.histories.length !== state.layer)
      throw new DeepBeliefError(
        `pretrain state: ${state.histories.length} layer histories for ${state.layer} finished layers`,
      );
    this.layer = state.layer;
    this.histories = state.histories.map((h) => [...h]);
    this.pending = state.loop;
  }
}

/**
 * Greedy layer-wise training of a stack of RBMs from scratch (see {@link StackTrainer}).
 * Returns each layer's epoch history.
 */
export async function trainStack(
  rbms: readonly RBM[],
  source: MatrixSource,
  options: StackOptions,
  inputFor?: (layer: number, features: MatrixSource) => MatrixSource,
): Promise<EpochEvent[][]> {
  return new StackTrainer(rbms, source, options, inputFor).fit();
}
