import type { Command } from 'commander';
import { action, addBackendOptions, examples, seedOption } from '../options.js';
import { integer } from '../parsers.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief quickstart`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineQuickstart(program: Command, io: CliIo): void {
  addBackendOptions(
    program
      .command('quickstart')
      .description(
        'Train a small DBN on MNIST, print its test error, write samples.png, filters.png and the model (a few minutes)',
      )
      .option('--out-dir <dir>', 'where to write the files (default ./deepbelief-out)')
      .option(
        '--epochs <n>',
        'epochs per layer (default 10; the small preset itself has 2)',
        integer(1),
      )
      .option('--limit <n>', 'train on the first N of the 60000 images only', integer(100))
      .addOption(seedOption())
      .option(
        '--gibbs-steps <n>',
        'Gibbs steps in the top RBM per sample (default 1000, as in the 2006 paper)',
        integer(1),
      )
      .option('--zoom <n>', 'pixels per image pixel in the PNGs (default 2)', integer(1))
      .option(
        '--up-down <n>',
        'then fine-tune by up-down for N epochs (default 10; 0: greedy pre-training only, whose samples are mostly the wrong digit)',
        integer(0),
      ),
  )
    .addHelpText(
      'after',
      examples(
        'deepbelief quickstart',
        'deepbelief quickstart --out-dir out --limit 10000 --epochs 1',
      ),
    )
    .action(action(io, async () => (await import('./quickstart.js')).quickstart));
}
