import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx } from '@deepbelief/datasets';
import { decodeModel, type ModelFile } from '@deepbelief/model-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayLevels, readPng, runCli, runInProcess, tempDir } from './test-utils.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const path = (name: string) => join(tmp.dir, name);
const load = (name: string): ModelFile => decodeModel(new Uint8Array(readFileSync(path(name))));

/** A 784-12 RBM on 600 MNIST images, trained once for the tests below. */
const RBM = path('rbm.safetensors');
const TRAIN = [
  'train',
  'rbm',
  '--data',
  'mnist',
  '--limit',
  '600',
  '--hidden',
  '12',
  '--epochs',
  '2',
  '--batch-size',
  '20',
  '--seed',
  '4',
  '--backend',
  'js',
];

beforeAll(async () => {
  const run = await runCli([...TRAIN, '--out', RBM]);
  expect(run.stderr).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(
    /^trained rbm 784-12 \(bernoulli visible, CD-1\) on 600 rows of mnist/m,
  );
}, 60_000);

describe('train rbm → info, eval, draw, sample', () => {
  it.concurrent('info --json reports format, architecture and history', async () => {
    const run = await runCli(['info', RBM, '--json']);
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info).toMatchObject({
      kind: 'rbm',
      format: 'deepbelief-model',
      formatVersion: 1,
      model: { visible: [{ type: 'bernoulli', size: 784 }], hidden: 12, hiddenType: 'bernoulli' },
      parameters: 784 * 12 + 784 + 12,
    });
    expect(info.architecture).toBe('visible 784 bernoulli; hidden 12 bernoulli');
    expect(info.training.hyperParameters).toMatchObject({
      epochs: 2,
      batchSize: 20,
      k: 1,
      persistent: false,
    });
    expect(info.training.run).toMatchObject({
      command: 'train rbm',
      data: 'mnist',
      limit: 600,
      seed: 4,
      backend: 'js',
    });
    expect(info.training.history).toHaveLength(2);
    expect(info.training.history[1].reconstructionError).toBeLessThan(
      info.training.history[0].reconstructionError,
    );
  });

  it.concurrent('eval --json gives the reconstruction error on the test split', async () => {
    const run = await runCli([
      'eval',
      RBM,
      '--data',
      'mnist',
      '--limit',
      '300',
      '--json',
      '--backend',
      'js',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      kind: 'rbm',
      data: 'mnist',
      split: 'test',
      rows: 300,
      backend: 'js',
    });
    expect(result.reconstructionError).toBeGreaterThan(0.005);
    expect(result.reconstructionError).toBeLessThan(0.1);
    expect(result.crossEntropy).toBeGreaterThan(0);
    expect(result.testError).toBeUndefined();
  });

  it.concurrent('eval --exact --ais: exact and AIS log Z agree, log-likelihoods in nats per image', async () => {
    const run = await runCli([
      'eval',
      RBM,
      '--limit',
      '300',
      '--binarize',
      'stochastic',
      '--json',
      '--exact',
      '--ais',
      '--ais-runs',
      '16',
      '--ais-betas',
      '1000',
      '--backend',
      'js',
    ]);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout);
    for (const key of [
      'logZ',
      'logZStd',
      'exactLogZ',
      'testLogLikelihood',
      'aisTestLogLikelihood',
    ]) {
      expect(Number.isFinite(r[key])).toBe(true);
    }
    expect(r.data).toBe('mnist'); // defaulted to the data recorded in the model
    expect(r.aisRuns).toBe(16);
    expect(r.aisTemperatures).toBe(1000);
    expect(Math.abs(r.logZ - r.exactLogZ)).toBeLessThan(1);
    expect(r.testLogLikelihood).toBeLessThan(-50);
    expect(r.testLogLikelihood).toBeGreaterThan(-400);
    expect(Math.abs(r.aisTestLogLikelihood - r.testLogLikelihood)).toBeCloseTo(
      Math.abs(r.logZ - r.exactLogZ),
      6,
    );
    expect(r.binarization).toBe('stochastic');
  });

  it.concurrent('eval --exact refuses grey-level data and says how to binarise it', async () => {
    const run = await runCli(['eval', RBM, '--limit', '50', '--exact', '--backend', 'js']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: --exact: an RBM with Bernoulli visible units gives probabilities to binary vectors only, but --data mnist has [\d.]+ at row \d+, column \d+\. Binarise it: --binarize stochastic .* or --binarize threshold \(at 0\.5\)$/m,
    );
  });

  it.concurrent('--binarize: bare means threshold, stochastic is the same draw every run, and it names the method', async () => {
    const evalWith = async (...binarize: string[]) => {
      const run = await runCli([
        'eval',
        RBM,
        '--limit',
        '100',
        ...binarize,
        '--exact',
        '--json',
        '--backend',
        'js',
      ]);
      expect(run.stderr).not.toMatch(/^error/m);
      return JSON.parse(run.stdout) as { testLogLikelihood: number; binarization: string };
    };
    const [bare, threshold, stochastic, again] = await Promise.all([
      evalWith('--binarize'),
      evalWith('--binarize', 'threshold'),
      evalWith('--binarize', 'stochastic'),
      evalWith('--binarize', 'stochastic'),
    ]);
    expect(bare.testLogLikelihood).toBe(threshold.testLogLikelihood);
    expect(bare.binarization).toBe('threshold');
    expect(threshold.binarization).toBe('threshold');
    expect(stochastic.binarization).toBe('stochastic');
    expect(again.testLogLikelihood).toBe(stochastic.testLogLikelihood);
    expect(stochastic.testLogLikelihood).not.toBe(threshold.testLogLikelihood);
    const bad = await runCli(['eval', RBM, '--binarize', 'median', '--backend', 'js']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--binarize.*'threshold' or 'stochastic'/);
  });

  it.concurrent('draw filters writes one normalised tile per hidden unit', async () => {
    const out = path('filters.png');
    const run = await runCli([
      'draw',
      'filters',
      RBM,
      '--columns',
      '4',
      '--out',
      out,
      '--backend',
      'js',
    ]);
    expect(run.code).toBe(0);
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([4 * 29 + 1, 3 * 29 + 1]);
    for (let t = 0; t < 12; t++) {
      const levels = grayLevels(png, 1 + (t % 4) * 29, 1 + Math.floor(t / 4) * 29, 28, 28);
      expect(levels.has(0) && levels.has(255)).toBe(true); // each stretched to its own range
      expect(levels.size).toBeGreaterThan(20);
    }
  });

  it.concurrent('sample runs Gibbs chains and draws them', async () => {
    const out = path('rbm-samples.png');
    const run = await runCli([
      'sample',
      RBM,
      '--count',
      '9',
      '--steps',
      '20',
      '--zoom',
      '2',
      '--out',
      out,
      '--backend',
      'js',
    ]);
    expect(run.code).toBe(0);
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([3 * 57 + 1, 3 * 57 + 1]);
    expect(grayLevels(png, 1, 1, 56, 56).size).toBeGreaterThan(5);
  });

  it.concurrent('--exact refuses an RBM too big to enumerate', async () => {
    const big = path('big.safetensors');
    const trained = await runInProcess([
      '-q',
      'train',
      'rbm',
      '--data',
      'synthetic:bars6',
      '--hidden',
      '40',
      '--epochs',
      '1',
      '--backend',
      'js',
      '--out',
      big,
    ]);
    expect(trained.code).toBe(0);
    const run = await runCli(['eval', big, '--exact', '--json', '--backend', 'js']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: --exact: this RBM is 36-40; exact log Z enumerates every state of the smaller layer \(2\^36\) and is limited to 25 units\. Use --ais instead$/m,
    );
  });
});

describe('checkpoints and --resume', () => {
  const base = [
    'train',
    'rbm',
    '--data',
    'mnist',
    '--limit',
    '300',
    '--hidden',
    '8',
    '--epochs',
    '2',
    '--batch-size',
    '50',
    '--pcd',
    '--seed',
    '3',
    '--backend',
    'js',
  ];

  it('a run stopped by --max-batches and resumed equals an uninterrupted run, bit for bit', async () => {
    const [full, stopped] = await Promise.all([
      runCli([...base, '--out', path('full.safetensors')]),
      runCli([
        ...base,
        '--out',
        path('never.safetensors'),
        '--checkpoint',
        path('run.ckpt'),
        '--checkpoint-every',
        '2',
        '--max-batches',
        '7',
      ]),
    ]);
    expect(full.code).toBe(0);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain(
      `stopped after 7 batches (--max-batches) at epoch 2/2, batch 1; checkpoint written to ${path('run.ckpt')}; continue with --resume ${path('run.ckpt')}`,
    );
    expect(existsSync(path('never.safetensors'))).toBe(false);
    const ckpt = load('run.ckpt');
    expect(ckpt.kind).toBe('checkpoint');
    expect(ckpt.training?.state).toMatchObject({ epoch: 1, batch: 1, rows: 300 });

    // the architecture and training options come from the checkpoint
    const resumed = await runCli([
      'train',
      'rbm',
      '--data',
      'mnist',
      '--limit',
      '300',
      '--backend',
      'js',
      '--resume',
      path('run.ckpt'),
      '--out',
      path('resumed.safetensors'),
    ]);
    expect(resumed.stderr).not.toMatch(/^error/m);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${path('run.ckpt')}: epoch 2/2, batch 1`);
    const a = load('full.safetensors');
    const b = load('resumed.safetensors');
    for (const name of ['W', 'visibleBias', 'hiddenBias']) {
      expect(
        Buffer.from(b.tensors[name]!.data.buffer).equals(Buffer.from(a.tensors[name]!.data.buffer)),
      ).toBe(true);
    }
    expect(b.training?.history).toEqual(
      a.training?.history?.map((e) => ({ ...(e as object), seconds: expect.any(Number) })),
    );
  });

  it.concurrent('refuses to resume on other data or with a changed architecture', async () => {
    const ckpt = path('other.ckpt');
    const made = await runInProcess([
      '-q',
      ...base,
      '--out',
      path('o.safetensors'),
      '--checkpoint',
      ckpt,
      '--max-batches',
      '3',
    ]);
    expect(made.code).toBe(0);
    const otherData = await runInProcess([
      'train',
      'rbm',
      '--data',
      'mnist',
      '--limit',
      '200',
      '--resume',
      ckpt,
      '--backend',
      'js',
    ]);
    expect(otherData.code).toBe(2);
    expect(otherData.stderr).toContain(
      `--resume ${ckpt}: the checkpoint was trained on 300 rows × 784 columns, but --data mnist gives 200 × 784; use the same --data and --limit`,
    );
    const changed = await runCli([
      'train',
      'rbm',
      '--data',
      'mnist',
      '--limit',
      '300',
      '--resume',
      ckpt,
      '--hidden',
      '9',
      '--cd',
      '2',
    ]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^error: --resume: --hidden, --cd cannot change when resuming/);
  });
});

describe('Ctrl-C', () => {
  it.concurrent('stops after the current batch, writes the checkpoint and exits 130', async () => {
    const ckpt = path('sigint.ckpt');
    let sent = false;
    const run = await runCli(
      [
        'train',
        'rbm',
        '--data',
        'mnist',
        '--hidden',
        '50',
        '--epochs',
        '50',
        '--batch-size',
        '10',
        '--backend',
        'js',
        '--checkpoint',
        ckpt,
        '--checkpoint-every',
        '1000000',
        '--out',
        path('sigint.safetensors'),
      ],
      {
        onStderr: (text, child) => {
          if (!sent && text.includes('data: mnist-train')) {
            sent = true;
            setTimeout(() => child.kill('SIGINT'), 1500);
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('warning: interrupted: stopping after this batch');
    expect(run.stderr).toMatch(
      new RegExp(
        `^interrupted: stopped at epoch 1/50, batch \\d+; checkpoint written to ${ckpt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        'm',
      ),
    );
    expect(existsSync(path('sigint.safetensors'))).toBe(false);
    expect(load('sigint.ckpt').training?.state).toMatchObject({ epoch: 0, rows: 60000 });
  });
});

describe('data sources', () => {
  it.concurrent('a directory of IDX files (train and t10k splits)', async () => {
    const dir = path('idx');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const images = (n: number, seed: number) =>
      Uint8Array.from({ length: n * 36 }, (_, k) =>
        (k * 7919 + seed * 104729) % 97 < 40 ? 255 : 0,
      );
    const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 2);
    writeFileSync(
      join(dir, 'train-images-idx3-ubyte'),
      encodeIdx('uint8', [120, 6, 6], images(120, 1)),
    );
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [120], labels(120)));
    writeFileSync(
      join(dir, 't10k-images-idx3-ubyte'),
      encodeIdx('uint8', [30, 6, 6], images(30, 2)),
    );
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx('uint8', [30], labels(30)));
    const out = path('idx.safetensors');
    const run = await runCli([
      'train',
      'rbm',
      '--data',
      dir,
      '--hidden',
      '5',
      '--epochs',
      '2',
      '--batch-size',
      '10',
      '--backend',
      'js',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/trained rbm 36-5 .* on 120 rows of /);
    const evaluated = await runInProcess(['eval', out, '--json', '--backend', 'js']);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ rows: 30, split: 'test' });
  });

  it.concurrent('a YAML config file, with flags overriding it', async () => {
    const config = path('rbm.yaml');
    writeFileSync(
      config,
      `model: rbm\ndata: synthetic:bars4\nlimit: 500\nhidden: 6\nbackend: js\nseed: 2\ntraining:\n  epochs: 3\n  batchSize: 25\n  learningRate: 0.05\n  k: 2\n  momentum: 0.5\n`,
    );
    const out = path('from-config.safetensors');
    const run = await runCli(['train', 'rbm', '--config', config, '--epochs', '2', '--out', out]);
    expect(run.code).toBe(0);
    const file = load('from-config.safetensors');
    expect(file.model).toMatchObject({ hidden: 6 });
    expect(file.training?.hyperParameters).toMatchObject({
      epochs: 2,
      batchSize: 25,
      learningRate: 0.05,
      k: 2,
      momentum: 0.5,
    });
    expect(file.training?.hyperParameters.run).toMatchObject({
      data: 'synthetic:bars4',
      limit: 500,
      seed: 2,
      backend: 'js',
    });
  });

  it.concurrent('--cd FROM..TO raises k over the epochs, names it and records it in the file', async () => {
    const out = path('cd-ramp.safetensors');
    const run = await runCli([
      'train',
      'rbm',
      '--data',
      'synthetic:bars4',
      '--limit',
      '200',
      '--hidden',
      '6',
      '--epochs',
      '3',
      '--cd',
      '1..5',
      '--backend',
      'js',
      '--out',
      out,
    ]);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\(bernoulli visible, CD-1→5\)/);
    expect(load('cd-ramp.safetensors').training?.hyperParameters).toMatchObject({
      k: { from: 1, to: 5 },
    });
    const bad = await runCli(['train', 'rbm', '--data', 'synthetic:bars4', '--cd', '5..0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--cd.*FROM\.\.TO/);
  });
});
