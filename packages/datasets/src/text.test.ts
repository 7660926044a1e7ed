import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildVocabulary,
  ENGLISH_STOP_WORDS,
  parseBrownTagged,
  passagesOf,
  splitByDocument,
  type TextCorpus,
  tfidf,
  tokenize,
  wordCounts,
} from './text.js';
import { loadBrownCorpus, loadTextFolder } from './text-node.js';

describe('tokenising', () => {
  it('lower-cases words, keeps inner apostrophes and hyphens, drops digits and punctuation', () => {
    expect(tokenize("The jury's term-end report, 1961: “No evidence”!")).toEqual([
      'the',
      "jury's",
      'term-end',
      'report',
      'no',
      'evidence',
    ]);
  });

  it('strips the tags of the tagged Brown Corpus', () => {
    expect(
      parseBrownTagged(
        "\n\tThe/at Fulton/np-tl County/nn-tl said/vbd ``/`` Atlanta's/np$ 1961/cd ./.\n",
      ),
    ).toEqual(['the', 'fulton', 'county', 'said', "atlanta's"]);
  });
});

const corpus: TextCorpus = {
  name: 'toy',
  labelNames: ['cats', 'dogs'],
  documents: [
    { id: 'c1', label: 0, words: 'the cat sat on the mat the cat purred'.split(' ') },
    { id: 'c2', label: 0, words: 'a cat and a kitten and the mat'.split(' ') },
    { id: 'c3', label: 0, words: 'cat cat cat mat'.split(' ') },
    { id: 'd1', label: 1, words: 'the dog barked at the dog next door'.split(' ') },
    { id: 'd2', label: 1, words: 'a dog and a puppy ran'.split(' ') },
    { id: 'd3', label: 1, words: 'dog dog bone'.split(' ') },
  ],
};

describe('passages, vocabulary and word counts', () => {
  it('cuts documents into passages, dropping a remainder shorter than half a passage', () => {
    const passages = passagesOf(corpus, { passageWords: 4 });
    // c1 has 9 words: 4 + 4 + 1 (dropped); c3 has 4: one passage
    expect(passages.filter((p) => p.document === 'c1').map((p) => p.words.length)).toEqual([4, 4]);
    expect(passages.filter((p) => p.document === 'c3')).toHaveLength(1);
    expect(passages.every((p) => p.label === (p.document.startsWith('c') ? 0 : 1))).toBe(true);
    const noStop = passagesOf(corpus, { passageWords: 100, stopWords: true });
    expect(noStop.flatMap((p) => p.words).some((w) => ENGLISH_STOP_WORDS.includes(w))).toBe(false);
    expect(() => passagesOf(corpus, { passageWords: 0 })).toThrow(/passageWords/);
  });

  it('keeps the most frequent words, ties alphabetical, whatever the passage order', () => {
    const passages = passagesOf(corpus, { passageWords: 100 });
    const v = buildVocabulary(passages, 4);
    expect(v.words).toEqual(['cat', 'the', 'dog', 'a']); // counts 6, 6, 5, 4: cat and the tie, alphabetical
    expect(buildVocabulary([...passages].reverse(), 4).words).toEqual(v.words);
    expect(v.index.get('dog')).toBe(2);
  });

  it('counts vocabulary words per passage as float32 rows with the passages’ labels', () => {
    const passages = passagesOf(corpus, { passageWords: 100 });
    const v = buildVocabulary(passages, 3);
    const d = wordCounts(passages, v, { name: 'toy', labelNames: corpus.labelNames });
    expect(d.rows).toBe(6);
    expect(d.cols).toBe(3);
    expect(d.scale).toBe(1);
    const row = (i: number) => Array.from(d.features.subarray(i * 3, i * 3 + 3));
    expect(row(0)).toEqual([2, 3, 0]); // c1: cat ×2, the ×3, dog ×0
    expect(row(5)).toEqual([0, 0, 2]); // d3: dog ×2
    expect(Array.from(d.labels!)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(d.classNames).toEqual(['cats', 'dogs']);
  });
});

describe('splitByDocument', () => {
  it('never puts one document on both sides, keeps every label on both sides, and is seeded', () => {
    const passages = passagesOf(corpus, { passageWords: 2 });
    const a = splitByDocument(passages, { testFraction: 0.34, seed: 1 });
    const trainDocs = new Set(a.train.map((p) => p.document));
    const testDocs = new Set(a.test.map((p) => p.document));
    expect([...trainDocs].filter((d) => testDocs.has(d))).toEqual([]);
    expect(a.train.length + a.test.length).toBe(passages.length);
    expect(new Set(a.test.map((p) => p.label))).toEqual(new Set([0, 1]));
    expect(new Set(a.train.map((p) => p.label))).toEqual(new Set([0, 1]));
    expect(splitByDocument(passages, { testFraction: 0.34, seed: 1 })).toEqual(a);
    expect(() => splitByDocument(passages, { testFraction: 1, seed: 1 })).toThrow(/testFraction/);
  });
});

describe('loaders', () => {
  it('loads the Brown Corpus: 500 documents, 15 genres, tags stripped; split by document', async () => {
    const brown = await loadBrownCorpus();
    expect(brown.documents).toHaveLength(500);
    expect(brown.labelNames).toHaveLength(15);
    expect(brown.labelNames[0]).toBe('adventure');
    const ca01 = brown.documents.find((d) => d.id === 'ca01')!;
    expect(brown.labelNames[ca01.label]).toBe('news');
    expect(ca01.words.slice(0, 4)).toEqual(['the', 'fulton', 'county', 'grand']);
    expect(ca01.words.some((w) => w.includes('/'))).toBe(false);
    const passages = passagesOf(brown, { passageWords: 150 });
    expect(passages.length).toBeGreaterThan(5000);
    const { train, test } = splitByDocument(passages, { testFraction: 0.2, seed: 3 });
    const testDocs = new Set(test.map((p) => p.document));
    expect(train.some((p) => testDocs.has(p.document))).toBe(false);
    expect(test.length / passages.length).toBeGreaterThan(0.15);
    expect(test.length / passages.length).toBeLessThan(0.25);
  });

  const dir = join(tmpdir(), `deepbelief-text-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a folder of text files, one sub-folder per label', async () => {
    mkdirSync(join(dir, 'sport'), { recursive: true });
    mkdirSync(join(dir, 'cooking'), { recursive: true });
    writeFileSync(join(dir, 'sport', 'a.txt'), 'The match ended 2-1.');
    writeFileSync(join(dir, 'cooking', 'b.txt'), 'Whisk the eggs.');
    writeFileSync(join(dir, 'README'), 'ignored');
    const c = await loadTextFolder(dir);
    expect(c.labelNames).toEqual(['cooking', 'sport']);
    expect(c.documents).toEqual([
      { id: 'cooking/b.txt', label: 0, words: ['whisk', 'the', 'eggs'] },
      { id: 'sport/a.txt', label: 1, words: ['the', 'match', 'ended'] },
    ]);
    await expect(loadTextFolder(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    await expect(loadTextFolder(join(dir, 'sport'))).rejects.toThrow(/one sub-folder per label/);
  });
});

describe('tfidf', () => {
  it('weights counts by log(N / (1 + df)), scales rows to unit length, reuses a fitted IDF', () => {
    const passages = passagesOf(corpus, { passageWords: 100 });
    const counts = wordCounts(passages, buildVocabulary(passages, 6));
    const { data, idf } = tfidf(counts);
    // 'cat' occurs in 3 of 6 documents: idf log(6 / 4)
    expect(idf.idf[0]).toBeCloseTo(Math.log(6 / 4), 12);
    for (let r = 0; r < data.rows; r++) {
      let norm = 0;
      for (let c = 0; c < data.cols; c++) norm += data.features[r * data.cols + c]! ** 2;
      if (norm > 0) expect(norm).toBeCloseTo(1, 6);
    }
    expect(data.labels).toBe(counts.labels);
    const again = tfidf(counts, idf);
    expect(again.data.features).toEqual(data.features);
    expect(() => tfidf(counts, { idf: [1, 2] })).toThrow(/IDF has 2 words/);
  });
});
