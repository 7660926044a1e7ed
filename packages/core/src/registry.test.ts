import { describe, expect, it } from 'vitest';
import { BACKEND_SPEC_VERSION } from './backend.js';
import { BackendError } from './errors.js';
import { createJsBackend } from './js-backend.js';
import { Ops } from './ops.js';
import { BackendRegistry, backendRegistry } from './registry.js';

describe('BackendRegistry', () => {
  it('picks the highest-priority backend that starts, and reports the others', async () => {
    const r = new BackendRegistry();
    r.register({ name: 'slow', factory: createJsBackend, priority: 1 });
    r.register({
      name: 'missing',
      priority: 9,
      factory: () => {
        throw new Error("cannot find package 'imaginary-native'");
      },
    });
    const ops = await r.best();
    expect(ops.name).toBe('js');
    expect(r.lastFailures).toEqual([
      { name: 'missing', reason: "cannot find package 'imaginary-native'" },
    ]);
    expect(r.names()).toEqual(['missing', 'slow']);
  });

  it('an unknown name lists what is available', async () => {
    const r = new BackendRegistry();
    r.register({ name: 'js', factory: createJsBackend, priority: 1 });
    await expect(r.get('wasm')).rejects.toThrow(/no backend named 'wasm'; registered: js/);
  });

  it('caches instances and resolves auto', async () => {
    const r = new BackendRegistry();
    r.register({ name: 'js', factory: createJsBackend, priority: 1 });
    expect(await r.get('js')).toBe(await r.resolve('auto'));
  });

  it('the shared registry lives on globalThis and starts with js', () => {
    expect(backendRegistry.has('js')).toBe(true);
    expect(
      (globalThis as Record<symbol, unknown>)[Symbol.for('@deepbelief/core/backend-registry')],
    ).toBe(backendRegistry);
  });

  it('refuses a backend written for another spec version', () => {
    const old = { ...createJsBackend(), specVersion: 'v0' } as unknown as ReturnType<
      typeof createJsBackend
    >;
    expect(() => new Ops(old)).toThrow(BackendError);
    expect(() => new Ops(old)).toThrow(/speaks v1/);
    expect(BACKEND_SPEC_VERSION).toBe('v1');
  });
});
