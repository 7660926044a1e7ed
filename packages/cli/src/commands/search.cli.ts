import type { Command } from 'commander';
import { action, addBackendOptions, examples } from '../options.js';
import { integer } from '../parsers.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief search`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineSearch(program: Command, io: CliIo): void {
  addBackendOptions(
    program
      .command('search')
      .description(
        'Find the training passages nearest to a query by the Hamming distance of their semantic-hashing codes',
      )
      .argument('<file>', 'a model from `deepbelief train hashing`')
      .argument('<query>', 'the query text')
      .option('--k <n>', 'passages to show (default 10)', integer(1))
      .option(
        '--data <spec>',
        'the corpus the model was trained on (default: the one recorded in the model)',
      )
      .option('--json', 'print one JSON object'),
  )
    .addHelpText(
      'after',
      examples(
        'deepbelief search hashing.safetensors "the jury said the election was conducted fairly"',
        'deepbelief search hashing.safetensors "god faith church" --k 5 --json',
      ),
    )
    .action(action(io, async () => (await import('./search.js')).searchCommand));
}
