import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type ModelFile } from '@deepbelief/model-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayLevels, readPng, runCli, runInProcess, tempDir } from './test-utils.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const path = (name: string) => join(tmp.dir, name);
const load = (name: string): ModelFile => decodeModel(new Uint8Array(readFileSync(path(name))));

/** A 784-32-32-64 DBN with 10 label units on 1000 MNIST images, trained once. */
const DBN = path('dbn.safetensors');
const WASM = ['--backend', 'tfjs-wasm'];

beforeAll(async () => {
  const run = await runCli([
    'train',
    'dbn',
    '--data',
    'mnist',
    '--limit',
    '1000',
    '--sizes',
    '784,32,32,64',
    '--epochs',
    '3',
    '--batch-size',
    '10',
    '--seed',
    '1',
    '--out',
    DBN,
    ...WASM,
  ]);
  expect(run.stderr).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(
    /^trained dbn 784-32-32-64 with 10 label units on 1000 rows of mnist/m,
  );
  expect(run.stderr).toMatch(/^layer 3 epoch 3\/3: reconstruction error /m);
}, 90_000);

/** Checks that every tile of a grid image has some contrast. */
function expectTilesVary(
  png: ReturnType<typeof readPng>,
  tiles: number,
  columns: number,
  size = 28,
): void {
  for (let t = 0; t < tiles; t++) {
    const x = 1 + (t % columns) * (size + 1);
    const y = 1 + Math.floor(t / columns) * (size + 1);
    expect(grayLevels(png, x, y, size, size).size, `tile ${t}`).toBeGreaterThan(3);
  }
}

describe('train dbn → eval, sample, draw', () => {
  it.concurrent('eval --json: test error and a confusion matrix', async () => {
    const run = await runCli(['eval', DBN, '--data', 'mnist', '--limit', '500', '--json', ...WASM]);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout);
    expect(r).toMatchObject({ kind: 'dbn', data: 'mnist', split: 'test', rows: 500, total: 500 });
    expect(r.testError).toBeGreaterThanOrEqual(0);
    expect(r.testError).toBeLessThan(0.75); // chance is 0.9
    expect(r.confusion).toHaveLength(10);
    const cells = (r.confusion as number[][]).flat();
    expect(cells.reduce((a, b) => a + b, 0)).toBe(500);
    const diagonal = (r.confusion as number[][]).reduce((a, row, i) => a + row[i]!, 0);
    expect(diagonal).toBe(r.correct);
    expect(r.testError).toBeCloseTo(1 - r.correct / 500, 10);
  });

  it('eval prints a readable report', async () => {
    const run = await runInProcess(['eval', DBN, '--limit', '200', ...WASM]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^test error \d+\.\d\d% \(\d+ of 200 wrong\)$/m);
    expect(run.stdout).toMatch(/^true\\pred +0 +1 +2 +3 +4 +5 +6 +7 +8 +9$/m);
  });

  /** `sample` of four label-3 digits with 20 Gibbs steps, written to `out`. */
  const sampleThrees = (out: string, ...flags: string[]) =>
    runCli([
      'sample',
      DBN,
      '--label',
      '3',
      '--count',
      '4',
      '--gibbs-steps',
      '20',
      ...flags,
      '--out',
      out,
      ...WASM,
    ]);

  it.concurrent('sample --label 3 --count 4 writes a 4-tile PNG', async () => {
    const out = path('threes.png');
    const run = await sampleThrees(out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${out} (117×30): 4 samples of label 3, 20 Gibbs steps`);
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([4 * 29 + 1, 29 + 1]);
    expectTilesVary(png, 4, 4);
  });

  it.concurrent('sample --init label starts the chains from the label alone; --init data is refused for a DBN', async () => {
    const out = path('from-label.png');
    const run = await sampleThrees(out, '--init', 'label');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '4 samples of label 3, 20 Gibbs steps in the top RBM from the label alone',
    );
    expectTilesVary(readPng(out), 4, 4);
    const refused = await runCli([
      'sample',
      DBN,
      '--init',
      'data',
      '--out',
      path('no.png'),
      ...WASM,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /--init data: a DBN's chains start from random .* or from the label alone/,
    );
  });

  it.concurrent('sample without --label draws one row per label', async () => {
    const out = path('all.png');
    const run = await runCli([
      'sample',
      DBN,
      '--count',
      '3',
      '--gibbs-steps',
      '10',
      '--out',
      out,
      ...WASM,
    ]);
    expect(run.code).toBe(0);
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([3 * 29 + 1, 10 * 29 + 1]);
    expectTilesVary(png, 30, 3);
  });

  it.concurrent('draw filters and draw reconstructions', async () => {
    const filters = path('dbn-filters.png');
    const recon = path('recon.png');
    const [f, r] = await Promise.all([
      runCli(['draw', 'filters', DBN, '--out', filters, ...WASM]),
      runCli(['draw', 'reconstructions', DBN, '--count', '4', '--out', recon, ...WASM]),
    ]);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain('the first 32 of 32 first-layer filters');
    const fp = readPng(filters);
    expect([fp.width, fp.height]).toEqual([6 * 29 + 1, 6 * 29 + 1]);
    expectTilesVary(fp, 32, 6);
    expect(r.code).toBe(0);
    const rp = readPng(recon);
    expect([rp.width, rp.height]).toEqual([8 * 29 + 1, 29 + 1]);
    expectTilesVary(rp, 8, 8);
  });

  it('sample refuses a label the DBN does not have', async () => {
    const run = await runInProcess([
      'sample',
      DBN,
      '--label',
      '10',
      '--out',
      path('x.png'),
      ...WASM,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --label: 10 is outside the DBN's labels 0\.\.9$/m);
    expect(existsSync(path('x.png'))).toBe(false);
  });
});

describe('DBN likelihood bound (eval --exact / --ais on a DBN without labels)', () => {
  const NOLABELS = path('bars-dbn.safetensors');
  beforeAll(async () => {
    const run = await runInProcess([
      '-q',
      'train',
      'dbn',
      '--data',
      'synthetic:bars4',
      '--sizes',
      '16,10,8',
      '--labels',
      '0',
      '--epochs',
      '20',
      '--batch-size',
      '10',
      '--backend',
      'js',
      '--out',
      NOLABELS,
    ]);
    expect(run.code).toBe(0);
  }, 60_000);

  it.concurrent('gives the same bound from exact and AIS log Z, below 0 nats', async () => {
    const evalBound = async (...how: string[]) => {
      const run = await runCli(['eval', NOLABELS, ...how, '--json', '--backend', 'js']);
      expect(run.stderr).not.toMatch(/^error/m);
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as Record<string, number | string>;
    };
    const [exact, ais] = await Promise.all([
      evalBound('--exact', '--bound-samples', '200'),
      evalBound('--ais', '--ais-runs', '100', '--ais-betas', '2000', '--bound-samples', '200'),
    ]);
    expect(Number.isFinite(exact.exactLogZ)).toBe(true);
    expect(exact.testLogLikelihoodBound as number).toBeLessThan(0);
    // 16 binary pixels: a bound above −16·log 2 means the DBN beats a uniform model
    expect(exact.testLogLikelihoodBound as number).toBeGreaterThan(-16 * Math.log(2));
    expect(Math.abs((ais.logZ as number) - (exact.exactLogZ as number))).toBeLessThan(0.2);
    expect(
      Math.abs((ais.testLogLikelihoodBound as number) - (exact.testLogLikelihoodBound as number)),
    ).toBeLessThan(0.3);
    expect(exact.binarization).toBe('none (the data is 0/1 as given)');
    expect(exact.boundSamples).toBe(200);
  });

  it.concurrent('refuses a DBN with label units', async () => {
    const run = await runCli(['eval', DBN, '--ais', '--binarize', '--limit', '10', ...WASM]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: --ais: the DBN likelihood bound is implemented for DBNs without label units; this one has 10$/m,
    );
  });
});

describe('finetune', () => {
  /** `finetune backprop` on 1,000 MNIST images for 2 epochs, then `eval` of the classifier. */
  async function backpropThenEval(out: string, ...flags: string[]) {
    const run = await runCli([
      'finetune',
      'backprop',
      DBN,
      '--data',
      'mnist',
      '--limit',
      '1000',
      '--epochs',
      '2',
      ...flags,
      '--out',
      out,
      ...WASM,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^backprop epoch 2\/2: loss \d/m);
    const evaluated = await runCli(['eval', out, '--limit', '500', '--json', ...WASM]);
    expect(evaluated.code).toBe(0);
    return JSON.parse(evaluated.stdout);
  }

  it.concurrent('backprop turns the DBN into a classifier that eval scores', async () => {
    const r = await backpropThenEval(path('classifier.safetensors'), '--batch-size', '20');
    const file = load('classifier.safetensors');
    expect(file.kind).toBe('classifier');
    expect(file.model).toEqual({
      layers: [
        { inputs: 784, outputs: 32, activation: 'sigmoid' },
        { inputs: 32, outputs: 32, activation: 'sigmoid' },
        { inputs: 32, outputs: 64, activation: 'sigmoid' },
        { inputs: 64, outputs: 10, activation: 'softmax' },
      ],
    });
    expect(r.kind).toBe('classifier');
    expect(r.testError).toBeLessThan(0.5);
  });

  it.concurrent('backprop by conjugate gradients (--optimizer cg) records its settings', async () => {
    const out = path('classifier-cg.safetensors');
    const r = await backpropThenEval(
      out,
      '--batch-size',
      '200',
      '--optimizer',
      'cg',
      '--line-searches',
      '2',
      '--output-only-epochs',
      '1',
    );
    const info = JSON.parse((await runInProcess(['info', out, '--json'])).stdout);
    expect(info.training.hyperParameters.backprop).toMatchObject({
      optimizer: 'cg',
      lineSearches: 2,
      outputOnlyEpochs: 1,
    });
    expect(r.testError).toBeLessThan(0.5);
  });

  it.concurrent('up-down writes a wake-sleep DBN that still classifies and samples', async () => {
    const out = path('updown.safetensors');
    const run = await runCli([
      'finetune',
      'up-down',
      DBN,
      '--limit',
      '500',
      '--epochs',
      '1',
      '--batch-size',
      '20',
      '--gibbs-steps',
      '2',
      '--momentum',
      '0.5',
      '--top-learning-rate',
      '0.02',
      '--out',
      out,
      ...WASM,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kind wake-sleep-dbn');
    const info = JSON.parse((await runInProcess(['info', out, '--json'])).stdout);
    expect(info.kind).toBe('wake-sleep-dbn');
    expect(info.tensors.map((t: { name: string }) => t.name)).toContain('layers.0.generative.W');
    expect(info.training.run).toMatchObject({
      command: 'finetune up-down',
      from: DBN,
      data: 'mnist',
    });
    expect(info.training.hyperParameters.upDown).toMatchObject({
      momentum: 0.5,
      topLearningRate: 0.02,
    });
    const evaluated = await runInProcess(['eval', out, '--limit', '200', '--json', ...WASM]);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout).testError).toBeLessThan(0.9);
  });
});

describe('DBN checkpoints', () => {
  const base = [
    'train',
    'dbn',
    '--data',
    'mnist',
    '--limit',
    '500',
    '--sizes',
    '784,16,16,24',
    '--epochs',
    '1',
    '--batch-size',
    '50',
    '--backend',
    'js',
  ];

  it('a run stopped inside layer 2 resumes from there (mid-layer) to the same weights', async () => {
    const [full, stopped] = await Promise.all([
      runCli([...base, '--out', path('dbn-full.safetensors')]),
      runCli([
        ...base,
        '--out',
        path('dbn-never.safetensors'),
        '--checkpoint',
        path('dbn.ckpt'),
        '--max-batches',
        '15',
      ]),
    ]);
    expect(full.code).toBe(0);
    expect(stopped.code).toBe(0);
    // 10 batches per layer: the 15th is the 5th of layer 2
    expect(stopped.stdout).toContain(
      `stopped after 15 batches (--max-batches) at layer 2, epoch 1/1, batch 5; checkpoint written to ${path('dbn.ckpt')}`,
    );
    const ckpt = load('dbn.ckpt');
    expect(ckpt.kind).toBe('checkpoint');
    expect(ckpt.model).toMatchObject({ of: 'dbn', algorithm: 'pretrain' });
    expect(ckpt.training?.state).toMatchObject({ layer: 1, epoch: 0, batch: 5, rows: 500 });
    const resumed = await runCli([
      'train',
      'dbn',
      '--data',
      'mnist',
      '--limit',
      '500',
      '--backend',
      'js',
      '--resume',
      path('dbn.ckpt'),
      '--out',
      path('dbn-resumed.safetensors'),
    ]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('resuming from');
    expect(resumed.stderr).toContain('layer 2, epoch 1/1, batch 5');
    const a = load('dbn-full.safetensors');
    const b = load('dbn-resumed.safetensors');
    expect(Object.keys(b.tensors).sort()).toEqual(Object.keys(a.tensors).sort());
    for (const name of Object.keys(a.tensors)) {
      expect(
        Buffer.from(b.tensors[name]!.data.buffer).equals(Buffer.from(a.tensors[name]!.data.buffer)),
        name,
      ).toBe(true);
    }
  });
});

describe('autoencoder', () => {
  it.concurrent('train autoencoder, eval its reconstruction error, draw reconstructions', async () => {
    const out = path('ae.safetensors');
    const config = path('ae.json');
    writeFileSync(
      config,
      JSON.stringify({
        data: 'mnist',
        limit: 400,
        sizes: [784, 32, 8],
        pretrain: { epochs: 1, batchSize: 20 },
        fineTune: { epochs: 1, batchSize: 20 },
      }),
    );
    const run = await runCli(['train', 'autoencoder', '--config', config, '--out', out, ...WASM]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^trained autoencoder 784-32-8 on 400 rows of mnist/m);
    expect(run.stderr).toMatch(/^fine-tune epoch 1\/1: loss \d/m);
    const evaluated = await runCli(['eval', out, '--limit', '200', '--json', ...WASM]);
    expect(evaluated.code).toBe(0);
    const r = JSON.parse(evaluated.stdout);
    expect(r.kind).toBe('autoencoder');
    expect(r.reconstructionError).toBeGreaterThan(1);
    expect(r.reconstructionError).toBeLessThan(784 * 0.2);
    expect(r.meanSquaredError).toBeCloseTo(r.reconstructionError / 784, 8);
    const png = path('ae-recon.png');
    const drawn = await runInProcess([
      'draw',
      'reconstructions',
      out,
      '--count',
      '2',
      '--out',
      png,
      ...WASM,
    ]);
    expect(drawn.code).toBe(0);
    expect([readPng(png).width, readPng(png).height]).toEqual([4 * 29 + 1, 29 + 1]);
  });
});

describe('quickstart', () => {
  it.concurrent('trains on MNIST with the default backend and writes the PNGs and the model', async () => {
    const dir = path('quick');
    const run = await runCli([
      'quickstart',
      '--limit',
      '1000',
      '--epochs',
      '1',
      '--gibbs-steps',
      '20',
      '--up-down',
      '2',
      '--out-dir',
      dir,
    ]);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    // not a terminal: one plain line per epoch, with its time, and no progress bar
    const epochLines = run.stderr.split('\n').filter((l) => / epoch \d+\/\d+: /.test(l));
    expect(epochLines).toHaveLength(3 + 2);
    for (const line of epochLines) expect(line).toMatch(/\(\d+\.\d\d s\)$/);
    expect(epochLines[0]).toMatch(/^layer 1 epoch 1\/1: reconstruction error /);
    expect(epochLines[4]).toMatch(/^up-down epoch 2\/2: generative error .*, \d+ Gibbs steps /);
    expect(run.stderr).not.toContain(String.fromCharCode(27)); // no ANSI escapes (bars, colour)
    expect(run.stderr).not.toMatch(/[█░]/);
    expect(run.stdout).toMatch(
      /^samples recognised as their label: \d+ % \(\d+ of 100, by a 3-nearest-neighbour vote over the 1000 training images/m,
    );
    expect(run.stdout).toMatch(/the first 1000 of 60000 training images, --limit/);
    expect(run.stdout).toMatch(/^test error \d+\.\d\d% \(\d+ of 10000 MNIST test images wrong/m);
    expect(run.stdout).toMatch(/^timings: .*total /m);
    for (const name of ['samples.png', 'filters.png']) {
      const png = readPng(join(dir, name));
      expect([png.width, png.height]).toEqual([10 * 57 + 1, 10 * 57 + 1]);
      expectTilesVary(png, 100, 10, 56);
    }
    const info = JSON.parse(
      (await runInProcess(['info', join(dir, 'dbn.safetensors'), '--json'])).stdout,
    );
    expect(info.kind).toBe('wake-sleep-dbn');
    expect(info.model.sizes).toEqual([784, 200, 200, 500]);
    expect(info.training.run).toMatchObject({
      command: 'quickstart',
      preset: 'small',
      limit: 1000,
    });
    // the top RBM learns with true Gibbs chains (results/quickstart-top-rbm), the others CD-1
    const layers = info.training.hyperParameters.layers;
    expect(layers[2]).toMatchObject({ k: { from: 1, to: 10 }, visibleStates: 'samples' });
    expect(layers[0]).toMatchObject({ k: 1 });
    expect(layers[0].visibleStates).toBeUndefined();
  });
});
