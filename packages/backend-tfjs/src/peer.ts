import { BackendError } from '@deepbelief/core';

/** How a missing or broken optional package is reported: which backend wanted it and how to fix it. */
export interface PeerHint {
  /** Backend name used as the message tag, e.g. `tfjs-node`. */
  readonly backend: string;
  /** Package to import, e.g. `@tensorflow/tfjs-node`. */
  readonly pkg: string;
  /** The command that installs it, e.g. `npm install @tensorflow/tfjs-node`. */
  readonly install: string;
  /** Extra advice appended when the package is installed but fails to load. */
  readonly brokenAdvice?: string;
}

/** `import(specifier)`, replaceable in tests. */
export type Importer = (specifier: string) => Promise<unknown>;

// A variable specifier (and the ignore comments) keeps bundlers from trying to bundle an
// optional package that the user has not installed.
const defaultImporter: Importer = (specifier) =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);

/** True when `error` says the package itself could not be found (not a failure inside it). */
export function isModuleNotFound(error: unknown, pkg: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    // Node also uses these codes for a missing file *inside* an installed package (a native
    // binding, say): only call the package missing when the message names it.
    return message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`);
  }
  return /Cannot find (package|module)|Could not resolve|Failed to (resolve|fetch dynamically imported)/.test(
    message,
  )
    ? message.includes(pkg)
    : false;
}

/**
 * The error thrown when an optional package cannot be imported, unstorage style:
 * `[deepbelief] [tfjs-node] Cannot import @tensorflow/tfjs-node: install it with ...`.
 * It tells a missing package (install it) from an installed one that fails to load.
 */
export function peerImportError(hint: PeerHint, cause: unknown): BackendError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const firstLine = reason.split('\n')[0] ?? reason;
  const message = isModuleNotFound(cause, hint.pkg)
    ? `[deepbelief] [${hint.backend}] Cannot import ${hint.pkg}: install it with \`${hint.install}\``
    : `[deepbelief] [${hint.backend}] Cannot import ${hint.pkg}: it is installed but failed to load ` +
      `(${firstLine})${hint.brokenAdvice ? `; ${hint.brokenAdvice}` : ''}`;
  return new BackendError(message, { cause });
}

/** Imports an optional peer dependency, or throws {@link peerImportError}. */
export async function importPeer<T>(
  hint: PeerHint,
  importer: Importer = defaultImporter,
): Promise<T> {
  try {
    return (await importer(hint.pkg)) as T;
  } catch (error) {
    throw peerImportError(hint, error);
  }
}

/** The tfjs-node hint: its install script downloads libtensorflow, which needs network access. */
export const TFJS_NODE_HINT: PeerHint = {
  backend: 'tfjs-node',
  pkg: '@tensorflow/tfjs-node',
  install: 'npm install @tensorflow/tfjs-node',
  brokenAdvice:
    'its install script downloads libtensorflow and builds the native binding, so it must run ' +
    'with network access (pnpm: list @tensorflow/tfjs-node in onlyBuiltDependencies, then ' +
    '`pnpm rebuild @tensorflow/tfjs-node`; npm: `npm rebuild @tensorflow/tfjs-node`)',
};

/** The tfjs-webgl hint. */
export const TFJS_WEBGL_HINT: PeerHint = {
  backend: 'tfjs-webgl',
  pkg: '@tensorflow/tfjs-backend-webgl',
  install: 'npm install @tensorflow/tfjs-backend-webgl',
};
