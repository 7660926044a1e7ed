import { type BackendRegistry, backendRegistry } from '@deepbelief/core';
import { BACKEND_NAMES, type TfjsFlavor } from './adapter.js';
import { createTfjsBackend, type TfjsBackendOptions } from './create.js';

/** Registry priorities (higher is tried first), as documented in core's `BackendEntry`. */
export const TFJS_PRIORITIES = {
  'tfjs-node': 30,
  'tfjs-wasm': 20,
  'tfjs-webgl': 15,
  'tfjs-cpu': 5,
} as const;

/** Options applied to every backend {@link registerTfjsBackends} registers. */
export type TfjsRegistrationOptions = Omit<TfjsBackendOptions, 'flavor'>;

const DESCRIPTIONS: Record<TfjsFlavor, string> = {
  tensorflow: 'TensorFlow.js on native libtensorflow (needs @tensorflow/tfjs-node)',
  wasm: 'TensorFlow.js WebAssembly backend (XNNPACK, SIMD)',
  webgl: 'TensorFlow.js WebGL backend (browsers; needs @tensorflow/tfjs-backend-webgl)',
  cpu: 'TensorFlow.js plain-JavaScript backend',
};

/**
 * Registers `tfjs-node` (30), `tfjs-wasm` (20), `tfjs-webgl` (15) and `tfjs-cpu` (5) with
 * `registry` (default: core's shared `backendRegistry`). Nothing is imported until a
 * backend is asked for; `registry.best()` skips those whose package or host is missing.
 * Returns the registered names.
 */
export function registerTfjsBackends(
  registry: BackendRegistry = backendRegistry,
  options: TfjsRegistrationOptions = {},
): string[] {
  const flavors: TfjsFlavor[] = ['tensorflow', 'wasm', 'webgl', 'cpu'];
  return flavors.map((flavor) => {
    const name = BACKEND_NAMES[flavor] as keyof typeof TFJS_PRIORITIES;
    registry.register({
      name,
      priority: TFJS_PRIORITIES[name],
      description: DESCRIPTIONS[flavor],
      factory: () => createTfjsBackend({ ...options, flavor }),
    });
    return name;
  });
}
