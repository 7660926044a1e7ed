import { createJsBackend, Ops } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { NearestNeighbourClassifier, recognitionRate } from './recognition.js';
import { noisyPrototypes } from './test-data.js';

const ops = new Ops(createJsBackend());

describe('NearestNeighbourClassifier', () => {
  it('votes among the k nearest reference rows, across reference blocks', () => {
    // five 1-D points: label 0 near 0, label 1 near 10
    const reference = { data: Float32Array.from([0, 1, 9, 10, 11]), rows: 5, cols: 1 };
    const labels = [0, 0, 1, 1, 1];
    for (const blockRows of [1, 2, 10]) {
      const knn = new NearestNeighbourClassifier(ops, reference, labels, { k: 3, blockRows });
      const x = ops.tensor(Float32Array.from([0.4, 5.6, 12, -3]), [4, 1]);
      // 0.4 → {0, 1, 9}: two 0s; 5.6 → {9, 10, 1}: two 1s; 12 → 1; −3 → {0, 1, 9}: 0
      expect(Array.from(knn.predict(x))).toEqual([0, 1, 1, 0]);
      knn.dispose();
    }
    // k = 1 is the nearest row; a 1–1–1 tie among three classes goes to the nearest
    const three = new NearestNeighbourClassifier(
      ops,
      { data: Float32Array.from([0, 2, 5]), rows: 3, cols: 1 },
      [2, 0, 1],
      { k: 3 },
    );
    expect(Array.from(three.predict(ops.tensor(Float32Array.from([1.9, 4]), [2, 1])))).toEqual([
      0, 1,
    ]);
    const one = new NearestNeighbourClassifier(ops, reference, labels, { k: 1 });
    expect(Array.from(one.predict(ops.tensor(Float32Array.from([4.9, 5.1]), [2, 1])))).toEqual([
      0, 1,
    ]);
  });

  it('recognises noisy prototypes, and reports the rate per intended label', () => {
    const train = noisyPrototypes(400, 0.05, 1);
    const test = noisyPrototypes(100, 0.05, 2);
    const knn = new NearestNeighbourClassifier(ops, train, train.labels);
    const right = recognitionRate(knn, test.data, test.labels);
    expect(right.rate).toBeGreaterThan(0.95);
    expect(right.total).toBe(100);
    // the same images said to be of the next label are recognised (almost) never
    const shifted = Array.from(test.labels, (y) => (y + 1) % 4);
    const wrong = recognitionRate(knn, test.data, shifted);
    expect(wrong.rate).toBeLessThan(0.05);
    expect(wrong.perLabel).toHaveLength(4);
    expect(right.perLabel.every((r) => r > 0.9)).toBe(true);
  });

  it('rejects bad shapes, labels and k with errors that name them', () => {
    const reference = { data: new Float32Array(6), rows: 3, cols: 2 };
    expect(() => new NearestNeighbourClassifier(ops, reference, [0, 1])).toThrow(/2 labels for 3/);
    expect(() => new NearestNeighbourClassifier(ops, reference, [0, 1, 0], { k: 4 })).toThrow(
      /k: expected an integer in \[1, 3\]/,
    );
    const knn = new NearestNeighbourClassifier(ops, reference, [0, 1, 0]);
    expect(() => knn.predict(ops.zeros([1, 3]))).toThrow(/expected 2 columns/);
    expect(() => recognitionRate(knn, new Float32Array(5), [0, 1])).toThrow(
      /5 values are not 2 images of 2/,
    );
  });
});
