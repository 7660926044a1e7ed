import {
  type Backend,
  BackendError,
  BackendRegistry,
  createJsBackend,
  Ops,
  SeededRandom,
} from '@deepbelief/core';
import { compareClose } from '@deepbelief/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  createTfjsBackend,
  nodeWasmDir,
  registerTfjsBackends,
  TFJS_PRIORITIES,
  type TfjsHandle,
} from './index.js';
import { importPeer, peerImportError } from './peer.js';

const ref = new Ops(createJsBackend());

/** The tfjs backend instance that holds a tensor's data (engine internals, test only). */
function holder(t: TfjsHandle): unknown {
  const state = (
    tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: unknown }> } }
  ).state;
  return state.tensorInfo.get(t.dataId)?.backend;
}

function expectClose(got: Float32Array, want: Float32Array, rtol = 1e-4, atol = 1e-4): void {
  const report = compareClose(got, want, { rtol, atol });
  expect(report.ok, report.message).toBe(true);
}

describe('tfjs cpu and wasm in one process', () => {
  it('interleaved ops each run on their own flavor and agree with the reference', async () => {
    const cpu = new Ops(await createTfjsBackend({ flavor: 'cpu' }));
    const wasm = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
    expect([cpu.name, wasm.name]).toEqual(['tfjs-cpu', 'tfjs-wasm']);
    const rng = new SeededRandom(1);
    const v = rng.uniformArray(20 * 30);
    const w = rng.normalArray(30 * 10);
    const b = rng.normalArray(10);
    const step = (o: Ops) =>
      o.tidy(() => {
        const h = o.linear(o.tensor(v, [20, 30]), o.tensor(w, [30, 10]), o.tensor(b, [1, 10]), {
          activation: 'sigmoid',
        });
        return o.matmul(o.tensor(v, [20, 30]), h, { transposeA: true });
      });
    const want = ref.read(step(ref));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const c = step(cpu);
      expect(tf.getBackend()).toBe('cpu');
      const g = step(wasm);
      expect(tf.getBackend()).toBe('wasm');
      // Data never moved between backends: each tensor stays where it was made.
      expect(holder(c.handle as TfjsHandle)).toBe(tf.engine().registry.cpu);
      expect(holder(g.handle as TfjsHandle)).toBe(tf.engine().registry.wasm);
      expectClose(cpu.read(c), want);
      expectClose(wasm.read(g), want);
      cpu.dispose(c);
      wasm.dispose(g);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('switches by backend instance, not only by name (a name left by another initialization)', async () => {
    const cpu = await createTfjsBackend({ flavor: 'cpu' });
    const wasm = await createTfjsBackend({ flavor: 'wasm' });
    wasm.dispose(wasm.fill([1, 1], 0)); // wasm is active now
    // What setBackend of a still-initializing backend leaves behind: the name changes first.
    (tf.engine() as unknown as { backendName: string }).backendName = 'cpu';
    const t = cpu.fill([2, 2], 3);
    expect(holder(t)).toBe(tf.engine().registry.cpu);
    expect(Array.from(cpu.read(t))).toEqual([3, 3, 3, 3]);
    cpu.dispose(t);
  });

  it('the wasm flavor gets the RBM products right with every transpose (fast explicit path)', async () => {
    const wasm = new Ops(await createTfjsBackend({ flavor: 'wasm' }));
    const rng = new SeededRandom(2);
    const v = rng.uniformArray(100 * 784);
    const h = rng.uniformArray(100 * 50);
    const W = rng.normalArray(784 * 50).map((x) => x * 0.01);
    const cases: [
      Float32Array,
      [number, number],
      Float32Array,
      [number, number],
      boolean,
      boolean,
    ][] = [
      [v, [100, 784], W, [784, 50], false, false],
      [v, [100, 784], h, [100, 50], true, false],
      [h, [100, 50], W, [784, 50], false, true],
      [W, [784, 50], v, [100, 784], true, true],
    ];
    for (const [a, sa, bb, sb, ta, tb] of cases) {
      const run = (o: Ops) =>
        o.tidy(() =>
          o.read(o.matmul(o.tensor(a, sa), o.tensor(bb, sb), { transposeA: ta, transposeB: tb })),
        ) as unknown as Float32Array;
      expectClose(run(wasm), run(ref), 1e-4, 1e-4);
    }
  });
});

describe.each(['cpu', 'wasm'] as const)('tfjs-%s housekeeping', (flavor) => {
  it('frees every intermediate: each op leaves only its result', async () => {
    const backend = await createTfjsBackend({ flavor });
    const a = backend.fromArray(Float32Array.from([1, -2, 3, 4, -5, 6]), [2, 3]);
    const row = backend.fromArray(Float32Array.from([1, 2, 3]), [1, 3]);
    const w = backend.fromArray(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    const bias = backend.fromArray(Float32Array.from([0.5, -0.5]), [1, 2]);
    const ops: (() => TfjsHandle)[] = [
      () => backend.matmul(a, w, false, false),
      () => backend.matmul(a, a, true, false),
      () => backend.matmul(a, a, false, true),
      () => backend.linear(a, w, bias, false, 'sigmoid'),
      () => backend.linear(a, a, null, true, 'none'),
      () => backend.binary('greater', a, row),
      () => backend.binary('equal', a, 3),
      () => backend.binary('add', a, 0.25),
      () => backend.reduce('logSumExp', a, null),
      () => backend.reduce('mean', a, 0),
      () => backend.argmax(a, 1),
      () => backend.softmax(a, 0),
      () => backend.softmax(a, 1),
      () => backend.cumsum(a, 0),
      () => backend.unary('logSigmoid', a),
      () => backend.clip(a, -1, 1),
      () => backend.slice(a, 0, 1, 1, 3),
      () => backend.concat([a, a], 1),
    ];
    for (const op of ops) {
      const before = tf.memory().numTensors;
      const result = op();
      // Comparisons and argmax too: float32 tensors, read as Float32Array.
      expect(result.dtype).toBe('float32');
      expect(backend.read(result)).toBeInstanceOf(Float32Array);
      expect(tf.memory().numTensors).toBe(before + 1);
      backend.dispose(result);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(Array.from(backend.read(backend.argmax(a, 1)))).toEqual([2, 2]);
    expect(Array.from(backend.read(backend.binary('greater', a, row)))).toEqual([0, 0, 0, 1, 0, 1]);
  });

  it('logSumExp follows the reference at ±Infinity', async () => {
    const backend = await createTfjsBackend({ flavor });
    const x = backend.fromArray(Float32Array.from([-Infinity, -Infinity, Infinity, 1]), [2, 2]);
    expect(Array.from(backend.read(backend.reduce('logSumExp', x, 1)))).toEqual([
      -Infinity,
      Infinity,
    ]);
  });

  it('read returns a copy; readAsync agrees', async () => {
    const backend = await createTfjsBackend({ flavor });
    const t = backend.fromArray(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    const r = backend.read(t);
    r[0] = 99;
    expect(Array.from(backend.read(t))).toEqual([1, 2, 3, 4]);
    expect(Array.from(await backend.readAsync!(t))).toEqual([1, 2, 3, 4]);
    backend.dispose(t);
  });

  it('close frees its tensors and refuses further ops with a named error', async () => {
    const backend: Backend<TfjsHandle> = await createTfjsBackend({ flavor });
    const before = tf.memory().numTensors;
    backend.fill([2, 2], 1);
    backend.fill([3, 3], 2);
    expect(tf.memory().numTensors).toBe(before + 2);
    await backend.close!();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => backend.fill([1, 1], 0)).toThrow(/\[tfjs-\w+\] this backend was closed/);
  });
});

describe('loading and errors', () => {
  it('finds the installed wasm binaries in Node', async () => {
    const dir = await nodeWasmDir();
    expect(dir).toMatch(/tfjs-backend-wasm[/\\]dist[/\\]$/);
  });

  it('a missing optional peer says exactly what to install', async () => {
    const hint = {
      backend: 'tfjs-node',
      pkg: '@deepbelief/surely-not-installed',
      install: 'npm install @deepbelief/surely-not-installed',
    };
    const error = await importPeer(hint).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toBe(
      '[deepbelief] [tfjs-node] Cannot import @deepbelief/surely-not-installed: ' +
        'install it with `npm install @deepbelief/surely-not-installed`',
    );
  });

  it('an installed peer that fails to load is told apart from a missing one', () => {
    const cause = Object.assign(
      new Error("Cannot find module '/x/lib/napi-v8/tfjs_binding.node'"),
      { code: 'MODULE_NOT_FOUND' },
    );
    const error = peerImportError(
      {
        backend: 'tfjs-node',
        pkg: '@tensorflow/tfjs-node',
        install: 'npm i',
        brokenAdvice: 'rebuild it',
      },
      cause,
    );
    expect(error.message).toBe(
      "[deepbelief] [tfjs-node] Cannot import @tensorflow/tfjs-node: it is installed but failed to load (Cannot find module '/x/lib/napi-v8/tfjs_binding.node'); rebuild it",
    );
    expect(error.cause).toBe(cause);
  });

  it('the tensorflow flavor loads tfjs-node or says what to install', async () => {
    const result = await createTfjsBackend({ flavor: 'tensorflow' }).catch((e: unknown) => e);
    if (result instanceof Error) {
      expect(result).toBeInstanceOf(BackendError);
      expect(result.message).toMatch(
        /^\[deepbelief\] \[tfjs-node\] Cannot import @tensorflow\/tfjs-node: /,
      );
      expect(result.message).toMatch(
        /install it with `npm install @tensorflow\/tfjs-node`|npm rebuild @tensorflow\/tfjs-node/,
      );
    } else {
      expect((result as Backend).name).toBe('tfjs-node');
    }
  });

  it('webgl outside a browser and unknown flavors fail with named errors', async () => {
    await expect(createTfjsBackend({ flavor: 'webgl' })).rejects.toThrow(
      /\[deepbelief\] \[tfjs-webgl\] WebGL needs a browser page/,
    );
    await expect(createTfjsBackend({ flavor: 'gpu' as 'cpu' })).rejects.toThrow(
      /unknown flavor 'gpu' \(use 'cpu', 'wasm', 'webgl', 'tensorflow'\)/,
    );
  });
});

describe('registration', () => {
  it('registers the four flavors in priority order above js', async () => {
    const registry = new BackendRegistry();
    registry.register({ name: 'js', factory: createJsBackend, priority: 1 });
    expect(registerTfjsBackends(registry)).toEqual([
      'tfjs-node',
      'tfjs-wasm',
      'tfjs-webgl',
      'tfjs-cpu',
    ]);
    expect(registry.names()).toEqual(['tfjs-node', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-cpu', 'js']);
    expect(registry.list().map((e) => e.priority)).toEqual([30, 20, 15, 5, 1]);
    expect(TFJS_PRIORITIES).toEqual({
      'tfjs-node': 30,
      'tfjs-wasm': 20,
      'tfjs-webgl': 15,
      'tfjs-cpu': 5,
    });
  });

  it('best() falls through to the first flavor that starts, keeping the reasons', async () => {
    const registry = new BackendRegistry();
    registerTfjsBackends(registry);
    const nodeWorks = await createTfjsBackend({ flavor: 'tensorflow' }).then(
      () => true,
      () => false,
    );
    const ops = await registry.best();
    if (nodeWorks) {
      expect(ops.name).toBe('tfjs-node');
    } else {
      expect(ops.name).toBe('tfjs-wasm');
      expect(registry.lastFailures.map((f) => f.name)).toEqual(['tfjs-node']);
      expect(registry.lastFailures[0]!.reason).toMatch(/Cannot import @tensorflow\/tfjs-node/);
    }
    expect(ops.toRows(ops.matmul(ops.tensor([[1, 2]]), ops.tensor([[3], [4]])))).toEqual([[11]]);
  });

  it('the ./register entry registers with the shared registry on import', async () => {
    const { backendRegistry } = await import('@deepbelief/core');
    await import('./register.js');
    for (const name of ['tfjs-node', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-cpu'])
      expect(backendRegistry.has(name)).toBe(true);
  });
});
