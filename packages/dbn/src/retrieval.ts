import { DeepBeliefError, type Ops, type SeededRandom, type Tensor } from '@deepbelief/core';

/** Recall levels of the semantic-hashing papers' precision–recall curves. */
export const RECALL_LEVELS: readonly number[] = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1,
];

/** A precision–recall curve: `precision[i]` at `recall[i]`, averaged over the queries. */
export interface PrecisionRecall {
  readonly recall: readonly number[];
  readonly precision: readonly number[];
  /** Queries that had at least one relevant item (the others are left out of the average). */
  readonly queries: number;
}

/**
 * Retrieval quality against class labels, as in Salakhutdinov & Hinton's document-retrieval
 * experiments: every query ranks all items by `distances(query)` (smaller is closer; ties in
 * item order), an item is relevant when its label is the query's, and the precision at
 * recall r is that of the shortest prefix of the ranking whose recall reaches r. The curve
 * is the average over the queries.
 */
export function precisionAtRecall(
  distances: (query: number) => ArrayLike<number>,
  queryLabels: ArrayLike<number>,
  itemLabels: ArrayLike<number>,
  recallLevels: readonly number[] = RECALL_LEVELS,
): PrecisionRecall {
  for (const r of recallLevels)
    if (!(r > 0 && r <= 1))
      throw new DeepBeliefError(`precisionAtRecall: recall levels must lie in (0, 1], got ${r}`);
  const n = itemLabels.length;
  const sums = new Float64Array(recallLevels.length);
  let counted = 0;
  const order = new Uint32Array(n);
  for (let q = 0; q < queryLabels.length; q++) {
    const d = distances(q);
    if (d.length !== n)
      throw new DeepBeliefError(
        `precisionAtRecall: query ${q} has ${d.length} distances for ${n} items`,
      );
    const label = queryLabels[q]!;
    let relevant = 0;
    for (let i = 0; i < n; i++) if (itemLabels[i] === label) relevant++;
    if (relevant === 0) continue;
    counted++;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => d[a]! - d[b]! || a - b);
    let level = 0;
    let hits = 0;
    for (let k = 0; k < n && level < recallLevels.length; k++) {
      if (itemLabels[order[k]!] === label) hits++;
      while (level < recallLevels.length && hits / relevant >= recallLevels[level]! - 1e-12) {
        sums[level]! += hits / (k + 1);
        level++;
      }
    }
  }
  if (counted === 0) throw new DeepBeliefError('precisionAtRecall: no query has a relevant item');
  return {
    recall: [...recallLevels],
    precision: Array.from(sums, (s) => s / counted),
    queries: counted,
  };
}

/**
 * Random-hyperplane locality-sensitive hashing (Charikar 2002), the baseline a user would
 * otherwise pick: bit b of a row's code is 1 when the row lies on the positive side of the
 * b-th random Gaussian hyperplane through the origin, so the Hamming distance between two
 * codes estimates the angle between the rows (use TF-IDF rows for documents). The
 * hyperplanes are drawn from `rng`; returns the codes row-major, `rows × bits` 0/1 values,
 * and the hyperplanes (`[cols, bits]`, kept; dispose them); pass them back as `given` to code
 * queries the same way.
 */
export function randomHyperplaneCodes(
  ops: Ops,
  x: Tensor,
  bits: number,
  rng: SeededRandom,
  given?: Tensor,
): { codes: Float32Array; hyperplanes: Tensor } {
  if (!Number.isInteger(bits) || bits < 1)
    throw new DeepBeliefError(
      `randomHyperplaneCodes: bits must be a positive integer, got ${bits}`,
    );
  const hyperplanes = given ?? ops.keep(ops.randomNormal([x.cols, bits], rng, 0, 1));
  if (hyperplanes.rows !== x.cols || hyperplanes.cols !== bits)
    throw new DeepBeliefError(
      `randomHyperplaneCodes: hyperplanes are [${hyperplanes.shape.join(', ')}], expected [${x.cols}, ${bits}]`,
    );
  const projected = ops.tidy(() => ops.read(ops.matmul(x, hyperplanes)));
  const codes = new Float32Array(projected.length);
  for (let i = 0; i < codes.length; i++) codes[i] = projected[i]! > 0 ? 1 : 0;
  return { codes, hyperplanes };
}
