import type { Ops } from '@deepbelief/core';
import {
  ENGLISH_STOP_WORDS,
  type TextRetrievalData,
  toFloat32,
  tokenize,
} from '@deepbelief/datasets';
import { compareRetrieval, type DeepAutoencoder, HammingIndex } from '@deepbelief/dbn';
import { type BackendFlags, startBackend } from '../common.js';
import { textRetrievalData } from '../data.js';
import { UsageError } from '../errors.js';
import {
  buildModel,
  disposeModel,
  type ReadModel,
  readModel,
  runInfoOf,
  saveBytes,
} from '../models.js';
import { precisionRecallSvg } from '../plot.js';
import type { Terminal } from '../terminal.js';
import { dataSpecFor } from './eval.js';

/** Flags of `deepbelief search`. */
export interface SearchFlags extends BackendFlags {
  readonly k?: number;
  readonly data?: string;
  readonly json?: boolean;
}

/** A semantic-hashing model with the corpus it was trained on. */
export interface HashingCorpus {
  readonly autoencoder: DeepAutoencoder;
  readonly data: TextRetrievalData;
}

/**
 * Builds a semantic-hashing model (`train hashing`) from its file and loads its corpus,
 * checking they agree (same vocabulary).
 */
export async function loadHashingCorpus(
  term: Terminal,
  ops: Ops,
  read: ReadModel,
  flags: { data?: string },
  command: string,
): Promise<HashingCorpus & { dispose(): void }> {
  const { path } = read;
  const model = buildModel(ops, read, ['autoencoder'], command);
  if (model.kind !== 'autoencoder') throw new UsageError(`${path}: not an autoencoder`);
  const ae = model.autoencoder;
  if (ae.input !== 'word-counts' || ae.code !== 'binary' || !ae.vocabulary) {
    disposeModel(model);
    throw new UsageError(
      `${path}: ${command} needs a semantic-hashing model (word counts in, binary codes out, with its vocabulary): train one with deepbelief train hashing`,
    );
  }
  const spec = dataSpecFor(flags, runInfoOf(read.file) as { data?: unknown }, command);
  if (spec.kind !== 'text') {
    disposeModel(model);
    throw new UsageError(`--data ${spec.text}: ${command} needs a text corpus (brown or text:DIR)`);
  }
  term.info(`loading ${spec.text}`);
  const data = await textRetrievalData(spec);
  const words = data.vocabulary.words;
  if (words.length !== ae.vocabulary.length || words.some((w, i) => w !== ae.vocabulary![i])) {
    disposeModel(model);
    throw new UsageError(
      `${path}: the model's vocabulary is not the one of --data ${spec.text}; search the corpus the model was trained on`,
    );
  }
  return { autoencoder: ae, data, dispose: () => disposeModel(model) };
}

/** `deepbelief search FILE QUERY`: the nearest training passages by Hamming distance. */
export async function searchCommand(
  term: Terminal,
  path: string,
  query: string,
  flags: SearchFlags,
): Promise<void> {
  const { ops } = await startBackend(term, flags);
  const hashing = await loadHashingCorpus(term, ops, await readModel(path), flags, 'search');
  const { autoencoder: ae, data } = hashing;
  // the searchable collection: the training passages, by their codes
  const itemCodes = ops.tidy(() =>
    ops.read(
      ae.binaryCodes(ops.fromArray(toFloat32(data.train), [data.train.rows, data.train.cols])),
    ),
  );
  const index = new HammingIndex(itemCodes, ae.sizes.at(-1)!);
  const stop = data.options.stopWords ? new Set(ENGLISH_STOP_WORDS) : null;
  const vocabulary = data.vocabulary.index;
  const counts = new Float32Array(ae.sizes[0]!);
  let known = 0;
  for (const w of tokenize(query)) {
    if (stop?.has(w)) continue;
    const c = vocabulary.get(w);
    if (c === undefined) continue;
    counts[c]! += 1;
    known++;
  }
  if (known === 0) {
    hashing.dispose();
    throw new UsageError(
      `search: none of the query's words are in the model's ${counts.length}-word vocabulary (stop words are ignored)`,
    );
  }
  const code = ops.tidy(() => ops.read(ae.binaryCodes(ops.fromArray(counts, [1, counts.length]))));
  const k = flags.k ?? 10;
  const started = performance.now();
  const hits = index.nearest(code, k);
  const micros = (performance.now() - started) * 1000;
  const labels = data.train.classNames ?? [];
  const results = hits.map(({ index: item, distance }) => {
    const p = data.trainPassages[item]!;
    return {
      distance,
      label: labels[p.label] ?? String(p.label),
      document: p.document,
      passage: item,
      text: p.words.slice(0, 16).join(' '),
    };
  });
  const bits = Array.from(code, (b) => (b ? '1' : '0')).join('');
  hashing.dispose();
  if (flags.json) {
    term.result(
      JSON.stringify({ query, knownWords: known, code: bits, results, microseconds: micros }),
    );
    return;
  }
  term.result(
    `query address ${bits} (${known} known words); ${index.size} passages, nearest ${results.length} in ${micros.toFixed(0)} µs`,
  );
  for (const r of results)
    term.result(
      `  d=${String(r.distance).padStart(2)}  ${r.label.padEnd(16)} ${r.document.padEnd(5)} ${r.text} …`,
    );
}

/**
 * `deepbelief eval` on a semantic-hashing model: precision at each recall level of its codes
 * and of the baselines (LSA, LSH, TF-IDF) with the test passages querying the training
 * passages, retrieval times, and with `--plot` the precision–recall curves as SVG.
 */
export async function evalHashing(
  term: Terminal,
  read: ReadModel,
  flags: BackendFlags & { data?: string; json?: boolean; plot?: string; seed?: number },
): Promise<void> {
  const { ops, name: backend } = await startBackend(term, flags);
  const { path } = read;
  const hashing = await loadHashingCorpus(term, ops, read, flags, 'eval');
  const { autoencoder: ae, data } = hashing;
  const started = performance.now();
  const side = (counts: typeof data.train, tfidf: typeof data.train) => ({
    rows: counts.rows,
    counts: toFloat32(counts),
    tfidf: toFloat32(tfidf),
    labels: counts.labels!,
  });
  term.info('comparing with LSA, LSH and TF-IDF on the same split');
  const { methods, timing } = compareRetrieval(
    ops,
    ae,
    side(data.train, data.trainTfidf),
    side(data.test, data.testTfidf),
    { seed: flags.seed ?? 1 },
  );
  hashing.dispose();
  if (flags.plot) {
    await saveBytes(
      flags.plot,
      new TextEncoder().encode(
        precisionRecallSvg(
          methods.map((m) => ({ label: m.method, ...m.curve })),
          { title: `${path}: ${ae.sizes.at(-1)}-bit codes, precision–recall` },
        ),
      ),
    );
  }
  const result = {
    file: path,
    kind: 'autoencoder',
    data: data.train.name?.replace(/ train$/, ''),
    bits: ae.sizes.at(-1),
    queries: data.test.rows,
    items: data.train.rows,
    backend,
    methods: methods.map((m) => ({
      method: m.method,
      description: m.description,
      precisionAtRecall: Object.fromEntries(
        m.curve.recall.map((r, i) => [r, m.curve.precision[i]]),
      ),
    })),
    timing,
    seconds: Math.round(((performance.now() - started) / 1000) * 1000) / 1000,
    ...(flags.plot ? { plot: flags.plot } : {}),
  };
  if (flags.json) {
    term.result(JSON.stringify(result));
    return;
  }
  const shown = [0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 1];
  term.result(
    `${term.out.bold(path)}: ${result.bits}-bit codes; ${result.queries} test passages querying ${result.items} training passages (relevant: same label)`,
  );
  term.result(`precision at recall  ${shown.map((r) => String(r).padStart(6)).join('')}`);
  for (const m of methods)
    term.result(
      `  ${m.method.padEnd(18)} ${shown.map((r) => m.curve.precision[m.curve.recall.indexOf(r)]!.toFixed(3).padStart(6)).join('')}`,
    );
  term.result(
    `one query: Hamming ball (radius ${timing.radius}) ${timing.ballMicroseconds.toFixed(1)} µs, scan of the codes ${timing.codeScanMicroseconds.toFixed(1)} µs, TF-IDF cosine scan ${timing.tfidfScanMicroseconds.toFixed(1)} µs`,
  );
  if (flags.plot) term.result(`wrote ${flags.plot}`);
}
