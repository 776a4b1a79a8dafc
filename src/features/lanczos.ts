/**
 * The largest eigenpairs of a symmetric operator (docs/spec.md §13.3) by
 * Lanczos with full reorthogonalisation: every new vector is orthogonalised
 * twice against the whole basis (classical Gram–Schmidt, "twice is enough"),
 * with the core's products (gemmNT for the coefficients, gemmNN for the
 * update). Start vector: seeded N(0, 1) numbers (src/network/random.ts),
 * normalised. After each step j ≥ count the Ritz values of the tridiagonal
 * T_j and the last components s_j of its eigenvectors give the residual norms
 * β_j·|s_j|; it stops when the `count` largest are all ≤ tolerance, or at
 * maxIterations basis vectors. Memory: the basis, maxIterations × n doubles
 * in the core's heap.
 */
import { FlipcertError } from '../errors.js';
import { fillNormal } from '../network/random.js';
import type { Core } from '../wasm/core.js';
import type { StepCallback } from './knn.js';
import { decreasingOrder, fixSign, sortedEigen, tridiagonalQr } from './symmetric-eigen.js';

export interface LanczosOptions {
  seed: number;
  maxIterations: number;
  /** Residual norm ‖A·u − θ·u‖ each of the `count` Ritz pairs must reach. */
  tolerance: number;
  onStep?: StepCallback;
}

export interface LanczosResult {
  /** The `count` largest Ritz values, decreasing. */
  values: Float64Array;
  /** count × n: unit Ritz vectors, as rows, sign fixed (largest-magnitude entry positive). */
  vectors: Float64Array;
  /** Basis vectors built. */
  iterations: number;
  /** ‖A·u − θ·u‖ of each pair, recomputed from the vectors. */
  residuals: Float64Array;
}

/** β below this (for an operator of norm ≤ 1) means the Krylov space is invariant: restart from a fresh vector. */
const BREAKDOWN = 1e-12;

/** The `count` largest eigenpairs of the n × n symmetric operator `apply` (y = A·x). */
export function lanczosLargest(
  core: Core, n: number, count: number, apply: (x: Float64Array, y: Float64Array) => void, options: LanczosOptions,
): LanczosResult {
  const maxIt = Math.min(n, Math.max(options.maxIterations, count));
  const { heap, exports } = core;
  return heap.scoped(() => {
    const vPtr = heap.f64(maxIt * n);
    const wPtr = heap.f64(n);
    const cPtr = heap.f64(maxIt);
    const scratch = heap.f64(exports.packedScratchDoubles());
    const basis = heap.viewF64(vPtr, maxIt * n);
    const w = heap.viewF64(wPtr, n);
    const coef = heap.viewF64(cPtr, maxIt);
    const alpha = new Float64Array(maxIt);
    const beta = new Float64Array(maxIt);
    let restarts = 0;
    startVector(basis.subarray(0, n), options.seed);
    let m = 0;
    for (let j = 0; j < maxIt; j++) {
      apply(basis.subarray(j * n, (j + 1) * n), w);
      alpha[j] = orthogonalize(exports, vPtr, wPtr, cPtr, scratch, coef, j + 1, n, j);
      const b = Math.sqrt(sumSquares(w));
      beta[j] = b;
      m = j + 1;
      options.onStep?.('lanczos', m, maxIt);
      if (m >= count && converged(alpha, beta, m, count, options.tolerance)) break;
      if (m === maxIt) break;
      const next = basis.subarray(m * n, (m + 1) * n);
      if (b <= BREAKDOWN) {
        // An invariant subspace: continue from a fresh vector orthogonal to it (T gets a zero off-diagonal).
        beta[j] = 0;
        startVector(next, options.seed + ++restarts);
        w.set(next);
        orthogonalize(exports, vPtr, wPtr, cPtr, scratch, coef, m, n, -1);
        const norm = Math.sqrt(sumSquares(w));
        for (let i = 0; i < n; i++) next[i] = w[i] / norm;
      } else {
        for (let i = 0; i < n; i++) next[i] = w[i] / b;
      }
    }
    if (m < count) throw new FlipcertError(`spectral: the Lanczos iteration found only ${m} of ${count} eigenpairs`, 'ENUMERIC');
    return ritzPairs(core, vPtr, scratch, alpha, beta, m, n, count, apply);
  });
}

function startVector(v: Float64Array, seed: number): void {
  fillNormal(v, seed);
  const norm = Math.sqrt(sumSquares(v));
  for (let i = 0; i < v.length; i++) v[i] /= norm;
}

function sumSquares(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
}

/**
 * w ← w − V·(Vᵀw) twice over the first `rows` basis vectors; returns the
 * summed coefficient of basis vector `diagonal` (T's diagonal entry).
 */
function orthogonalize(
  exports: Core['exports'], vPtr: number, wPtr: number, cPtr: number, scratch: number, coef: Float64Array,
  rows: number, n: number, diagonal: number,
): number {
  let total = 0;
  for (let pass = 0; pass < 2; pass++) {
    coef.fill(0, 0, rows);
    exports.gemmNT(vPtr, n, wPtr, n, cPtr, 1, rows, 1, n, 1.0);
    if (diagonal >= 0) total += coef[diagonal];
    exports.gemmNN(cPtr, rows, vPtr, n, wPtr, n, 1, n, rows, -1.0, scratch);
  }
  return total;
}

/** Whether the `count` largest Ritz values of T_m have residual bounds β_{m−1}·|s_{m−1}| ≤ tolerance. */
function converged(alpha: Float64Array, beta: Float64Array, m: number, count: number, tolerance: number): boolean {
  const diag = alpha.slice(0, m);
  const off = beta.slice(0, m - 1);
  const last = new Float64Array(m);
  last[m - 1] = 1; // column m−1 of the identity: the rotations leave the eigenvectors' last components here
  tridiagonalQr(diag, off, m, last, 1);
  const order = decreasingOrder(diag, m);
  for (let t = 0; t < count; t++) if (beta[m - 1] * Math.abs(last[order[t]]) > tolerance) return false;
  return true;
}

/** The Ritz pairs u = V·s of the `count` largest eigenpairs of T_m, with their residuals recomputed. */
function ritzPairs(
  core: Core, vPtr: number, scratch: number, alpha: Float64Array, beta: Float64Array, m: number, n: number, count: number,
  apply: (x: Float64Array, y: Float64Array) => void,
): LanczosResult {
  const diag = alpha.slice(0, m);
  const off = beta.slice(0, m - 1);
  const rows = new Float64Array(m * m);
  for (let i = 0; i < m; i++) rows[i * m + i] = 1;
  tridiagonalQr(diag, off, m, rows, m);
  const eigen = sortedEigen(diag, rows, m, m);
  const { heap, exports } = core;
  const sPtr = heap.putF64(eigen.vectors.subarray(0, count * m));
  const uPtr = heap.f64(count * n);
  const u = heap.viewF64(uPtr, count * n);
  u.fill(0);
  exports.gemmNN(sPtr, m, vPtr, n, uPtr, n, count, n, m, 1.0, scratch);
  const vectors = u.slice();
  const values = eigen.values.slice(0, count);
  const residuals = new Float64Array(count);
  const au = new Float64Array(n);
  for (let t = 0; t < count; t++) {
    const v = vectors.subarray(t * n, (t + 1) * n);
    const norm = Math.sqrt(sumSquares(v));
    for (let i = 0; i < n; i++) v[i] /= norm;
    fixSign(v);
    apply(v, au);
    let r = 0;
    for (let i = 0; i < n; i++) r += (au[i] - values[t] * v[i]) ** 2;
    residuals[t] = Math.sqrt(r);
  }
  return { values, vectors, iterations: m, residuals };
}
