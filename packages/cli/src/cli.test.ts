import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runInProcess, tempDir } from './test-utils.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function write(name: string, text: string | Uint8Array): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

const inProcess = runInProcess;

const COMMANDS = [
  'quickstart',
  'train',
  'train rbm',
  'train dbn',
  'train autoencoder',
  'finetune',
  'finetune up-down',
  'finetune backprop',
  'eval',
  'sample',
  'draw',
  'draw filters',
  'draw reconstructions',
  'info',
  'backends',
  'schema',
];
const GROUPS = new Set(['train', 'finetune', 'draw']);

describe('help', () => {
  it('the real binary prints help and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: deepbelief [options] [command]');
    expect(run.stdout).toContain('Examples:');
    for (const c of ['quickstart', 'train', 'finetune', 'eval', 'sample', 'draw', 'info']) {
      expect(run.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
    }
  });

  it.each(COMMANDS)('deepbelief %s --help shows usage and examples', async (command) => {
    const run = await inProcess([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: deepbelief ${command}`);
    if (!GROUPS.has(command)) expect(run.stdout).toContain('Examples:\n  $ deepbelief');
  });

  it('prints the version', async () => {
    const run = await inProcess(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('bad input exits 2 with one clear message', () => {
  // through the real binary
  const spawned: [string, string[], RegExp][] = [
    ['an unknown option', ['train', 'rbm', '--bogus'], /^error: unknown option '--bogus'/],
    [
      'a bad number',
      ['train', 'rbm', '--data', 'mnist', '--epochs', '0'],
      /^error: option '--epochs <n>' argument '0' is invalid\. expected an integer ≥ 1\./,
    ],
    [
      'an unknown dataset',
      ['train', 'rbm', '--data', 'cifar'],
      /^error: --data: unknown dataset 'cifar'; expected mnist/,
    ],
    [
      'a missing model file',
      ['info', join('/nonexistent', 'm.safetensors')],
      /^error: \/nonexistent\/m\.safetensors: cannot open/,
    ],
  ];
  it.concurrent.each(spawned)('%s (spawned)', async (_, args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  // the same code path in this process (faster)
  const inside: [string, string[], RegExp][] = [
    [
      'a missing data file',
      ['train', 'rbm', '--data', './none.csv'],
      /^error: --data: '\.\/none\.csv' does not exist/,
    ],
    [
      'no data at all',
      ['train', 'rbm', '--hidden', '5'],
      /^error: train rbm: no data: pass --data/,
    ],
    [
      'an unknown backend',
      ['train', 'rbm', '--data', 'synthetic:bars4', '--backend', 'cuda'],
      /^error: --backend: unknown backend 'cuda'; choose auto, .*\bjs\b/,
    ],
    [
      'a bad choice',
      ['train', 'dbn', '--preset', 'huge'],
      /^error: option '--preset <name>' argument 'huge' is invalid/,
    ],
    [
      'a bad list',
      ['train', 'dbn', '--sizes', '784,,10'],
      /^error: option '--sizes <list>' argument '784,,10' is invalid/,
    ],
    [
      'a bad shape',
      ['sample', 'x', '--out', 'x.png', '--shape', '28'],
      /^error: option '--shape <HxW>' argument '28' is invalid\. expected HxW/,
    ],
    [
      'a missing required option',
      ['draw', 'filters', 'x.safetensors'],
      /^error: required option '--out <file>' not specified/,
    ],
    ['an unknown command', ['trian'], /^error: unknown command 'trian'/],
    [
      'a preset that does not fit the data',
      ['train', 'dbn', '--data', 'synthetic:bars4', '--backend', 'js'],
      /^error: --preset small expects 784 inputs, but --data synthetic:bars4 has 16 columns; pass --sizes 16,…/,
    ],
    [
      '--checkpoint-every alone',
      ['train', 'rbm', '--data', 'synthetic:bars4', '--checkpoint-every', '5'],
      /^error: --checkpoint-every: needs --checkpoint FILE/,
    ],
  ];
  it.each(inside)('%s', async (_, args, message) => {
    const run = await inProcess(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('a file that is not a model', async () => {
    const path = write('junk.safetensors', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const run = await inProcess(['info', path]);
    expect(run.code).toBe(2);
    expect(run.stderr.startsWith(`error: ${path}: `)).toBe(true);
  });

  it('a CSV with a non-numeric cell, naming the file, line and column', async () => {
    const path = write('bad.csv', 'a,b,label\n0,1,0\n1,x,1\n');
    const run = await inProcess([
      'train',
      'rbm',
      '--data',
      path,
      '--hidden',
      '2',
      '--backend',
      'js',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${path}: line 3, column 2 ('b'): 'x' is not a number`);
  });

  it.concurrent('a config file with bad fields, naming the file and the fields (spawned)', async () => {
    const path = write(
      'bad.yaml',
      'data: synthetic:bars4\nhiden: 4\ntraining:\n  learningRate: 0\n',
    );
    const run = await runCli(['train', 'rbm', '--config', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${path}: invalid config: `);
    expect(run.stderr).toContain("unknown field 'hiden' (did you mean 'hidden'?)");
    expect(run.stderr).toMatch(
      /training\.learningRate: Too small: expected number to be >0 \(got 0\)/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a config file that is not valid YAML, with the position', async () => {
    const path = write('syntax.yaml', 'data: mnist\ntraining: {epochs: 2\n');
    const run = await inProcess(['train', 'rbm', '--config', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: .*syntax\.yaml: not valid YAML at line \d+, column \d+/);
  });

  it('a config file for another model', async () => {
    const path = write('other.json', '{"model": "autoencoder", "data": "mnist"}');
    const run = await inProcess(['train', 'dbn', '--config', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "model: this file configures 'autoencoder', but the command is 'train dbn'",
    );
  });

  it('a config whose pretrain list does not match the layers', async () => {
    const path = write(
      'layers.yaml',
      'data: synthetic:bars4\nsizes: [16, 8, 6]\npretrain:\n  - epochs: 1\n',
    );
    const run = await inProcess(['train', 'dbn', '--config', path, '--backend', 'js']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `error: ${path}: pretrain has 1 entries but the network has 2 layers`,
    );
  });
});

describe('output', () => {
  it.concurrent('plain progress lines on a pipe, results on stdout, no colour codes', async () => {
    const out = join(tmp.dir, 'plain.safetensors');
    const run = await runCli([
      'train',
      'rbm',
      '--data',
      'synthetic:bars4',
      '--hidden',
      '4',
      '--epochs',
      '2',
      '--backend',
      'js',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^backend: js \(chosen\)$/m);
    expect(run.stderr).toMatch(/^rbm epoch 1\/2: reconstruction error \d\.\d+ \(.* s\)$/m);
    expect(run.stderr).toMatch(/^rbm epoch 2\/2: /m);
    expect(run.stdout).toMatch(/^trained rbm 16-4 .* on 2000 rows of synthetic:bars4/m);
    expect(run.stdout).toContain(`wrote ${out}`);
    expect(run.stdout + run.stderr).not.toContain('\u001b[');
    expect(run.stdout + run.stderr).not.toContain('\r');
  });

  it('--quiet leaves stderr empty', async () => {
    const out = join(tmp.dir, 'quiet.safetensors');
    const run = await inProcess([
      '--quiet',
      'train',
      'rbm',
      '--data',
      'synthetic:bars4',
      '--hidden',
      '4',
      '--epochs',
      '1',
      '--backend',
      'js',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`wrote ${out}`);
  });

  it('colour with FORCE_COLOR, none when NO_COLOR is also set or with --no-color', async () => {
    const model = join(tmp.dir, 'colour.safetensors');
    const trained = await inProcess([
      '-q',
      'train',
      'rbm',
      '--data',
      'synthetic:bars4',
      '--hidden',
      '3',
      '--epochs',
      '1',
      '--backend',
      'js',
      '--out',
      model,
    ]);
    expect(trained.code).toBe(0);
    const args = ['eval', model, '--backend', 'js'];
    const coloured = await inProcess(args, { FORCE_COLOR: '1' });
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain('\u001b[1m');
    for (const [env, extra] of [
      [{ FORCE_COLOR: '1', NO_COLOR: '1' }, []],
      [{ FORCE_COLOR: '1' }, ['--no-color']],
    ] as const) {
      const plain = await inProcess([...args, ...extra], env);
      expect(plain.code).toBe(0);
      expect(plain.stdout + plain.stderr).not.toContain('\u001b[');
      expect(plain.stdout).toMatch(/reconstruction error \d/);
    }
  });
});

describe('backends and schema', () => {
  it.concurrent('backends --json lists every backend and the automatic choice', async () => {
    const run = await runCli(['backends', '--json']);
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout) as {
      auto: string;
      backends: { name: string; status: string }[];
    };
    const names = info.backends.map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['js', 'tfjs-wasm', 'tfjs-cpu']));
    expect(names).toContain(info.auto);
    expect(info.backends.find((b) => b.name === info.auto)!.status).toBe('auto');
  });

  it('schema prints a JSON Schema', async () => {
    const run = await inProcess(['schema', 'dbn']);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['preset', 'sizes', 'pretrain']),
    );
    const bad = await inProcess(['schema', 'gan']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("error: schema: unknown model 'gan'; choose rbm, dbn or autoencoder\n");
  });
});
