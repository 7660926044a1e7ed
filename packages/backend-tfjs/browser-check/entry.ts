/**
 * Browser check of the tfjs adapters (webgl, wasm loaded through `wasmPaths`, cpu), used by
 * run.sh: core's contract suite needs vitest, so this is a compact copy of its op checks
 * against the js reference, run for each flavor and then interleaved.
 */
import '@tensorflow/tfjs-backend-webgl';
import {
  BINARY_OPS,
  createJsBackend,
  Ops,
  REDUCE_OPS,
  SeededRandom,
  type Tensor,
  UNARY_OPS,
} from '@deepbelief/core';
import * as tf from '@tensorflow/tfjs-core';
import { createTfjsBackend, type TfjsFlavor } from '../src/index.js';

const log: string[] = [];
const failures: string[] = [];
const ref = new Ops(createJsBackend());

function close(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol: number,
  atol: number,
): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const e = want[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) return `element ${i}: got ${a}, expected ${e}`;
      continue;
    }
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) return `element ${i}: got ${a}, expected ${e}`;
  }
  return null;
}

type Build = (o: Ops, t: (d: Float32Array, s: [number, number]) => Tensor) => Tensor;
function same(o: Ops, label: string, f: Build, rtol = 1e-5, atol = 1e-6) {
  const run = (x: Ops) =>
    x.tidy(() => {
      const r = f(x, (d, s) => x.tensor(d, s));
      return { shape: [...r.shape], data: Array.from(x.read(r)) } as never;
    }) as unknown as { shape: number[]; data: number[] };
  let got: { shape: number[]; data: number[] };
  try {
    got = run(o);
  } catch (e) {
    failures.push(`${o.name} ${label}: threw ${(e as Error).message}`);
    return;
  }
  const want = run(ref);
  const msg =
    got.shape.join() !== want.shape.join()
      ? `shape ${got.shape} vs ${want.shape}`
      : close(got.data, want.data, rtol, atol);
  if (msg) failures.push(`${o.name} ${label}: ${msg}`);
}

const rand = (seed: number, n: number, scale = 1) =>
  new SeededRandom(seed).normalArray(n).map((x) => x * scale);
const pos = (seed: number, n: number) =>
  new SeededRandom(seed).uniformArray(n).map((x) => x + 0.05);
const edge = Float32Array.from([
  0, -0, 1, -1, 20, -20, 88, -88, 100, -100, 1e4, -1e4, 3.4e38, -3.4e38, 1e-30, 0.5,
]);

function suite(o: Ops) {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const)
    same(
      o,
      `matmul ${ta} ${tb}`,
      (x, t) =>
        x.matmul(t(rand(2, 91), ta ? [13, 7] : [7, 13]), t(rand(3, 65), tb ? [5, 13] : [13, 5]), {
          transposeA: ta,
          transposeB: tb,
        }),
      1e-4,
      1e-5,
    );
  same(
    o,
    'matmul RBM',
    (x, t) => x.matmul(t(pos(4, 100 * 784), [100, 784]), t(rand(5, 784 * 50, 0.01), [784, 50])),
    1e-4,
    1e-4,
  );
  for (const activation of ['none', 'sigmoid'] as const)
    for (const transposeW of [false, true]) {
      same(
        o,
        `linear ${activation} ${transposeW}`,
        (x, t) =>
          x.linear(
            t(rand(6, 48), [8, 6]),
            t(rand(7, 24), transposeW ? [4, 6] : [6, 4]),
            t(rand(8, 4), [1, 4]),
            { transposeW, activation },
          ),
        1e-4,
        1e-5,
      );
      same(
        o,
        `linear nobias ${activation} ${transposeW}`,
        (x, t) =>
          x.linear(t(rand(9, 18), [3, 6]), t(rand(10, 24), transposeW ? [4, 6] : [6, 4]), null, {
            transposeW,
            activation,
          }),
        1e-4,
        1e-5,
      );
    }
  same(o, 'transpose', (x, t) => x.transpose(t(rand(11, 35), [5, 7])));
  for (const op of UNARY_OPS) {
    const dp = op === 'log' || op === 'sqrt';
    same(o, `unary ${op}`, (x, t) => x.unary(op, t(dp ? pos(12, 40) : rand(12, 40, 3), [8, 5])));
    if (op === 'exp' || op === 'square') continue;
    same(o, `unary ${op} edge`, (x, t) =>
      x.unary(op, t(dp ? edge.map(Math.abs).map((v) => v || 1) : edge, [4, 4])),
    );
  }
  for (const op of BINARY_OPS) {
    for (const [sa, sb] of [
      [
        [4, 3],
        [4, 3],
      ],
      [
        [4, 3],
        [1, 3],
      ],
      [
        [4, 3],
        [4, 1],
      ],
      [
        [4, 3],
        [1, 1],
      ],
      [
        [1, 3],
        [4, 3],
      ],
      [
        [4, 1],
        [1, 3],
      ],
    ] as [[number, number], [number, number]][]) {
      const a = rand(13, sa[0] * sa[1], 2).map(Math.round);
      const b = op === 'div' ? pos(14, sb[0] * sb[1]) : rand(14, sb[0] * sb[1], 2).map(Math.round);
      same(o, `binary ${op} ${sa}/${sb}`, (x, t) => x.binary(op, t(a, sa), t(b, sb)));
    }
    same(o, `binary ${op} number`, (x, t) => x.binary(op, t(rand(15, 12), [3, 4]), 0.25));
    same(o, `binary ${op} 0.2`, (x, t) =>
      x.binary(op, t(Float32Array.from([0.1, 0.2, 0.3]), [1, 3]), 0.2),
    );
  }
  same(o, 'clip', (x, t) => x.clip(t(rand(16, 20, 3), [4, 5]), -1, 0.5));
  for (const op of REDUCE_OPS)
    for (const axis of [0, 1, null] as const)
      same(
        o,
        `reduce ${op} ${axis}`,
        (x, t) => x.reduce(op, t(rand(17, 54, 2), [6, 9]), axis),
        1e-4,
        1e-5,
      );
  same(o, 'lse large', (x, t) =>
    x.logSumExp(t(Float32Array.from([1e4, 1e4, -1e4, 1000, 999, -5]), [2, 3]), 1),
  );
  same(o, 'argmax 1', (x, t) => x.argmax(t(rand(18, 30), [5, 6]), 1));
  same(o, 'argmax 0', (x, t) => x.argmax(t(rand(18, 30), [5, 6]), 0));
  same(o, 'argmax ties', (x, t) =>
    x.argmax(t(Float32Array.from([1, 3, 3, 0, 2, 2, 2, 1]), [2, 4]), 1),
  );
  same(o, 'softmax 1', (x, t) => x.softmax(t(rand(19, 30, 3), [5, 6]), 1));
  same(o, 'softmax 0', (x, t) => x.softmax(t(rand(19, 30, 3), [5, 6]), 0));
  same(o, 'softmax large', (x, t) =>
    x.softmax(t(Float32Array.from([1000, 1001, -1000, 50]), [2, 2]), 1),
  );
  same(o, 'cumsum 1', (x, t) => x.cumsum(t(rand(20, 24), [4, 6]), 1), 1e-4, 1e-6);
  same(o, 'cumsum 0', (x, t) => x.cumsum(t(rand(20, 24), [4, 6]), 0), 1e-4, 1e-6);
  same(o, 'slice', (x, t) => x.slice(t(rand(21, 42), [6, 7]), [1, 4], [2, 7]));
  same(o, 'concat cols', (x, t) =>
    x.concatColumns([t(rand(23, 12), [4, 3]), t(rand(24, 8), [4, 2])]),
  );
  same(o, 'concat rows', (x, t) => x.concatRows([t(rand(26, 6), [2, 3]), t(rand(27, 9), [3, 3])]));
  const draw = (x: Ops) =>
    x.tidy(
      () =>
        Array.from(
          x.read(
            x.bernoulli(
              x.tensor(new SeededRandom(7).uniformArray(200), [20, 10]),
              new SeededRandom(42),
            ),
          ),
        ) as never,
    ) as unknown as number[];
  if (draw(o).join() !== draw(ref).join()) failures.push(`${o.name} bernoulli differs`);
  const s = o.tidy(() =>
    Array.from(o.read(o.sigmoid(o.tensor(Float32Array.from([-1e4, 1e4]), [1, 2])))),
  ) as number[];
  if (!(s[0]! >= 0 && s[0]! < 1e-40 && s[1] === 1))
    failures.push(`${o.name} sigmoid extremes ${s}`);
}

async function main() {
  const flavors: TfjsFlavor[] = ['webgl', 'wasm', 'cpu'];
  const all: Ops[] = [];
  for (const flavor of flavors) {
    try {
      const o = new Ops(await createTfjsBackend({ flavor, wasmPaths: '/wasm/' }));
      all.push(o);
      const before = o.memory().backend.numTensors!;
      const t0 = performance.now();
      suite(o);
      const after = o.memory().backend.numTensors!;
      log.push(`${o.name}: suite ran in ${(performance.now() - t0).toFixed(0)} ms (virtual time)`);
      if (after !== before) failures.push(`${o.name}: ${after - before} tensors leaked`);
    } catch (e) {
      failures.push(`${flavor}: create failed: ${(e as Error).message}`);
    }
  }
  log.push(
    `WEBGL_VERSION ${tf.env().getNumber('WEBGL_VERSION')}, float32 render ${tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')}`,
  );
  // Interleave the flavors.
  for (let i = 0; i < 2; i++) for (const o of all) suite(o);
  // async read
  for (const o of all) {
    const t = o.tensor([
      [1, 2],
      [3, 4],
    ]);
    const p = o.matmul(t, t);
    const r = await o.readAsync(p);
    o.dispose([t, p]);
    if (Array.from(r).join() !== '7,10,15,22') failures.push(`${o.name} readAsync ${r}`);
  }
  if (all.length !== flavors.length) failures.push(`only ${all.length} flavors started`);
  log.push(`failures: ${failures.length}`);
  return { log, failures };
}

main().then(
  (r) => {
    document.body.textContent = `RESULT ${JSON.stringify(r)}`;
  },
  (e) => {
    document.body.textContent = `RESULT ${JSON.stringify({ error: String(e?.stack ?? e) })}`;
  },
);
