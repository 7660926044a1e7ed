import type { Backend } from './backend.js';
import { BackendError } from './errors.js';
import { createJsBackend } from './js-backend.js';
import { Ops } from './ops.js';

/** How to make a backend. Factories may be async and may throw when a dependency is missing. */
export interface BackendEntry {
  readonly name: string;
  readonly factory: () => Backend | Promise<Backend>;
  /**
   * Higher is tried first by {@link BackendRegistry.best}. Built-in order: native (onnx) 40,
   * tfjs-node `tensorflow` 30, tfjs-wasm 20, tfjs-webgl 15, tfjs-cpu 5, js 1.
   */
  readonly priority: number;
  /** One line for listings. */
  readonly description?: string;
}

/** Why a backend could not be made, as reported by {@link BackendRegistry.best}. */
export interface BackendFailure {
  readonly name: string;
  readonly reason: string;
}

/**
 * Backends by name. Use the shared {@link backendRegistry} (kept on `globalThis`, so two
 * copies of core still agree) or make your own with `new BackendRegistry()`.
 */
export class BackendRegistry {
  private readonly entries = new Map<string, BackendEntry>();
  private readonly cache = new Map<string, Promise<Ops>>();
  /** Reasons the last {@link BackendRegistry.best} skipped backends. */
  lastFailures: BackendFailure[] = [];

  register(entry: BackendEntry): void {
    if (!entry.name) throw new BackendError('register: a backend needs a name');
    this.entries.set(entry.name, entry);
    this.cache.delete(entry.name);
  }

  unregister(name: string): void {
    this.entries.delete(name);
    this.cache.delete(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Registered names, highest priority first. */
  names(): string[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.name);
  }

  list(): BackendEntry[] {
    return this.names().map((n) => this.entries.get(n)!);
  }

  /** The backend called `name`, made once and cached. Errors list what is registered. */
  async get(name: string): Promise<Ops> {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new BackendError(
        `no backend named '${name}'; registered: ${this.names().join(', ') || '(none)'}`,
      );
    }
    let ops = this.cache.get(name);
    if (!ops) {
      ops = Promise.resolve()
        .then(() => entry.factory())
        .then((backend) => new Ops(backend));
      this.cache.set(name, ops);
      ops.catch(() => this.cache.delete(name));
    }
    return ops;
  }

  /**
   * The highest-priority backend that can be made here. Backends whose factory throws
   * (a missing optional dependency, say) are skipped; their reasons are kept in
   * {@link BackendRegistry.lastFailures}.
   */
  async best(): Promise<Ops> {
    const failures: BackendFailure[] = [];
    for (const name of this.names()) {
      try {
        const ops = await this.get(name);
        this.lastFailures = failures;
        return ops;
      } catch (error) {
        failures.push({ name, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    this.lastFailures = failures;
    throw new BackendError(
      `no backend could be started: ${failures.map((f) => `${f.name}: ${f.reason}`).join('; ') || 'none registered'}`,
    );
  }

  /** `name` if given, else {@link BackendRegistry.best}. `'auto'` means best. */
  async resolve(name?: string): Promise<Ops> {
    return name && name !== 'auto' ? this.get(name) : this.best();
  }
}

const GLOBAL_KEY = Symbol.for('@deepbelief/core/backend-registry');

/**
 * The shared registry. It starts with the pure-JavaScript reference backend `js`;
 * backend packages add themselves with `register…Backends(backendRegistry)`.
 */
export const backendRegistry: BackendRegistry = (() => {
  const g = globalThis as unknown as Record<symbol, BackendRegistry | undefined>;
  let registry = g[GLOBAL_KEY];
  if (!registry) {
    registry = new BackendRegistry();
    registry.register({
      name: 'js',
      factory: createJsBackend,
      priority: 1,
      description: 'pure JavaScript reference backend (slow, no dependencies)',
    });
    g[GLOBAL_KEY] = registry;
  }
  return registry;
})();
