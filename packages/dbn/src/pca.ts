import { DeepBeliefError } from '@deepbelief/core';

/** A principal component analysis fitted by {@link fitPCA}. */
export interface PCA {
  /** `[features]` means. */
  readonly mean: Float64Array;
  /** `[components][features]`, orthonormal rows, largest variance first. */
  readonly components: Float64Array[];
  /** Variance along each component. */
  readonly variances: number[];
}

/**
 * PCA by power iteration with deflation on the covariance matrix (float64). Adequate for a
 * few dozen components of up to ~1,000 features, the baseline the deep autoencoder of
 * Hinton & Salakhutdinov (2006) is compared against.
 */
export function fitPCA(
  data: Float32Array,
  rows: number,
  cols: number,
  components: number,
  iterations = 200,
): PCA {
  if (components < 1 || components > cols)
    throw new DeepBeliefError(`fitPCA: components must be in [1, ${cols}], got ${components}`);
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++) mean[j]! += data[r * cols + j]! / rows;
  const cov = new Float64Array(cols * cols);
  const centred = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) centred[j] = data[r * cols + j]! - mean[j]!;
    for (let i = 0; i < cols; i++) {
      const ci = centred[i]!;
      if (ci === 0) continue;
      for (let j = i; j < cols; j++) cov[i * cols + j]! += ci * centred[j]!;
    }
  }
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      cov[i * cols + j]! /= rows;
      cov[j * cols + i] = cov[i * cols + j]!;
    }
  }
  const comps: Float64Array[] = [];
  const variances: number[] = [];
  for (let c = 0; c < components; c++) {
    let v = new Float64Array(cols).map((_, i) => Math.sin(i + 1 + c * 7.1)); // deterministic start
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = new Float64Array(cols);
      for (let i = 0; i < cols; i++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += cov[i * cols + j]! * v[j]!;
        w[i] = s;
      }
      for (const prev of comps) {
        let d = 0;
        for (let i = 0; i < cols; i++) d += w[i]! * prev[i]!;
        for (let i = 0; i < cols; i++) w[i]! -= d * prev[i]!;
      }
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      lambda = norm;
      v = w.map((x) => x / norm);
    }
    comps.push(v);
    variances.push(lambda);
  }
  return { mean, components: comps, variances };
}

/** Projects rows onto the components and back: the PCA reconstruction. */
export function pcaReconstruct(
  pca: PCA,
  data: Float32Array,
  rows: number,
  cols: number,
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const x = new Float64Array(cols);
    for (let j = 0; j < cols; j++) x[j] = data[r * cols + j]! - pca.mean[j]!;
    const rec = Float64Array.from(pca.mean);
    for (const comp of pca.components) {
      let d = 0;
      for (let j = 0; j < cols; j++) d += x[j]! * comp[j]!;
      for (let j = 0; j < cols; j++) rec[j]! += d * comp[j]!;
    }
    out.set(rec, r * cols);
  }
  return out;
}
