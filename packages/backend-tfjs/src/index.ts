export {
  BACKEND_NAMES,
  createTfjsAdapter,
  KERNEL_POLICIES,
  type KernelPolicy,
  type TfjsFlavor,
  type TfjsHandle,
  type TfjsLibrary,
} from './adapter.js';
export { createTfjsBackend, nodeWasmDir, type TfjsBackendOptions } from './create.js';
export {
  registerTfjsBackends,
  TFJS_PRIORITIES,
  type TfjsRegistrationOptions,
} from './registry.js';
