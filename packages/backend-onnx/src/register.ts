import { type BackendRegistry, backendRegistry } from '@deepbelief/core';
import { createOnnxBackend, type OnnxBackendOptions } from './onnx-backend.js';

/** Registry priority of the onnx backend: above every tfjs backend (see core's BackendEntry). */
export const ONNX_PRIORITY = 40;

/**
 * Registers the `onnx` backend (priority 40, the native one) with `registry` (default: core's
 * shared {@link backendRegistry}). Nothing is loaded until the backend is first requested;
 * if onnxruntime-node is missing then, `registry.best()` skips it and says why.
 */
export function registerOnnxBackend(
  registry: BackendRegistry = backendRegistry,
  options: OnnxBackendOptions = {},
): void {
  registry.register({
    name: 'onnx',
    factory: () => createOnnxBackend(options),
    priority: ONNX_PRIORITY,
    description: 'native ONNX Runtime (onnxruntime-node) CPU backend, fused graphs',
  });
}
