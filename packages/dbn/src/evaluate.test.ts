import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { DBN } from './dbn.js';
import {
  classificationReport,
  evaluateClassifier,
  evaluateDbn,
  evaluateReconstruction,
} from './evaluate.js';
import { noisyPrototypes } from './test-data.js';
import { unrollClassifier } from './unroll.js';

const ops = new Ops(createJsBackend());

describe('evaluators over whole datasets, in blocks', () => {
  it('equal the report of one pass over all rows, whatever the block size', async () => {
    const train = noisyPrototypes(2500, 0.1, 1); // more rows than one block of 1,000
    const dbn = new DBN(ops, { sizes: [16, 12, 10], labels: 4 }, new SeededRandom(1));
    await dbn.pretrain(train, { layers: { epochs: 2, batchSize: 10 }, labels: train.labels });
    const all = ops.tensor(train.data, [train.rows, 16]);
    expect(evaluateDbn(dbn, train, train.labels)).toEqual(
      classificationReport(dbn.classify(all), train.labels, 4),
    );
    const net = unrollClassifier(dbn, { seed: 1 });
    const predicted = ops.read(ops.argmax(net.forward(all), 1));
    expect(evaluateClassifier(net, train, train.labels)).toEqual(
      classificationReport(predicted, train.labels, 4),
    );
    const identity = evaluateReconstruction(ops, (x) => ops.mul(x, 1), train);
    expect(identity).toEqual({ perImage: 0, perPixel: 0 });
    const zero = evaluateReconstruction(ops, (x) => ops.mul(x, 0), train);
    let sum = 0;
    for (const v of train.data) sum += v * v;
    expect(zero.perImage).toBeCloseTo(sum / train.rows, 6);
    expect(() => evaluateDbn(dbn, train, train.labels.subarray(1))).toThrow(/labels/);
  });
});
