import { DeepBeliefError, type Ops, SeededRandom, ShapeError, type Tensor } from '@deepbelief/core';
import { checkLabels, type DBN, type Labels } from '@deepbelief/dbn';
import { type MatrixInput, parseOptions, toMatrixSource } from '@deepbelief/rbm';
import { z } from 'zod';
import { type DirectedWeights, generativeDelta, recognitionDelta } from './rules.js';
import type { SigmoidBeliefNet } from './sbn.js';

/** Options of {@link upDown} and {@link wakeSleep}. */
export const wakeSleepOptionsSchema = z
  .object({
    epochs: z.number().int().min(1),
    batchSize: z.number().int().min(1).default(100),
    learningRate: z.number().positive().finite().default(0.01),
    weightCost: z.number().min(0).finite().default(0),
    /**
     * Gibbs iterations in the top RBM: a number, or one value per equal share of the epochs
     * (default `[3, 6, 10]`: the paper raises k during training).
     */
    gibbsSteps: z
      .union([z.number().int().min(1), z.array(z.number().int().min(1)).min(1)])
      .default([3, 6, 10]),
    seed: z.number().int().default(1),
    /**
     * Read the (backend-side) generative error every this many batches: a read makes a
     * deferring backend run its pending work, so reading every batch costs speed.
     * Divergence is detected at these reads.
     */
    metricsEvery: z.number().int().min(1).default(50),
  })
  .strict();
export type WakeSleepOptions = z.input<typeof wakeSleepOptionsSchema>;

/** Per-epoch record. */
export interface WakeSleepEpoch {
  readonly epoch: number;
  readonly gibbsSteps: number;
  /** Mean squared error of the generative prediction of the data from the wake-phase states. */
  readonly generativeError: number;
  readonly seconds: number;
}

/** Hooks of the training loops. */
export interface WakeSleepHooks {
  readonly onEpoch?: (e: WakeSleepEpoch) => void;
  readonly onBatch?: (e: { epoch: number; batch: number; batches: number }) => void;
  readonly signal?: AbortSignal;
}

/** Gibbs steps for an epoch under a schedule. */
export function gibbsStepsAt(
  schedule: number | readonly number[],
  epoch: number,
  epochs: number,
): number {
  if (typeof schedule === 'number') return schedule;
  return schedule[Math.min(schedule.length - 1, Math.floor((epoch * schedule.length) / epochs))]!;
}

/** How the layers of a directed stack are read and updated. */
interface DirectedStack {
  readonly ops: Ops;
  readonly depth: number;
  recognition(l: number): DirectedWeights;
  generative(l: number): DirectedWeights;
  setRecognition(l: number, w: DirectedWeights): void;
  setGenerative(l: number, w: DirectedWeights): void;
}

/**
 * One wake-sleep update shared by up-down and plain wake-sleep. Wake: sample states bottom-up
 * with the recognition weights; `top` handles the top (an RBM's CD-k, or a factorial prior)
 * and returns the top-level state that starts the sleep phase; sleep: sample top-down with
 * the generative weights. Generative weights learn from wake states, recognition weights
 * from sleep states. Returns the generative prediction error of the data.
 */
function wakeSleepStep(
  stack: DirectedStack,
  v: Tensor,
  top: (wakeTop: Tensor) => Tensor,
  rng: SeededRandom,
  lr: number,
  weightCost: number,
): Tensor {
  const o = stack.ops;
  return o.tidy(() => {
    const wake: Tensor[] = [v];
    for (let l = 0; l < stack.depth; l++) {
      const r = stack.recognition(l);
      wake.push(o.bernoulli(o.linear(wake[l]!, r.W, r.b, { activation: 'sigmoid' }), rng));
    }
    const sleepTop = top(wake[stack.depth]!);
    const sleep: Tensor[] = [];
    sleep[stack.depth] = sleepTop;
    for (let l = stack.depth - 1; l >= 0; l--) {
      const g = stack.generative(l);
      const p = o.linear(sleep[l + 1]!, g.W, g.b, { transposeW: true, activation: 'sigmoid' });
      sleep[l] = l === 0 ? p : o.bernoulli(p, rng); // visible "dreams" as probabilities
    }
    const g0 = stack.generative(0);
    // a [1, 1] tensor: the loop sums it on the backend and reads it every `metricsEvery` batches
    const error = o.mean(
      o.square(
        o.sub(v, o.linear(wake[1]!, g0.W, g0.b, { transposeW: true, activation: 'sigmoid' })),
      ),
    );
    // compute every delta from the current weights, then apply
    const gen = Array.from({ length: stack.depth }, (_, l) =>
      generativeDelta(o, wake[l]!, wake[l + 1]!, stack.generative(l)),
    );
    const rec = Array.from({ length: stack.depth }, (_, l) =>
      recognitionDelta(o, sleep[l]!, sleep[l + 1]!, stack.recognition(l)),
    );
    const step = (w: DirectedWeights, d: { dW: Tensor; db: Tensor }): DirectedWeights => {
      const dW = weightCost > 0 ? o.sub(d.dW, o.mul(w.W, weightCost)) : d.dW;
      return { W: o.add(w.W, o.mul(dW, lr)), b: o.add(w.b, o.mul(d.db, lr)) };
    };
    for (let l = 0; l < stack.depth; l++) {
      stack.setGenerative(l, step(stack.generative(l), gen[l]!));
      stack.setRecognition(l, step(stack.recognition(l), rec[l]!));
    }
    return error;
  });
}

/** Epoch loop shared by both algorithms. */
async function loop(
  name: string,
  input: MatrixInput,
  expectedCols: number,
  optionsIn: WakeSleepOptions,
  hooks: WakeSleepHooks,
  batchStep: (
    v: Tensor,
    indices: Uint32Array,
    rng: SeededRandom,
    gibbs: number,
    lr: number,
    wc: number,
  ) => Tensor,
  ops: Ops,
): Promise<WakeSleepEpoch[]> {
  const options = parseOptions(wakeSleepOptionsSchema, optionsIn, `${name} options`);
  const source = toMatrixSource(input);
  if (source.cols !== expectedCols)
    throw new ShapeError(
      `${name}: data has ${source.cols} columns, the model expects ${expectedCols}`,
    );
  if (source.rows < options.batchSize)
    throw new ShapeError(
      `${name}: ${source.rows} rows are fewer than one batch of ${options.batchSize}`,
    );
  const root = new SeededRandom(options.seed);
  const dataRng = root.fork();
  const sampleRng = root.fork();
  const batches = Math.floor(source.rows / options.batchSize);
  const buffer = new Float32Array(options.batchSize * source.cols);
  const history: WakeSleepEpoch[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    if (hooks.signal?.aborted) break;
    const started = performance.now();
    const gibbs = gibbsStepsAt(options.gibbsSteps, epoch, options.epochs);
    const order = dataRng.permutation(source.rows);
    let errorSum = 0;
    let errorAcc: Tensor = ops.keep(ops.zeros([1, 1]));
    /** Reads the batches' summed error since the last read; stops on a non-finite value. */
    const readErrors = (b: number) => {
      const value = ops.item(errorAcc);
      errorAcc.dispose();
      errorAcc = ops.keep(ops.zeros([1, 1]));
      if (!Number.isFinite(value)) {
        throw new DeepBeliefError(
          `${name} diverged at epoch ${epoch + 1}, batch ${b + 1}: the generative error is not finite. Try a smaller learning rate (now ${options.learningRate}).`,
        );
      }
      errorSum += value;
    };
    try {
      for (let b = 0; b < batches; b++) {
        if (hooks.signal?.aborted) break;
        const idx = order.subarray(b * options.batchSize, (b + 1) * options.batchSize);
        source.readRows(idx, buffer);
        const v = ops.tensor(buffer, [options.batchSize, source.cols]);
        try {
          const err = batchStep(v, idx, sampleRng, gibbs, options.learningRate, options.weightCost);
          const sum = ops.add(errorAcc, err);
          err.dispose();
          errorAcc.dispose();
          errorAcc = ops.keep(sum);
        } finally {
          v.dispose();
        }
        if ((b + 1) % options.metricsEvery === 0 || b + 1 === batches) readErrors(b);
        hooks.onBatch?.({ epoch, batch: b, batches });
        if (b % 20 === 19) await new Promise((r) => setTimeout(r, 0));
      }
    } finally {
      errorAcc.dispose();
    }
    const record = {
      epoch,
      gibbsSteps: gibbs,
      generativeError: errorSum / batches,
      seconds: (performance.now() - started) / 1000,
    };
    history.push(record);
    hooks.onEpoch?.(record);
  }
  return history;
}

/**
 * Contrastive wake-sleep ("up-down") fine-tuning of a DBN (Hinton, Osindero & Teh 2006,
 * appendix B). The directed layers are untied first. Each mini-batch: an up pass sampling
 * binary states with the recognition weights, with the labels clamped at the top for the
 * first iteration; k Gibbs iterations in the top RBM with labels reconstructed by softmax,
 * and a CD-k update of the top RBM from wake and final states; a down pass sampling with
 * the generative weights from the final top-level state; then generative updates from the
 * wake states and recognition updates from the sleep states.
 */
export async function upDown(
  dbn: DBN,
  input: MatrixInput,
  options: WakeSleepOptions & { labels?: Labels },
  hooks: WakeSleepHooks = {},
): Promise<WakeSleepEpoch[]> {
  const { labels, ...rest } = options;
  const source = toMatrixSource(input);
  if (dbn.numLabels > 0) {
    if (!labels)
      throw new DeepBeliefError('upDown: this DBN has label units, so labels are required');
    checkLabels(labels, source.rows, dbn.numLabels);
  }
  if (dbn.layers.length < 2)
    throw new DeepBeliefError('upDown: needs at least one directed layer below the top RBM');
  dbn.untie();
  const o = dbn.ops;
  const depth = dbn.layers.length - 1;
  const stack: DirectedStack = {
    ops: o,
    depth,
    recognition: (l) => ({ W: dbn.layers[l]!.W, b: dbn.layers[l]!.hiddenBias }),
    generative: (l) => dbn.generative![l]!,
    setRecognition: (l, w) => {
      dbn.layers[l]!.replace('W', w.W);
      dbn.layers[l]!.replace('hiddenBias', w.b);
    },
    setGenerative: (l, w) => {
      const g = dbn.generative![l]!;
      const old = [g.W, g.b];
      g.W = o.keep(w.W);
      g.b = o.keep(w.b);
      o.dispose(old);
    },
  };
  const top = dbn.top;
  const n = dbn.penultimateSize;
  const K = dbn.numLabels;
  return loop(
    'upDown',
    source,
    dbn.sizes[0]!,
    rest,
    hooks,
    (v, indices, rng, gibbs, lr, wc) => {
      const topPhase = (pen: Tensor): Tensor => {
        let wakeTop = pen;
        if (K > 0) {
          const y = new Float32Array(pen.rows * K);
          for (let r = 0; r < pen.rows; r++) y[r * K + Number(labels![indices[r]!])] = 1;
          wakeTop = o.concatColumns([pen, o.fromArray(y, [pen.rows, K])]);
        }
        const wakeHidden = o.bernoulli(top.hiddenProbabilities(wakeTop), rng);
        let h = wakeHidden;
        let negVisible: Tensor = wakeTop;
        let negPen: Tensor = pen;
        for (let s = 0; s < gibbs; s++) {
          const pv = top.visibleProbabilities(h);
          negPen = o.bernoulli(K > 0 ? o.sliceColumns(pv, 0, n) : pv, rng);
          negVisible = K > 0 ? o.concatColumns([negPen, o.sliceColumns(pv, n, n + K)]) : negPen; // labels: softmax probabilities
          h = o.bernoulli(top.hiddenProbabilities(negVisible), rng);
        }
        const m = pen.rows;
        let dW = o.mul(
          o.sub(
            o.matmul(wakeTop, wakeHidden, { transposeA: true }),
            o.matmul(negVisible, h, { transposeA: true }),
          ),
          1 / m,
        );
        if (wc > 0) dW = o.sub(dW, o.mul(top.W, wc));
        top.replace('W', o.add(top.W, o.mul(dW, lr)));
        top.replace(
          'visibleBias',
          o.add(top.visibleBias, o.mul(o.mean(o.sub(wakeTop, negVisible), 0), lr)),
        );
        top.replace(
          'hiddenBias',
          o.add(top.hiddenBias, o.mul(o.mean(o.sub(wakeHidden, h), 0), lr)),
        );
        return negPen;
      };
      return wakeSleepStep(stack, v, topPhase, rng, lr, wc);
    },
    o,
  );
}

/**
 * Plain wake-sleep for a sigmoid belief network (Hinton, Dayan, Frey & Neal 1995): the top
 * layer's prior biases learn from the wake states, and the sleep phase starts from a
 * sample of that prior.
 */
export function wakeSleep(
  sbn: SigmoidBeliefNet,
  input: MatrixInput,
  options: WakeSleepOptions,
  hooks: WakeSleepHooks = {},
): Promise<WakeSleepEpoch[]> {
  const o = sbn.ops;
  const stack: DirectedStack = {
    ops: o,
    depth: sbn.generative.length,
    recognition: (l) => sbn.recognition[l]!,
    generative: (l) => sbn.generative[l]!,
    setRecognition: (l, w) => replaceDirected(o, sbn.recognition[l]!, w),
    setGenerative: (l, w) => replaceDirected(o, sbn.generative[l]!, w),
  };
  return loop(
    'wakeSleep',
    input,
    sbn.sizes[0]!,
    options,
    hooks,
    (v, _indices, rng, _gibbs, lr, wc) => {
      const topPhase = (wakeTop: Tensor): Tensor => {
        const prior = o.sigmoid(sbn.topBias);
        const old = sbn.topBias;
        sbn.topBias = o.keep(o.add(sbn.topBias, o.mul(o.mean(o.sub(wakeTop, prior), 0), lr)));
        old.dispose();
        return o.bernoulli(o.add(o.zeros(wakeTop.shape), prior), rng);
      };
      return wakeSleepStep(stack, v, topPhase, rng, lr, wc);
    },
    o,
  );
}

function replaceDirected(o: Ops, target: DirectedWeights, w: DirectedWeights): void {
  const old = [target.W, target.b];
  target.W = o.keep(w.W);
  target.b = o.keep(w.b);
  o.dispose(old);
}
