// Triangular solves against a lower Cholesky factor L (row-major n×n), applied
// to many right-hand sides at once: B is m×n and each row is one right-hand
// side. Both solves are blocked by NB columns; all but the small diagonal-block
// solves run in the tiled product of gemm.ts. With cholesky.ts's factor they
// give the KRR weights β = (K + λ̃I)⁻¹ k of docs/spec.md §3.

import { dotSlice, gemmNTBlocked, mirrorLower } from './gemm';

/** Column block width of the blocked triangular algorithms. */
export const NB: i32 = 128;

/**
 * For `rows` rows b_r of B (stride ldb elements, pointer at column 0 of the
 * block): b_r ← b_r·L⁻ᵀ for the jb×jb lower block at l (stride ldl), i.e. solve
 * L y = b_r by forward substitution. Reads only the lower triangle of the block.
 */
export function solveRowsLowerT(l: usize, ldl: i32, b: usize, ldb: i32, rows: i32, jb: i32): void {
  const sl = <usize>ldl << 3, sb = <usize>ldb << 3;
  for (let r = 0; r < rows; r++) {
    const row = b + <usize>r * sb;
    for (let j = 0; j < jb; j++) {
      const lj = l + <usize>j * sl;
      const at = row + (<usize>j << 3);
      store<f64>(at, (load<f64>(at) - dotSlice(row, lj, j)) / load<f64>(lj + (<usize>j << 3)));
    }
  }
}

/**
 * For `rows` rows b_r: b_r ← b_r·U⁻¹ for the jb×jb upper block at u (U = Lᵀ
 * stored in the upper triangle), i.e. solve Lᵀ x = b_r by back substitution.
 */
function solveRowsUpper(u: usize, ldu: i32, b: usize, ldb: i32, rows: i32, jb: i32): void {
  const su = <usize>ldu << 3, sb = <usize>ldb << 3;
  for (let r = 0; r < rows; r++) {
    const row = b + <usize>r * sb;
    for (let j = jb - 1; j >= 0; j--) {
      const at = row + (<usize>j << 3);
      const diag = u + <usize>j * su + (<usize>j << 3);
      store<f64>(at, (load<f64>(at) - dotSlice(diag + 8, at + 8, jb - 1 - j)) / load<f64>(diag));
    }
  }
}

/**
 * B ← B·L⁻ᵀ for B m×n: each row b becomes y with L y = b. Left-looking: block
 * J first subtracts the contribution of the solved columns before it.
 */
export function trsmRightLowerT(l: usize, b: usize, n: i32, m: i32): void {
  const s = <usize>n << 3;
  for (let J = 0; J < n; J += NB) {
    const jb = min(NB, n - J);
    const col = <usize>J << 3;
    if (J > 0) gemmNTBlocked(b, n, l + <usize>J * s, n, b + col, n, m, jb, J, -1.0, false);
    solveRowsLowerT(l + <usize>J * s + col, n, b + col, n, m, jb);
  }
}

/**
 * B ← B·L⁻¹ for B m×n: each row y becomes x with Lᵀ x = y. The strict upper
 * triangle of l is overwritten with Lᵀ first (it is this routine's scratch), so
 * that the columns of L it needs are contiguous rows.
 */
export function trsmRightLower(l: usize, b: usize, n: i32, m: i32): void {
  if (n <= 0) return;
  mirrorLower(l, n);
  trsmRightUpper(l, b, n, m);
}

/**
 * The back substitution of {@link trsmRightLower} for a factor whose strict
 * upper triangle already holds Lᵀ (after mirrorLower); it reads l only.
 */
function trsmRightUpper(l: usize, b: usize, n: i32, m: i32): void {
  if (n <= 0) return;
  const s = <usize>n << 3;
  for (let J = ((n - 1) / NB) * NB; J >= 0; J -= NB) {
    const jb = min(NB, n - J);
    const rest = n - J - jb;
    const col = <usize>J << 3;
    const after = <usize>(J + jb) << 3;
    if (rest > 0) gemmNTBlocked(b + after, n, l + <usize>J * s + after, n, b + col, n, m, jb, rest, -1.0, false);
    solveRowsUpper(l + <usize>J * s + col, n, b + col, n, m, jb);
  }
}
