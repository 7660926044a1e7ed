import { backendRegistry } from '@deepbelief/core';
import { registerBackends } from '../backend.js';
import type { Terminal } from '../terminal.js';

/** Flags of `deepbelief backends`. */
export interface BackendsFlags {
  readonly json?: boolean;
}

/** `deepbelief backends`: every registered backend, whether it starts here, and the automatic choice. */
export async function backendsCommand(term: Terminal, flags: BackendsFlags): Promise<void> {
  await registerBackends();
  let best: string | undefined;
  try {
    best = (await backendRegistry.best()).name;
  } catch {
    best = undefined;
  }
  const failures = new Map(backendRegistry.lastFailures.map((f) => [f.name, f.reason]));
  const entries = backendRegistry.list().map((e) => ({
    name: e.name,
    priority: e.priority,
    description: e.description ?? '',
    status:
      e.name === best
        ? 'auto'
        : failures.has(e.name)
          ? `unavailable: ${failures.get(e.name)}`
          : 'not tried (auto stops at the first that starts)',
  }));
  if (flags.json) {
    term.result(JSON.stringify({ auto: best ?? null, backends: entries }));
    return;
  }
  for (const e of entries) {
    const mark =
      e.status === 'auto'
        ? term.out.green('← auto')
        : e.status.startsWith('unavailable')
          ? term.out.dim(e.status)
          : '';
    term.result(
      `${e.name.padEnd(11)} ${String(e.priority).padStart(3)}  ${e.description} ${mark}`.trimEnd(),
    );
  }
}
