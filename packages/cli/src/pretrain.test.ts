import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { sampleBarsAndStripes } from '@deepbelief/datasets';
import { DBN } from '@deepbelief/dbn';
import { describe, expect, it } from 'vitest';
import { pretrainLayers } from './pretrain.js';

const ops = new Ops(createJsBackend());
const data = sampleBarsAndStripes(4, 200, new SeededRandom(3));
const config = { sizes: [16, 12, 10, 14], labels: 3 };
const layers = [
  { epochs: 2, batchSize: 20 },
  { epochs: 1, batchSize: 20 },
  { epochs: 2, batchSize: 20, persistent: true },
];

function weights(dbn: DBN): number[][] {
  return dbn.layers.flatMap((l) => [l.W, l.visibleBias, l.hiddenBias].map((t) => [...ops.read(t)]));
}

describe('pretrainLayers', () => {
  it.each(['probabilities', 'samples'] as const)(
    'gives the same weights as DBN.pretrain (propagating %s)',
    async (propagate) => {
      const a = new DBN(ops, config, new SeededRandom(7));
      await a.pretrain(data, { layers, labels: data.labels!, seed: 5, propagate });
      const b = new DBN(ops, config, new SeededRandom(7));
      const result = await pretrainLayers(b, data, {
        layers,
        labels: data.labels!,
        seed: 5,
        propagate,
      });
      expect(result.completedLayers).toBe(3);
      expect(result.histories.map((h) => h.length)).toEqual([2, 1, 2]);
      expect(weights(b)).toEqual(weights(a));
      a.dispose();
      b.dispose();
    },
  );

  it('stops after maxBatches and resumes at the first unfinished layer, bit-identically', async () => {
    const full = new DBN(ops, config, new SeededRandom(7));
    await pretrainLayers(full, data, {
      layers,
      labels: data.labels!,
      seed: 5,
      propagate: 'samples',
    });

    const part = new DBN(ops, config, new SeededRandom(7));
    const done: number[] = [];
    const stopped = await pretrainLayers(part, data, {
      layers,
      labels: data.labels!,
      seed: 5,
      propagate: 'samples',
      maxBatches: 25, // layer 1 has 20 batches, layer 2 stops half-way
      onLayer: (l) => {
        done.push(l);
      },
    });
    expect(stopped.completedLayers).toBe(1);
    expect(done).toEqual([0]);

    // what the checkpoint written after layer 1 holds: layer 1 trained, the others as initialised
    const resumed = new DBN(ops, config, new SeededRandom(7));
    resumed.layers[0]!.setParameters(part.layers[0]!.getParameters());
    const result = await pretrainLayers(resumed, data, {
      layers,
      labels: data.labels!,
      seed: 5,
      propagate: 'samples',
      completedLayers: stopped.completedLayers,
    });
    expect(result.completedLayers).toBe(3);
    expect(result.histories).toHaveLength(2);
    expect(weights(resumed)).toEqual(weights(full));
    for (const d of [full, part, resumed]) d.dispose();
  });
});
