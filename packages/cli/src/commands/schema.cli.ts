import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { action, examples } from '../options.js';
import type { CliIo, Terminal } from '../terminal.js';

/** Declares `deepbelief schema`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineSchema(program: Command, io: CliIo): void {
  program
    .command('schema')
    .description('Print the JSON Schema of train config files (for editors and validation)')
    .argument('<model>', 'rbm, dbn or autoencoder')
    .addHelpText('after', examples('deepbelief schema dbn > dbn.schema.json'))
    .action(
      action(io, async () => async (term: Terminal, model: string) => {
        if (!['rbm', 'dbn', 'autoencoder'].includes(model)) {
          throw new UsageError(`schema: unknown model '${model}'; choose rbm, dbn or autoencoder`);
        }
        const { configJsonSchema } = await import('../config.js');
        term.result(
          JSON.stringify(configJsonSchema(model as 'rbm' | 'dbn' | 'autoencoder'), null, 2),
        );
      }),
    );
}
