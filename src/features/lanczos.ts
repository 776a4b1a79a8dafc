/**
 * The largest eigenpairs of a symmetric operator (docs/spec.md §13.3) by
 * restarted Lanczos with full reorthogonalisation (a Krylov–Schur scheme for
 * symmetric matrices). Each new vector A·v_j is orthogonalised against the two
 * newest basis vectors, then once against the whole basis (classical
 * Gram–Schmidt with the core's products: gemmNT for the coefficients, gemmNN
 * for the update); right after a start or restart, where A·v_j couples to every
 * kept vector, twice against the whole basis ("twice is enough"). The
 * coefficients are the projected matrix H = Vᵀ·A·V, so A·V = V·H + β·v·eᵀ holds
 * throughout. After each step the Ritz pairs (θ, s) of H give the residual
 * norms β·|s_last|; it stops when the `count` largest are all ≤ tolerance.
 * When the basis is full it restarts from the `keep` leading Ritz vectors and
 * the last Lanczos vector (their couplings β·s_last fill H's last row).
 * Start vector: seeded N(0, 1) numbers (src/network/random.ts), normalised.
 * Memory: (basis + 1 + keep) × n doubles in the core's heap.
 */
import { FlipcertError } from '../errors.js';
import { fillNormal } from '../network/random.js';
import type { Core } from '../wasm/core.js';
import type { StepCallback } from './knn.js';
import { fixSign, symmetricEigen, type Eigen } from './symmetric-eigen.js';

export interface LanczosOptions {
  seed: number;
  /** Basis vectors before a restart (at most n). */
  basis: number;
  /** Ritz vectors kept at a restart (count ≤ keep < basis). */
  keep: number;
  /** Operator applications allowed in all. */
  maxSteps: number;
  /** Residual norm ‖A·u − θ·u‖ each of the `count` Ritz pairs must reach. */
  tolerance: number;
  onStep?: StepCallback;
}

export interface LanczosResult {
  /** The `count` largest Ritz values, decreasing. */
  values: Float64Array;
  /** count × n: unit Ritz vectors, as rows, sign fixed (largest-magnitude entry positive). */
  vectors: Float64Array;
  /** Operator applications (Lanczos steps) in all. */
  iterations: number;
  /** Restarts. */
  restarts: number;
  /** ‖A·u − θ·u‖ of each pair, recomputed from the vectors. */
  residuals: Float64Array;
}

/** β below this (for an operator of norm ≤ 1) means the Krylov space is invariant: continue from a fresh vector. */
const BREAKDOWN = 1e-12;

/** The `count` largest eigenpairs of the n × n symmetric operator `apply` (y = A·x). */
export function lanczosLargest(
  core: Core, n: number, count: number, apply: (x: Float64Array, y: Float64Array) => void, options: LanczosOptions,
): LanczosResult {
  const m = Math.min(n, Math.max(options.basis, count + 1));
  const keep = Math.min(m - 1, Math.max(options.keep, count));
  const { heap, exports } = core;
  return heap.scoped(() => {
    const vPtr = heap.f64((m + 1) * n);
    const wPtr = heap.f64(n);
    const cPtr = heap.f64(m);
    const yPtr = heap.f64(Math.max(keep, count) * n);
    const sPtr = heap.f64(Math.max(keep, count) * m);
    const scratch = heap.f64(exports.packedScratchDoubles());
    const basis = heap.viewF64(vPtr, (m + 1) * n);
    const w = heap.viewF64(wPtr, n);
    const coef = heap.viewF64(cPtr, m);
    const ritz = { exports, vPtr, yPtr, sPtr, scratch, n, basis: heap.viewF64(yPtr, Math.max(keep, count) * n), s: heap.viewF64(sPtr, Math.max(keep, count) * m) };
    const h = new Float64Array(m * m);
    let fresh = 0;
    startVector(basis.subarray(0, n), options.seed);
    let size = 1;
    let restarts = 0;
    let restartedAt = 0; // the basis vector whose coefficients couple to every kept Ritz vector
    for (let step = 1; ; step++) {
      const j = size - 1;
      apply(basis.subarray(j * n, size * n), w);
      orthogonalize(exports, vPtr, wPtr, cPtr, scratch, coef, size, n, j > restartedAt, basis, w);
      for (let i = 0; i <= j; i++) h[i * m + j] = h[j * m + i] = coef[i];
      let beta = Math.sqrt(sumSquares(w));
      const next = basis.subarray(size * n, (size + 1) * n);
      if (beta <= BREAKDOWN) {
        // An invariant subspace: continue from a fresh vector orthogonal to it (H gets a zero coupling).
        beta = 0;
        if (size < n) {
          startVector(next, options.seed + ++fresh);
          w.set(next);
          orthogonalize(exports, vPtr, wPtr, cPtr, scratch, coef, size, n);
          const norm = Math.sqrt(sumSquares(w));
          for (let i = 0; i < n; i++) next[i] = w[i] / norm;
        }
      } else {
        for (let i = 0; i < n; i++) next[i] = w[i] / beta;
      }
      options.onStep?.('lanczos', step, options.maxSteps);
      if (size < count) {
        size++;
        continue;
      }
      const eigen = projectedEigen(h, m, size);
      const done = size === n || converged(eigen, size, count, beta, options.tolerance);
      if (done || step >= options.maxSteps) return ritzPairs(ritz, eigen, size, count, apply, step, restarts);
      if (size < m) {
        size++;
        continue;
      }
      restart(ritz, eigen, size, keep, beta, h, m);
      size = keep + 1;
      restartedAt = keep;
      restarts++;
    }
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
 * w ← w − V·(Vᵀw) over the first `rows` basis vectors; `coef` ends with the
 * summed coefficients. With `local`, the two newest vectors (where nearly all
 * of A·v_j lies when H is tridiagonal there) are removed first, one at a time,
 * and one pass over the whole basis follows; otherwise two whole passes
 * (after a restart, or for a fresh vector).
 */
function orthogonalize(
  exports: Core['exports'], vPtr: number, wPtr: number, cPtr: number, scratch: number, coef: Float64Array, rows: number, n: number,
  local = false, basis?: Float64Array, w?: Float64Array,
): void {
  const total = new Float64Array(rows);
  if (local && basis && w) {
    for (let r = rows - 1; r >= Math.max(0, rows - 2); r--) {
      const v = basis.subarray(r * n, (r + 1) * n);
      let c = 0;
      for (let i = 0; i < n; i++) c += v[i] * w[i];
      for (let i = 0; i < n; i++) w[i] -= c * v[i];
      total[r] += c;
    }
  }
  for (let pass = local ? 1 : 0; pass < 2; pass++) {
    coef.fill(0, 0, rows);
    exports.gemmNT(vPtr, n, wPtr, n, cPtr, 1, rows, 1, n, 1.0);
    for (let i = 0; i < rows; i++) total[i] += coef[i];
    exports.gemmNN(cPtr, rows, vPtr, n, wPtr, n, 1, n, rows, -1.0, scratch);
  }
  coef.set(total);
}

/** The eigenpairs of the leading size × size block of H (values decreasing, vectors as rows). */
function projectedEigen(h: Float64Array, m: number, size: number): Eigen {
  const block = new Float64Array(size * size);
  for (let i = 0; i < size; i++) block.set(h.subarray(i * m, i * m + size), i * size);
  return symmetricEigen(block, size);
}

/** Whether the `count` largest Ritz pairs have residual norms β·|s_last| ≤ tolerance. */
function converged(eigen: Eigen, size: number, count: number, beta: number, tolerance: number): boolean {
  for (let t = 0; t < count; t++) if (beta * Math.abs(eigen.vectors[t * size + size - 1]) > tolerance) return false;
  return true;
}

interface RitzSpace {
  exports: Core['exports'];
  vPtr: number;
  yPtr: number;
  sPtr: number;
  scratch: number;
  n: number;
  /** Heap views: the Ritz vectors (rows × n) and their coefficients (rows × size). */
  basis: Float64Array;
  s: Float64Array;
}

/** Rows 0..rows of Y = S·V (S: the leading `rows` eigenvectors of H, V: the first `size` basis vectors). */
function ritzVectors(space: RitzSpace, eigen: Eigen, size: number, rows: number): void {
  space.s.set(eigen.vectors.subarray(0, rows * size));
  space.basis.fill(0, 0, rows * space.n);
  space.exports.gemmNN(space.sPtr, size, space.vPtr, space.n, space.yPtr, space.n, rows, space.n, size, 1.0, space.scratch);
}

/**
 * Restarts from the `keep` leading Ritz vectors and the newest basis vector:
 * H becomes diag(θ) bordered by the couplings β·s_last.
 */
function restart(space: RitzSpace, eigen: Eigen, size: number, keep: number, beta: number, h: Float64Array, m: number): void {
  const n = space.n;
  ritzVectors(space, eigen, size, keep);
  const basis = new Float64Array(space.basis.buffer, space.vPtr, (m + 1) * n);
  basis.copyWithin(keep * n, size * n, (size + 1) * n);
  basis.set(space.basis.subarray(0, keep * n));
  h.fill(0);
  for (let i = 0; i < keep; i++) {
    h[i * m + i] = eigen.values[i];
    h[i * m + keep] = h[keep * m + i] = beta * eigen.vectors[i * size + size - 1];
  }
}

/** The `count` leading Ritz pairs, normalised and signed, with their residuals recomputed. */
function ritzPairs(
  space: RitzSpace, eigen: Eigen, size: number, count: number, apply: (x: Float64Array, y: Float64Array) => void,
  iterations: number, restarts: number,
): LanczosResult {
  const n = space.n;
  if (size < count) throw new FlipcertError(`spectral: the Lanczos iteration found only ${size} of ${count} eigenpairs`, 'ENUMERIC');
  ritzVectors(space, eigen, size, count);
  const vectors = space.basis.slice(0, count * n);
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
  return { values, vectors, iterations, restarts, residuals };
}
