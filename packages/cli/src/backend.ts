import { registerTfjsBackends } from '@deepbelief/backend-tfjs';
import { BackendError, type BackendFailure, backendRegistry, type Ops } from '@deepbelief/core';
import { UsageError } from './errors.js';

/** Backend settings of a command (`--backend`, `--threads`). */
export interface BackendChoice {
  /** A registered name, or `auto` (default) for the fastest one that starts here. */
  readonly backend?: string;
  /** Intra-op threads for the native `onnx` backend (default: all cores). */
  readonly threads?: number;
}

/** The backend a command runs on, and why others were skipped. */
export interface SelectedBackend {
  readonly ops: Ops;
  /** e.g. `onnx`, `tfjs-wasm`, `js`. */
  readonly name: string;
  /** Whether it was picked automatically. */
  readonly auto: boolean;
  /** Backends tried first that could not start (auto selection only). */
  readonly skipped: readonly BackendFailure[];
}

let registered: Promise<void> | null = null;
let registeredThreads: number | undefined;

/**
 * Registers every backend this command can use with core's shared registry: the tfjs
 * backends (tfjs-node, tfjs-wasm, tfjs-cpu; imported only when used) and, when the optional
 * `@deepbelief/backend-onnx` is installed, the native `onnx` backend. The pure-JavaScript
 * `js` backend is always there. Safe to call more than once.
 */
export function registerBackends(options: { threads?: number } = {}): Promise<void> {
  if (registered && registeredThreads === options.threads) return registered;
  registeredThreads = options.threads;
  registered = (async () => {
    registerTfjsBackends(backendRegistry);
    try {
      const onnx = await import('@deepbelief/backend-onnx');
      onnx.registerOnnxBackend(
        backendRegistry,
        options.threads === undefined ? {} : { threads: options.threads },
      );
    } catch {
      // optional dependency not installed: auto selection falls back to tfjs / js
    }
  })();
  return registered;
}

/**
 * Starts the backend named by `--backend` (or the best one for `auto`), with `--threads`.
 *
 * @throws {UsageError} for a name that is not registered (the message lists the choices).
 * @throws {BackendError} when the named backend cannot start here (the message says why).
 */
export async function selectBackend(choice: BackendChoice = {}): Promise<SelectedBackend> {
  await registerBackends(choice.threads === undefined ? {} : { threads: choice.threads });
  const name = choice.backend ?? 'auto';
  if (name !== 'auto' && !backendRegistry.has(name)) {
    throw new UsageError(
      `--backend: unknown backend '${name}'; choose auto, ${backendRegistry.names().join(', ')}`,
    );
  }
  if (name === 'auto') {
    const ops = await backendRegistry.best();
    return { ops, name: ops.name, auto: true, skipped: [...backendRegistry.lastFailures] };
  }
  try {
    const ops = await backendRegistry.get(name);
    return { ops, name: ops.name, auto: false, skipped: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackendError(
      `--backend ${name}: the backend could not start: ${reason}. Try --backend auto`,
    );
  }
}

/** A one-line description of the chosen backend, e.g. `backend: onnx (auto; 2 threads)`. */
export function describeBackend(selected: SelectedBackend, threads?: number): string {
  const notes = [selected.auto ? 'auto' : 'chosen'];
  if (threads !== undefined && selected.name === 'onnx') notes.push(`${threads} threads`);
  if (selected.skipped.length)
    notes.push(`skipped ${selected.skipped.map((s) => s.name).join(', ')}`);
  return `backend: ${selected.name} (${notes.join('; ')})`;
}
