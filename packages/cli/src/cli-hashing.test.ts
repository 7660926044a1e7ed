import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@deepbelief/core';
import { decodeModel } from '@deepbelief/model-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from './test-utils.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const path = (name: string) => join(tmp.dir, name);
const MODEL = path('hashing.safetensors');
const JS = ['--backend', 'js'];

/** A folder corpus: 2 topics × 10 documents of 200 words, each topic with its own 20 words. */
function writeCorpus(dir: string): void {
  const topics = {
    cooking:
      'bake boil butter flour garlic knife oven pepper recipe salt sauce simmer slice spoon stir sugar taste tomato onion dough'.split(
        ' ',
      ),
    sailing:
      'anchor boat breeze captain crew deck harbor hull island keel mast ocean port rope sail shore storm tide voyage wave'.split(
        ' ',
      ),
  };
  const rng = new SeededRandom(3);
  for (const [label, words] of Object.entries(topics)) {
    mkdirSync(join(dir, label), { recursive: true });
    for (let d = 0; d < 10; d++) {
      const text = Array.from({ length: 200 }, () => words[rng.int(words.length)]).join(' ');
      writeFileSync(join(dir, label, `${label}-${d}.txt`), text);
    }
  }
}

beforeAll(async () => {
  writeCorpus(path('corpus'));
  writeFileSync(
    path('hashing.json'),
    JSON.stringify({
      // the word-count layer's hidden inputs sum over 100 words: a small rate
      pretrain: [
        { epochs: 30, batchSize: 8, learningRate: 0.002 },
        { epochs: 30, batchSize: 8, learningRate: 0.05 },
      ],
      fineTune: { batchSize: 8, epochs: 50 },
    }),
  );
  const run = await runInProcess([
    'train',
    'hashing',
    '--data',
    `text:${path('corpus')}`,
    '--sizes',
    '40,32,8',
    '--config',
    path('hashing.json'),
    '--out',
    MODEL,
    ...JS,
  ]);
  expect(run.stderr).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^trained autoencoder 40-32-8 on \d+ rows of text:/m);
}, 120_000);

describe('train hashing → search, eval', () => {
  it('the model file holds a word-count autoencoder with binary codes and its vocabulary', () => {
    const file = decodeModel(new Uint8Array(readFileSync(MODEL)));
    expect(file.kind).toBe('autoencoder');
    const model = file.model as {
      input: string;
      code: string;
      vocabulary: string[];
      sizes: number[];
    };
    expect(model.input).toBe('word-counts');
    expect(model.code).toBe('binary');
    expect(model.sizes).toEqual([40, 32, 8]);
    expect(model.vocabulary).toHaveLength(40);
    expect(model.vocabulary).toContain('harbor');
  });

  it('search finds passages of the query topic first, nearest first', async () => {
    for (const [query, topic] of [
      ['the captain sailed the boat out of the harbor in a storm', 'sailing'],
      ['stir the garlic into the butter sauce and simmer', 'cooking'],
    ] as const) {
      const run = await runInProcess(['search', MODEL, query, '--k', '5', '--json', ...JS]);
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout) as {
        code: string;
        results: { distance: number; label: string; text: string }[];
      };
      expect(out.code).toMatch(/^[01]{8}$/);
      expect(out.results).toHaveLength(5);
      expect(out.results[0]!.label).toBe(topic);
      const distances = out.results.map((r) => r.distance);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
    }
    const human = await runInProcess(['search', MODEL, 'anchor mast keel', ...JS]);
    expect(human.stdout).toMatch(/^ {2}d= ?\d+ {2}sailing/m);
  });

  it('search refuses a query with no known word', async () => {
    const run = await runInProcess(['search', MODEL, 'zebra quantum', ...JS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/none of the query's words are in the model's 40-word vocabulary/);
  });

  it('eval --json: precision at each recall level for the codes and every baseline, and a plot', async () => {
    const plot = path('pr.svg');
    const run = await runInProcess(['eval', MODEL, '--json', '--plot', plot, ...JS]);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      bits: number;
      methods: { method: string; precisionAtRecall: Record<string, number> }[];
      timing: { ballMicroseconds: number; codeScanMicroseconds: number };
    };
    expect(out.bits).toBe(8);
    expect(out.methods.map((m) => m.method)).toEqual([
      'semantic-hashing',
      'lsa-binary',
      'lsh',
      'lsa-cosine',
      'tfidf-cosine',
    ]);
    for (const m of out.methods)
      for (const p of Object.values(m.precisionAtRecall)) expect(p).toBeGreaterThanOrEqual(0);
    // two well-separated topics: the codes retrieve the query's topic first
    expect(out.methods[0]!.precisionAtRecall['0.1']).toBeGreaterThan(0.9);
    expect(out.timing.ballMicroseconds).toBeGreaterThan(0);
    expect(readFileSync(plot, 'utf8')).toMatch(
      /^<svg[^>]*>[\s\S]*semantic-hashing[\s\S]*<\/svg>\n$/,
    );
  });

  it("search refuses a corpus whose vocabulary is not the model's", async () => {
    const run = await runInProcess(['search', MODEL, 'boat', '--data', 'brown', ...JS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the model's vocabulary is not the one of --data brown/);
  });
});
