import type { Command } from 'commander';
import { action, addBackendOptions, addDataOptions, examples } from '../options.js';
import { integer, shape } from '../parsers.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief draw`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineDraw(program: Command, io: CliIo): void {
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
    .action(action(io, async () => (await import('./draw.js')).drawFilters));
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
    .action(action(io, async () => (await import('./draw.js')).drawReconstructions));
}
