import { type Command, Option } from 'commander';
import { action, addBackendOptions, examples, seedOption } from '../options.js';
import { DATA_FORMS, integer, shape } from '../parsers.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief sample`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineSample(program: Command, io: CliIo): void {
  addBackendOptions(
    program
      .command('sample')
      .description(
        'Generate images: a DBN with its label clamped, or an RBM Gibbs chain, as a PNG grid',
      )
      .argument('<file>', 'a dbn, wake-sleep-dbn or rbm model file')
      .requiredOption('--out <file>', 'PNG file to write')
      .option(
        '--label <n>',
        'DBN: clamp this label (default: every label, one row each)',
        integer(0),
      )
      .option(
        '--count <n>',
        'images per label (DBN, default 10) or chains (RBM, default 100)',
        integer(1),
      )
      .option('--gibbs-steps <n>', 'DBN: Gibbs steps in the top RBM (default 200)', integer(1))
      .option('--steps <n>', 'RBM: Gibbs steps per chain (default 1000)', integer(1))
      .addOption(
        new Option(
          '--init <how>',
          'start chains from random states (default); RBM: or from test images (data); DBN: or from the label alone (label: every penultimate unit off)',
        ).choices(['random', 'data', 'label']),
      )
      .option('--data <spec>', `RBM with --init data: ${DATA_FORMS}`)
      .option('--columns <n>', 'tiles per row', integer(1))
      .option('--shape <HxW>', 'image shape (default: square, e.g. 28x28)', shape)
      .option('--zoom <n>', 'pixels per image pixel (default 1)', integer(1))
      .addOption(seedOption()),
  )
    .addHelpText(
      'after',
      examples(
        'deepbelief sample dbn.safetensors --out samples.png',
        'deepbelief sample dbn.safetensors --label 3 --count 16 --out threes.png',
        'deepbelief sample dbn.safetensors --gibbs-steps 1000 --init label --out samples.png',
        'deepbelief sample rbm.safetensors --count 64 --steps 5000 --out rbm-samples.png',
      ),
    )
    .action(action(io, async () => (await import('./sample.js')).sampleCommand));
}
