/**
 * Text corpora as word-count data: documents split into fixed-length passages, a vocabulary of
 * the most frequent words, word-count vectors, and a train/test split by document (so that the
 * passages of one document never straddle it). File-system loaders are in `text-node.ts`.
 */
import { SeededRandom } from '@deepbelief/core';
import { createDataset, type Dataset } from './dataset.js';
import { DatasetError } from './errors.js';

/** A document of a corpus: its id (file name), its label, and its words in order. */
export interface TextDocument {
  readonly id: string;
  readonly label: number;
  readonly words: readonly string[];
}

/** A passage: consecutive words of one document, with the document's id and label. */
export interface Passage {
  readonly document: string;
  readonly label: number;
  readonly words: readonly string[];
}

/** A labelled corpus. */
export interface TextCorpus {
  readonly name: string;
  readonly documents: readonly TextDocument[];
  /** `labelNames[label]`. */
  readonly labelNames: readonly string[];
}

/**
 * A short English stop-word list (articles, pronouns, auxiliaries, prepositions and
 * conjunctions): the words that carry least topic, removed when `stopWords: true`.
 */
export const ENGLISH_STOP_WORDS: readonly string[] = (
  'a about above after again against all am an and any are as at be because been before being ' +
  'below between both but by can could did do does doing down during each few for from further ' +
  'had has have having he her here hers herself him himself his how i if in into is it its ' +
  'itself just me more most my myself no nor not now of off on once only or other our ours ' +
  'ourselves out over own same she should so some such than that the their theirs them ' +
  'themselves then there these they this those through to too under until up very was we were ' +
  'what when where which while who whom why will with would you your yours yourself yourselves'
).split(' ');

/**
 * Lower-cased words of plain text: runs of letters, with inner apostrophes and hyphens kept
 * ("o'clock", "term-end"); digits and punctuation dropped.
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+(?:['-][a-z]+)*/g) ?? [];
}

/**
 * Words of a POS-tagged Brown Corpus file (form C: `word/tag` tokens separated by spaces):
 * the tags are stripped, then the words tokenised as {@link tokenize} does.
 */
export function parseBrownTagged(text: string): string[] {
  const words: string[] = [];
  for (const token of text.split(/\s+/)) {
    if (!token) continue;
    const slash = token.lastIndexOf('/');
    const word = slash > 0 ? token.slice(0, slash) : token;
    for (const w of tokenize(word)) words.push(w);
  }
  return words;
}

/** Options of {@link passagesOf}. */
export interface PassageOptions {
  /**
   * Words per passage (default 150). A document's last passage shorter than half of it is
   * dropped, unless it is the document's only one (short documents stay whole).
   */
  readonly passageWords?: number;
  /** Remove stop words before cutting passages: `true` for {@link ENGLISH_STOP_WORDS}, or a list. */
  readonly stopWords?: boolean | readonly string[];
}

/** Cuts every document into passages of `passageWords` consecutive words. */
export function passagesOf(corpus: TextCorpus, options: PassageOptions = {}): Passage[] {
  const size = options.passageWords ?? 150;
  if (!Number.isInteger(size) || size < 1)
    throw new DatasetError(
      'BAD_OPTION',
      corpus.name,
      `passageWords must be a positive integer, got ${size}`,
    );
  const stop =
    options.stopWords === true
      ? new Set(ENGLISH_STOP_WORDS)
      : options.stopWords
        ? new Set(options.stopWords)
        : null;
  const out: Passage[] = [];
  for (const doc of corpus.documents) {
    const words = stop ? doc.words.filter((w) => !stop.has(w)) : doc.words;
    for (let start = 0; start < words.length; start += size) {
      const part = words.slice(start, start + size);
      if (start > 0 && part.length * 2 < size) break;
      out.push({ document: doc.id, label: doc.label, words: part });
    }
  }
  return out;
}

/** The words of a vocabulary, most frequent first, and their column index. */
export interface Vocabulary {
  readonly words: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

/**
 * The `size` most frequent words of `passages` (default 2,000); ties broken alphabetically,
 * so the vocabulary does not depend on the order of the passages.
 */
export function buildVocabulary(passages: readonly Passage[], size = 2000): Vocabulary {
  if (!Number.isInteger(size) || size < 1)
    throw new DatasetError(
      'BAD_OPTION',
      'vocabulary',
      `size must be a positive integer, got ${size}`,
    );
  const counts = new Map<string, number>();
  for (const p of passages) for (const w of p.words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size)
    .map(([w]) => w);
  return { words, index: new Map(words.map((w, i) => [w, i])) };
}

/**
 * Word-count vectors: one row per passage, one column per vocabulary word, float32 counts
 * (`scale` 1); out-of-vocabulary words are not counted. Labels are the passages' labels.
 */
export function wordCounts(
  passages: readonly Passage[],
  vocabulary: Vocabulary,
  meta: { name?: string; labelNames?: readonly string[] } = {},
): Dataset {
  const cols = vocabulary.words.length;
  const features = new Float32Array(passages.length * cols);
  const labels = new Int32Array(passages.length);
  passages.forEach((p, r) => {
    labels[r] = p.label;
    for (const w of p.words) {
      const c = vocabulary.index.get(w);
      if (c !== undefined) features[r * cols + c]! += 1;
    }
  });
  return createDataset({
    features,
    rows: passages.length,
    cols,
    scale: 1,
    labels,
    ...(meta.labelNames ? { numClasses: meta.labelNames.length, classNames: meta.labelNames } : {}),
    ...(meta.name ? { name: meta.name } : {}),
    featureNames: vocabulary.words,
  });
}

/**
 * Splits passages into train and test by document: a seeded draw of `testFraction` of the
 * documents (per label, so each label keeps its share when it has at least two documents)
 * goes to test with all their passages.
 */
export function splitByDocument(
  passages: readonly Passage[],
  options: { testFraction: number; seed: number },
): { train: Passage[]; test: Passage[] } {
  const { testFraction, seed } = options;
  if (!(testFraction > 0 && testFraction < 1))
    throw new DatasetError(
      'BAD_OPTION',
      'passages',
      `testFraction must lie in (0, 1), got ${testFraction}`,
    );
  const byLabel = new Map<number, string[]>();
  const seen = new Set<string>();
  for (const p of passages) {
    if (seen.has(p.document)) continue;
    seen.add(p.document);
    const list = byLabel.get(p.label) ?? [];
    list.push(p.document);
    byLabel.set(p.label, list);
  }
  const rng = new SeededRandom(seed);
  const testDocs = new Set<string>();
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const docs = byLabel.get(label)!.sort();
    const n = docs.length < 2 ? 0 : Math.max(1, Math.round(docs.length * testFraction));
    const order = rng.permutation(docs.length);
    for (let i = 0; i < n; i++) testDocs.add(docs[order[i]!]!);
  }
  const train: Passage[] = [];
  const test: Passage[] = [];
  for (const p of passages) (testDocs.has(p.document) ? test : train).push(p);
  return { train, test };
}

/** Inverse document frequencies of a word-count {@link Dataset}: plain JSON, reuse it on test data. */
export interface Idf {
  readonly idf: readonly number[];
}

/**
 * TF-IDF rows of a word-count dataset, each scaled to unit length (the usual input of LSA and
 * cosine retrieval): `count × log(N / (1 + df))` with N rows and df the rows a word occurs in,
 * computed on this dataset unless `fitted` is given (pass the training set's to test data).
 */
export function tfidf(counts: Dataset, fitted?: Idf): { data: Dataset; idf: Idf } {
  const { rows, cols, features, scale } = counts;
  let idf = fitted?.idf;
  if (idf && idf.length !== cols)
    throw new DatasetError(
      'SHAPE_MISMATCH',
      counts.name ?? 'dataset',
      `the IDF has ${idf.length} words, the data ${cols}`,
    );
  if (!idf) {
    const df = new Float64Array(cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) if (features[r * cols + c]! > 0) df[c]! += 1;
    idf = Array.from(df, (d) => Math.log(rows / (1 + d)));
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) {
      const v = features[r * cols + c]! * scale * idf[c]!;
      out[r * cols + c] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < cols; c++) out[r * cols + c]! *= inv;
  }
  return {
    data: createDataset({
      features: out,
      rows,
      cols,
      scale: 1,
      ...(counts.labels ? { labels: counts.labels, numClasses: counts.numClasses } : {}),
      ...(counts.classNames ? { classNames: counts.classNames } : {}),
      ...(counts.name ? { name: `${counts.name} (tf-idf)` } : {}),
      ...(counts.featureNames ? { featureNames: counts.featureNames } : {}),
    }),
    idf: { idf },
  };
}

/** Options of {@link prepareTextRetrieval}; every field has the default shown. */
export interface TextRetrievalOptions {
  /** Words per passage (after stop-word removal): 100. */
  readonly passageWords?: number;
  /** Remove {@link ENGLISH_STOP_WORDS}: true. */
  readonly stopWords?: boolean;
  /** Vocabulary size, the most frequent words of the training passages: 2,000. */
  readonly vocabularySize?: number;
  /** Share of the documents (per label) whose passages go to test: 0.2. */
  readonly testFraction?: number;
  /** Seed of the split: 1. */
  readonly seed?: number;
}

/** A corpus ready for document retrieval: word counts and TF-IDF of both splits. */
export interface TextRetrievalData {
  readonly options: Required<TextRetrievalOptions>;
  readonly vocabulary: Vocabulary;
  readonly trainPassages: readonly Passage[];
  readonly testPassages: readonly Passage[];
  /** Word counts, labelled by the passages' labels. */
  readonly train: Dataset;
  readonly test: Dataset;
  /** TF-IDF rows with the training set's IDF. */
  readonly trainTfidf: Dataset;
  readonly testTfidf: Dataset;
}

/**
 * The whole preparation of a corpus for retrieval experiments, so that a model's training and
 * its evaluation see the same data: passages, the split by document, the vocabulary of the
 * training passages, word counts and TF-IDF.
 */
export function prepareTextRetrieval(
  corpus: TextCorpus,
  options: TextRetrievalOptions = {},
): TextRetrievalData {
  const o: Required<TextRetrievalOptions> = {
    passageWords: options.passageWords ?? 100,
    stopWords: options.stopWords ?? true,
    vocabularySize: options.vocabularySize ?? 2000,
    testFraction: options.testFraction ?? 0.2,
    seed: options.seed ?? 1,
  };
  const passages = passagesOf(corpus, { passageWords: o.passageWords, stopWords: o.stopWords });
  const { train: trainPassages, test: testPassages } = splitByDocument(passages, {
    testFraction: o.testFraction,
    seed: o.seed,
  });
  const vocabulary = buildVocabulary(trainPassages, o.vocabularySize);
  const meta = { labelNames: corpus.labelNames };
  const train = wordCounts(trainPassages, vocabulary, { ...meta, name: `${corpus.name} train` });
  const test = wordCounts(testPassages, vocabulary, { ...meta, name: `${corpus.name} test` });
  const { data: trainTfidf, idf } = tfidf(train);
  const { data: testTfidf } = tfidf(test, idf);
  return {
    options: o,
    vocabulary,
    trainPassages,
    testPassages,
    train,
    test,
    trainTfidf,
    testTfidf,
  };
}
