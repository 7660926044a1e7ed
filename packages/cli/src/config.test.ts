import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fineTuneOptionsSchema } from '@deepbelief/dbn';
import { trainOptionsSchema } from '@deepbelief/rbm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  configJsonSchema,
  fineTuneSchema,
  loadConfig,
  parseConfigText,
  rbmTrainingSchema,
  suggest,
} from './config.js';
import { UsageError } from './errors.js';
import { PACKAGE_DIR, tempDir } from './test-utils.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function write(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('config schemas', () => {
  it('are derived from the libraries: every option of the TypeScript APIs, nothing else', () => {
    expect(Object.keys(rbmTrainingSchema.shape).sort()).toEqual(
      Object.keys(trainOptionsSchema.shape)
        .filter((k) => k !== 'layerName')
        .sort(),
    );
    expect(Object.keys(fineTuneSchema.shape).sort()).toEqual(
      Object.keys(fineTuneOptionsSchema.shape).sort(),
    );
    // no library default leaks in: absent fields stay absent, so files layer over presets
    expect(rbmTrainingSchema.parse({})).toEqual({});
    expect(fineTuneSchema.parse({ epochs: 0 })).toEqual({ epochs: 0 });
    // the library's checks hold
    expect(rbmTrainingSchema.safeParse({ k: 0 }).success).toBe(false);
    expect(
      rbmTrainingSchema.safeParse({ momentum: { initial: 0.5, final: 0.9, switchEpoch: 1 } })
        .success,
    ).toBe(true);
  });

  it('export JSON Schemas that forbid unknown fields', () => {
    const schema = configJsonSchema('rbm') as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['data', 'hidden', 'training']),
    );
  });
});

describe('loadConfig', () => {
  it('reads YAML and JSON', async () => {
    const yaml = write(
      'ok.yaml',
      'data: mnist\nhidden: 20\ntraining:\n  epochs: 3\n  k: 2\n  momentum: { initial: 0.5, final: 0.9, switchEpoch: 1 }\n',
    );
    expect(await loadConfig(yaml, 'rbm')).toEqual({
      data: 'mnist',
      hidden: 20,
      training: { epochs: 3, k: 2, momentum: { initial: 0.5, final: 0.9, switchEpoch: 1 } },
    });
    const json = write(
      'ok.json',
      '{"preset": "small", "pretrain": [{"epochs": 1}, {"epochs": 2}, {"epochs": 3}]}',
    );
    expect((await loadConfig(json, 'dbn')).pretrain).toHaveLength(3);
  });

  it('names the file and each bad field', async () => {
    const path = write('bad.yaml', 'hiden: 20\ntraining:\n  learningRate: -1\n  epochs: 1.5\n');
    const error = await loadConfig(path, 'rbm').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toContain("unknown field 'hiden' (did you mean 'hidden'?)");
    expect(message).toMatch(/training\.learningRate: .*>0 \(got -1\)/);
    expect(message).toMatch(/training\.epochs: .*int.* \(got 1\.5\)/);
  });

  it('refuses a file written for another model, bad syntax and missing files', async () => {
    const other = write('dbn.yaml', 'model: dbn\n');
    await expect(loadConfig(other, 'rbm')).rejects.toThrow(
      /configures 'dbn', but the command is 'train rbm'/,
    );
    const broken = write('broken.yaml', 'data: mnist\n  hidden: [1,\n');
    await expect(loadConfig(broken, 'rbm')).rejects.toThrow(
      /broken\.yaml: not valid YAML at line \d+, column \d+/,
    );
    const badJson = write('broken.json', '{"data": }');
    await expect(loadConfig(badJson, 'rbm')).rejects.toThrow(/broken\.json: not valid JSON/);
    await expect(loadConfig(join(tmp.dir, 'nope.yaml'), 'rbm')).rejects.toThrow(
      /--config: cannot read .*no such file/,
    );
    const list = write('list.yaml', '- 1\n- 2\n');
    await expect(loadConfig(list, 'rbm')).rejects.toThrow(/must hold an object/);
  });

  it('refuses duplicate keys in YAML', () => {
    expect(() => parseConfigText('hidden: 1\nhidden: 2\n', 'dup.yaml')).toThrow(
      /dup\.yaml: not valid YAML/,
    );
  });
});

describe('the example config files', () => {
  it.each([
    ['rbm.yaml', 'rbm'],
    ['dbn.yaml', 'dbn'],
    ['autoencoder.json', 'autoencoder'],
  ] as const)('%s is valid', async (name, model) => {
    const config = await loadConfig(join(PACKAGE_DIR, 'examples', name), model);
    expect(config.model).toBe(model);
    expect(config.data).toBe('mnist');
  });
});

describe('suggest', () => {
  it('finds close names only', () => {
    expect(suggest('learningrate', ['learningRate', 'epochs'])).toBe('learningRate');
    expect(suggest('xyz', ['learningRate', 'epochs'])).toBeUndefined();
  });
});
