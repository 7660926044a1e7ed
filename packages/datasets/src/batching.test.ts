import { SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { type Batch, batches, Epoch, type EpochPosition, epochs } from './batching.js';
import { createDataset, type Dataset, getRow } from './dataset.js';

/** 23 rows × 3 uint8 columns; row i holds (i, 2i, 255 - i) and label i % 4. */
function small(rows = 23): Dataset {
  const features = new Uint8Array(rows * 3);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    features.set([i, 2 * i, 255 - i], i * 3);
    labels[i] = i % 4;
  }
  return createDataset({ features, rows, cols: 3, labels });
}

const order = (bs: Iterable<Batch>) => Array.from(bs, (b) => Array.from(b.indices)).flat();

describe('batches', () => {
  const ds = small();

  it('same seed → same order; different seed → different order', () => {
    const a = order(batches(ds, { batchSize: 5, seed: 42 }));
    const b = order(batches(ds, { batchSize: 5, seed: 42 }));
    const c = order(batches(ds, { batchSize: 5, seed: 43 }));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const identity = Array.from({ length: 23 }, (_, i) => i);
    expect(a).not.toEqual(identity);
    // every epoch is a permutation: each row exactly once
    expect([...a].sort((x, y) => x - y)).toEqual(identity);
    expect([...c].sort((x, y) => x - y)).toEqual(identity);
  });

  it('draws a new order each epoch, fixed by the seed', () => {
    const all = Array.from(batches(ds, { batchSize: 23, seed: 1, epochs: 3, copy: true }));
    expect(all.map((b) => b.epoch)).toEqual([0, 1, 2]);
    const [e0, e1, e2] = all.map((b) => Array.from(b.indices));
    expect(e1).not.toEqual(e0);
    expect(e2).not.toEqual(e1);
    const again = Array.from(batches(ds, { batchSize: 23, seed: 1, epochs: 3, copy: true }));
    expect(again.map((b) => Array.from(b.indices))).toEqual([e0, e1, e2]);
  });

  it('converts uint8 rows to float32 real values with their labels', () => {
    for (const b of batches(ds, { batchSize: 4, seed: 7 })) {
      expect(b.x.length).toBe(b.size * 3);
      for (let k = 0; k < b.size; k++) {
        const i = b.indices[k]!;
        expect(Array.from(b.x.subarray(k * 3, k * 3 + 3))).toEqual(Array.from(getRow(ds, i)));
        expect(b.x[k * 3]).toBe(Math.fround(i / 255));
        expect(b.labels![k]).toBe(i % 4);
      }
    }
  });

  it('copies float32 rows and applies a non-unit scale', () => {
    const f = createDataset({
      features: Float32Array.from({ length: 20 }, (_, k) => k),
      rows: 10,
      cols: 2,
      scale: 0.5,
    });
    const [b] = batches(f, { batchSize: 10, shuffle: false });
    expect(Array.from(b!.x)).toEqual(Array.from({ length: 20 }, (_, k) => k / 2));
    const g = createDataset({ features: Float32Array.from([1, 2, 3, 4]), rows: 2, cols: 2 });
    // Read each batch while it is current: x is reused by the next one.
    expect(Array.from(batches(g, { batchSize: 1, shuffle: false }), (b) => b.x[1])).toEqual([2, 4]);
  });

  it('makes ceil(rows / batchSize) batches, the last partial unless dropLast', () => {
    const sizes = Array.from(batches(ds, { batchSize: 5, seed: 1 }), (b) => b.size);
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
    const dropped = Array.from(
      batches(ds, { batchSize: 5, seed: 1, dropLast: true }),
      (b) => b.size,
    );
    expect(dropped).toEqual([5, 5, 5, 5]);
    const inOrder = order(batches(ds, { batchSize: 5, shuffle: false }));
    expect(inOrder).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('reuses one x buffer by default and allocates per batch with copy: true', () => {
    const reused = Array.from(batches(ds, { batchSize: 5, seed: 1 }), (b) => b.x.buffer);
    expect(new Set(reused).size).toBe(1);
    const copied = Array.from(batches(ds, { batchSize: 5, seed: 1, copy: true }));
    expect(new Set(copied.map((b) => b.x.buffer)).size).toBe(5);
    // Kept copies still hold their own rows.
    for (const b of copied) expect(b.x[0]).toBe(Math.fround(b.indices[0]! / 255));
  });

  it('requires a seed or rng to shuffle', () => {
    expect(() => Array.from(batches(ds, { batchSize: 5 }))).toThrow(/needs a seed or rng/);
    expect(() => Array.from(batches(ds, { batchSize: 0, seed: 1 }))).toThrow(/batchSize must be/);
    expect(() =>
      Array.from(batches(ds, { batchSize: 2, seed: 1, rng: new SeededRandom(1) })),
    ).toThrow(/either rng or seed/);
  });

  it('draws the order from a given rng (advancing it) exactly as from the same seed', () => {
    const rng = new SeededRandom(42);
    const before = rng.getState();
    expect(order(batches(ds, { batchSize: 5, rng }))).toEqual(
      order(batches(ds, { batchSize: 5, seed: 42 })),
    );
    expect(rng.getState()).not.toEqual(before);
  });
});

describe('resuming from a saved position', () => {
  const ds = small(37);
  const options = { batchSize: 4, seed: 2024, epochs: 3 } as const;
  const full = Array.from(batches(ds, { ...options, copy: true }));

  it('continues mid-epoch exactly as an uninterrupted run, across epoch boundaries', () => {
    for (const cut of [0, 3, 9, 10, 11, 17, full.length - 1]) {
      // Train up to `cut`, store the position as JSON, restart from it.
      const saved: EpochPosition = JSON.parse(JSON.stringify(full[cut]!.next));
      const rest = Array.from(batches(ds, { ...options, start: saved, copy: true }));
      expect(rest.length, `cut ${cut}`).toBe(full.length - cut - 1);
      rest.forEach((b, k) => {
        const expected = full[cut + 1 + k]!;
        expect([b.epoch, b.index]).toEqual([expected.epoch, expected.index]);
        expect(b.indices).toEqual(expected.indices);
        expect(b.x).toEqual(expected.x);
        expect(b.labels).toEqual(expected.labels);
      });
    }
  });

  it('moves to the next epoch after the last batch', () => {
    const lastOfEpoch0 = full.find((b) => b.epoch === 0 && b.index === 9)!;
    expect(lastOfEpoch0.next).toMatchObject({ epoch: 1, batch: 0 });
    expect(full[1]!.next).toMatchObject({ epoch: 0, batch: 2 });
  });

  it('rebuilds an epoch for random access with Epoch.resume', () => {
    const pos = full[13]!.next; // epoch 1, batch 4
    const epoch = Epoch.resume(ds, pos, { copy: true });
    expect(epoch.epoch).toBe(1);
    expect(epoch.batchAt(pos.batch).indices).toEqual(full[14]!.indices);
    expect(epoch.batchAt(0).indices).toEqual(full[10]!.indices);
    expect(Array.from(epoch.batches(pos.batch), (b) => b.index)).toEqual([4, 5, 6, 7, 8, 9]);
    // A caller-provided rng ends where the original run's rng was after this epoch's draw.
    const rng = new SeededRandom(0);
    const resumed = Epoch.resume(ds, pos, { rng });
    expect(rng.getState()).toEqual(resumed.rngStateAfter);
    expect(resumed.position(resumed.numBatches).rngState).toEqual(resumed.rngStateAfter);
  });

  it('refuses a position saved with other settings', () => {
    const pos = full[5]!.next;
    expect(() => Array.from(batches(ds, { ...options, batchSize: 5, start: pos }))).toThrow(
      /cannot resume from this saved position: batchSize 4 vs 5 now/,
    );
    expect(() => Array.from(batches(small(36), { ...options, start: pos }))).toThrow(
      /rows 37 vs 36 now/,
    );
    expect(() => Array.from(batches(ds, { ...options, shuffle: false, start: pos }))).toThrow(
      /shuffle true vs false now/,
    );
  });

  it('resumes unshuffled runs too', () => {
    const plain = Array.from(batches(ds, { batchSize: 8, shuffle: false, epochs: 2, copy: true }));
    const rest = Array.from(
      batches(ds, { batchSize: 8, shuffle: false, epochs: 2, start: plain[2]!.next }),
    );
    expect(rest.map((b) => [b.epoch, b.index])).toEqual(
      plain.slice(3).map((b) => [b.epoch, b.index]),
    );
    expect(plain[2]!.next.rngState).toBeNull();
  });
});

describe('Epoch', () => {
  it('gives random access equal to iteration, and checks the index', () => {
    const ds = small();
    const epoch = Epoch.create(ds, { batchSize: 6, seed: 9, copy: true });
    expect(epoch.numBatches).toBe(4);
    const iterated = Array.from(epoch);
    expect(epoch.batchAt(2).indices).toEqual(iterated[2]!.indices);
    expect(epoch.batchAt(3).size).toBe(5);
    expect(() => epoch.batchAt(4)).toThrow(/batch 4 is outside 0\.\.3 of epoch 0/);
    expect(Array.from(epoch.order).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 23 }, (_, i) => i),
    );
  });

  it('shares buffers between epochs of one run', () => {
    const ds = small();
    const all = Array.from(epochs(ds, { batchSize: 23, seed: 1, epochs: 2 }));
    expect(all).toHaveLength(2);
    expect(all[0]!.batchAt(0).x.buffer).toBe(all[1]!.batchAt(0).x.buffer);
  });
});
