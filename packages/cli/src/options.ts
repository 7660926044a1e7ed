/** The pieces every command's declaration is built from: shared flags, help examples, lazy actions. */
import { type Command, Option } from 'commander';
import { binarization, column, DATA_FORMS, gibbsSteps, integer, real } from './parsers.js';
import { type CliIo, Terminal } from './terminal.js';

/** `Examples:` block for a command's help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export function terminalFor(command: Command, io: CliIo): Terminal {
  const globals = command.optsWithGlobals<{ quiet?: boolean; color?: boolean }>();
  const env =
    globals.color === false ? { ...io.env, NO_COLOR: '1', FORCE_COLOR: undefined } : io.env;
  return new Terminal({ ...io, env }, globals.quiet === true);
}

export function addBackendOptions(command: Command): Command {
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

export function addDataOptions(command: Command, what: string): Command {
  return command
    .option('--data <spec>', `${what}: ${DATA_FORMS}`)
    .option('--limit <n>', 'use only the first N rows', integer(1))
    .option(
      '--label-column <col>',
      "CSV column with integer labels: a name or a 0-based index (default: a column named 'label')",
      column,
    )
    .option(
      '--binarize [how]',
      "make the data 0/1: 'threshold' at 0.5 (the default), or 'stochastic': 1 with probability p by a fixed seeded draw (the same binary data every run, as the binarised MNIST of likelihood papers)",
      binarization,
    )
    .option(
      '--download',
      'allow downloading MNIST / Fashion-MNIST into the cache if no local copy exists',
    );
}

export function addRbmTrainingOptions(command: Command, epochs: string, pcd = true): Command {
  command
    .option('--epochs <n>', epochs, integer(1))
    .option('--batch-size <n>', 'mini-batch size (default 100)', integer(1))
    .option('--learning-rate <x>', 'learning rate (default 0.1)', real({ min: 0, minOpen: true }))
    .option(
      '--cd <k>',
      'Gibbs steps of CD-k (default 1), or FROM..TO to raise k linearly over the epochs (e.g. 1..25)',
      gibbsSteps,
    );
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
export type Implementation = (term: Terminal, ...args: never[]) => Promise<void>;

/**
 * Runs an action, giving it the terminal of its command. `load` imports the implementation
 * only when the command runs, so `--help` and usage errors stay fast.
 */
export function action(
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
export function addCheckpointOptions(command: Command): Command {
  return command
    .option(
      '--checkpoint <file>',
      'write a resumable checkpoint here (every epoch, or see --checkpoint-every; also on Ctrl-C)',
    )
    .option('--checkpoint-every <n>', 'checkpoint every N batches', integer(1))
    .option('--resume <file>', 'continue from a checkpoint (bit-identical to an uninterrupted run)')
    .option('--max-batches <n>', 'stop after N batches (with --checkpoint: resumable)', integer(0));
}

/** `--seed <n>`: every command that draws random numbers takes it. */
export function seedOption(what = 'random seed (default 1)'): Option {
  return new Option('--seed <n>', what).argParser(integer(0));
}
