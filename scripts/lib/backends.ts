/**
 * Registers every deepbelief backend package installed here and starts the ones that can
 * run, for benchmarks and reproduction scripts.
 */
import { backendRegistry, type Ops } from '@deepbelief/core';

/** Backend packages and the name of their registration function. */
const PACKAGES = [
  ['@deepbelief/backend-tfjs', 'registerTfjsBackends'],
  ['@deepbelief/backend-onnx', 'registerOnnxBackend'],
] as const;

/** Registers the installed backend packages into the shared registry; returns notes on the rest. */
export async function registerInstalledBackends(): Promise<string[]> {
  const notes: string[] = [];
  for (const [pkg, fn] of PACKAGES) {
    try {
      const mod = (await import(pkg)) as Record<string, (registry: typeof backendRegistry) => void>;
      mod[fn]!(backendRegistry);
    } catch (error) {
      notes.push(`${pkg}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return notes;
}

/** Every registered backend that starts, highest priority first, with the reasons others did not. */
export async function startableBackends(
  only?: readonly string[],
): Promise<{ ready: { name: string; ops: Ops }[]; failed: string[] }> {
  const ready: { name: string; ops: Ops }[] = [];
  const failed: string[] = [];
  for (const name of backendRegistry.names()) {
    if (only && !only.includes(name)) continue;
    try {
      ready.push({ name, ops: await backendRegistry.get(name) });
    } catch (error) {
      failed.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { ready, failed };
}

/** The fastest backend that starts (registry order), after registering the installed packages. */
export async function fastestBackend(): Promise<Ops> {
  await registerInstalledBackends();
  return backendRegistry.best();
}
