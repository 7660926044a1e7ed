import { createJsBackend, Ops, SeededRandom } from '@deepbelief/core';
import { describe, expect, it } from 'vitest';
import { columnMeans, toMatrixSource } from './data.js';
import { exactLogLikelihood } from './exact.js';
import { contrastiveDivergenceGradient, exactGradient, gradientCosine } from './harness.js';
import { reconstructionError } from './monitor.js';
import { scheduleAt } from './options.js';
import { RBM } from './rbm.js';
import { barsAndStripes, repeatRows } from './test-utils.js';
import { DivergenceError, RBMTrainer } from './trainer.js';

const ops = new Ops(createJsBackend());
const bas = barsAndStripes(4);
const basTensor = ops.keep(ops.tensor(bas.data, [bas.rows, bas.cols]));
const exactLL = (rbm: RBM) => exactLogLikelihood(rbm, basTensor).logLikelihood;

describe('training on 4×4 bars and stripes, measured by the exact log-likelihood', () => {
  const data = repeatRows(bas, 10); // 300 rows
  const cases = [
    { name: 'CD-1', k: 1, persistent: false, epochs: 150, learningRate: 0.1 },
    { name: 'CD-3', k: 3, persistent: false, epochs: 150, learningRate: 0.1 },
    // PCD needs a smaller rate: at 0.05 with momentum its chains oscillate (−6.4 then −16 nats)
    { name: 'PCD', k: 1, persistent: true, epochs: 300, learningRate: 0.01 },
    {
      name: 'CD-3 with sampled visible states',
      k: 3,
      persistent: false,
      epochs: 150,
      learningRate: 0.1,
      visibleStates: 'samples' as const,
    },
  ];
  for (const c of cases) {
    it(`${c.name} raises the exact average log-likelihood well above its initial value`, async () => {
      const rbm = new RBM(ops, { visible: 16, hidden: 16 }, new SeededRandom(11));
      const trainer = new RBMTrainer(
        rbm,
        {
          epochs: c.epochs,
          batchSize: 10,
          learningRate: c.learningRate,
          k: c.k,
          persistent: c.persistent,
          visibleStates: c.visibleStates,
          weightCost: 0,
          momentum: 0.5,
        },
        7,
      );
      // initial value after visible-bias initialisation (the first fit step does it): train 0 batches
      await trainer.fit(data, { maxBatches: 0 });
      const before = exactLL(rbm);
      await trainer.fit(data);
      const after = exactLL(rbm);
      // uniform over 16 bits is −11.09 nats; the 30 patterns uniformly would be −log 30 = −3.40
      expect(before).toBeLessThan(-10.5);
      expect(after).toBeGreaterThan(before + 3);
      trainer.dispose();
      rbm.dispose();
    });
  }
});

describe('RBMTrainer', () => {
  it('same seed → bit-identical weights; different seed → different weights', async () => {
    const train = async (seed: number) => {
      const rbm = new RBM(ops, { visible: 16, hidden: 8 }, new SeededRandom(seed));
      const trainer = new RBMTrainer(rbm, { epochs: 3, batchSize: 10, k: 2 }, seed);
      await trainer.fit(repeatRows(bas, 2));
      const w = rbm.getParameters().weights;
      trainer.dispose();
      rbm.dispose();
      return Array.from(w);
    };
    const a = await train(1);
    expect(await train(1)).toEqual(a);
    expect(await train(2)).not.toEqual(a);
  });

  it('8-bit data fed as bytes trains bit-identically to the same values as float32', async () => {
    const rng = new SeededRandom(6);
    const bytes = Uint8Array.from({ length: 60 * 16 }, () => Math.floor(rng.uniform() * 256));
    const source = toMatrixSource({ data: bytes, rows: 60, cols: 16, scale: 1 / 255 });
    expect(source.readRowBytes).toBeTypeOf('function');
    const floats = new Float32Array(60 * 16);
    source.readRows(
      Uint32Array.from({ length: 60 }, (_, i) => i),
      floats,
    );
    // column means (the visible-bias start) summed as integers agree with the float path
    const floatMeans = columnMeans(toMatrixSource({ data: floats, rows: 60, cols: 16 }));
    columnMeans(source).forEach((m, j) => {
      expect(m).toBeCloseTo(floatMeans[j]!, 7);
    });
    const train = async (input: Parameters<RBMTrainer['fit']>[0]) => {
      const rbm = new RBM(ops, { visible: 16, hidden: 8 }, new SeededRandom(1));
      const trainer = new RBMTrainer(rbm, { epochs: 2, batchSize: 10, k: 1 }, 4);
      await trainer.fit(input);
      const w = Array.from(rbm.getParameters().weights);
      trainer.dispose();
      rbm.dispose();
      return w;
    };
    const viaBytes = await train({ data: bytes, rows: 60, cols: 16, scale: 1 / 255 });
    expect(await train({ data: floats, rows: 60, cols: 16 })).toEqual(viaBytes);
    expect(await train({ data: floats.map((x) => x * 0.5), rows: 60, cols: 16 })).not.toEqual(
      viaBytes,
    );
  });

  it('stopping mid-epoch and resuming from getState gives bit-identical weights', async () => {
    const data = repeatRows(bas, 4);
    const options = {
      epochs: 4,
      batchSize: 10,
      k: 1,
      persistent: true,
      sparsityTarget: 0.1,
      sparsityCost: 0.01,
    } as const;
    const full = new RBM(ops, { visible: 16, hidden: 8 }, new SeededRandom(3));
    const t1 = new RBMTrainer(full, options, 5);
    await t1.fit(data);

    const part = new RBM(ops, { visible: 16, hidden: 8 }, new SeededRandom(3));
    const t2 = new RBMTrainer(part, options, 5);
    await t2.fit(data, { maxBatches: 17 }); // stops inside epoch 2
    const state = t2.getState();
    const params = part.getParameters();
    t2.dispose();
    part.dispose();

    const resumed = new RBM(ops, { visible: 16, hidden: 8 }, new SeededRandom(999));
    resumed.setParameters(params);
    const t3 = new RBMTrainer(resumed, options, 12345);
    t3.setState(structuredClone(state), data.rows);
    await t3.fit(data);
    expect(Array.from(resumed.getParameters().weights)).toEqual(
      Array.from(full.getParameters().weights),
    );
    expect(t3.history.length).toBe(4);
    for (const x of [t1, t3]) x.dispose();
    for (const x of [full, resumed]) x.dispose();
  });

  it('no tensor leaks: live tensor count is constant across 1,000 training steps', () => {
    const rbm = new RBM(
      ops,
      {
        visible: [
          { type: 'bernoulli', size: 12 },
          { type: 'softmax', size: 4 },
        ],
        hidden: 6,
      },
      new SeededRandom(1),
    );
    for (const persistent of [false, true]) {
      const trainer = new RBMTrainer(
        rbm,
        { epochs: 1, k: 2, persistent, sparsityTarget: 0.1, sparsityCost: 0.1 },
        1,
      );
      const batch = ops.keep(ops.tensor(bas.data.slice(0, 10 * 16), [10, 16]));
      trainer.step(batch);
      const before = ops.memory();
      for (let i = 0; i < 1000; i++) trainer.step(batch);
      const after = ops.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.backend.numTensors).toBe(before.backend.numTensors);
      batch.dispose();
      trainer.dispose();
    }
  });

  it('two steps equal the textbook update (float64 reference: CD-1, sampled visible states, sampled data, Gaussian σ, PCD with fewer chains)', () => {
    const [nv, nh, n] = [16, 6, 10];
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const cases = [
      { name: 'Bernoulli CD-1', gaussian: false, chains: 0, sampled: false },
      { name: 'Bernoulli CD-1, sampled visible states', gaussian: false, chains: 0, sampled: true },
      // grey levels, read as probabilities: binary data drawn afresh at each step
      { name: 'Bernoulli CD-1, sampled data', gaussian: false, chains: 0, dataSampled: true },
      { name: 'Gaussian CD-1 with learned σ', gaussian: true, chains: 0, sampled: false },
      { name: 'Bernoulli PCD with 7 chains', gaussian: false, chains: 7, sampled: false },
    ];
    for (const { name, gaussian, chains, sampled = false, dataSampled = false } of cases) {
      const rbm = new RBM(
        ops,
        {
          visible: nv,
          hidden: nh,
          visibleType: gaussian ? 'gaussian' : 'bernoulli',
          learnSigma: gaussian,
        },
        new SeededRandom(8),
        0.1,
      );
      const init = new SeededRandom(9);
      rbm.setParameters({
        weights: rbm.getParameters().weights,
        visibleBias: init.normalArray(nv).map((x) => 0.3 * x),
        hiddenBias: init.normalArray(nh).map((x) => 0.3 * x),
        // σ between 0.5 and 1.5 (log σ is learned; the reference takes σ as each step finds it)
        ...(gaussian ? { logSigma: init.uniformArray(nv).map((x) => Math.log(0.5 + x)) } : {}),
      });
      let sigma = new Float64Array(nv);
      const options = {
        epochs: 1,
        learningRate: 0.1,
        momentum: 0.5,
        weightCost: 0.01,
        sparsityTarget: 0.1,
        sparsityCost: 0.05,
        sparsityDecay: 0.9,
        ...(chains ? { persistent: true, chains } : {}),
        ...(sampled ? { visibleStates: 'samples' as const } : {}),
        ...(dataSampled ? { dataStates: 'samples' as const } : {}),
      };
      const trainer = new RBMTrainer(rbm, options, 21);
      const root = new SeededRandom(21);
      root.fork(); // the data-order generator
      const sampleRng = root.fork();
      const given = Float64Array.from(bas.data.slice(0, n * nv), (x, i) =>
        gaussian ? x - 0.5 + 0.1 * (i % 3) : dataSampled ? 0.15 + 0.7 * x - 0.05 * (i % 3) : x,
      );
      const batch = ops.tensor(Float32Array.from(given), [n, nv]);

      let W = Float64Array.from(rbm.getParameters().weights);
      let b = Float64Array.from(rbm.getParameters().visibleBias);
      let c = Float64Array.from(rbm.getParameters().hiddenBias);
      const vW = new Float64Array(nv * nh);
      const vb = new Float64Array(nv);
      const vc = new Float64Array(nh);
      let q: Float64Array | null = null;
      let persistent: Float64Array | null = chains ? given.slice(0, chains * nv) : null; // chains start at data
      const hidden = (v: Float64Array, rows: number) =>
        Float64Array.from({ length: rows * nh }, (_, k) => {
          const [r, j] = [Math.floor(k / nh), k % nh];
          let a = c[j]!;
          for (let i = 0; i < nv; i++) a += (v[r * nv + i]! / sigma[i]!) * W[i * nh + j]!;
          return sig(a);
        });
      const visible = (h: Float64Array, rows: number) =>
        Float64Array.from({ length: rows * nv }, (_, k) => {
          const [r, i] = [Math.floor(k / nv), k % nv];
          let a = 0;
          for (let j = 0; j < nh; j++) a += W[i * nh + j]! * h[r * nh + j]!;
          return gaussian ? b[i]! + sigma[i]! * a : sig(b[i]! + a);
        });
      // u < p in float32, as Ops.bernoulli draws it
      const sample = (p: Float64Array) => {
        const u = sampleRng.uniformArray(p.length);
        return p.map((x, k) => (u[k]! < Math.fround(x) ? 1 : 0));
      };
      const mean = (x: Float64Array, rows: number, cols: number, col: number) => {
        let s = 0;
        for (let r = 0; r < rows; r++) s += x[r * cols + col]!;
        return s / rows;
      };
      for (let step = 0; step < 2; step++) {
        const logSigma = rbm.getParameters().logSigma;
        sigma = Float64Array.from({ length: nv }, (_, i) =>
          logSigma ? Math.exp(logSigma[i]!) : 1,
        );
        trainer.step(batch);
        const v0 = dataSampled ? sample(given) : given;
        const ph0 = hidden(v0, n);
        let vNeg: Float64Array;
        let phNeg: Float64Array;
        if (persistent) {
          // one Gibbs step of the chains, then the data's reconstruction (monitoring draws)
          vNeg = sample(visible(sample(hidden(persistent, chains)), chains));
          phNeg = hidden(vNeg, chains);
          sample(ph0);
          persistent = vNeg;
        } else {
          const means = visible(sample(ph0), n);
          vNeg = sampled ? sample(means) : means;
          phNeg = hidden(vNeg, n);
        }
        const m = vNeg.length / nv;
        const current = Float64Array.from({ length: nh }, (_, j) => mean(ph0, n, nh, j));
        q = q ? q.map((x, j) => 0.9 * x + 0.1 * current[j]!) : current;
        const excess = q.map((x) => 0.05 * (x - 0.1));
        for (let i = 0; i < nv; i++) {
          for (let j = 0; j < nh; j++) {
            let data = 0;
            for (let r = 0; r < n; r++) data += v0[r * nv + i]! * ph0[r * nh + j]!;
            let model = 0;
            for (let r = 0; r < m; r++) model += vNeg[r * nv + i]! * phNeg[r * nh + j]!;
            const g =
              (data / n - model / m) / sigma[i]! -
              0.01 * W[i * nh + j]! -
              mean(v0, n, nv, i) * excess[j]!;
            vW[i * nh + j] = 0.5 * vW[i * nh + j]! + 0.1 * g;
          }
          const gb = (mean(v0, n, nv, i) - mean(vNeg, m, nv, i)) / sigma[i]! ** 2;
          vb[i] = 0.5 * vb[i]! + 0.1 * gb;
        }
        for (let j = 0; j < nh; j++) {
          const gc = mean(ph0, n, nh, j) - mean(phNeg, m, nh, j) - excess[j]!;
          vc[j] = 0.5 * vc[j]! + 0.1 * gc;
        }
        W = W.map((x, k) => x + vW[k]!);
        b = b.map((x, k) => x + vb[k]!);
        c = c.map((x, k) => x + vc[k]!);
        const got = rbm.getParameters();
        for (const [param, want, have] of [
          ['W', W, got.weights],
          ['visibleBias', b, got.visibleBias],
          ['hiddenBias', c, got.hiddenBias],
        ] as const) {
          const worst = Math.max(...Array.from(want, (x, k) => Math.abs(x - have[k]!)));
          expect(worst, `${name}: ${param} after step ${step + 1}`).toBeLessThan(2e-6);
        }
      }
      batch.dispose();
      trainer.dispose();
      rbm.dispose();
    }
  });

  it("refuses dataStates: 'samples' for Gaussian visible units, naming them", () => {
    const rbm = new RBM(
      ops,
      { visible: 6, visibleType: 'gaussian', hidden: 4 },
      new SeededRandom(2),
    );
    expect(() => new RBMTrainer(rbm, { epochs: 1, dataStates: 'samples' }, 1)).toThrow(
      /dataStates: 'samples'.*gaussian units \(columns 0–5\)/,
    );
    rbm.dispose();
  });

  it('a Gaussian-visible RBM (fixed and learned σ) trains on standardised data without NaN', async () => {
    // two well-separated clusters in 6 dimensions, standardised
    const rng = new SeededRandom(4);
    const rows = 400;
    const x = rng.normalArray(rows * 6);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < 6; j++) x[r * 6 + j]! += (r % 2 ? 1 : -1) * (j < 3 ? 1.5 : -1.5);
    const mean = new Float64Array(6);
    const sd = new Float64Array(6);
    for (let r = 0; r < rows; r++) for (let j = 0; j < 6; j++) mean[j]! += x[r * 6 + j]! / rows;
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < 6; j++) sd[j]! += (x[r * 6 + j]! - mean[j]!) ** 2 / rows;
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < 6; j++) x[r * 6 + j] = (x[r * 6 + j]! - mean[j]!) / Math.sqrt(sd[j]!);

    for (const learnSigma of [false, true]) {
      const rbm = new RBM(
        ops,
        { visible: 6, visibleType: 'gaussian', hidden: 4, learnSigma },
        new SeededRandom(2),
      );
      const trainer = new RBMTrainer(rbm, { epochs: 50, batchSize: 20, learningRate: 0.05 }, 3);
      const all = ops.tensor(x, [rows, 6]);
      rbm.initVisibleBiasFromData(new Float32Array(6));
      const before = reconstructionError(rbm, all).meanSquaredError;
      const history = await trainer.fit({ data: x, rows, cols: 6 });
      const after = reconstructionError(rbm, all).meanSquaredError;
      expect(history.map((h) => h.reconstructionError).every(Number.isFinite)).toBe(true);
      expect(before).toBeGreaterThan(0.9); // standardised data, untrained model: ≈ variance 1
      expect(after).toBeLessThan(0.75 * before);
      expect(trainer.firstNonFinite()).toBeNull();
      trainer.dispose();
      rbm.dispose();
    }
  });

  it('an unsafe learning rate stops training with a DivergenceError naming the algorithm, layer, epoch and batch', async () => {
    const rng = new SeededRandom(1);
    const x = rng.normalArray(100 * 6).map((v) => v * 50);
    const rbm = new RBM(
      ops,
      { visible: 6, visibleType: 'gaussian', hidden: 4 },
      new SeededRandom(2),
    );
    const trainer = new RBMTrainer(
      rbm,
      { epochs: 50, batchSize: 10, learningRate: 50, layerName: 'layer 1' },
      3,
    );
    const error = await trainer.fit({ data: x, rows: 100, cols: 6 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(
      /^CD-1 \(layer 1\): training diverged at epoch \d+, batch \d+: .* became NaN or infinite\. Try a smaller learning rate \(now 50/,
    );
  });

  it('a rising k schedule runs, at each epoch, the CD-k of that epoch', () => {
    const ramp = { from: 1, to: 5, overEpochs: 4 };
    expect([0, 1, 2, 3, 4, 9].map((e) => scheduleAt(ramp, e, 10))).toEqual([1, 2, 3, 4, 5, 5]);
    // without overEpochs the rise spans the run: 1 at the first epoch, 25 at the last
    const whole = { from: 1, to: 25 };
    expect([0, 50, 99].map((e) => scheduleAt(whole, e, 100))).toEqual([1, 13, 25]);
    expect(scheduleAt(whole, 0, 1)).toBe(1);
    expect(scheduleAt(7, 3, 10)).toBe(7);
    // equal shares, the form up-down's schedules take
    expect([0, 2, 3, 8].map((e) => scheduleAt([3, 6, 10], e, 9))).toEqual([3, 3, 6, 10]);
    const v0 = ops.tensor(bas.data.slice(0, 10 * 16), [10, 16]);
    const weightsAfterStep = (k: number | typeof ramp, epoch: number) => {
      const rbm = new RBM(ops, { visible: 16, hidden: 8 }, new SeededRandom(3));
      const trainer = new RBMTrainer(rbm, { epochs: 5, batchSize: 10, k }, 5);
      trainer.step(v0, epoch);
      const w = Array.from(rbm.getParameters().weights);
      trainer.dispose();
      rbm.dispose();
      return w;
    };
    expect(weightsAfterStep(ramp, 2)).toEqual(weightsAfterStep(3, 2));
    expect(weightsAfterStep(ramp, 2)).not.toEqual(weightsAfterStep(1, 2));
    const rbm = new RBM(ops, { visible: 16, hidden: 8 }, new SeededRandom(3));
    expect(new RBMTrainer(rbm, { epochs: 1, k: ramp }, 1).algorithm.name).toBe('CD-1→5');
    expect(
      () => new RBMTrainer(rbm, { epochs: 1, k: { from: 1, to: 0, overEpochs: 3 } }, 1),
    ).toThrow(/k\.to: /);
    v0.dispose();
  });

  it('rejects bad hyper-parameters with messages that name the field and value', () => {
    const rbm = new RBM(ops, { visible: 4, hidden: 2 }, new SeededRandom(1));
    expect(() => new RBMTrainer(rbm, { epochs: 1, learningRate: -0.1 }, 1)).toThrow(
      /learningRate: .*\(got -0.1\)/,
    );
    expect(() => new RBMTrainer(rbm, { epochs: 1, k: 0 }, 1)).toThrow(/k: .*\(got 0\)/);
    expect(() => new RBMTrainer(rbm, { epochs: 1, batchSize: 0 }, 1)).toThrow(
      /batchSize: .*\(got 0\)/,
    );
    expect(() => new RBMTrainer(rbm, { epochs: 0 }, 1)).toThrow(/epochs: /);
    expect(() => new RBMTrainer(rbm, { epochs: 1, momentum: 1.5 }, 1)).toThrow(/momentum/);
    expect(() => new RBMTrainer(rbm, { epochs: 1, sparsityTarget: 2 }, 1)).toThrow(
      /sparsityTarget: .*\(got 2\)/,
    );
    expect(() => new RBMTrainer(rbm, { epochs: 1, learnignRate: 0.1 } as never, 1)).toThrow(
      /learnignRate/,
    );
  });

  it('rejects data that does not match the model', async () => {
    const rbm = new RBM(ops, { visible: 4, hidden: 2 }, new SeededRandom(1));
    const trainer = new RBMTrainer(rbm, { epochs: 1, batchSize: 2 }, 1);
    await expect(trainer.fit({ data: new Float32Array(10), rows: 2, cols: 5 })).rejects.toThrow(
      /data has 5 columns, the RBM has 4/,
    );
    await expect(trainer.fit({ data: new Float32Array(9), rows: 2, cols: 4 })).rejects.toThrow(
      /9 values do not fill 2 × 4/,
    );
    await expect(trainer.fit({ data: new Float32Array(4), rows: 1, cols: 4 })).rejects.toThrow(
      /fewer than one batch/,
    );
  });
});

describe('correctness harness', () => {
  it('CD-k gradient estimates point along the exact log-likelihood gradient on a tiny RBM', () => {
    const rbm = new RBM(ops, { visible: 16, hidden: 6 }, new SeededRandom(8), 0.1);
    const exact = exactGradient(rbm, basTensor);
    const cd1 = contrastiveDivergenceGradient(rbm, basTensor, {
      k: 1,
      rng: new SeededRandom(1),
      repeats: 50,
    });
    const cd10 = contrastiveDivergenceGradient(rbm, basTensor, {
      k: 10,
      rng: new SeededRandom(1),
      repeats: 50,
    });
    // small weights mix fast: CD is close to the true gradient, and more steps help
    // small weights mix fast, so CD-1 and CD-10 both point along the true gradient (the
    // remaining gap is sampling noise: it stays near 0.96 for k = 1…30 with 200 repeats)
    expect(gradientCosine(cd1, exact)).toBeGreaterThan(0.9);
    expect(gradientCosine(cd10, exact)).toBeGreaterThan(0.9);
    // ...while a gradient that ignores the model term (data statistics only) is far off
    const dataOnly = contrastiveDivergenceGradient(rbm, basTensor, {
      k: 1,
      rng: new SeededRandom(1),
      repeats: 1,
    });
    const wrong = { ...dataOnly, W: dataOnly.W.map((x) => -x) };
    expect(gradientCosine(wrong, exact)).toBeLessThan(0);
  });
});

describe('the op sequence a deferring backend sees', () => {
  it('is the same in every metrics window, the first of an epoch included', async () => {
    // Records each compute op (kind and operand types) and cuts the log at every read: a
    // deferring backend compiles one graph per distinct window, so the first window of an
    // epoch must not differ from the others (it once started with `error + 0`).
    const js = createJsBackend();
    const windows: string[][] = [[]];
    const log = (entry: string) => windows[windows.length - 1]!.push(entry);
    const kinds = (args: unknown[]) =>
      args.map((a) => (typeof a === 'number' ? 'n' : typeof a === 'string' ? a : 't')).join(',');
    const recording = new Proxy(js, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (key === 'read') windows.push([]);
          else if (!['fromArray', 'fill', 'fromBytes', 'dispose', 'memory'].includes(String(key)))
            log(`${String(key)}(${kinds(args)})`);
          return value.apply(target, args);
        };
      },
    });
    const o = new Ops(recording);
    const rbm = new RBM(o, { visible: 16, hidden: 8 }, new SeededRandom(3));
    const trainer = new RBMTrainer(
      rbm,
      { epochs: 2, batchSize: 10, learningRate: 0.1, momentum: 0.5, metricsEvery: 3 },
      5,
    );
    // 60 rows: 6 batches an epoch, two windows of 3 (each ends with a read)
    await trainer.fit(repeatRows(bas, 2));
    const training = windows.filter((w) => w.length > 20);
    expect(training).toHaveLength(4);
    // every window, the first of each epoch included, issues the same ops
    for (const w of training) expect(w).toEqual(training[1]);
  });
});
