import { type Command, Option } from 'commander';
import {
  action,
  addBackendOptions,
  addCheckpointOptions,
  addDataOptions,
  examples,
  seedOption,
} from '../options.js';
import { integer, integerList, real } from '../parsers.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief finetune`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineFinetune(program: Command, io: CliIo): void {
  const finetune = program
    .command('finetune')
    .description('Fine-tune a saved DBN: up-down (generative) or backprop (discriminative)');
  addDataOptions(
    addBackendOptions(
      finetune
        .command('up-down')
        .description('Contrastive wake-sleep fine-tuning of a DBN (Hinton, Osindero & Teh 2006)')
        .argument('[file]', 'a dbn or wake-sleep-dbn model file (not with --resume)')
        .requiredOption('--out <file>', 'model file to write (kind wake-sleep-dbn)')
        .option('--epochs <n>', 'sweeps through the data (default 10)', integer(1))
        .option('--batch-size <n>', 'mini-batch size (default 100)', integer(1))
        .option(
          '--learning-rate <x>',
          'learning rate (default 0.01)',
          real({ min: 0, minOpen: true }),
        )
        .option(
          '--gibbs-steps <list>',
          'Gibbs steps in the top RBM, or a schedule over equal parts of the epochs (default 3,6,10)',
          integerList(1),
        )
        .option('--weight-cost <x>', 'L2 weight cost (default 0)', real({ min: 0 }))
        .option(
          '--momentum <x>',
          'momentum of every update (default 0, as in the paper)',
          real({ min: 0, max: 1, maxOpen: true }),
        )
        .option(
          '--top-learning-rate <x>',
          "the top RBM's learning rate (default: --learning-rate)",
          real({ min: 0, minOpen: true }),
        )
        .option(
          '--persistent',
          "keep the top RBM's negative chains from batch to batch (persistent CD)",
        )
        .addOption(seedOption()),
    ),
    'training data (default: what the model was trained on)',
  );
  addCheckpointOptions(finetune.commands.at(-1)!)
    .addHelpText(
      'after',
      examples(
        'deepbelief finetune up-down dbn.safetensors --data mnist --epochs 10 --out dbn-updown.safetensors',
        'deepbelief finetune up-down dbn.safetensors --epochs 300 --checkpoint ud.ckpt --out dbn-updown.safetensors',
        'deepbelief finetune up-down --resume ud.ckpt --out dbn-updown.safetensors',
      ),
    )
    .action(action(io, async () => (await import('./finetune.js')).finetuneUpDown));
  addDataOptions(
    addBackendOptions(
      finetune
        .command('backprop')
        .description(
          'Unroll a DBN into a classifier (or take an autoencoder) and fine-tune it by backprop',
        )
        .argument('[file]', 'a dbn, wake-sleep-dbn or autoencoder model file (not with --resume)')
        .requiredOption('--out <file>', 'model file to write (kind classifier, or autoencoder)')
        .option('--epochs <n>', 'sweeps through the data (default 10)', integer(1))
        .option('--batch-size <n>', 'mini-batch size (default 100)', integer(1))
        .option(
          '--learning-rate <x>',
          'learning rate (default 0.1)',
          real({ min: 0, minOpen: true }),
        )
        .addOption(
          new Option(
            '--optimizer <name>',
            'optimizer (default sgd; cg: conjugate gradients, as Hinton & Salakhutdinov 2006, with --batch-size 1000)',
          ).choices(['sgd', 'adam', 'cg']),
        )
        .option(
          '--line-searches <n>',
          'line searches per mini-batch with cg (default 3)',
          integer(1),
        )
        .option(
          '--output-only-epochs <n>',
          'train only the output layer for the first n epochs (default 0)',
          integer(0),
        )
        .option(
          '--momentum <x>',
          'SGD momentum (default 0.9)',
          real({ min: 0, max: 1, maxOpen: true }),
        )
        .option(
          '--weight-decay <x>',
          'L2 weight decay (default 1e-5 for classifiers)',
          real({ min: 0 }),
        )
        .option(
          '--validation-fraction <x>',
          'rows held out for early stopping (default 0.1 for classifiers)',
          real({ min: 0, max: 1, maxOpen: true }),
        )
        .option(
          '--patience <n>',
          'epochs without improvement before stopping (default 5)',
          integer(1),
        )
        .addOption(seedOption()),
    ),
    'training data (default: what the model was trained on)',
  );
  addCheckpointOptions(finetune.commands.at(-1)!)
    .addHelpText(
      'after',
      examples(
        'deepbelief finetune backprop --resume bp.ckpt --out classifier.safetensors',
        'deepbelief finetune backprop dbn.safetensors --data mnist --epochs 10 --out classifier.safetensors',
        'deepbelief finetune backprop ae.safetensors --data mnist --epochs 20 --optimizer adam --learning-rate 0.001 --out ae-ft.safetensors',
      ),
    )
    .action(action(io, async () => (await import('./finetune.js')).finetuneBackprop));
}
