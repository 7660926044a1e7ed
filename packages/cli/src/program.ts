import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_CODES, exitCodeFor, InterruptedError, messageFor, UsageError } from './errors.js';
import { column, DATA_FORMS, integer, integerList, real, shape } from './parsers.js';
import { type CliIo, processIo, Terminal } from './terminal.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The version of this package (`deepbelief --version`). */
export const CLI_VERSION: string = pkg.version;

/** `Examples:` block for a command's help. */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

function terminalFor(command: Command, io: CliIo): Terminal {
  const globals = command.optsWithGlobals<{ quiet?: boolean; color?: boolean }>();
  const env =
    globals.color === false ? { ...io.env, NO_COLOR: '1', FORCE_COLOR: undefined } : io.env;
  return new Terminal({ ...io, env }, globals.quiet === true);
}

function addBackendOptions(command: Command): Command {
  return command
    .option(
      '--backend <name>',
      'compute backend: auto (default: the fastest that starts here), onnx, tfjs-node, tfjs-wasm, tfjs-cpu or js',
    )
    .option(
      '--threads <n>',
      'threads for the native onnx backend (default: all cores)',
      integer(1),
    );
}

function addDataOptions(command: Command, what: string): Command {
  return command
    .option('--data <spec>', `${what}: ${DATA_FORMS}`)
    .option('--limit <n>', 'use only the first N rows', integer(1))
    .option(
      '--label-column <col>',
      "CSV column with integer labels: a name or a 0-based index (default: a column named 'label')",
      column,
    )
    .option('--binarize', 'threshold values at 0.5 to 0/1')
    .option(
      '--download',
      'allow downloading MNIST / Fashion-MNIST into the cache if no local copy exists',
    );
}

function addRbmTrainingOptions(command: Command, epochs: string, pcd = true): Command {
  command
    .option('--epochs <n>', epochs, integer(1))
    .option('--batch-size <n>', 'mini-batch size (default 100)', integer(1))
    .option('--learning-rate <x>', 'learning rate (default 0.1)', real({ min: 0, minOpen: true }))
    .option('--cd <k>', 'Gibbs steps of CD-k (default 1)', integer(1));
  if (pcd) command.option('--pcd', 'persistent contrastive divergence (Tieleman 2008)');
  return command
    .option(
      '--momentum <x>',
      'constant momentum (default: 0.5 switching to 0.9 after 5 epochs)',
      real({ min: 0, max: 1, maxOpen: true }),
    )
    .option('--weight-cost <x>', 'L2 weight cost (default 0.0002)', real({ min: 0 }));
}

/**
 * A command implementation: the terminal, then the positional arguments, then the flags
 * (each command declares its own types; commander has validated the values).
 */
type Implementation = (term: Terminal, ...args: never[]) => Promise<void>;

/**
 * Runs an action, giving it the terminal of its command. `load` imports the implementation
 * only when the command runs, so `--help` and usage errors stay fast.
 */
function action(
  io: CliIo,
  load: () => Promise<Implementation>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const term = terminalFor(command, io);
    const positional = args.slice(0, -2);
    const fn = await load();
    await fn(term, ...([...positional, command.opts()] as never[]));
  };
}

/** `--checkpoint`, `--checkpoint-every`, `--resume` and `--max-batches`: every training command has them. */
function addCheckpointOptions(command: Command): Command {
  return command
    .option(
      '--checkpoint <file>',
      'write a resumable checkpoint here (every epoch, or see --checkpoint-every; also on Ctrl-C)',
    )
    .option('--checkpoint-every <n>', 'checkpoint every N batches', integer(1))
    .option('--resume <file>', 'continue from a checkpoint (bit-identical to an uninterrupted run)')
    .option('--max-batches <n>', 'stop after N batches (with --checkpoint: resumable)', integer(0));
}

/**
 * Builds the `deepbelief` command-line program (commander). Output goes to `io`; errors
 * are thrown as `CommanderError` (usage) or the command's own errors, for {@link main} to
 * turn into a message and an exit code.
 */
export function createProgram(io: CliIo = processIo()): Command {
  const program = new Command('deepbelief');
  program
    .description(
      'Restricted Boltzmann Machines, Deep Belief Networks and deep autoencoders from the terminal:\ntrain, fine-tune, evaluate, sample and draw.',
    )
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .option('-q, --quiet', 'no progress or status lines (results and errors only)')
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    .helpOption('-h, --help', 'show help')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `${examples(
        'deepbelief quickstart',
        'deepbelief train rbm --data mnist --hidden 500 --epochs 10 --cd 1 --seed 1 --out rbm.safetensors',
        'deepbelief train dbn --preset small --data mnist --seed 1 --out dbn.safetensors',
        'deepbelief eval dbn.safetensors --data mnist --json',
        'deepbelief sample dbn.safetensors --label 3 --count 16 --out threes.png',
        'deepbelief draw filters rbm.safetensors --out filters.png',
        'deepbelief info dbn.safetensors',
      )}\nExit codes: 0 ok, 1 runtime error, 2 bad usage or input, 130 interrupted.\n`,
    );

  // ---------------------------------------------------------------- quickstart
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
      .option('--seed <n>', 'random seed (default 1)', integer(0))
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
    .action(action(io, async () => (await import('./commands/quickstart.js')).quickstart));

  // ---------------------------------------------------------------- train
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
          .option('--seed <n>', 'random seed (default 1)', integer(0))
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
    .action(action(io, async () => (await import('./commands/train-rbm.js')).trainRbm));

  addRbmTrainingOptions(
    addDataOptions(
      addBackendOptions(
        train
          .command('dbn')
          .description(
            'Pre-train a DBN layer by layer (the top RBM with label units when the data has labels)',
          )
          .option('--config <file>', 'settings from a JSON or YAML file (flags override it)')
          .option('--seed <n>', 'random seed (default 1)', integer(0))
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
    .action(action(io, async () => (await import('./commands/train-dbn.js')).trainDbn));

  addRbmTrainingOptions(
    addDataOptions(
      addBackendOptions(
        train
          .command('autoencoder')
          .description('Pre-train a deep autoencoder, unroll it and fine-tune it by backprop')
          .option('--config <file>', 'settings from a JSON or YAML file (flags override it)')
          .option('--seed <n>', 'random seed (default 1)', integer(0))
          .option('--out <file>', 'model file to write (default autoencoder.safetensors)')
          .addOption(
            new Option(
              '--preset <name>',
              'architecture and recipe (default autoencoder2006)',
            ).choices(['autoencoder2006']),
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
    .action(
      action(io, async () => (await import('./commands/train-autoencoder.js')).trainAutoencoder),
    );

  // ---------------------------------------------------------------- finetune
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
          '--persistent',
          "keep the top RBM's negative chains from batch to batch (persistent CD)",
        )
        .option('--seed <n>', 'random seed (default 1)', integer(0)),
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
    .action(action(io, async () => (await import('./commands/finetune.js')).finetuneUpDown));
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
          new Option('--optimizer <name>', 'optimizer (default sgd)').choices(['sgd', 'adam']),
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
        .option('--seed <n>', 'random seed (default 1)', integer(0)),
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
    .action(action(io, async () => (await import('./commands/finetune.js')).finetuneBackprop));

  // ---------------------------------------------------------------- eval
  addDataOptions(
    addBackendOptions(
      program
        .command('eval')
        .description(
          'Evaluate a model on test data: classification error and confusion matrix, reconstruction error, RBM log-likelihood',
        )
        .argument('<file>', 'a model file')
        .option('--json', 'print one JSON object (testError, reconstructionError, logZ, …)')
        .option(
          '--ais',
          'RBMs: estimate log Z and the test log-likelihood by annealed importance sampling',
        )
        .option('--ais-runs <n>', "AIS runs (default: @deepbelief/rbm's, 500)", integer(2))
        .option(
          '--ais-betas <n>',
          'AIS temperatures, evenly spaced (default: the 14,500 of Salakhutdinov & Murray)',
          integer(2),
        )
        .option(
          '--exact',
          'RBMs with ≤ 25 units in the smaller layer: exact log Z and test log-likelihood',
        )
        .option('--seed <n>', 'random seed of AIS (default 1)', integer(0)),
    ),
    'test data (default: what the model was trained on)',
  )
    .addHelpText(
      'after',
      examples(
        'deepbelief eval dbn.safetensors --data mnist',
        'deepbelief eval classifier.safetensors --data mnist --json',
        'deepbelief eval rbm.safetensors --data mnist --ais --json',
        'deepbelief eval rbm20.safetensors --data mnist --exact --ais --ais-betas 1000',
      ) +
        '\nJSON fields: testError (fraction) and confusion for dbn/classifier files; reconstructionError\n(MSE per pixel; squared error per image for autoencoders) for rbm/autoencoder files; with --ais\nlogZ, logZStd and testLogLikelihood (nats per image); with --exact exactLogZ and the exact\ntestLogLikelihood (the AIS one is then aisTestLogLikelihood). The test split of mnist,\nfashion-mnist, IDX directories and synthetic sets is used; a CSV/NPY file is used whole.\n',
    )
    .action(action(io, async () => (await import('./commands/eval.js')).evalCommand));

  // ---------------------------------------------------------------- sample
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
          'RBM: start chains from random states or test images (default random)',
        ).choices(['random', 'data']),
      )
      .option('--data <spec>', `RBM with --init data: ${DATA_FORMS}`)
      .option('--columns <n>', 'tiles per row', integer(1))
      .option('--shape <HxW>', 'image shape (default: square, e.g. 28x28)', shape)
      .option('--zoom <n>', 'pixels per image pixel (default 1)', integer(1))
      .option('--seed <n>', 'random seed (default 1)', integer(0)),
  )
    .addHelpText(
      'after',
      examples(
        'deepbelief sample dbn.safetensors --out samples.png',
        'deepbelief sample dbn.safetensors --label 3 --count 16 --out threes.png',
        'deepbelief sample rbm.safetensors --count 64 --steps 5000 --out rbm-samples.png',
      ),
    )
    .action(action(io, async () => (await import('./commands/sample.js')).sampleCommand));

  // ---------------------------------------------------------------- draw
  const draw = program
    .command('draw')
    .description('Draw first-layer filters or reconstructions as PNG grids');
  addBackendOptions(
    draw
      .command('filters')
      .description('First-layer weights, one tile per hidden unit, each scaled to its own range')
      .argument('<file>', 'any model file')
      .requiredOption('--out <file>', 'PNG file to write')
      .option('--count <n>', 'filters to draw (default 100)', integer(1))
      .option('--columns <n>', 'tiles per row (default: a square grid)', integer(1))
      .option('--shape <HxW>', 'image shape (default: square, e.g. 28x28)', shape)
      .option('--zoom <n>', 'pixels per weight (default 1)', integer(1)),
  )
    .addHelpText(
      'after',
      examples('deepbelief draw filters rbm.safetensors --out filters.png --count 64 --zoom 2'),
    )
    .action(action(io, async () => (await import('./commands/draw.js')).drawFilters));
  addDataOptions(
    addBackendOptions(
      draw
        .command('reconstructions')
        .description('Test images and their reconstructions side by side')
        .argument('<file>', 'an rbm, dbn or autoencoder model file')
        .requiredOption('--out <file>', 'PNG file to write')
        .option('--count <n>', 'images (default 20)', integer(1))
        .option('--columns <n>', 'image/reconstruction pairs per row (default 10)', integer(1))
        .option('--shape <HxW>', 'image shape (default: the data’s, or square)', shape)
        .option('--zoom <n>', 'pixels per image pixel (default 1)', integer(1)),
    ),
    'test data (default: what the model was trained on)',
  )
    .addHelpText(
      'after',
      examples(
        'deepbelief draw reconstructions ae.safetensors --data mnist --count 20 --out recon.png',
      ),
    )
    .action(action(io, async () => (await import('./commands/draw.js')).drawReconstructions));

  // ---------------------------------------------------------------- info
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
    .action(action(io, async () => (await import('./commands/info.js')).infoCommand));

  // ---------------------------------------------------------------- backends
  program
    .command('backends')
    .description('List the compute backends and which one --backend auto picks here')
    .option('--json', 'print one JSON object')
    .addHelpText('after', examples('deepbelief backends', 'deepbelief backends --json'))
    .action(action(io, async () => (await import('./commands/backends.js')).backendsCommand));

  // ---------------------------------------------------------------- schema
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
        const { configJsonSchema } = await import('./config.js');
        term.result(
          JSON.stringify(configJsonSchema(model as 'rbm' | 'dbn' | 'autoencoder'), null, 2),
        );
      }),
    );

  return program;
}

/**
 * Runs the `deepbelief` command with `argv` (the arguments after the program name) and
 * returns the exit code: 0 ok, 1 runtime error, 2 bad usage or input, 130 interrupted.
 * Errors are printed as one `error: …` line on `io.stderr` (`interrupted: …` after Ctrl-C;
 * with the stack when `DEEPBELIEF_DEBUG` is set).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        return EXIT_CODES.ok;
      }
      // commander has already printed its one-line message
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const term = new Terminal(io);
    if (error instanceof InterruptedError) io.stderr.write(`interrupted: ${error.message}\n`);
    else term.error(messageFor(error));
    if (io.env.DEEPBELIEF_DEBUG && error instanceof Error && error.stack) {
      io.stderr.write(`${error.stack}\n`);
    }
    return exitCodeFor(error);
  }
}
