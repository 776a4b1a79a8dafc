/**
 * The `pca` stage (docs/spec.md §13.2): z-score every feature with the
 * training rows' mean and standard deviation, project on the leading
 * eigenvectors of the z-scored training rows' covariance, and with
 * whiten=true divide by the square roots of their eigenvalues. Labels are
 * never read; a row's output depends only on the fit and that row.
 */
import { FlipcertError } from '../errors.js';
import type { PcaStage } from '../represent/spec.js';
import type { Core } from '../wasm/core.js';
import { BLOCK_ROWS, checkRows } from './rows.js';
import { symmetricEigen } from './symmetric-eigen.js';

/** A standard deviation at most this times max(1, |mean|) counts as zero: the feature keeps scale 1. */
export const STD_FLOOR = 1e-12;
/** Whitening divides by √max(λ_k, EIGEN_FLOOR·λ₁). */
export const EIGEN_FLOOR = 1e-12;

export interface PcaFit {
  /** Input features. */
  d: number;
  /** Output dimensions: min(stage.dims, d). */
  dims: number;
  whiten: boolean;
  mean: Float64Array;
  /** The standard deviation of each feature, or 1 where it is below the floor. */
  scale: Float64Array;
  /** The covariance's leading eigenvalues, decreasing (dims of them). */
  values: Float64Array;
  /** dims × d row-major: row k is the unit eigenvector of values[k]. */
  components: Float64Array;
  /** What output k is divided by: √max(λ_k, EIGEN_FLOOR·λ₁) when whitening (0 when λ₁ = 0), else 1. */
  divisor: Float64Array;
}

/** Fits the stage on the n × d training rows `train` (row-major). */
export function fitPca(core: Core, train: Float64Array, n: number, d: number, stage: PcaStage): PcaFit {
  checkRows(train, n, d, 'train.x');
  if (n < 2) throw new FlipcertError(`pca needs at least 2 training rows, got ${n}`, 'EINPUT', { field: 'train.x' });
  const { mean, scale } = standardize(train, n, d);
  const covariance = zCovariance(core, train, n, d, mean, scale);
  const eigen = symmetricEigen(covariance, d);
  const dims = Math.min(stage.dims, d);
  const values = eigen.values.slice(0, dims);
  const divisor = new Float64Array(dims).fill(1);
  if (stage.whiten) {
    const floor = EIGEN_FLOOR * eigen.values[0];
    for (let k = 0; k < dims; k++) divisor[k] = eigen.values[0] > 0 ? Math.sqrt(Math.max(values[k], floor)) : 0;
  }
  return { d, dims, whiten: stage.whiten, mean, scale, values, components: eigen.vectors.slice(0, dims * d), divisor };
}

/** Per-feature mean and (population, two-pass) standard deviation, summed over the rows in order. */
function standardize(x: Float64Array, n: number, d: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = x[i * d + j] - mean[j];
      sq[j] += t * t;
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const std = Math.sqrt(sq[j] / n);
    scale[j] = std > STD_FLOOR * Math.max(1, Math.abs(mean[j])) ? std : 1;
  }
  return { mean, scale };
}

/** Writes rows r0..r0+rows of (x − mean) / scale into `out`. */
function zRows(x: Float64Array, d: number, r0: number, rows: number, mean: Float64Array, scale: Float64Array, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const from = (r0 + i) * d;
    for (let j = 0; j < d; j++) out[i * d + j] = (x[from + j] - mean[j]) / scale[j];
  }
}

/**
 * C = ZᵀZ / n for the z-scored rows Z, block by block of BLOCK_ROWS rows in
 * order: each block, transposed (d × rows), goes through the core's gramSym
 * (the lower triangle only, mirrored, so exactly symmetric), and the block
 * Gram matrices are added up in block order.
 */
function zCovariance(core: Core, x: Float64Array, n: number, d: number, mean: Float64Array, scale: Float64Array): Float64Array {
  const { heap, exports } = core;
  return heap.scoped(() => {
    const block = Math.min(BLOCK_ROWS, n);
    const gPtr = heap.f64(d * d);
    const zPtr = heap.f64(block * d);
    const g = heap.viewF64(gPtr, d * d);
    const zt = heap.viewF64(zPtr, block * d);
    const z = new Float64Array(block * d);
    const c = new Float64Array(d * d);
    for (let r0 = 0; r0 < n; r0 += block) {
      const rows = Math.min(block, n - r0);
      zRows(x, d, r0, rows, mean, scale, z);
      for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) zt[j * rows + i] = z[i * d + j];
      exports.gramSym(zPtr, gPtr, d, rows);
      for (let e = 0; e < d * d; e++) c[e] += g[e];
    }
    for (let e = 0; e < d * d; e++) c[e] /= n;
    return c;
  });
}

/** The m × dims outputs of the m × d rows `rows` (row-major), block by block with the core's A·Bᵀ product. */
export function applyPca(core: Core, fit: PcaFit, rows: Float64Array, m: number): Float64Array {
  const { d, dims } = fit;
  checkRows(rows, m, d, 'rows');
  const out = new Float64Array(m * dims);
  if (m === 0) return out;
  const { heap, exports } = core;
  heap.scoped(() => {
    const block = Math.min(BLOCK_ROWS, m);
    const vPtr = heap.putF64(fit.components);
    const zPtr = heap.f64(block * d);
    const yPtr = heap.f64(block * dims);
    const z = heap.viewF64(zPtr, block * d);
    const y = heap.viewF64(yPtr, block * dims);
    for (let r0 = 0; r0 < m; r0 += block) {
      const count = Math.min(block, m - r0);
      zRows(rows, d, r0, count, fit.mean, fit.scale, z);
      exports.gramDot(zPtr, vPtr, yPtr, count, dims, d);
      for (let i = 0; i < count; i++) {
        for (let k = 0; k < dims; k++) {
          const divisor = fit.divisor[k];
          out[(r0 + i) * dims + k] = divisor === 0 ? 0 : y[i * dims + k] / divisor;
        }
      }
    }
  });
  return out;
}
