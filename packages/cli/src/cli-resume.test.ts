/**
 * Every long-running command survives SIGKILL: the real program is killed at an arbitrary
 * point after its first checkpoint, resumed from whatever checkpoint is on disk, and its
 * final model's tensors are byte-identical to an uninterrupted run with the same seed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '@deepbelief/model-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './test-utils.js';

let dir: { dir: string; cleanup(): void };
const path = (name: string) => join(dir.dir, name);

/** The tensors of a model file by name, as hex: equal means byte-identical. */
function tensors(file: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(decodeModel(readFileSync(file)).tensors).map(([name, t]) => [
      name,
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex'),
    ]),
  );
}

const ok = (run: { code: number | null; stderr: string }) => {
  expect(run.stderr).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
};

/**
 * Runs `args` to the end (writing `name`-whole.safetensors), then again with checkpoints,
 * killed with SIGKILL `delayMs` after a checkpoint exists and the output has matched
 * `after` (e.g. an epoch line of the phase to kill in), then resumed with `resumeArgs`
 * until done; returns both outputs and what the resumed run printed.
 */
async function killAndResume(
  name: string,
  args: readonly string[],
  resumeArgs: readonly string[],
  delayMs = 150,
  after = /./,
): Promise<{ whole: string; resumed: string; resumedStderr: string }> {
  const whole = path(`${name}-whole.safetensors`);
  const resumed = path(`${name}-resumed.safetensors`);
  const ckpt = path(`${name}.ckpt`);
  ok(await runCli([...args, '--out', whole]));
  let seenAt = 0;
  let output = '';
  const killed = await runCli(
    [...args, '--checkpoint', ckpt, '--checkpoint-every', '3', '--out', resumed],
    {
      onStderr: (text) => {
        output = text;
      },
      killWhen: () => {
        if (!seenAt && after.test(output) && existsSync(ckpt) && statSync(ckpt).size > 0)
          seenAt = performance.now();
        return seenAt > 0 && performance.now() - seenAt > delayMs;
      },
    },
  );
  // killed while training, not after it finished
  expect(killed.signal).toBe('SIGKILL');
  expect(existsSync(resumed)).toBe(false);
  const again = await runCli([
    ...resumeArgs,
    '--resume',
    ckpt,
    '--checkpoint',
    ckpt,
    '--out',
    resumed,
  ]);
  ok(again);
  expect(again.stderr).toMatch(
    /resuming from .*: (layer \d+, |fine-tuning )?epoch \d+\/\d+, batch \d+/,
  );
  return { whole, resumed, resumedStderr: again.stderr };
}

const common = ['--backend', 'js', '--seed', '3'];

beforeAll(async () => {
  dir = tempDir('deepbelief-resume-');
  // a small DBN and autoencoder to fine-tune (pre-trained once, uninterrupted)
  ok(
    await runCli([
      'train',
      'dbn',
      '--data',
      'mnist',
      '--limit',
      '1000',
      '--sizes',
      '784,40,30,60',
      '--epochs',
      '1',
      ...common,
      '--out',
      path('dbn.safetensors'),
    ]),
  );
}, 60_000);

afterAll(() => dir?.cleanup());

describe('SIGKILL, then --resume, gives the uninterrupted model byte for byte', () => {
  it.concurrent('finetune up-down (persistent chains, momentum)', async () => {
    const { whole, resumed } = await killAndResume(
      'up-down',
      [
        'finetune',
        'up-down',
        path('dbn.safetensors'),
        '--epochs',
        '6',
        '--persistent',
        '--momentum',
        '0.5',
        '--top-learning-rate',
        '0.02',
        ...common,
      ],
      ['finetune', 'up-down', '--backend', 'js'],
    );
    expect(tensors(resumed)).toEqual(tensors(whole));
  }, 120_000);

  it.concurrent('finetune backprop (a classifier with early stopping)', async () => {
    const { whole, resumed } = await killAndResume(
      'backprop',
      [
        'finetune',
        'backprop',
        path('dbn.safetensors'),
        '--epochs',
        '8',
        '--optimizer',
        'adam',
        '--learning-rate',
        '0.003',
        ...common,
      ],
      ['finetune', 'backprop', '--backend', 'js'],
    );
    expect(tensors(resumed)).toEqual(tensors(whole));
  }, 120_000);

  it.concurrent('train dbn, killed in the middle of a layer', async () => {
    const args = [
      'train',
      'dbn',
      '--data',
      'mnist',
      '--limit',
      '1000',
      '--sizes',
      '784,60,40,60',
      '--epochs',
      '8',
      ...common,
    ];
    // about 2 s in: in layer 2 of 3 (the whole run takes about 6 s)
    const { whole, resumed } = await killAndResume(
      'dbn',
      args,
      ['train', 'dbn', '--data', 'mnist', '--limit', '1000', '--backend', 'js'],
      2000,
    );
    expect(tensors(resumed)).toEqual(tensors(whole));
  }, 120_000);

  it.concurrent('train autoencoder, killed in pre-training or in fine-tuning', async () => {
    const args = [
      'train',
      'autoencoder',
      '--data',
      'mnist',
      '--limit',
      '1000',
      '--sizes',
      '784,40,8',
      '--epochs',
      '3',
      '--finetune-epochs',
      '4',
      ...common,
    ];
    const resume = [
      'train',
      'autoencoder',
      '--data',
      'mnist',
      '--limit',
      '1000',
      '--backend',
      'js',
    ];
    const early = await killAndResume('ae-pretrain', args, resume, 50);
    expect(tensors(early.resumed)).toEqual(tensors(early.whole));
    const late = await killAndResume('ae-finetune', args, resume, 1200);
    expect(tensors(late.resumed)).toEqual(tensors(late.whole));
  }, 180_000);
});

describe('a diverging learning rate', () => {
  it.concurrent('stops every training command with one error naming the algorithm, epoch and batch; the checkpoint on disk stays loadable', async () => {
    const ckpt = path('diverge.ckpt');
    // a healthy checkpoint first
    ok(
      await runCli([
        'finetune',
        'backprop',
        path('dbn.safetensors'),
        '--epochs',
        '2',
        ...common,
        '--checkpoint',
        ckpt,
        '--max-batches',
        '3',
        '--out',
        path('never.safetensors'),
      ]),
    );
    const before = readFileSync(ckpt);
    const data = ['--data', 'mnist', '--limit', '1000'];
    const runs: [string[], RegExp][] = [
      [['train', 'rbm', ...data, '--hidden', '20'], /^error: CD-1: training diverged/m],
      [
        ['train', 'dbn', ...data, '--sizes', '784,30,20,40'],
        /^error: CD-1 \(layer 1\): training diverged/m,
      ],
      [
        ['train', 'autoencoder', ...data, '--sizes', '784,30,8'],
        /^error: CD-1 \(layer 1\): training diverged/m,
      ],
      [['finetune', 'up-down', path('dbn.safetensors')], /^error: up-down: training diverged/m],
      [
        ['finetune', 'backprop', path('dbn.safetensors')],
        /^error: backprop \(sgd\): training diverged/m,
      ],
    ];
    for (const [args, message] of runs) {
      const run = await runCli([
        ...args,
        '--learning-rate',
        '1e38',
        ...common,
        '--checkpoint',
        ckpt,
        '--checkpoint-every',
        '1',
        '--out',
        path('never.safetensors'),
      ]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(
        /at epoch 1, batch \d+: .* became NaN or infinite\. Try a smaller learning rate \(now 1e\+38/,
      );
    }
    // nothing diverged was written: the healthy checkpoint is still there and loads
    expect(readFileSync(ckpt).equals(before)).toBe(true);
    expect(existsSync(path('never.safetensors'))).toBe(false);
    const resumed = await runCli([
      'finetune',
      'backprop',
      '--resume',
      ckpt,
      '--backend',
      'js',
      '--out',
      path('recovered.safetensors'),
    ]);
    ok(resumed);
  }, 120_000);
});
