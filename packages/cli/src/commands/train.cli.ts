import { type Command, Option } from 'commander';
import {
  action,
  addBackendOptions,
  addCheckpointOptions,
  addDataOptions,
  addRbmTrainingOptions,
  examples,
  seedOption,
} from '../options.js';
import { integer, integerList, real } from '../parsers.js';
import type { CliIo, Terminal } from '../terminal.js';
import type { TrainAutoencoderFlags } from './train-autoencoder.js';

/** Declares `deepbelief train`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineTrain(program: Command, io: CliIo): void {
  const train = program
    .command('train')
    .description('Train an RBM, a DBN or a deep autoencoder (from flags or a --config file)');

  addRbmTrainingOptions(
    addDataOptions(
      addBackendOptions(
        train
          .command('rbm')
          .description('Train one RBM with CD-k or persistent CD')
          .option('--config <file>', 'settings from a JSON or YAML file (flags override it)')
          .addOption(seedOption())
          .option('--out <file>', 'model file to write (default rbm.safetensors)')
          .option('--hidden <n>', 'hidden units (default 500)', integer(1))
          .addOption(
            new Option('--visible-type <type>', 'visible units (default bernoulli)').choices([
              'bernoulli',
              'gaussian',
            ]),
          )
          .option('--learn-sigma', 'learn a standard deviation per Gaussian visible unit'),
      ),
      'training data',
    ),
    'sweeps through the data (default 10)',
  )
    .option('--chains <n>', 'persistent chains for --pcd (default: the batch size)', integer(1))
    .option(
      '--sparsity-target <p>',
      'target mean activation of hidden units',
      real({ min: 0, max: 1, minOpen: true, maxOpen: true }),
    )
    .option('--sparsity-cost <x>', 'weight of the sparsity penalty', real({ min: 0 }));
  addCheckpointOptions(train.commands.at(-1)!)
    .addHelpText(
      'after',
      examples(
        'deepbelief train rbm --data mnist --hidden 500 --epochs 10 --cd 1 --seed 1 --out rbm.safetensors',
        'deepbelief train rbm --data mnist --hidden 25 --epochs 20 --cd 10 --pcd --out rbm25.safetensors',
        'deepbelief train rbm --config rbm.yaml --checkpoint rbm.ckpt --checkpoint-every 100',
        'deepbelief train rbm --config rbm.yaml --resume rbm.ckpt',
        'deepbelief train rbm --data synthetic:bars4 --hidden 16 --epochs 50 --backend js',
      ),
    )
    .action(action(io, async () => (await import('./train-rbm.js')).trainRbm));

  addRbmTrainingOptions(
    addDataOptions(
      addBackendOptions(
        train
          .command('dbn')
          .description(
            'Pre-train a DBN layer by layer (the top RBM with label units when the data has labels)',
          )
          .option('--config <file>', 'settings from a JSON or YAML file (flags override it)')
          .addOption(seedOption())
          .option('--out <file>', 'model file to write (default dbn.safetensors)')
          .addOption(
            new Option(
              '--preset <name>',
              'architecture and training recipe (default small)',
            ).choices(['small', 'hinton2006']),
          )
          .option(
            '--sizes <list>',
            'layer sizes bottom-up, e.g. 784,500,500,2000 (instead of a preset)',
            integerList(1, 2),
          )
          .option(
            '--labels <n>',
            'label units in the top RBM (default: the number of classes; 0 for none)',
            integer(0),
          ),
      ),
      'training data',
    ),
    "sweeps through the data per layer (default: the preset's)",
  ).addOption(
    new Option('--propagate <how>', 'what each layer passes up (default probabilities)').choices([
      'probabilities',
      'samples',
    ]),
  );
  addCheckpointOptions(train.commands.at(-1)!)
    .addHelpText(
      'after',
      examples(
        'deepbelief train dbn --preset small --data mnist --seed 1 --out dbn.safetensors',
        'deepbelief train dbn --preset hinton2006 --data mnist --seed 1 --out dbn2006.safetensors --checkpoint dbn.ckpt',
        'deepbelief train dbn --data mnist --sizes 784,300,300,1000 --epochs 5 --limit 20000',
        'deepbelief train dbn --config dbn.yaml --resume dbn.ckpt',
      ) +
        '\nPresets: small (784-200-200-500 + 10 labels, 2 epochs per layer) and hinton2006\n(784-500-500-2000 + 10 labels, 30 epochs per layer, Hinton, Osindero & Teh 2006).\n',
    )
    .action(action(io, async () => (await import('./train-dbn.js')).trainDbn));

  addRbmTrainingOptions(
    addDataOptions(
      addBackendOptions(
        train
          .command('autoencoder')
          .description('Pre-train a deep autoencoder, unroll it and fine-tune it by backprop')
          .option('--config <file>', 'settings from a JSON or YAML file (flags override it)')
          .addOption(seedOption())
          .option('--out <file>', 'model file to write (default autoencoder.safetensors)')
          .addOption(
            new Option(
              '--preset <name>',
              'architecture and recipe (default autoencoder2006)',
            ).choices(['autoencoder2006', 'semantic-hashing']),
          )
          .option(
            '--sizes <list>',
            'encoder sizes, e.g. 784,1000,500,250,30 (the last is the linear code)',
            integerList(1, 2),
          ),
      ),
      'training data',
    ),
    "sweeps through the data per layer (default: the preset's)",
    false,
  )
    .option('--finetune-epochs <n>', 'epochs of backprop fine-tuning (0 to skip)', integer(0))
    .option(
      '--finetune-learning-rate <x>',
      'fine-tuning learning rate',
      real({ min: 0, minOpen: true }),
    )
    .addOption(new Option('--optimizer <name>', 'fine-tuning optimizer').choices(['sgd', 'adam']));
  addCheckpointOptions(train.commands.at(-1)!)
    .addHelpText(
      'after',
      examples(
        'deepbelief train autoencoder --preset autoencoder2006 --data mnist --out ae.safetensors',
        'deepbelief train autoencoder --data mnist --sizes 784,250,30 --epochs 5 --finetune-epochs 5 --limit 10000',
      ) +
        '\n--learning-rate sets every layer, the linear code layer included (the preset gives it 0.001).\n',
    )
    .action(action(io, async () => (await import('./train-autoencoder.js')).trainAutoencoder));

  addRbmTrainingOptions(
    addBackendOptions(
      train
        .command('hashing')
        .description(
          'Semantic hashing: train a word-count autoencoder whose binary codes are memory addresses of documents',
        )
        .option(
          '--data <spec>',
          'brown (the Brown Corpus, 15 genres) or text:DIR (one sub-folder of .txt files per label)',
        )
        .option('--config <file>', 'settings from a JSON or YAML file (flags override it)')
        .addOption(seedOption())
        .option('--out <file>', 'model file to write (default hashing.safetensors)')
        .option('--bits <n>', 'code length in bits (default 32)', integer(1))
        .option(
          '--sizes <list>',
          'encoder sizes from the vocabulary to the code, e.g. 2000,500,500,32',
          integerList(1, 2),
        ),
    ),
    "sweeps through the data per layer (default: the preset's, 50)",
    false,
  )
    .option(
      '--finetune-epochs <n>',
      'most epochs of fine-tuning (default 200; early stopping)',
      integer(0),
    )
    .option(
      '--finetune-learning-rate <x>',
      'fine-tuning learning rate (Adam, default 0.001)',
      real({ min: 0, minOpen: true }),
    );
  addCheckpointOptions(train.commands.at(-1)!)
    .addHelpText(
      'after',
      examples(
        'deepbelief train hashing --data brown --bits 32 --out hashing.safetensors',
        'deepbelief train hashing --data text:./my-docs --bits 16 --epochs 10 --finetune-epochs 20',
        'deepbelief search hashing.safetensors "the jury said the election was conducted fairly"',
        'deepbelief eval hashing.safetensors --json',
      ) +
        '\nPassages of 100 words (stop words removed), split 80/20 by document (seed 1), a 2,000-word\nvocabulary from the training passages. The recipe is the semantic-hashing preset.\n',
    )
    .action(
      action(io, async () => {
        const { trainAutoencoder } = await import('./train-autoencoder.js');
        return (term: Terminal, flags: TrainAutoencoderFlags) =>
          trainAutoencoder(term, {
            preset: flags.sizes ? undefined : 'semantic-hashing',
            code: 'binary',
            out: 'hashing.safetensors',
            ...flags,
            ...(flags.bits === undefined && !flags.sizes ? { bits: 32 } : {}),
          });
      }),
    );
}
