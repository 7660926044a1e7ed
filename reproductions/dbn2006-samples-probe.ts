/**
 * How the 2006 DBN's clamped chains start, measured on the recognition of their samples
 * (issue: ≥ 90 % of figure 8's digits recognised as their label). For each model and each
 * start (`DBN.generate`'s `start`: random binary penultimate states, the paper's, or every
 * penultimate unit off so the first hidden state comes from the label alone), 50 samples per
 * label after 1,000 Gibbs steps with binary penultimate states sent down, judged by a 3-NN
 * vote over the 60,000 training images.
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/dbn2006-samples-probe.ts
 * Writes results/dbn2006-samples-probe/{run.log,results.md,results.json}.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@deepbelief/core';
import { decodeDBN, NearestNeighbourClassifier, recognitionRate } from '@deepbelief/dbn';
import { RESULTS, Run, setup } from './lib.js';

const MODELS = {
  final: ['dbn2006', 'final.dbn', 'the full run (300 up-down epochs, then 60 on 60,000)'],
  'persistent-10': [
    'dbn2006-persistent',
    'persistent-10.dbn',
    'the full run + 10 up-down epochs with persistent chains',
  ],
} as const;
const STARTS = ['random', 'label'] as const;
const PER_LABEL = 50;
const GIBBS_STEPS = 1000;
const SEED = 8;

const run = new Run('dbn2006-samples-probe');
const { ops, train } = await setup();
const judge = new NearestNeighbourClassifier(ops, train, train.labels!, { k: 3 });
const labels = Array.from({ length: 10 * PER_LABEL }, (_, i) => Math.floor(i / PER_LABEL));
const rows: {
  model: string;
  start: string;
  recognised: number;
  perLabel: number[];
  seconds: number;
}[] = [];
for (const [model, [dir, file]] of Object.entries(MODELS)) {
  const path = join(RESULTS, dir, file);
  const { dbn } = decodeDBN(ops, readFileSync(path), path);
  for (const start of STARTS) {
    const t = performance.now();
    const pixels = ops.tidy(() =>
      ops.read(
        dbn.generate(
          Array.from({ length: 10 }, (_, y) => y),
          { count: PER_LABEL, rng: new SeededRandom(SEED), gibbsSteps: GIBBS_STEPS, start },
        ),
      ),
    );
    const seconds = (performance.now() - t) / 1000;
    const report = recognitionRate(judge, pixels, labels);
    rows.push({ model, start, recognised: report.rate, perLabel: report.perLabel, seconds });
    run.log(
      `${model}, start ${start}: ${(report.rate * 100).toFixed(1)} % recognised (per label ${report.perLabel.map((r) => Math.round(r * 100)).join(' ')}) in ${seconds.toFixed(1)} s`,
    );
  }
  dbn.dispose();
}
judge.dispose();
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const md = `# Where the 2006 DBN's clamped chains start (backend ${ops.name})

${PER_LABEL} samples per label, ${GIBBS_STEPS} Gibbs steps with the label clamped, binary
penultimate states sent down, seed ${SEED}; judged by a 3-NN vote over the 60,000 MNIST
training images. The paper's figure 8 ran 1,000 iterations from random states and gives no
recognition figure; the goal here (issue #20) is ≥ 90 %. Command: \`node --conditions=deepbelief-source --import tsx
reproductions/dbn2006-samples-probe.ts\` (alone on the 2-core VM; log run.log).

| model | start | recognised | per label 0–9 (%) |
|---|---|---|---|
${rows
  .map(
    (r) =>
      `| ${r.model}: ${MODELS[r.model as keyof typeof MODELS][2]} | ${r.start} | ${pct(r.recognised)} | ${r.perLabel.map((p) => Math.round(p * 100)).join(', ')} |`,
  )
  .join('\n')}
`;
writeFileSync(join(run.dir, 'results.md'), md);
writeFileSync(
  join(run.dir, 'results.json'),
  `${JSON.stringify({ backend: ops.name, perLabel: PER_LABEL, gibbsSteps: GIBBS_STEPS, seed: SEED, rows }, null, 2)}\n`,
);
console.log(md);
