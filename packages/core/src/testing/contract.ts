import { describe, expect, it } from 'vitest';
import { type Backend, BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../backend.js';
import { DeepBeliefError, ShapeError } from '../errors.js';
import { createJsBackend } from '../js-backend.js';
import { Ops } from '../ops.js';
import { SeededRandom } from '../random.js';
import type { Tensor } from '../tensor.js';
import { compareClose } from './allclose.js';

/** Options of {@link describeBackendContract}. */
export interface BackendContractOptions {
  /** Skip the whole suite, printing this reason (e.g. an optional dependency is absent). */
  readonly skipReason?: string;
  /** Relative tolerance for transcendental functions (default 1e-5). */
  readonly rtol?: number;
  /** Relative tolerance for products and reductions (default 1e-4). */
  readonly productRtol?: number;
}

/**
 * The backend contract: every op of the {@link Backend} interface checked against the
 * pure-JavaScript reference backend on random and edge-case inputs, plus the errors,
 * memory and randomness guarantees model code relies on. Every backend package calls this
 * from one test file:
 *
 * ```ts
 * describeBackendContract('tfjs-wasm', () => createTfjsBackend({ flavor: 'wasm' }));
 * ```
 */
export function describeBackendContract(
  name: string,
  factory: () => Backend | Promise<Backend>,
  options: BackendContractOptions = {},
): void {
  const { skipReason, rtol = 1e-5, productRtol = 1e-4 } = options;
  if (skipReason) {
    describe.skip(`backend contract: ${name} (skipped: ${skipReason})`, () => {
      it('is skipped', () => {});
    });
    // Visible in the test log, not only in the skip count.
    console.warn(`[deepbelief] backend contract for '${name}' skipped: ${skipReason}`);
    return;
  }

  describe(`backend contract: ${name}`, () => {
    let ops: Ops;
    const ref = new Ops(createJsBackend());
    const getOps = async () => {
      ops ??= new Ops(await factory());
      return ops;
    };

    /** Runs `f` on both backends with the same data and compares the results. */
    const same = async (
      f: (o: Ops, t: (data: Float32Array, shape: [number, number]) => Tensor) => Tensor,
      tol: { rtol?: number; atol?: number } = { rtol },
    ) => {
      const o = await getOps();
      const run = (x: Ops) =>
        x.tidy(() => {
          const result = f(x, (d, s) => x.tensor(d, s));
          return { shape: [...result.shape], data: Array.from(x.read(result)) };
        }) as unknown as { shape: number[]; data: number[] };
      // tidy returns plain objects untouched; the tensors inside f are disposed.
      const got = run(o);
      const want = run(ref);
      expect(got.shape).toEqual(want.shape);
      const report = compareClose(got.data, want.data, tol);
      expect(report.ok, report.message).toBe(true);
    };

    const rand = (seed: number, n: number, scale = 1) => {
      const r = new SeededRandom(seed).normalArray(n);
      for (let i = 0; i < n; i++) r[i]! *= scale;
      return r;
    };
    const pos = (seed: number, n: number) =>
      new SeededRandom(seed).uniformArray(n).map((x) => x + 0.05);

    it('reports the spec version and a name', async () => {
      const o = await getOps();
      expect(o.backend.specVersion).toBe('v1');
      expect(typeof o.backend.name).toBe('string');
    });

    it('round-trips data through fromArray/read and fill', async () => {
      const o = await getOps();
      const data = rand(1, 12);
      const t = o.tensor(data, [3, 4]);
      expect(Array.from(o.read(t))).toEqual(Array.from(data));
      const copy = o.read(t);
      copy[0] = 1234;
      expect(o.read(t)[0]).toBe(data[0]);
      const f = o.fill([2, 3], 2.5);
      expect(Array.from(o.read(f))).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
      expect(o.item(o.fill([1, 1], -3))).toBe(-3);
      o.dispose([t, f]);
    });

    it('fromBytes: byte · fround(scale), bit-identical to the reference, for 1/255 and 1', async () => {
      const o = await getOps();
      const bytes = Uint8Array.from({ length: 6 * 256 }, (_, i) => (i * 7) % 256);
      for (const scale of [1 / 255, 1, 0.1]) {
        const got = o.read(o.fromBytes(bytes.slice(), [6, 256], scale));
        const want = ref.read(ref.fromBytes(bytes.slice(), [6, 256], scale));
        expect(Array.from(got)).toEqual(Array.from(want));
      }
      expect(o.read(o.fromBytes(Uint8Array.of(255, 0), [1, 2], 1 / 255))[0]).toBe(1);
      expect(() => o.fromBytes(new Uint8Array(5), [2, 3])).toThrow(
        /fromBytes: 5 bytes do not fill shape \[2, 3\]/,
      );
    });

    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`matmul transposeA=${ta} transposeB=${tb}`, async () => {
        const [m, k, n] = [7, 13, 5];
        await same(
          (o, t) =>
            o.matmul(
              t(rand(2, m * k), ta ? [k, m] : [m, k]),
              t(rand(3, k * n), tb ? [n, k] : [k, n]),
              {
                transposeA: ta,
                transposeB: tb,
              },
            ),
          { rtol: productRtol, atol: 1e-5 },
        );
      });
    }

    it('matmul on RBM-sized inputs (batch 100 · 784 × 784 · 50)', async () => {
      await same(
        (o, t) => o.matmul(t(pos(4, 100 * 784), [100, 784]), t(rand(5, 784 * 50, 0.01), [784, 50])),
        {
          rtol: productRtol,
          atol: 1e-4,
        },
      );
    });

    for (const activation of ['none', 'sigmoid'] as const) {
      for (const transposeW of [false, true]) {
        it(`linear activation=${activation} transposeW=${transposeW}`, async () => {
          await same(
            (o, t) =>
              o.linear(
                t(rand(6, 8 * 6), [8, 6]),
                t(rand(7, 6 * 4), transposeW ? [4, 6] : [6, 4]),
                t(rand(8, 4), [1, 4]),
                {
                  transposeW,
                  activation,
                },
              ),
            { rtol: productRtol, atol: 1e-5 },
          );
          await same(
            (o, t) =>
              o.linear(
                t(rand(9, 3 * 6), [3, 6]),
                t(rand(10, 24), transposeW ? [4, 6] : [6, 4]),
                null,
                { transposeW, activation },
              ),
            {
              rtol: productRtol,
              atol: 1e-5,
            },
          );
        });
      }
    }

    it('transpose', async () => {
      await same((o, t) => o.transpose(t(rand(11, 35), [5, 7])));
    });

    const edge = Float32Array.from([
      0, -0, 1, -1, 20, -20, 88, -88, 100, -100, 1e4, -1e4, 3.4e38, -3.4e38, 1e-30, 0.5,
    ]);
    for (const op of UNARY_OPS) {
      it(`unary ${op} on random and edge-case inputs`, async () => {
        const domainPositive = op === 'log' || op === 'sqrt';
        const data = domainPositive ? pos(12, 40) : rand(12, 40, 3);
        await same((o, t) => o.unary(op, t(data, [8, 5])), { rtol, atol: 1e-6 });
        if (op === 'exp' || op === 'square') return; // overflow to Infinity is the right answer and checked by the reference
        const inputs = domainPositive ? edge.map(Math.abs).map((x) => x || 1) : edge;
        await same((o, t) => o.unary(op, t(inputs, [4, 4])), { rtol, atol: 1e-6 });
      });
    }

    it('sigmoid, softplus and logSigmoid stay finite and exact at the extremes', async () => {
      const o = await getOps();
      const x = o.tensor(Float32Array.from([-1e4, -100, 100, 1e4]), [1, 4]);
      const s = Array.from(o.read(o.sigmoid(x)));
      expect(s[0]).toBeGreaterThanOrEqual(0);
      expect(s[0]).toBeLessThan(1e-40);
      expect(s[3]).toBe(1);
      const sp = Array.from(o.read(o.softplus(x)));
      expect(sp[0]).toBeCloseTo(0, 10);
      expect(sp[3]).toBe(1e4);
      const ls = Array.from(o.read(o.logSigmoid(x)));
      expect(ls[0]).toBe(-1e4);
      expect(ls[3]).toBeCloseTo(0, 10);
      expect([...s, ...sp, ...ls].every(Number.isFinite)).toBe(true);
    });

    const broadcastCases: [string, [number, number], [number, number]][] = [
      ['same shape', [4, 3], [4, 3]],
      ['row vector', [4, 3], [1, 3]],
      ['column vector', [4, 3], [4, 1]],
      ['scalar tensor', [4, 3], [1, 1]],
      ['row vector on the left', [1, 3], [4, 3]],
      ['outer (column × row)', [4, 1], [1, 3]],
    ];
    for (const op of BINARY_OPS) {
      it(`binary ${op} with broadcasting and numbers`, async () => {
        for (const [, sa, sb] of broadcastCases) {
          // Small integers make comparisons hit equality too.
          const a = rand(13, sa[0] * sa[1], 2).map(Math.round);
          const b = (
            op === 'div' ? pos(14, sb[0] * sb[1]) : rand(14, sb[0] * sb[1], 2).map(Math.round)
          ) as Float32Array;
          await same((o, t) => o.binary(op, t(a, sa), t(b, sb)));
        }
        await same((o, t) => o.binary(op, t(rand(15, 12), [3, 4]), 0.25));
        await same((o, t) => o.binary(op, t(Float32Array.from([0.1, 0.2, 0.3]), [1, 3]), 0.2));
      });
    }

    it('clip', async () => {
      await same((o, t) => o.clip(t(rand(16, 20, 3), [4, 5]), -1, 0.5));
    });

    for (const op of REDUCE_OPS) {
      it(`reduce ${op} along rows, columns and all`, async () => {
        for (const axis of [0, 1, null] as const) {
          await same((o, t) => o.reduce(op, t(rand(17, 6 * 9, 2), [6, 9]), axis), {
            rtol: productRtol,
            atol: 1e-5,
          });
        }
      });
    }

    it('logSumExp is stable for large inputs', async () => {
      await same((o, t) =>
        o.logSumExp(t(Float32Array.from([1e4, 1e4, -1e4, 1000, 999, -5]), [2, 3]), 1),
      );
      await same((o, t) => o.logSumExp(t(Float32Array.from([-1e4, -1e4]), [1, 2]), null));
    });

    it('argmax along both axes, first index on ties', async () => {
      await same((o, t) => o.argmax(t(rand(18, 30), [5, 6]), 1));
      await same((o, t) => o.argmax(t(rand(18, 30), [5, 6]), 0));
      await same((o, t) => o.argmax(t(Float32Array.from([1, 3, 3, 0, 2, 2, 2, 1]), [2, 4]), 1));
    });

    it('softmax along both axes, stable for large inputs', async () => {
      await same((o, t) => o.softmax(t(rand(19, 30, 3), [5, 6]), 1));
      await same((o, t) => o.softmax(t(rand(19, 30, 3), [5, 6]), 0));
      await same((o, t) => o.softmax(t(Float32Array.from([1000, 1001, -1000, 50]), [2, 2]), 1));
    });

    it('cumsum along both axes', async () => {
      await same((o, t) => o.cumsum(t(rand(20, 24), [4, 6]), 1), { rtol: productRtol, atol: 1e-6 });
      await same((o, t) => o.cumsum(t(rand(20, 24), [4, 6]), 0), { rtol: productRtol, atol: 1e-6 });
    });

    it('slice and concat rows and columns (label units)', async () => {
      await same((o, t) => o.slice(t(rand(21, 42), [6, 7]), [1, 4], [2, 7]));
      await same((o, t) => o.sliceColumns(t(rand(22, 42), [6, 7]), 5, 7));
      await same((o, t) =>
        o.concatColumns([t(rand(23, 12), [4, 3]), t(rand(24, 8), [4, 2]), t(rand(25, 4), [4, 1])]),
      );
      await same((o, t) => o.concatRows([t(rand(26, 6), [2, 3]), t(rand(27, 9), [3, 3])]));
    });

    it('ops do not modify their inputs', async () => {
      const o = await getOps();
      const data = rand(28, 20);
      const a = o.tensor(data, [4, 5]);
      o.dispose([
        o.sigmoid(a),
        o.add(a, 1),
        o.matmul(a, a, { transposeB: true }),
        o.softmax(a),
        o.cumsum(a),
      ]);
      expect(Array.from(o.read(a))).toEqual(Array.from(data));
      a.dispose();
    });

    it('bernoulli and categorical draws match the reference exactly for the same seed', async () => {
      const o = await getOps();
      for (const x of [o, ref]) expect(x).toBeDefined();
      const draw = (x: Ops) =>
        x.tidy(() => {
          const rng = new SeededRandom(42);
          const p = x.tensor(new SeededRandom(7).uniformArray(200), [20, 10]);
          const probs = x.softmax(x.tensor(rand(8, 200, 2), [20, 10]));
          return [
            Array.from(x.read(x.bernoulli(p, rng))),
            Array.from(x.read(x.categorical(probs, rng))),
          ];
        }) as unknown as number[][];
      const [b, c] = draw(o);
      const [rb, rc] = draw(ref);
      expect(b).toEqual(rb);
      expect(c).toEqual(rc);
      // categorical rows are one-hot
      for (let i = 0; i < 20; i++)
        expect(c!.slice(i * 10, i * 10 + 10).reduce((s, v) => s + v, 0)).toBe(1);
    });

    it('bernoulli frequencies match p', async () => {
      const o = await getOps();
      const freq = o.tidy(() => {
        const p = o.fill([400, 50], 0.3);
        return o.item(o.mean(o.bernoulli(p, new SeededRandom(3))));
      }) as number;
      expect(Math.abs(freq - 0.3)).toBeLessThan(0.01);
    });

    it('rejects shape mismatches, empty batches and bad axes with named errors', async () => {
      const o = await getOps();
      o.tidy(() => {
        const a = o.zeros([3, 4]);
        const b = o.zeros([5, 6]);
        expect(() => o.matmul(a, b)).toThrow(ShapeError);
        expect(() => o.matmul(a, b)).toThrow(/matmul: inner dimensions differ/);
        expect(() => o.add(a, b)).toThrow(/do not broadcast/);
        expect(() => o.zeros([0, 784])).toThrow(/empty batches are rejected/);
        expect(() => o.tensor(new Float32Array(5), [2, 3])).toThrow(/do not fill shape/);
        expect(() => o.sliceColumns(a, 2, 9)).toThrow(/columns \[2, 9\)/);
        expect(() => o.concatColumns([a, b])).toThrow(/concat/);
        expect(() => o.sum(a, 2 as 0)).toThrow(/axis/);
        expect(() => o.linear(a, o.zeros([5, 2]), null)).toThrow(/linear: input has 4 columns/);
      });
    });

    it('tidy frees everything but results and kept tensors; disposed tensors are refused', async () => {
      const o = await getOps();
      const before = o.memory();
      const kept = o.tidy(() => {
        const x = o.ones([10, 10]);
        for (let i = 0; i < 20; i++) o.sigmoid(o.mul(x, i));
        o.keep(o.zeros([1, 1]));
        return o.add(x, 1);
      });
      expect(o.memory().numTensors).toBe(before.numTensors + 2);
      if (before.backend.numTensors !== undefined) {
        expect(o.memory().backend.numTensors).toBe(before.backend.numTensors + 2);
      }
      kept.dispose();
      kept.dispose();
      expect(() => o.read(kept)).toThrow(DeepBeliefError);
      expect(() =>
        o.tidy(() => {
          o.zeros([2, 2]);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(o.memory().numTensors).toBe(before.numTensors + 1);
    });
  });
}
