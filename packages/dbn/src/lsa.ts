import { DeepBeliefError, type Ops, type SeededRandom, type Tensor } from '@deepbelief/core';

/** Latent semantic analysis fitted by {@link fitLSA}. */
export interface LSA {
  /** `[features, components]`: the top right singular vectors as columns (kept; dispose it). */
  readonly components: Tensor;
  /** Singular values, largest first. */
  readonly singularValues: readonly number[];
}

/** Orthonormalises the columns of `a` (`rows × cols`, row-major, float64) in place (Gram–Schmidt, twice). */
function orthonormalise(a: Float64Array, rows: number, cols: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < cols; j++) {
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < rows; i++) d += a[i * cols + j]! * a[i * cols + p]!;
        for (let i = 0; i < rows; i++) a[i * cols + j]! -= d * a[i * cols + p]!;
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += a[i * cols + j]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < rows; i++) a[i * cols + j]! /= norm;
    }
  }
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: eigenvalues
 * and eigenvectors (columns of `vectors`, `n × n` row-major).
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}

/**
 * Latent semantic analysis (Deerwester et al. 1990): the truncated SVD of a document–term
 * matrix `x` (`[documents, terms]`, usually TF-IDF rows), by randomised subspace iteration
 * on XᵀX (Halko, Martinsson & Tropp 2011) with `oversample` extra directions, then
 * Rayleigh–Ritz. The products run on the backend; the small orthonormalisations and the
 * final eigenproblem in float64 on the host. Documents are then compared in the space of
 * the top `components` directions ({@link projectLSA}).
 */
export function fitLSA(
  ops: Ops,
  x: Tensor,
  components: number,
  rng: SeededRandom,
  options: { iterations?: number; oversample?: number } = {},
): LSA {
  const d = x.cols;
  if (!Number.isInteger(components) || components < 1 || components > Math.min(d, x.rows))
    throw new DeepBeliefError(
      `fitLSA: components must be an integer in [1, ${Math.min(d, x.rows)}], got ${components}`,
    );
  const k = Math.min(d, components + (options.oversample ?? 10));
  const iterations = options.iterations ?? 8;
  const gram = ops.keep(ops.matmul(x, x, { transposeA: true })); // [d, d]
  try {
    const q = Float64Array.from(rng.normalArray(d * k));
    orthonormalise(q, d, k);
    for (let it = 0; it < iterations; it++) {
      const y = ops.tidy(() =>
        ops.read(ops.matmul(gram, ops.tensor(Float32Array.from(q), [d, k]))),
      );
      q.set(y);
      orthonormalise(q, d, k);
    }
    const qt = ops.keep(ops.tensor(Float32Array.from(q), [d, k]));
    const small = ops.tidy(() =>
      ops.read(ops.matmul(qt, ops.matmul(gram, qt), { transposeA: true })),
    );
    qt.dispose();
    const b = Float64Array.from(small);
    for (let i = 0; i < k; i++)
      for (let j = i + 1; j < k; j++)
        b[i * k + j] = b[j * k + i] = (b[i * k + j]! + b[j * k + i]!) / 2;
    const { values, vectors } = symmetricEigen(b, k);
    const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => values[j]! - values[i]!);
    const out = new Float32Array(d * components);
    for (let c = 0; c < components; c++) {
      const e = order[c]!;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let m = 0; m < k; m++) s += q[i * k + m]! * vectors[m * k + e]!;
        out[i * components + c] = s;
      }
    }
    return {
      components: ops.keep(ops.tensor(out, [d, components])),
      singularValues: order.slice(0, components).map((e) => Math.sqrt(Math.max(values[e]!, 0))),
    };
  } finally {
    gram.dispose();
  }
}

/** Documents in LSA space: `x · components`, `[documents, components]`. */
export function projectLSA(ops: Ops, lsa: LSA, x: Tensor): Tensor {
  return ops.matmul(x, lsa.components);
}

/**
 * Binary codes from real-valued features (`rows × cols`, row-major): bit j is 1 where
 * feature j exceeds its median over `reference` (default: the rows themselves), so every bit
 * splits the collection in half. The medians are returned to code queries the same way.
 */
export function medianThresholdCodes(
  features: Float32Array,
  cols: number,
  medians?: Float32Array,
): { codes: Float32Array; medians: Float32Array } {
  const rows = features.length / cols;
  const m =
    medians ??
    Float32Array.from({ length: cols }, (_, j) => {
      const column = Float32Array.from({ length: rows }, (_, r) => features[r * cols + j]!).sort();
      return rows % 2 ? column[(rows - 1) / 2]! : (column[rows / 2 - 1]! + column[rows / 2]!) / 2;
    });
  if (m.length !== cols)
    throw new DeepBeliefError(`medianThresholdCodes: ${m.length} medians for ${cols} features`);
  const codes = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) codes[i] = features[i]! > m[i % cols]! ? 1 : 0;
  return { codes, medians: m };
}

/**
 * Cosine distances 1 − cos(q, x) between every query row and every item row, computed on the
 * backend in blocks of queries: `[queries × items]` row-major. For {@link precisionAtRecall},
 * `distances(q)` is row q.
 */
export function cosineDistanceMatrix(ops: Ops, queries: Tensor, items: Tensor): Float32Array {
  if (queries.cols !== items.cols)
    throw new DeepBeliefError(
      `cosineDistanceMatrix: queries have ${queries.cols} features, items ${items.cols}`,
    );
  const out = new Float32Array(queries.rows * items.rows);
  const unit = (x: Tensor) => ops.div(x, ops.maximum(ops.sqrt(ops.sum(ops.square(x), 1)), 1e-12));
  const itemsUnit = ops.keep(unit(items));
  try {
    for (let s = 0; s < queries.rows; s += 500) {
      const e = Math.min(s + 500, queries.rows);
      const block = ops.tidy(() =>
        ops.read(
          ops.rsub(
            1,
            ops.matmul(unit(ops.sliceRows(queries, s, e)), itemsUnit, { transposeB: true }),
          ),
        ),
      );
      out.set(block, s * items.rows);
    }
  } finally {
    itemsUnit.dispose();
  }
  return out;
}
