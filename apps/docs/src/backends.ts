import { createJsBackend, Ops } from '@deepbelief/core';
import { WASM_FOLDER } from './assets.js';

/** Backends the browser demos offer, fastest first. */
export const DEMO_BACKENDS = [
  {
    name: 'tfjs-wasm',
    label: 'TensorFlow.js WebAssembly (XNNPACK)',
  },
  {
    name: 'tfjs-webgl',
    label: 'TensorFlow.js WebGL (GPU)',
  },
  {
    name: 'js',
    label: 'Pure JavaScript reference backend',
  },
] as const;

export type DemoBackendName = (typeof DEMO_BACKENDS)[number]['name'];

const cache = new Map<DemoBackendName, Promise<Ops>>();

/**
 * An {@link Ops} on the named backend, made once per page. tfjs is imported only when a tfjs
 * backend is asked for, so the pure-JS path loads no TensorFlow.js code. `baseUrl` is the
 * site's base (VitePress `withBase('/')`), under which the `.wasm` files are served.
 */
export function demoOps(name: DemoBackendName, baseUrl: string): Promise<Ops> {
  let ops = cache.get(name);
  if (!ops) {
    ops = make(name, baseUrl);
    cache.set(name, ops);
    ops.catch(() => cache.delete(name));
  }
  return ops;
}

async function make(name: DemoBackendName, baseUrl: string): Promise<Ops> {
  if (name === 'js') return new Ops(createJsBackend());
  const { createTfjsBackend } = await import('@deepbelief/backend-tfjs');
  if (name === 'tfjs-webgl') {
    // Registers tfjs's WebGL backend factory; backend-tfjs leaves this import to the app.
    await import('@tensorflow/tfjs-backend-webgl');
    return new Ops(await createTfjsBackend({ flavor: 'webgl' }));
  }
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const wasmPaths = new URL(`${base}${WASM_FOLDER}`, window.location.href).href;
  return new Ops(await createTfjsBackend({ flavor: 'wasm', wasmPaths }));
}
