import { describe, expect, it } from 'vitest';
import { createJsBackend } from './js-backend.js';
import { Ops } from './ops.js';
import { SeededRandom } from './random.js';
import { describeBackendContract } from './testing/contract.js';

// The reference backend runs the contract too (it exercises errors, memory and sampling)...
describeBackendContract('js', createJsBackend);

// ...and is itself checked against direct float64 formulas, since it is the ground truth.
describe('js reference backend against direct formulas', () => {
  const ops = new Ops(createJsBackend());
  const rng = new SeededRandom(5);

  it('matmul equals the triple loop', () => {
    const [m, k, n] = [6, 9, 4];
    const a = rng.normalArray(m * k);
    const b = rng.normalArray(k * n);
    const got = ops.read(ops.matmul(ops.tensor(a, [m, k]), ops.tensor(b, [k, n])));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
        expect(got[i * n + j]).toBeCloseTo(s, 5);
      }
    }
  });

  it('sigmoid, softplus, logSumExp, softmax match their definitions', () => {
    const x = [-3, -0.5, 0, 0.7, 4];
    const t = ops.tensor(x, [1, 5]);
    const sig = ops.read(ops.sigmoid(t));
    const sp = ops.read(ops.softplus(t));
    x.forEach((v, i) => {
      expect(sig[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 6);
      expect(sp[i]).toBeCloseTo(Math.log(1 + Math.exp(v)), 6);
    });
    const lse = ops.item(ops.logSumExp(t));
    expect(lse).toBeCloseTo(Math.log(x.reduce((s, v) => s + Math.exp(v), 0)), 5);
    const sm = ops.read(ops.softmax(t));
    const z = x.reduce((s, v) => s + Math.exp(v), 0);
    x.forEach((v, i) => {
      expect(sm[i]).toBeCloseTo(Math.exp(v) / z, 6);
    });
  });

  it('broadcasts rows, columns and outer products', () => {
    const col = ops.tensor([[1], [2]]);
    const row = ops.tensor([[10, 20, 30]]);
    expect(ops.toRows(ops.add(col, row))).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(ops.toRows(ops.sub(ops.tensor([[5, 5, 5]]), ops.tensor([[1, 2, 3]])))).toEqual([
      [4, 3, 2],
    ]);
  });

  it('cumsum, argmax and reductions', () => {
    const t = ops.tensor([
      [1, 5, 2],
      [7, 0, 7],
    ]);
    expect(ops.toRows(ops.cumsum(t, 1))).toEqual([
      [1, 6, 8],
      [7, 7, 14],
    ]);
    expect(ops.toRows(ops.argmax(t, 1))).toEqual([[1], [0]]);
    expect(ops.toRows(ops.sum(t, 0))).toEqual([[8, 5, 9]]);
    expect(ops.toRows(ops.max(t, 1))).toEqual([[5], [7]]);
    expect(ops.item(ops.mean(t))).toBeCloseTo(22 / 6, 6);
  });

  it('categorical draws follow the probabilities', () => {
    const p = ops.tensor(Array.from({ length: 4000 }, () => [0.1, 0.6, 0.3]).flat(), [4000, 3]);
    const counts = ops.read(ops.sum(ops.categorical(p, new SeededRandom(9)), 0));
    expect(counts[0]! / 4000).toBeCloseTo(0.1, 1);
    expect(counts[1]! / 4000).toBeCloseTo(0.6, 1);
    expect(counts[2]! / 4000).toBeCloseTo(0.3, 1);
  });
});
