import { DeepBeliefError } from '@deepbelief/core';
import { z } from 'zod';

/** Thrown when options fail validation; the message names each bad field and its value. */
export class InvalidOptionsError extends DeepBeliefError {
  override name = 'InvalidOptionsError';
}

/** Learning rate: a constant, or a function of the (0-based) epoch. */
export type LearningRate = number | ((epoch: number) => number);

/**
 * A value that may change with the epoch: a constant; one value per equal share of the
 * epochs (`[3, 6, 10]` over 9 epochs: 3 for epochs 0–2, 6 for 3–5, 10 for 6–8); or a linear
 * rise from `from` at epoch 0 to `to` at epoch `overEpochs` (default: the last epoch),
 * rounded, then held.
 */
export type Schedule =
  | number
  | readonly number[]
  | { readonly from: number; readonly to: number; readonly overEpochs?: number };

const stepCount = z.number().int().min(1);
/** Schema of {@link GibbsSteps} (shared with up-down's `gibbsSteps`). */
export const gibbsStepsSchema = z.union([
  stepCount,
  z.array(stepCount).min(1),
  z.object({ from: stepCount, to: stepCount, overEpochs: stepCount.optional() }).strict(),
]);

/**
 * Gibbs steps per update, a {@link Schedule} of whole numbers. Salakhutdinov & Murray (2008)
 * trained their CD25 models with k "increased from 1 to 25 during learning":
 * `{ from: 1, to: 25 }`; the 2006 up-down used `[3, 6, 10]`.
 */
export type GibbsSteps = z.infer<typeof gibbsStepsSchema>;

/** Momentum: a constant, or the practical guide's switch from `initial` to `final` at `switchEpoch`. */
export type Momentum = number | { initial: number; final: number; switchEpoch: number };

/** Schema of {@link Momentum}, shared by every trainer that takes a momentum. */
export const momentumSchema = z.union([
  z.number().min(0).lt(1),
  z
    .object({
      initial: z.number().min(0).lt(1),
      final: z.number().min(0).lt(1),
      switchEpoch: z.number().int().min(0),
    })
    .strict(),
]);

/** Schema of {@link TrainOptions}; exported so CLIs and config files validate the same way. */
export const trainOptionsSchema = z
  .object({
    epochs: z.number().int().min(1),
    batchSize: z.number().int().min(1).default(100),
    learningRate: z
      .union([
        z.number().positive().finite(),
        z.custom<(epoch: number) => number>((v) => typeof v === 'function'),
      ])
      .default(0.1),
    k: gibbsStepsSchema.default(1),
    persistent: z.boolean().default(false),
    /**
     * What the negative phase of CD-k passes from the visible layer to the hidden one at each
     * Gibbs step: the probabilities (Hinton's practical guide: less sampling noise, faster
     * learning, "slightly worse density models") or sampled states, a true Gibbs chain, for
     * models judged by their likelihood. PCD's chains always sample.
     */
    visibleStates: z.enum(['probabilities', 'samples']).default('probabilities'),
    /**
     * What the positive phase sees of each mini-batch: its values as given, or binary states
     * drawn afresh from them read as probabilities (Bernoulli and softmax visible units only).
     * Salakhutdinov's RBM code samples MNIST grey levels this way at every batch; for an upper
     * layer of a DBN it trains on samples of the posterior below, the states a DBN's
     * likelihood bound evaluates it on.
     */
    dataStates: z.enum(['values', 'samples']).default('values'),
    momentum: momentumSchema.default({ initial: 0.5, final: 0.9, switchEpoch: 5 }),
    weightCost: z.number().min(0).finite().default(2e-4),
    sparsityTarget: z.number().gt(0).lt(1).optional(),
    sparsityCost: z.number().min(0).finite().default(0),
    sparsityDecay: z.number().min(0).lt(1).default(0.95),
    shuffle: z.boolean().default(true),
    initVisibleBias: z.boolean().default(true),
    /** Number of persistent chains for PCD (default: batch size). */
    chains: z.number().int().min(1).optional(),
    /**
     * Read the (device-side) reconstruction error every this many batches: each read makes a
     * deferring backend run and copy out pending work, so reading every batch costs speed.
     * Divergence is detected at these reads.
     */
    metricsEvery: z.number().int().min(1).default(50),
    /** Name used in progress events and divergence errors (e.g. 'layer 2'). */
    layerName: z.string().default('rbm'),
  })
  .strict();

/** Training hyper-parameters; defaults follow Hinton's practical guide and rbm.m. */
export type TrainOptions = z.input<typeof trainOptionsSchema>;
/** {@link TrainOptions} with defaults filled in. */
export type ResolvedTrainOptions = z.output<typeof trainOptionsSchema>;

/** Formats zod issues as `field: problem (got value)`, one per line. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const field = i.path.length ? i.path.join('.') : '(options)';
      const input = 'input' in i ? ` (got ${JSON.stringify(i.input) ?? String(i.input)})` : '';
      return `${field}: ${i.message}${input}`;
    })
    .join('; ');
}

/** Validates options with `schema`, throwing {@link InvalidOptionsError} that names the fields. */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success)
    throw new InvalidOptionsError(`invalid ${what}: ${formatIssues(result.error)}`);
  return result.data;
}

/** The value of `schedule` at `epoch` (0-based) of a run of `epochs` epochs. */
export function scheduleAt(schedule: Schedule, epoch: number, epochs: number): number {
  if (typeof schedule === 'number') return schedule;
  if ('from' in schedule) {
    const t = Math.min(1, epoch / Math.max(1, schedule.overEpochs ?? epochs - 1));
    return Math.round(schedule.from + (schedule.to - schedule.from) * t);
  }
  return schedule[Math.min(schedule.length - 1, Math.floor((epoch * schedule.length) / epochs))]!;
}

/** `3`, or `1→25` for a changing schedule: how names and logs show k. */
export function gibbsStepsName(k: GibbsSteps): string {
  if (typeof k === 'number') return String(k);
  const [first, last] = 'from' in k ? [k.from, k.to] : [k[0]!, k.at(-1)!];
  return first === last ? String(first) : `${first}→${last}`;
}

/** Momentum at an epoch. */
export function momentumAt(m: Momentum, epoch: number): number {
  return typeof m === 'number' ? m : epoch < m.switchEpoch ? m.initial : m.final;
}

/** Learning rate at an epoch, checked to be positive and finite. */
export function learningRateAt(lr: LearningRate, epoch: number): number {
  const value = typeof lr === 'number' ? lr : lr(epoch);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidOptionsError(
      `learningRate: the schedule returned ${value} at epoch ${epoch}; it must be positive and finite`,
    );
  }
  return value;
}
