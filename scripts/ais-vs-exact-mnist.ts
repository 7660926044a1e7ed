/**
 * Issue 4 acceptance run: AIS estimate of log Z for RBMs with 784 visible and 20 (and 15)
 * hidden units trained on real MNIST, against the exact log Z from enumerating the 2^20
 * hidden states. AIS uses the package defaults (Salakhutdinov & Murray's 14,500 inverse
 * temperatures, 100 runs, base rates from the data) — what a user who changes nothing gets —
 * and, for contrast, 1,000 temperatures.
 *
 * Run: `node --conditions=deepbelief-source --import tsx scripts/ais-vs-exact-mnist.ts`
 * Writes results/ais-vs-exact-mnist.json and .md.
 */
import { writeFileSync } from 'node:fs';
import { SeededRandom } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import {
  annealedImportanceSampling,
  columnMeans,
  exactLogPartition,
  RBM,
  RBMTrainer,
  toMatrixSource,
} from '@deepbelief/rbm';
import { fastestBackend } from './lib/backends.js';

const ops = await fastestBackend();
const train = await loadMnist({ split: 'train' });
const means = columnMeans(toMatrixSource(train));
const rows: Record<string, number | string>[] = [];
for (const hidden of [20, 15]) {
  const rbm = new RBM(ops, { visible: 784, hidden }, new SeededRandom(hidden));
  const trainer = new RBMTrainer(
    rbm,
    { epochs: 5, batchSize: 100, learningRate: 0.1, k: 1 },
    hidden,
  );
  await trainer.fit(train);
  let t = performance.now();
  const exact = exactLogPartition(rbm);
  const exactSeconds = (performance.now() - t) / 1000;
  // five independent AIS seeds with the defaults (the estimate's own spread), then 1,000 temperatures
  // independent AIS seeds with the defaults (500 runs, 14,500 temperatures) show the estimate's
  // own spread; then S&M's 100 runs, and 1,000 temperatures, for contrast
  const runs = [
    [undefined, 1, undefined],
    [undefined, 2, undefined],
    [undefined, 3, undefined],
    [undefined, 4, undefined],
    [undefined, 4, 100],
    [1000, 1, undefined],
  ] as const;
  for (const [betas, seed, chains] of runs) {
    t = performance.now();
    const ais = annealedImportanceSampling(rbm, {
      rng: new SeededRandom(seed),
      dataMeans: means,
      ...(betas ? { betas } : {}),
      ...(chains ? { runs: chains } : {}),
    });
    const seconds = (performance.now() - t) / 1000;
    const row = {
      hidden,
      seed,
      temperatures: ais.temperatures,
      runs: ais.runs,
      exactLogZ: exact,
      aisLogZ: ais.logZ,
      difference: ais.logZ - exact,
      logZStd: ais.logZStd,
      aisSeconds: seconds,
      exactSeconds,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  trainer.dispose();
  rbm.dispose();
}
writeFileSync(
  'results/ais-vs-exact-mnist.json',
  `${JSON.stringify({ backend: ops.name, rows }, null, 2)}\n`,
);
writeFileSync(
  'results/ais-vs-exact-mnist.md',
  `# AIS vs exact log Z, RBMs trained on real MNIST (5 epochs CD-1), backend ${ops.name}\n\n| hidden | AIS seed | temperatures | runs | exact log Z | AIS log Z | AIS − exact | AIS std. err. | AIS s | exact s |\n|---|---|---|---|---|---|---|---|---|---|\n${rows
    .map(
      (r) =>
        `| ${r.hidden} | ${r.seed} | ${r.temperatures} | ${r.runs} | ${Number(r.exactLogZ).toFixed(3)} | ${Number(r.aisLogZ).toFixed(3)} | ${Number(r.difference).toFixed(3)} | ${Number(r.logZStd).toFixed(3)} | ${Number(r.aisSeconds).toFixed(1)} | ${Number(r.exactSeconds).toFixed(1)} |`,
    )
    .join('\n')}\n`,
);
