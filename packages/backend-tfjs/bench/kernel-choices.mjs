/**
 * The measurements behind the adapter's per-flavor kernel choices (KERNEL_POLICIES):
 * tfjs matMul with transpose flags against an explicit tf.transpose, and tf.fused.matMul
 * against matMul + add + sigmoid, on the RBM shapes (batch 100, 784 visible, 500 hidden).
 *
 * Run from packages/backend-tfjs: `node bench/kernel-choices.mjs wasm` (or `cpu`).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';

const flavor = process.argv[2] ?? 'wasm';
const require = createRequire(import.meta.url);
wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
if (!(await tf.setBackend(flavor))) throw new Error(`tfjs backend ${flavor} did not start`);

const reps = flavor === 'cpu' ? 7 : 30;
const flops = 2 * 100 * 784 * 500;
/** Median ms of `fn` (result read back, intermediates freed; the result is read outside tidy). */
function bench(label, fn) {
  const once = () => {
    const t0 = performance.now();
    const r = tf.tidy(fn);
    r.dataSync();
    r.dispose();
    return performance.now() - t0;
  };
  once();
  once();
  const times = Array.from({ length: reps }, once).sort((a, b) => a - b);
  const ms = times[times.length >> 1];
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(2).padStart(8)} ms ${(flops / ms / 1e6).toFixed(2).padStart(6)} GFLOP/s`,
  );
}

const v = tf.randomUniform([100, 784]);
const W = tf.randomNormal([784, 500]);
const h = tf.randomUniform([100, 500]);
const b = tf.randomNormal([1, 500]);
const bv = tf.randomNormal([1, 784]);
console.log(`tfjs ${flavor}, median of ${reps}`);
bench('forward v·W', () => tf.matMul(v, W));
bench('gradient vᵀ·h, transposeA flag', () => tf.matMul(v, h, true, false));
bench('gradient vᵀ·h, explicit transpose', () => tf.matMul(tf.transpose(v), h));
bench('reconstruction h·Wᵀ, transposeB flag', () => tf.matMul(h, W, false, true));
bench('reconstruction h·Wᵀ, explicit transpose', () => tf.matMul(h, tf.transpose(W)));
if (flavor !== 'wasm') {
  // The wasm fused kernel wants a rank-1 bias buffer, which these [1, n] biases are not.
  bench('linear σ(v·W + b), fused', () =>
    tf.fused.matMul({ a: v, b: W, bias: b, activation: 'sigmoid' }),
  );
  bench('linear σ(h·Wᵀ + b), fused, transposeB flag', () =>
    tf.fused.matMul({ a: h, b: W, transposeB: true, bias: bv, activation: 'sigmoid' }),
  );
} else {
  const b1 = tf.randomNormal([500]);
  bench('linear σ(v·W + b), fused (rank-1 bias)', () =>
    tf.fused.matMul({ a: v, b: W, bias: b1, activation: 'sigmoid' }),
  );
}
bench('linear σ(v·W + b), matMul + add + sigmoid', () => tf.sigmoid(tf.add(tf.matMul(v, W), b)));
bench('linear σ(h·Wᵀ + b), unfused, explicit transpose', () =>
  tf.sigmoid(tf.add(tf.matMul(h, tf.transpose(W)), bv)),
);
