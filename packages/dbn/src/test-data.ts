import { SeededRandom } from '@deepbelief/core';

/** Four 4×4 binary prototypes (two bars, a diagonal band, a frame) with bits flipped at rate `noise`. */
export const PROTOTYPES = [
  [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
  [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0],
  [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1],
  [1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1],
];

export function noisyPrototypes(rows: number, noise: number, seed: number) {
  const rng = new SeededRandom(seed);
  const data = new Float32Array(rows * 16);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const y = r % 4;
    labels[r] = y;
    for (let j = 0; j < 16; j++)
      data[r * 16 + j] = rng.uniform() < noise ? 1 - PROTOTYPES[y]![j]! : PROTOTYPES[y]![j]!;
  }
  return { data, labels, rows, cols: 16 };
}

/** Nearest prototype (Hamming distance) of a row of probabilities. */
export function nearestPrototype(row: ArrayLike<number>): number {
  let best = 0;
  let bestD = Infinity;
  PROTOTYPES.forEach((p, y) => {
    let d = 0;
    for (let j = 0; j < 16; j++) d += Math.abs(p[j]! - row[j]!);
    if (d < bestD) {
      bestD = d;
      best = y;
    }
  });
  return best;
}

/** A bump of width ~2 at a random position on a ring of `n` pixels: a 1-D manifold in n dimensions. */
export function ringBumps(rows: number, n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const data = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const centre = rng.uniform() * n;
    for (let j = 0; j < n; j++) {
      const d = Math.min(Math.abs(j - centre), n - Math.abs(j - centre));
      data[r * n + j] = Math.exp(-(d * d) / 2);
    }
  }
  return { data, rows, cols: n };
}
