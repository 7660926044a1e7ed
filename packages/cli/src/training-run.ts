import type { BatchProgress, MatrixSource, TrainingHooks, TrainingLoop } from '@deepbelief/core';
import type { FineTuneEpoch } from '@deepbelief/dbn';
import { interruptible } from './common.js';
import { InterruptedError, UsageError } from './errors.js';
import { saveBytes } from './models.js';
import { formatDuration, formatMetric, type Terminal } from './terminal.js';

/** Checkpoint flags every training command takes. */
export interface CheckpointFlags {
  /** Write a resumable checkpoint here: after every epoch, every N batches, on Ctrl-C and --max-batches. */
  readonly checkpoint?: string;
  readonly checkpointEvery?: number;
  readonly resume?: string;
  readonly maxBatches?: number;
}

/** Refuses `--checkpoint-every` without `--checkpoint`. */
export function checkCheckpointFlags(flags: CheckpointFlags): void {
  if (flags.checkpointEvery !== undefined && !flags.checkpoint)
    throw new UsageError('--checkpoint-every: needs --checkpoint FILE to write to');
}

/** One run of a training loop as a command sees it. */
export interface TrainingRun<E> {
  /** Runs the loop (or a stack of loops) from where it stands with these hooks. */
  fit(hooks: TrainingHooks<E>): Promise<unknown>;
  /** True once training is complete. */
  done(): boolean;
  /** Where it stands, e.g. `layer 2, epoch 3/10, batch 120`. */
  where(): string;
  /** The checkpoint's bytes (called between batches). */
  checkpoint(): Uint8Array;
  /** The progress bar's label for a batch. */
  label(e: BatchProgress): string;
  /** The line printed when an epoch ends (its time included). */
  epochLine(e: E): string;
  /** What the metric is called on the bar, e.g. `recon`. */
  readonly metric: string;
}

/**
 * Runs training the way every command does: a progress bar (one line per epoch when the
 * output is not a terminal), Ctrl-C stops after the current batch, and with `--checkpoint`
 * a checkpoint is written after every epoch (or every `--checkpoint-every` batches), on
 * Ctrl-C and when `--max-batches` stops the run. Returns true when training finished;
 * false when `--max-batches` stopped it (the message says how to continue); throws
 * {@link InterruptedError} on Ctrl-C.
 */
export async function runTraining<E>(
  term: Terminal,
  run: TrainingRun<E>,
  flags: CheckpointFlags,
): Promise<boolean> {
  const progress = term.progress();
  const interrupt = interruptible(term);
  let sinceCheckpoint = 0;
  const write = async () => {
    if (!flags.checkpoint) return;
    await saveBytes(flags.checkpoint, run.checkpoint());
    sinceCheckpoint = 0;
  };
  try {
    await run.fit({
      onBatch: async (e) => {
        progress.update({
          label: run.label(e),
          value: e.batch + 1,
          total: e.batches,
          metrics: { [run.metric]: e.metric },
        });
        sinceCheckpoint++;
        if (flags.checkpointEvery !== undefined && sinceCheckpoint >= flags.checkpointEvery)
          await write();
      },
      onEpoch: async (e) => {
        progress.line(run.epochLine(e));
        if (flags.checkpointEvery === undefined) await write();
      },
      signal: interrupt.signal,
      ...(flags.maxBatches !== undefined ? { maxBatches: flags.maxBatches } : {}),
    });
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  if (run.done()) return true;
  await write();
  const resume = flags.checkpoint
    ? `checkpoint written to ${flags.checkpoint}; continue with --resume ${flags.checkpoint}`
    : 'no checkpoint was written (pass --checkpoint FILE to be able to resume)';
  if (interrupt.signal.aborted) throw new InterruptedError(`stopped at ${run.where()}; ${resume}`);
  term.result(
    `stopped after ${flags.maxBatches} batches (--max-batches) at ${run.where()}; ${resume}`,
  );
  return false;
}

/**
 * The {@link TrainingRun} of one training loop on `source`: it is done when the loop is, and
 * says where it stands as `[what ]epoch E/N, batch B`.
 */
export function loopRun<E>(
  loop: TrainingLoop<E>,
  source: MatrixSource,
  parts: Pick<TrainingRun<E>, 'checkpoint' | 'label' | 'epochLine' | 'metric'> & {
    readonly epochs: number;
    readonly what?: string;
  },
): TrainingRun<E> {
  return {
    fit: (hooks) => loop.fit(source, hooks),
    done: () => loop.done,
    where: () => {
      const at = loop.getPosition();
      return `${parts.what ? `${parts.what} ` : ''}epoch ${at.epoch + 1}/${parts.epochs}, batch ${at.batch}`;
    },
    ...parts,
  };
}

/** `backprop epoch 3/10: loss 0.1234, validation 0.1456 (1.2 s)`. */
export function backpropEpochLine(name: string, epochs: number): (e: FineTuneEpoch) => string {
  return (e) => {
    const valid = e.validationLoss === null ? '' : `, validation ${formatMetric(e.validationLoss)}`;
    return `${name} epoch ${e.epoch + 1}/${epochs}: loss ${formatMetric(e.trainLoss)}${valid} (${formatDuration(e.seconds)})`;
  };
}
