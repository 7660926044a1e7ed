import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { defineBackends } from './commands/backends.cli.js';
import { defineDraw } from './commands/draw.cli.js';
import { defineEval } from './commands/eval.cli.js';
import { defineFinetune } from './commands/finetune.cli.js';
import { defineInfo } from './commands/info.cli.js';
import { defineQuickstart } from './commands/quickstart.cli.js';
import { defineSample } from './commands/sample.cli.js';
import { defineSchema } from './commands/schema.cli.js';
import { defineSearch } from './commands/search.cli.js';
import { defineTrain } from './commands/train.cli.js';
import { EXIT_CODES, exitCodeFor, InterruptedError, messageFor } from './errors.js';
import { examples } from './options.js';
import { type CliIo, processIo, Terminal } from './terminal.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The version of this package (`deepbelief --version`). */
export const CLI_VERSION: string = pkg.version;

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

  defineQuickstart(program, io);
  defineTrain(program, io);
  defineFinetune(program, io);
  defineEval(program, io);
  defineSearch(program, io);
  defineSample(program, io);
  defineDraw(program, io);
  defineInfo(program, io);
  defineBackends(program, io);
  defineSchema(program, io);

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
