import type { Command } from 'commander';
import { action, examples } from '../options.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief info`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineInfo(program: Command, io: CliIo): void {
  program
    .command('info')
    .description(
      "Show a model file's format version, kind, architecture, unit types and training history",
    )
    .argument('<file>', 'a model or checkpoint file')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      examples('deepbelief info dbn.safetensors', 'deepbelief info rbm.ckpt --json'),
    )
    .action(action(io, async () => (await import('./info.js')).infoCommand));
}
