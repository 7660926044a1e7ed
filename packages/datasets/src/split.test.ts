import { SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { createDataset, labelCounts } from './dataset.js';
import { trainValidationSplit } from './split.js';

function labelled(rows: number) {
  const features = new Uint8Array(rows * 2);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    features[2 * i] = i & 255;
    features[2 * i + 1] = i >> 8;
    labels[i] = i < rows * 0.7 ? 0 : i < rows * 0.9 ? 1 : 2; // 70/20/10 %
  }
  return createDataset({ features, rows, cols: 2, labels });
}

const rowIds = (d: { features: Uint8Array | Float32Array; rows: number }) =>
  Array.from({ length: d.rows }, (_, i) => d.features[2 * i]! + 256 * d.features[2 * i + 1]!);

describe('trainValidationSplit', () => {
  const ds = labelled(1000);

  it('splits into disjoint parts that cover every row, reproducibly', () => {
    const { train, validation } = trainValidationSplit(ds, { validation: 0.1, seed: 5 });
    expect([train.rows, validation.rows]).toEqual([900, 100]);
    expect(train.features).toBeInstanceOf(Uint8Array);
    const all = [...rowIds(train), ...rowIds(validation)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // original relative order kept
    expect(rowIds(validation)).toEqual([...rowIds(validation)].sort((a, b) => a - b));
    const again = trainValidationSplit(ds, { validation: 100, rng: new SeededRandom(5) });
    expect(rowIds(again.validation)).toEqual(rowIds(validation));
    const other = trainValidationSplit(ds, { validation: 100, seed: 6 });
    expect(rowIds(other.validation)).not.toEqual(rowIds(validation));
  });

  it('takes the last rows without copying when not shuffling', () => {
    const { train, validation } = trainValidationSplit(ds, { validation: 250, shuffle: false });
    expect(rowIds(validation)[0]).toBe(750);
    expect(validation.features.buffer).toBe(ds.features.buffer);
    expect(train.labels!.buffer).toBe(ds.labels!.buffer);
  });

  it('keeps class proportions when stratified', () => {
    const { train, validation } = trainValidationSplit(ds, {
      validation: 0.15,
      seed: 1,
      stratify: true,
    });
    expect(labelCounts(validation)).toEqual([105, 30, 15]);
    expect(labelCounts(train)).toEqual([595, 170, 85]);
    const odd = trainValidationSplit(ds, { validation: 7, seed: 1, stratify: true });
    expect(odd.validation.rows).toBe(7);
  });

  it('rejects impossible sizes', () => {
    expect(() => trainValidationSplit(ds, { validation: 1000, seed: 1 })).toThrow(
      /row count in 1\.\.999/,
    );
    expect(() => trainValidationSplit(ds, { validation: 0, seed: 1 })).toThrow(
      /fraction in \(0, 1\)/,
    );
    expect(() => trainValidationSplit(ds, { validation: 0.1 })).toThrow(/seed or rng/);
  });
});
