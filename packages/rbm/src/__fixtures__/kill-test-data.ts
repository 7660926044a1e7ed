import { SeededRandom } from '@deepbelief/core';
import type { TrainOptions } from '../options.js';

/** Fixed binary data shared by the kill-and-resume test and its child process. */
export function killTestData() {
  const rng = new SeededRandom(77);
  const rows = 200;
  const cols = 20;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() < (i % cols) / cols ? 1 : 0;
  return { data, rows, cols };
}

export function killTestOptions(persistent: boolean): TrainOptions {
  return {
    epochs: 6,
    batchSize: 10,
    k: 2,
    persistent,
    learningRate: 0.05,
    sparsityTarget: 0.2,
    sparsityCost: 0.01,
    momentum: { initial: 0.5, final: 0.9, switchEpoch: 2 },
  };
}
