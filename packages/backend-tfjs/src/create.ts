import { type Backend, BackendError } from '@deepbelief/core';
import {
  BACKEND_NAMES,
  createTfjsAdapter,
  type TfjsFlavor,
  type TfjsHandle,
  type TfjsLibrary,
} from './adapter.js';
import { type Importer, importPeer, TFJS_NODE_HINT, TFJS_WEBGL_HINT } from './peer.js';

/** Options of {@link createTfjsBackend}. */
export interface TfjsBackendOptions {
  /**
   * The tfjs backend: `cpu` (plain JavaScript, everywhere), `wasm` (XNNPACK, Node and
   * browsers), `webgl` (browsers; needs `@tensorflow/tfjs-backend-webgl`) or `tensorflow`
   * (native libtensorflow; needs `@tensorflow/tfjs-node`).
   */
  readonly flavor: TfjsFlavor;
  /**
   * Where the wasm flavor finds its `.wasm` files: a folder prefix ending in `/` (a URL in
   * browsers, e.g. where your bundler copies `node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm`)
   * or a map from file name to URL. In Node it defaults to the installed package's `dist/`
   * folder. Ignored once tfjs's wasm backend is initialized.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /**
   * The tfjs namespace to run on, when you already have one: `@tensorflow/tfjs`,
   * `@tensorflow/tfjs-core` or `@tensorflow/tfjs-node`. Default: this package's
   * `@tensorflow/tfjs-core` (`@tensorflow/tfjs-node` for the `tensorflow` flavor).
   */
  readonly lib?: TfjsLibrary;
  /** Alias of {@link TfjsBackendOptions.lib}. */
  readonly tf?: TfjsLibrary;
}

const FLAVORS: readonly TfjsFlavor[] = ['cpu', 'wasm', 'webgl', 'tensorflow'];

const nodeImporter: Importer = (specifier) =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);

/** Module namespaces of CommonJS packages may hold the exports under `default`. */
function unwrapNamespace(mod: unknown): TfjsLibrary {
  const m = mod as { matMul?: unknown; default?: { matMul?: unknown } };
  if (typeof m.matMul === 'function') return m as unknown as TfjsLibrary;
  if (typeof m.default?.matMul === 'function') return m.default as unknown as TfjsLibrary;
  throw new BackendError('[deepbelief] [tfjs] the imported module is not a tfjs namespace');
}

const loadCore = async (): Promise<TfjsLibrary> =>
  unwrapNamespace(await import('@tensorflow/tfjs-core'));

const hasFactory = (tf: TfjsLibrary, flavor: TfjsFlavor): boolean =>
  tf.findBackendFactory(flavor) != null;

const isInitialized = (tf: TfjsLibrary, flavor: TfjsFlavor): boolean =>
  tf.engine().registry[flavor] != null;

/** True in Node (and Deno/Bun, which implement `process.versions.node`). */
const isNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
  'string';

/** A browser page or a worker that can make a WebGL context. */
const hasWebGlHost = (): boolean => {
  const g = globalThis as { document?: unknown; OffscreenCanvas?: unknown };
  return typeof g.document !== 'undefined' || typeof g.OffscreenCanvas !== 'undefined';
};

/**
 * The installed `@tensorflow/tfjs-backend-wasm/dist/` folder, in Node. Resolved from this
 * module (so it works from any working directory, under pnpm's nested layout and in
 * bundles that keep `node_modules` external); undefined when the files are not there.
 */
export async function nodeWasmDir(): Promise<string | undefined> {
  if (!isNode()) return undefined;
  const { createRequire } = (await nodeImporter('node:module')) as typeof import('node:module');
  const path = (await nodeImporter('node:path')) as typeof import('node:path');
  const fs = (await nodeImporter('node:fs')) as typeof import('node:fs');
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  } catch {
    return undefined;
  }
  const dir = path.dirname(main);
  return fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')) ? dir + path.sep : undefined;
}

// Creations run one at a time: tfjs has a single engine and initializing one backend while
// another initializes would leave the engine's active backend inconsistent.
let queue: Promise<unknown> = Promise.resolve();
function serialize<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task);
  queue = result.catch(() => {});
  return result;
}

/**
 * Creates a deepbelief backend running on TensorFlow.js.
 *
 * ```ts
 * const ops = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
 * ```
 *
 * The tfjs backend packages are imported lazily: `cpu` and `wasm` ship with this package;
 * `webgl` needs `@tensorflow/tfjs-backend-webgl` and `tensorflow` needs
 * `@tensorflow/tfjs-node`, else a {@link BackendError} says what to install. Creation makes
 * the flavor tfjs's active backend (tfjs has one per process); every op re-activates its own
 * flavor, so backends of several flavors can be used side by side.
 */
export function createTfjsBackend(options: TfjsBackendOptions): Promise<Backend<TfjsHandle>> {
  const flavor = options?.flavor;
  if (!FLAVORS.includes(flavor)) {
    return Promise.reject(
      new BackendError(
        `[deepbelief] [tfjs] unknown flavor '${String(flavor)}' (use ${FLAVORS.map((f) => `'${f}'`).join(', ')})`,
      ),
    );
  }
  if (options.lib && options.tf && options.lib !== options.tf) {
    return Promise.reject(
      new BackendError('[deepbelief] [tfjs] `lib` and `tf` are aliases: give one of them'),
    );
  }
  return serialize(() => create(options));
}

async function create(options: TfjsBackendOptions): Promise<Backend<TfjsHandle>> {
  const { flavor } = options;
  const name = BACKEND_NAMES[flavor];
  const given = options.lib ?? options.tf;
  let tf = given ?? (flavor === 'tensorflow' ? undefined : await loadCore());

  switch (flavor) {
    case 'cpu':
      if (!hasFactory(tf!, 'cpu')) await import('@tensorflow/tfjs-backend-cpu');
      break;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (!isInitialized(tf!, 'wasm')) {
        const paths = options.wasmPaths ?? (await nodeWasmDir());
        if (paths) wasm.setWasmPaths(paths as string | Record<string, string>);
      }
      break;
    }
    case 'webgl':
      if (!hasWebGlHost()) {
        throw new BackendError(
          `[deepbelief] [${name}] WebGL needs a browser page or a worker with OffscreenCanvas; ` +
            "in Node use 'tfjs-node', 'tfjs-wasm' or 'tfjs-cpu'",
        );
      }
      // Import '@tensorflow/tfjs-backend-webgl' in your app to let your bundler include it.
      if (!hasFactory(tf!, 'webgl')) await importPeer(TFJS_WEBGL_HINT);
      break;
    case 'tensorflow':
      if (!tf || !hasFactory(tf, 'tensorflow')) {
        // Importing tfjs-node registers its native 'tensorflow' backend with the global
        // engine, so a namespace given as `lib` sees it too.
        const node = unwrapNamespace(await importPeer(TFJS_NODE_HINT));
        tf ??= node;
      }
      break;
  }

  const lib = tf!;
  if (!hasFactory(lib, flavor)) {
    throw new BackendError(
      `[deepbelief] [${name}] tfjs has no '${flavor}' backend registered after importing its package; ` +
        'is `lib` a different copy of tfjs than the backend package uses?',
    );
  }
  const ok = await lib.setBackend(flavor);
  if (!ok) {
    const hint =
      flavor === 'wasm'
        ? '; if its .wasm files could not be loaded, pass `wasmPaths` (the folder or URL ' +
          'serving tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm and ' +
          'tfjs-backend-wasm-threaded-simd.wasm)'
        : flavor === 'webgl'
          ? ': this browser or worker could not create a WebGL context'
          : '';
    throw new BackendError(
      `[deepbelief] [${name}] tfjs could not initialize its '${flavor}' backend (tfjs logged why above)${hint}`,
    );
  }
  return createTfjsAdapter(lib, flavor);
}
