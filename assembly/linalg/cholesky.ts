// Blocked lower Cholesky factorisation, left-looking by NB-column panels: each
// panel first receives the update from all columns left of it as one tiled
// product (the bulk of the n³/3 flops), then its diagonal block is factored
// and the rows below it are solved against that block. It factors K + λ̃I,
// through which the KRR weights of docs/spec.md §3 are solved.

import { dotSlice, gemmNTBlocked, zeroRows } from './gemm';
import { NB, solveRowsLowerT } from './trisolve';

/**
 * Unblocked row-oriented Cholesky of the jb×jb diagonal block starting at
 * (J, J); returns 0 or (pivot index + 1) when a pivot is not positive.
 * Exported for the multi-threaded factorisation (src/kernel/cholesky.ts),
 * which runs the same steps as {@link cholesky} with the panel update and
 * the solve below the diagonal block split by rows over threads.
 */
export function factorDiagonal(a: usize, n: i32, J: i32, jb: i32): i32 {
  const s = <usize>n << 3;
  const top = a + <usize>J * s + (<usize>J << 3);
  for (let i = 0; i < jb; i++) {
    const ri = top + <usize>i * s;
    for (let j = 0; j <= i; j++) {
      const rj = top + <usize>j * s;
      const v = load<f64>(ri + (<usize>j << 3)) - dotSlice(ri, rj, j);
      if (i == j) {
        // `!(v > 0)` also catches NaN.
        if (!(v > 0)) return J + j + 1;
        store<f64>(ri + (<usize>j << 3), Math.sqrt(v));
      } else {
        store<f64>(ri + (<usize>j << 3), v / load<f64>(rj + (<usize>j << 3)));
      }
    }
  }
  return 0;
}

/**
 * In-place lower Cholesky of the symmetric positive definite n×n matrix at a
 * (only the lower triangle is read). On success returns 0, leaves L in the
 * lower triangle and zeros the strict upper triangle. Returns j+1 when pivot j
 * is not positive (the matrix is then partly overwritten).
 */
export function cholesky(a: usize, n: i32): i32 {
  const s = <usize>n << 3;
  for (let J = 0; J < n; J += NB) {
    const jb = min(NB, n - J);
    const rowJ = a + <usize>J * s;
    const col = <usize>J << 3;
    if (J > 0) gemmNTBlocked(rowJ, n, rowJ, n, rowJ + col, n, n - J, jb, J, -1.0, false);
    const status = factorDiagonal(a, n, J, jb);
    if (status != 0) return status;
    const below = n - J - jb;
    if (below > 0) solveRowsLowerT(rowJ + col, n, rowJ + <usize>jb * s + col, n, below, jb);
  }
  for (let i = 0; i + 1 < n; i++) zeroRows(a + <usize>i * s + (<usize>(i + 1) << 3), n, 1, n - i - 1);
  return 0;
}

/** a[i][i] += value for the n×n matrix at a. */
export function addDiagonal(a: usize, n: i32, value: f64): void {
  const step = (<usize>n + 1) << 3;
  for (let i = 0; i < n; i++) {
    const at = a + <usize>i * step;
    store<f64>(at, load<f64>(at) + value);
  }
}

/** Σ_i a[i][i] for the n×n matrix at a, summed in index order. */
export function traceOf(a: usize, n: i32): f64 {
  const step = (<usize>n + 1) << 3;
  let t: f64 = 0;
  for (let i = 0; i < n; i++) t += load<f64>(a + <usize>i * step);
  return t;
}
