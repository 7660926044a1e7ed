import { describe, expect, it } from 'vitest';
import { createJsBackend } from './js-backend.js';
import { Ops } from './ops.js';
import { SeededRandom } from './random.js';
import type { Tensor } from './tensor.js';
import {
  type AlgorithmState,
  DivergenceError,
  type EpochSummary,
  type MatrixSource,
  type StepContext,
  type TrainingAlgorithm,
  TrainingLoop,
} from './training.js';

const defaultOps = new Ops(createJsBackend());
const ops = defaultOps;

/**
 * A tiny algorithm: a [1, cols] estimate m pulled towards each batch's mean with momentum,
 * plus noise from the sampling generator; the metric is the squared distance. It has state
 * (the velocity), reads the batch rows and draws random numbers: what resume must restore.
 */
class MeanFollower implements TrainingAlgorithm<EpochSummary & { m0: number }> {
  readonly name = 'mean follower';
  readonly metric = 'the distance';
  m: Tensor;
  velocity: Tensor;
  seenRows: number[] = [];
  constructor(
    cols: number,
    readonly lr = 0.1,
    readonly stopAfter = Infinity,
    readonly o: Ops = defaultOps,
  ) {
    this.m = this.o.keep(this.o.zeros([1, cols]));
    this.velocity = this.o.keep(this.o.zeros([1, cols]));
  }
  step(x: Tensor, { indices, rng }: StepContext): Tensor {
    this.seenRows.push(...indices);
    return this.o.tidy(() => {
      const diff = this.o.sub(this.o.mean(x, 0), this.m);
      const noise = this.o.mul(this.o.randomUniform([1, x.cols], rng), 1e-3);
      const v = this.o.add(
        this.o.mul(this.velocity, 0.5),
        this.o.mul(this.o.add(diff, noise), this.lr),
      );
      this.velocity.dispose();
      this.velocity = this.o.keep(v);
      const m = this.o.add(this.m, v);
      this.m.dispose();
      this.m = this.o.keep(m);
      return this.o.mean(this.o.square(diff));
    });
  }
  learningRateAt(): number {
    return this.lr;
  }
  finishEpoch(s: EpochSummary) {
    return { event: { ...s, m0: this.o.read(this.m)[0]! }, stop: s.epoch + 1 >= this.stopAfter };
  }
  firstNonFinite(): string | null {
    return Number.isFinite(this.o.tidy(() => this.o.item(this.o.sum(this.m))))
      ? null
      : 'the estimate';
  }
  getState(): AlgorithmState {
    return {
      tensors: { velocity: { shape: [...this.velocity.shape], data: this.o.read(this.velocity) } },
      values: {},
    };
  }
  setState(state: AlgorithmState): void {
    this.velocity.dispose();
    this.velocity = this.o.keep(this.o.tensor(state.tensors.velocity!.data, [1, this.m.cols]));
  }
  dispose(): void {
    this.o.dispose([this.m, this.velocity]);
  }
}

/** Random rows: float32 values, or 8-bit values read as float32 rows or (`bytes`) as bytes. */
function source(
  rows: number,
  cols: number,
  seed = 1,
  kind: 'float' | 'u8' | 'bytes' = 'float',
): MatrixSource {
  const data = new SeededRandom(seed).uniformArray(rows * cols);
  const u8 = Uint8Array.from(data, (v) => Math.floor(v * 256));
  const bytes = kind === 'bytes';
  return {
    rows,
    cols,
    readRows(indices, out) {
      for (let r = 0; r < indices.length; r++)
        for (let j = 0; j < cols; j++)
          out[r * cols + j] =
            kind === 'float'
              ? data[indices[r]! * cols + j]!
              : Math.fround(u8[indices[r]! * cols + j]! * Math.fround(1 / 255));
    },
    ...(bytes
      ? {
          byteScale: 1 / 255,
          readRowBytes(indices: ArrayLike<number>, out: Uint8Array) {
            for (let r = 0; r < indices.length; r++)
              out.set(u8.subarray(indices[r]! * cols, (indices[r]! + 1) * cols), r * cols);
          },
        }
      : {}),
  };
}

const options = { epochs: 3, batchSize: 10, metricsEvery: 4 };

describe('TrainingLoop', () => {
  it('visits every row once per epoch in a seeded order; same seed, same run', async () => {
    const run = async (seed: number) => {
      const algorithm = new MeanFollower(5);
      const loop = new TrainingLoop(ops, algorithm, options, seed);
      const history = await loop.fit(source(100, 5));
      const m = ops.read(algorithm.m);
      const rows = algorithm.seenRows;
      loop.dispose();
      return { history, m, rows };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    for (let e = 0; e < 3; e++)
      expect([...a.rows.slice(e * 100, (e + 1) * 100)].sort((x, y) => x - y)).toEqual(
        Array.from({ length: 100 }, (_, i) => i),
      );
    expect(a.rows).toEqual(b.rows);
    expect(Array.from(a.m)).toEqual(Array.from(b.m));
    expect(a.rows).not.toEqual(c.rows);
    // the epoch metric is the mean of the batch metrics
    expect(a.history[0]!.metric).toBeGreaterThan(a.history[2]!.metric);
  });

  it('stopped mid-epoch (maxBatches, abort) and resumed from getState: bit-identical', async () => {
    const data = source(95, 4, 3); // 9 batches, 5 rows left over each epoch
    const whole = new MeanFollower(4);
    const wholeLoop = new TrainingLoop(ops, whole, options, 11);
    const expected = await wholeLoop.fit(data);
    const expectedM = Array.from(ops.read(whole.m));

    const first = new MeanFollower(4);
    const firstLoop = new TrainingLoop(ops, first, options, 11);
    await firstLoop.fit(data, { maxBatches: 13 }); // into epoch 2, batch 5
    expect(firstLoop.getPosition()).toEqual({ epoch: 1, batch: 4 });
    const state = JSON.parse(
      JSON.stringify(firstLoop.getState(), (_, v) => (v instanceof Float32Array ? [...v] : v)),
    );
    state.algorithm.tensors.velocity.data = Float32Array.from(
      state.algorithm.tensors.velocity.data,
    );
    const weights = ops.read(first.m);

    const resumed = new MeanFollower(4);
    resumed.m.dispose();
    resumed.m = ops.keep(ops.tensor(weights, [1, 4]));
    const resumedLoop = new TrainingLoop(ops, resumed, options, 999); // seed is replaced by the state
    resumedLoop.setState(state);
    const controller = new AbortController();
    await resumedLoop.fit(data, {
      onBatch: (e) => {
        if (e.epoch === 2 && e.batch === 1) controller.abort();
      },
      signal: controller.signal,
    });
    expect(resumedLoop.getPosition()).toEqual({ epoch: 2, batch: 2 });
    const again = new MeanFollower(4);
    again.m.dispose();
    again.m = ops.keep(ops.tensor(ops.read(resumed.m), [1, 4]));
    const againLoop = new TrainingLoop(ops, again, options, 5);
    againLoop.setState(resumedLoop.getState());
    const history = await againLoop.fit(data);

    expect(Array.from(ops.read(again.m))).toEqual(expectedM);
    expect(history).toEqual(expected.map((e, i) => ({ ...e, seconds: history[i]!.seconds })));
    for (const l of [wholeLoop, firstLoop, resumedLoop, againLoop]) l.dispose();
  });

  it('8-bit sources go to the backend as bytes and give the same model as float32 rows', async () => {
    const train = async (kind: 'u8' | 'bytes') => {
      const algorithm = new MeanFollower(6);
      const loop = new TrainingLoop(ops, algorithm, options, 2);
      await loop.fit(source(50, 6, 4, kind));
      const m = Array.from(ops.read(algorithm.m));
      loop.dispose();
      return m;
    };
    expect(await train('bytes')).toEqual(await train('u8'));
  });

  it('reads the metric only every metricsEvery batches and at the epoch end', async () => {
    let reads = 0;
    const counting = new Ops(createJsBackend());
    const item = counting.item.bind(counting);
    counting.item = (t) => {
      reads++;
      return item(t);
    };
    const algorithm = new MeanFollower(3, 0.1, Infinity, counting);
    const loop = new TrainingLoop(counting, algorithm, { ...options, epochs: 1 }, 1);
    const metrics: number[] = [];
    await loop.fit(source(100, 3), { onBatch: (e) => void metrics.push(e.metric) });
    // 10 batches: reads after batches 4, 8 and 10, plus firstNonFinite's one at the end
    expect(reads).toBe(4);
    expect(metrics.slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(Number.isFinite(metrics[3]!)).toBe(true);
    expect(metrics[4]).toBe(metrics[3]);
    loop.dispose();
  });

  it('trains on a subset of rows when given (e.g. after a validation split)', async () => {
    const algorithm = new MeanFollower(2);
    const rows = Uint32Array.from([3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41]);
    const loop = new TrainingLoop(ops, algorithm, { ...options, batchSize: 4, rows }, 1);
    await loop.fit(source(50, 2));
    expect(new Set(algorithm.seenRows)).toEqual(new Set(rows));
    loop.dispose();
  });

  it('an algorithm can stop early; the state says so and a resumed loop does nothing', async () => {
    const algorithm = new MeanFollower(2, 0.1, 2);
    const loop = new TrainingLoop(ops, algorithm, { ...options, epochs: 10 }, 1);
    const history = await loop.fit(source(40, 2));
    expect(history).toHaveLength(2);
    expect(loop.done).toBe(true);
    const state = loop.getState();
    expect(state.stopped).toBe(true);
    const other = new MeanFollower(2);
    const resumed = new TrainingLoop(ops, other, { ...options, epochs: 10 }, 1);
    resumed.setState(state);
    expect(await resumed.fit(source(40, 2))).toHaveLength(2);
    expect(other.seenRows).toEqual([]);
    loop.dispose();
    resumed.dispose();
  });

  it('a diverging step stops with a DivergenceError naming the algorithm, epoch and batch', async () => {
    const algorithm = new MeanFollower(2, 1e38);
    const loop = new TrainingLoop(ops, algorithm, { ...options, metricsEvery: 1 }, 1);
    const error = await loop.fit(source(100, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect(error).toMatchObject({ algorithm: 'mean follower', epoch: 0 });
    expect((error as Error).message).toMatch(
      /^mean follower: training diverged at epoch 1, batch \d+: the distance became NaN or infinite\. Try a smaller learning rate \(now 1e\+38; e\.g\. 1e\+37\)\.$/,
    );
    loop.dispose();
  });

  it('never snapshots a diverged model: getState throws the DivergenceError instead', async () => {
    const algorithm = new MeanFollower(2, 1e38);
    const loop = new TrainingLoop(ops, algorithm, { ...options, metricsEvery: 100 }, 1);
    await loop.fit(source(100, 2), { maxBatches: 3 }); // diverged, not yet read
    expect(() => loop.getState()).toThrow(DivergenceError);
    loop.dispose();
  });

  it('refuses data with fewer rows than a batch, and a state for other data', async () => {
    const loop = new TrainingLoop(ops, new MeanFollower(2), options, 1);
    await expect(loop.fit(source(5, 2))).rejects.toThrow(
      'mean follower: 5 rows are fewer than one batch of 10',
    );
    await loop.fit(source(30, 2), { maxBatches: 1 });
    const other = new TrainingLoop(ops, new MeanFollower(2), options, 1);
    other.setState(loop.getState());
    await expect(other.fit(source(40, 2))).rejects.toThrow(
      'mean follower: the training state is for 30 rows per epoch, this data has 40; continue with the same data',
    );
    loop.dispose();
    other.dispose();
  });

  it('releases every tensor it made', async () => {
    const before = ops.memory().numTensors;
    const algorithm = new MeanFollower(3);
    const loop = new TrainingLoop(ops, algorithm, options, 1);
    await loop.fit(source(40, 3), { maxBatches: 6 });
    loop.getState();
    loop.dispose();
    expect(ops.memory().numTensors).toBe(before);
  });
});
