import { createRequire } from 'node:module';
import { BackendError } from '@deepbelief/core';

/** A tensor as the native binding reads and writes it. */
export interface NativeTensor {
  readonly type: 'float32' | 'int64' | 'uint8';
  readonly data: Float32Array | BigInt64Array | Uint8Array;
  readonly dims: readonly number[];
  readonly location: 'cpu';
}

/** The synchronous session object of onnxruntime-node's native binding. */
export interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, NativeTensor>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, { readonly data: unknown; readonly dims: readonly number[] }>;
  dispose(): void;
}

/** What this package uses of `onnxruntime-node/dist/binding.js`. */
export interface NativeBinding {
  readonly binding: { readonly InferenceSession: new () => NativeSession };
  initOrt(): void;
}

/** The exact onnxruntime-node version this package is written and tested against. */
export const ONNXRUNTIME_VERSION = '1.30.0';

const INSTALL_HINT =
  `install it with \`pnpm add onnxruntime-node@${ONNXRUNTIME_VERSION}\` (with npm: ` +
  `\`ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@${ONNXRUNTIME_VERSION}\`, which ` +
  'skips its postinstall download of CUDA files; the CPU library ships inside the package)';

/**
 * Loads onnxruntime-node's synchronous native binding. The package's public
 * `InferenceSession.run` is asynchronous, but backend kernels are synchronous, so this
 * reaches for `dist/binding.js` (the N-API module the public API wraps); that is why the
 * dependency is pinned to one version. Any failure becomes a {@link BackendError} that
 * says what to install.
 *
 * @param require module loader, replaceable for tests (default: Node's, from this file).
 */
export function loadNativeBinding(
  require: (id: string) => unknown = createRequire(import.meta.url),
): NativeBinding {
  let version: string;
  try {
    version = (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch (error) {
    throw new BackendError(
      `onnx backend: the optional dependency onnxruntime-node is not installed (${describe(error)}); ${INSTALL_HINT}`,
    );
  }
  let native: NativeBinding;
  try {
    native = require('onnxruntime-node/dist/binding.js') as NativeBinding;
    native.initOrt();
  } catch (error) {
    throw new BackendError(
      `onnx backend: onnxruntime-node ${version} is installed but its native library for ` +
        `${process.platform}-${process.arch} could not be loaded (${describe(error)}); ` +
        `reinstall it: ${INSTALL_HINT}`,
    );
  }
  if (typeof native?.binding?.InferenceSession !== 'function') {
    throw new BackendError(
      `onnx backend: onnxruntime-node ${version} has no synchronous binding where ` +
        `@deepbelief/backend-onnx expects it; ${INSTALL_HINT}`,
    );
  }
  return native;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}
