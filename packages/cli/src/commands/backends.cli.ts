import type { Command } from 'commander';
import { action, examples } from '../options.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief backends`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineBackends(program: Command, io: CliIo): void {
  program
    .command('backends')
    .description('List the compute backends and which one --backend auto picks here')
    .option('--json', 'print one JSON object')
    .addHelpText('after', examples('deepbelief backends', 'deepbelief backends --json'))
    .action(action(io, async () => (await import('./backends.js')).backendsCommand));
}
