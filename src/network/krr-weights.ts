// KRR weights β(x) = (K + λ̃I)⁻¹ k(X, x) for a kernel given as one dense
// matrix over the training rows followed by the query rows; in JavaScript
// (float64), for the network's empirical kernel (docs/spec.md §12.3). The
// sizes are those of a validation run (n in the hundreds to a few thousand),
// so a plain Cholesky factorisation is enough.
import { FlipcertError } from '../errors.js';

/**
 * `kernel`: (n + q) × (n + q) row-major, training rows first. Returns the
 * q × n weights, row r for query row n + r, with λ̃ = reg·trace(K_XX)/n.
 */
export function krrWeights(kernel: Float64Array, n: number, q: number, reg: number): Float64Array {
  const N = n + q;
  const factor = new Float64Array(n * n);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += kernel[i * N + i];
  const lambda = (reg * trace) / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) factor[i * n + j] = kernel[i * N + j] + (i === j ? lambda : 0);
  }
  cholesky(factor, n);
  const beta = new Float64Array(q * n);
  for (let r = 0; r < q; r++) {
    const row = beta.subarray(r * n, (r + 1) * n);
    for (let j = 0; j < n; j++) row[j] = kernel[(n + r) * N + j];
    solveInPlace(factor, n, row);
  }
  return beta;
}

/** In-place lower Cholesky factor of the lower triangle of `a` (n × n). */
function cholesky(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j];
    for (let k = 0; k < j; k++) diag -= a[j * n + k] ** 2;
    if (!(diag > 0)) {
      throw new FlipcertError(`the network's empirical kernel plus its ridge is not positive definite (pivot ${j}); raise options.reg`, 'ENUMERIC', {
        field: 'reg',
      });
    }
    const pivot = Math.sqrt(diag);
    a[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / pivot;
    }
  }
}

/** Solves L Lᵀ z = b in place (b overwritten by z). */
function solveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}
