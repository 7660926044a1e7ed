import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { encodeModel } from '@deepbelief/model-format';
import { describe, expect, it } from 'vitest';
import { killTestData, killTestOptions } from './__fixtures__/kill-test-data.js';
import { RBM } from './rbm.js';
import { decodeRBM, encodeCheckpoint, encodeRBM, restoreCheckpoint } from './serialize.js';
import { RBMTrainer } from './trainer.js';

const ops = new Ops(createJsBackend());
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('RBM model files', () => {
  it('round-trips every unit type exactly, with training history', async () => {
    const configs = [
      { visible: 6, hidden: 4 },
      {
        visible: [
          { type: 'bernoulli' as const, size: 5 },
          { type: 'softmax' as const, size: 3 },
        ],
        hidden: 4,
      },
      {
        visible: 3,
        visibleType: 'gaussian' as const,
        learnSigma: true,
        hidden: 2,
        hiddenType: 'gaussian' as const,
      },
      { visible: 5, visibleType: 'replicated-softmax' as const, hidden: 3 },
    ];
    for (const config of configs) {
      const rbm = new RBM(ops, config, new SeededRandom(1), 0.5);
      const trainer = new RBMTrainer(rbm, { epochs: 2, batchSize: 2, learningRate: 0.01 }, 1);
      const data = new SeededRandom(2)
        .uniformArray(rbm.numVisible * 4)
        .map((x) => (x > 0.5 ? 1 : 0));
      if (config.visible !== 3) await trainer.fit({ data, rows: 4, cols: rbm.numVisible });
      const bytes = encodeRBM(rbm, { trainer });
      const { rbm: back, file } = decodeRBM(ops, bytes, 'model.safetensors');
      expect(back.config).toEqual(rbm.config);
      const a = rbm.getParameters();
      const b = back.getParameters();
      expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
      expect(Array.from(b.visibleBias)).toEqual(Array.from(a.visibleBias));
      expect(b.logSigma && Array.from(b.logSigma)).toEqual(a.logSigma && Array.from(a.logSigma));
      expect(file.kind).toBe('rbm');
      expect(file.training?.hyperParameters.learningRate).toBe(0.01);
      expect(file.training?.history?.length).toBe(trainer.history.length);
    }
  });

  it('refuses files whose tensors do not match the architecture, naming the tensor', () => {
    const bytes = encodeModel({
      kind: 'rbm',
      model: {
        visible: [{ type: 'bernoulli', size: 4 }],
        hidden: 3,
        hiddenType: 'bernoulli',
        learnSigma: false,
      },
      tensors: {
        W: { shape: [4, 2], data: new Float32Array(8) },
        visibleBias: { shape: [1, 4], data: new Float32Array(4) },
        hiddenBias: { shape: [1, 3], data: new Float32Array(3) },
      },
    });
    expect(() => decodeRBM(ops, bytes, 'bad.safetensors')).toThrow(
      /bad\.safetensors: tensor "W" has shape \[4, 2\].*\[4, 3\]/,
    );
    const badModel = encodeModel({
      kind: 'rbm',
      model: {
        visible: [{ type: 'poisson', size: 4 }],
        hidden: 3,
        hiddenType: 'bernoulli',
        learnSigma: false,
      },
      tensors: {},
    });
    expect(() => decodeRBM(ops, badModel, 'm.safetensors')).toThrow(/model\.visible\.0\.type/);
    const dbnFile = encodeModel({ kind: 'dbn', model: {}, tensors: {} });
    expect(() => decodeRBM(ops, dbnFile, 'd.safetensors')).toThrow(/dbn/);
  });
});

describe('checkpoints and resume', () => {
  const train = async (persistent: boolean, maxBatches?: number) => {
    const data = killTestData();
    const rbm = new RBM(ops, { visible: data.cols, hidden: 12 }, new SeededRandom(1));
    const trainer = new RBMTrainer(rbm, killTestOptions(persistent), 2);
    await trainer.fit(data, maxBatches === undefined ? {} : { maxBatches });
    return { rbm, trainer, data };
  };

  it('restoring a checkpoint in-process continues bit-identically (CD and PCD)', async () => {
    for (const persistent of [false, true]) {
      const full = await train(persistent);
      const part = await train(persistent, 47);
      const bytes = encodeCheckpoint(part.rbm, part.trainer, part.data.rows);
      const { rbm, trainer } = restoreCheckpoint(ops, bytes);
      await trainer.fit(part.data);
      expect(Array.from(rbm.getParameters().weights)).toEqual(
        Array.from(full.rbm.getParameters().weights),
      );
      expect(trainer.history.map((h) => h.reconstructionError)).toEqual(
        full.trainer.history.map((h) => h.reconstructionError),
      );
    }
  });

  it('a checkpoint keeps a rising k schedule: restored without overrides, it continues bit-identically', async () => {
    const data = killTestData();
    const options = { ...killTestOptions(false), k: { from: 1, to: 4, overEpochs: 2 } };
    const trainUpTo = async (maxBatches?: number) => {
      const rbm = new RBM(ops, { visible: data.cols, hidden: 12 }, new SeededRandom(1));
      const trainer = new RBMTrainer(rbm, options, 2);
      await trainer.fit(data, maxBatches === undefined ? {} : { maxBatches });
      return { rbm, trainer };
    };
    const full = await trainUpTo();
    const part = await trainUpTo(47);
    const { rbm, trainer } = restoreCheckpoint(
      ops,
      encodeCheckpoint(part.rbm, part.trainer, data.rows),
    );
    expect(trainer.options.k).toEqual(options.k);
    await trainer.fit(data);
    expect(Array.from(rbm.getParameters().weights)).toEqual(
      Array.from(full.rbm.getParameters().weights),
    );
  });

  for (const persistent of [false, true]) {
    it(`a training process killed with SIGKILL resumes to bit-identical weights (${persistent ? 'PCD' : 'CD'})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'deepbelief-kill-'));
      const path = join(dir, 'run.ckpt');
      try {
        const child = spawn(
          process.execPath,
          [
            '--conditions=deepbelief-source',
            '--import',
            'tsx',
            fileURLToPath(new URL('./__fixtures__/train-with-checkpoints.ts', import.meta.url)),
            path,
            persistent ? '1' : '0',
          ],
          { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let killedAt = '';
        await new Promise<void>((resolve, reject) => {
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', (chunk: string) => {
            const lines = chunk.trim().split('\n');
            const last = lines[lines.length - 1]!;
            // kill in the middle of epoch 3 (of 6)
            if (!killedAt && last.startsWith('checkpoint 2 7')) {
              killedAt = last;
              child.kill('SIGKILL');
            }
          });
          child.on('exit', (code, signal) =>
            signal === 'SIGKILL'
              ? resolve()
              : reject(new Error(`child exited ${code} ${signal} before it was killed`)),
          );
        });
        expect(killedAt).toMatch(/^checkpoint 2 7/);
        const { rbm, trainer, dataRows } = restoreCheckpoint(ops, readFileSync(path), {
          source: path,
        });
        const state = trainer.getState();
        expect(state.epoch).toBe(2);
        expect(state.batch).toBeGreaterThanOrEqual(8);
        expect(dataRows).toBe(200);
        await trainer.fit(killTestData());
        const full = await train(persistent);
        expect(Array.from(rbm.getParameters().weights)).toEqual(
          Array.from(full.rbm.getParameters().weights),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60000);
  }
});
