/**
 * Short up-down probes on the 2006 DBN: why the full run's classifier underfits (training
 * error 1.3 % on its 44,000 images after 300 epochs, validation 1.63 %, test 1.67 %; the
 * paper: 1.39 % test for its network best on validation). The variants change the learning
 * rate, the top RBM's own rate, weight cost, momentum, label and penultimate states, and k.
 * Each variant starts from the same greedily pre-trained stack
 * (`results/dbn2006/pretrained.dbn`) and runs up-down for a few epochs at k = 3 on the same
 * 44,000/10,000 split as `dbn2006.ts`, with the validation and training errors every 5 epochs,
 * beside the full run's trajectory (lr 0.01: validation 1.88 % and training 1.46 % at
 * epoch 10, 1.81 % and 1.42 % at 20).
 *
 * Run: node --conditions=deepbelief-source --import tsx reproductions/dbn2006-updown-probe.ts
 *   [--epochs 10] [--only name,name]
 * Writes results/dbn2006-updown-probe/{run.log,results.md,results.json}; finished variants are
 * cached in stages/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Tensor } from '@deepbelief/core';
import { type Dataset, sliceRows, trainValidationSplit } from '@deepbelief/datasets';
import { classificationReport, type DBN, decodeDBN } from '@deepbelief/dbn';
import { toMatrixSource } from '@deepbelief/rbm';
import { type UpDownOptions, upDownTrainer } from '@deepbelief/wake-sleep';
import { asTensor, predictInBlocks, RESULTS, Run, setup } from './lib.js';

const { values } = parseArgs({
  options: { epochs: { type: 'string', default: '10' }, only: { type: 'string' } },
});
const EPOCHS = Number(values.epochs);
/** The full run's up-down settings (dbn2006.ts), at its first third's k and learning rate. */
const BASE = {
  epochs: EPOCHS,
  batchSize: 100,
  gibbsSteps: 3,
  learningRate: 0.01,
  weightCost: 0,
  persistent: false,
  seed: 2,
} satisfies UpDownOptions;
const VARIANTS: { name: string; what: string; options: UpDownOptions }[] = [
  { name: 'lr-0.01', what: "the full run's first third: lr 0.01", options: BASE },
  { name: 'lr-0.03', what: 'lr 0.03', options: { ...BASE, learningRate: 0.03 } },
  { name: 'lr-0.1', what: 'lr 0.1', options: { ...BASE, learningRate: 0.1 } },
  {
    name: 'wc-2e-4',
    what: 'lr 0.01, weight cost 2e-4 (the pre-training value; the paper used a weight decay)',
    options: { ...BASE, weightCost: 2e-4 },
  },
  {
    name: 'labels-sampled',
    what: "lr 0.01, one label drawn in the negative chain (the paper's softmax reconstruction)",
    options: { ...BASE, labelStates: 'samples' },
  },
  {
    name: 'top-lr-0.1',
    what: 'lr 0.01 for the directed layers, 0.1 for the top RBM (its pre-training rate)',
    options: { ...BASE, topLearningRate: 0.1 },
  },
  {
    name: 'top-lr-0.3',
    what: 'lr 0.01 for the directed layers, 0.3 for the top RBM',
    options: { ...BASE, topLearningRate: 0.3 },
  },
  {
    name: 'top-lr-0.001',
    what: 'lr 0.01 for the directed layers, 0.001 for the top RBM',
    options: { ...BASE, topLearningRate: 0.001 },
  },
  {
    name: 'lr-0.03-top-0.003',
    what: 'lr 0.03 for the directed layers, 0.003 for the top RBM',
    options: { ...BASE, learningRate: 0.03, topLearningRate: 0.003 },
  },
  {
    name: 'pen-probabilities',
    what: 'lr 0.01, the top RBM learns from penultimate probabilities (as pre-trained and as classified)',
    options: { ...BASE, penultimateStates: 'probabilities' },
  },
  {
    name: 'pen-probabilities-lr-0.03',
    what: 'lr 0.03, the top RBM learns from penultimate probabilities',
    options: { ...BASE, learningRate: 0.03, penultimateStates: 'probabilities' },
  },
  {
    name: 'momentum-0.9-lr-0.001',
    what: 'lr 0.001 with momentum 0.9 (the same long-run step as lr 0.01, averaged over about 10 batches)',
    options: { ...BASE, learningRate: 0.001, momentum: 0.9 },
  },
  {
    name: 'momentum-0.9-lr-0.003',
    what: 'lr 0.003 with momentum 0.9',
    options: { ...BASE, learningRate: 0.003, momentum: 0.9 },
  },
  {
    name: 'k-10',
    what: 'lr 0.01, k = 10 from the start (the full run reaches it at epoch 201)',
    options: { ...BASE, gibbsSteps: 10 },
  },
];

const run = new Run('dbn2006-updown-probe');
const { ops, train: all } = await setup();
const split = trainValidationSplit(all, { validation: 10_000, seed: 2006 });
const train = sliceRows(split.train, 0, 44_000);
const validation = split.validation;
const X = { train: asTensor(ops, train), validation: asTensor(ops, validation) };
const pretrainedPath = join(RESULTS, 'dbn2006', 'pretrained.dbn');
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const errorOf = (dbn: DBN, x: Tensor, d: Dataset) =>
  classificationReport(
    predictInBlocks(ops, x, (b) => dbn.classify(b)),
    d.labels!,
    10,
  ).error;

interface Check {
  epoch: number;
  validationError: number;
  trainError: number;
}
const results: Record<string, { what: string; checks: Check[]; seconds: number }> = {};
const only = values.only?.split(',');
for (const v of VARIANTS) {
  if (only && !only.includes(v.name)) continue;
  results[v.name] = await run.stage(`${v.name}-${EPOCHS}`, async () => {
    const dbn = decodeDBN(ops, readFileSync(pretrainedPath), pretrainedPath).dbn;
    const loop = upDownTrainer(dbn, { ...v.options, labels: train.labels!, rows: train.rows });
    const checks: Check[] = [];
    await loop.fit(toMatrixSource(train), {
      onEpoch: (e) => {
        run.log(
          `${v.name} up-down epoch ${e.epoch + 1}/${EPOCHS}: k=${e.gibbsSteps}, generative error ${e.generativeError.toFixed(5)} (${e.seconds.toFixed(1)} s)`,
        );
        if ((e.epoch + 1) % 5 === 0) {
          const c = {
            epoch: e.epoch + 1,
            validationError: errorOf(dbn, X.validation, validation),
            trainError: errorOf(dbn, X.train, train),
          };
          checks.push(c);
          run.log(`  validation ${pct(c.validationError)}, training ${pct(c.trainError)}`);
        }
      },
    });
    const seconds = loop.history.reduce((s, e) => s + e.seconds, 0);
    loop.dispose();
    dbn.dispose();
    return { what: v.what, checks, seconds };
  });
}

const md = `# Up-down probes on the 2006 DBN (backend ${ops.name})

From \`results/dbn2006/pretrained.dbn\` (validation 2.52 %), up-down at k = 3 (unless the
recipe says otherwise) on the 44,000 training images, errors of the label free energy every 5
epochs (validation / training). The full run (lr 0.01): 1.88 / 1.46 % at epoch 10, 1.81 /
1.42 % at 20, best 1.63 / 1.32 % at 270 (test 1.67 %); the paper (Hinton, Osindero & Teh
2006): 1.39 % test error for its network best on validation. Data: the 44,000 / 10,000 split
of MNIST grey levels (seed 2006), not binarised.
Command: \`node --conditions=deepbelief-source --import tsx reproductions/dbn2006-updown-probe.ts --epochs ${EPOCHS}\`;
log: run.log. Each variant ran alone on the 2-core VM, except that the last two epochs of
lr-0.03-top-0.003 overlapped the start of the next probe, and a type check of one package ran
during epochs 5–6 of pen-probabilities-lr-0.03 (their times, not their errors: the errors do
not depend on the load).

| variant | recipe | ${Array.from({ length: Math.floor(EPOCHS / 5) }, (_, i) => `epoch ${5 * (i + 1)}`).join(' | ')} | time |
|---|---|${'---|'.repeat(Math.floor(EPOCHS / 5))}---|
${Object.entries(results)
  .map(
    ([name, r]) =>
      `| ${name} | ${r.what} | ${r.checks.map((c) => `${pct(c.validationError)} / ${pct(c.trainError)}`).join(' | ')} | ${(r.seconds / 60).toFixed(1)} min |`,
  )
  .join('\n')}
`;
writeFileSync(join(run.dir, `results-${EPOCHS}.md`), md);
writeFileSync(
  join(run.dir, `results-${EPOCHS}.json`),
  `${JSON.stringify({ backend: ops.name, base: BASE, results }, null, 2)}\n`,
);
console.log(md);
