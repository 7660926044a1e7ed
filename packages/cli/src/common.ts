import type { Binarization, Dataset } from '@deepbelief/datasets';
import type { BatchEvent, EpochEvent, FitHooks } from '@deepbelief/rbm';
import {
  type BackendChoice,
  describeBackend,
  type SelectedBackend,
  selectBackend,
} from './backend.js';
import {
  binarizationOf,
  type DataSpec,
  describeData,
  type LoadDataOptions,
  loadData,
  parseDataSpec,
  type Split,
} from './data.js';
import { InterruptedError, UsageError } from './errors.js';
import { formatDuration, formatMetric, type Progress, type Terminal } from './terminal.js';

/** Flags shared by commands that read data. */
export interface DataFlags {
  readonly data?: string;
  readonly limit?: number;
  readonly labelColumn?: string | number;
  readonly binarize?: boolean | Binarization;
  readonly download?: boolean;
}

/** Flags shared by commands that compute. */
export interface BackendFlags {
  readonly backend?: string;
  readonly threads?: number;
}

/** Starts the backend and says which one runs (stderr, unless `--quiet`). */
export async function startBackend(term: Terminal, flags: BackendChoice): Promise<SelectedBackend> {
  const selected = await selectBackend(flags);
  term.info(term.err.dim(describeBackend(selected, flags.threads)));
  return selected;
}

/** Loads a split of `--data`, saying what was loaded and how long it took. */
export async function loadSplit(
  term: Terminal,
  spec: DataSpec,
  split: Split,
  options: LoadDataOptions,
): Promise<Dataset> {
  const started = performance.now();
  const data = await loadData(spec, split, options);
  const seconds = (performance.now() - started) / 1000;
  term.info(term.err.dim(`data: ${describeData(data, spec, split)} (${formatDuration(seconds)})`));
  return data;
}

/** The data options of a command's flags. */
export function dataOptions(flags: DataFlags): LoadDataOptions {
  return {
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(flags.labelColumn !== undefined ? { labelColumn: flags.labelColumn } : {}),
    ...(binarizationOf(flags.binarize) ? { binarize: binarizationOf(flags.binarize) } : {}),
    ...(flags.download ? { download: true } : {}),
  };
}

/** Parses `--data`, or throws a usage error saying it is needed. */
export function requireDataSpec(text: string | undefined, command: string): DataSpec {
  if (text === undefined) {
    throw new UsageError(`${command}: no data: pass --data (e.g. --data mnist)`);
  }
  return parseDataSpec(text);
}

/** Hooks that show RBM training progress: a bar per epoch, a line when each epoch ends. */
export function rbmProgressHooks(progress: Progress): Pick<FitHooks, 'onBatch' | 'onEpoch'> {
  return {
    onBatch: (e: BatchEvent) =>
      progress.update({
        label: `${e.algorithm} epoch ${e.epoch + 1}/${e.epochs}`,
        value: e.batch + 1,
        total: e.batches,
        metrics: { recon: e.metric },
      }),
    onEpoch: (e: EpochEvent) => progress.line(rbmEpochLine(e)),
  };
}

/** `layer 2 epoch 3/10: reconstruction error 0.0123 (1.2 s)`: the line an RBM epoch ends with. */
export function rbmEpochLine(e: EpochEvent): string {
  return `${e.layer} epoch ${e.epoch + 1}/${e.epochs}: reconstruction error ${formatMetric(e.reconstructionError)} (${formatDuration(e.seconds)})`;
}

/**
 * Ctrl-C handling for long runs: the first SIGINT aborts the returned signal (training stops
 * after the current batch, so a checkpoint can be written), a second one exits at once.
 */
export function interruptible(term: Terminal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    term.warn('interrupted: stopping after this batch (press Ctrl-C again to quit now)');
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}

/** Throws {@link InterruptedError} when `signal` was aborted by Ctrl-C. */
export function throwIfInterrupted(signal: AbortSignal, what: string): void {
  if (signal.aborted) throw new InterruptedError(what);
}

/** Bytes as `1.6 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
