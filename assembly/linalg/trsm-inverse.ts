// The two triangular solves of the KRR weights β = (K + λ̃I)⁻¹ k (docs/spec.md §3)
// with every flop in gemm.ts's tiled product, the Gram kernel. trisolve.ts
// already runs the off-diagonal updates there; what is left, each NB×NB
// diagonal block, it solves by substitution one right-hand side at a time, a
// chain of short dot products at a fraction of the product's speed. Here
// each diagonal block L_JJ is inverted once per factor (NB³/3 flops a block,
// invertDiagonalBlocks) and applied as a product with L_JJ⁻¹, so the solve of
// m right-hand sides is m·n² flops of tiled products. Same blocking and
// update order as trisolve.ts; only the diagonal step differs (its rounding
// too: the tests compare β and every certificate with the substitution).
//
// Memory (JavaScript owns it): the inverses live in the factor itself. The
// off-diagonal updates read only the blocks below (and, mirrored, above) the
// diagonal, so after invertDiagonalBlocks each diagonal block holds L_JJ⁻¹ in
// its lower triangle and (L_JJ⁻¹)ᵀ in its strict upper one, and no longer
// L_JJ. Each thread needs {@link solveScratchDoubles}: the zero-filled
// triangle it multiplies with, and DP rows of B multiplied out of place.

import { gemmNTBlocked, zeroRows } from './gemm';
import { NB, solveRowsLowerT } from './trisolve';

/** Rows of B per out-of-place diagonal product. */
export const DP: i32 = 64;

/** Doubles of one thread's scratch for {@link solveFactored}: an NB×NB triangle and DP×NB rows. */
export function solveScratchDoubles(): i32 {
  return NB * NB + DP * NB;
}

/**
 * In place, for the factor at l whose strict upper triangle holds Lᵀ: each
 * jb×jb diagonal block L_JJ becomes L_JJ⁻¹ on and below its diagonal and
 * (L_JJ⁻¹)ᵀ above it. `scratch` holds NB×NB doubles.
 */
export function invertDiagonalBlocks(l: usize, n: i32, scratch: usize): void {
  const s = <usize>n << 3;
  for (let J = 0; J < n; J += NB) {
    const jb = min(NB, n - J);
    const blk = l + <usize>J * s + (<usize>J << 3);
    zeroRows(scratch, NB, jb, jb);
    for (let r = 0; r < jb; r++) store<f64>(scratch + (<usize>(r * NB + r) << 3), 1.0);
    // Row r of the identity becomes L_JJ⁻¹e_r, the r-th column of L_JJ⁻¹: scratch[r][k] = (L_JJ⁻¹)[k][r].
    solveRowsLowerT(blk, n, scratch, NB, jb, jb);
    for (let r = 0; r < jb; r++) {
      for (let k = 0; k < jb; k++) {
        const v = k <= r ? load<f64>(scratch + (<usize>(k * NB + r) << 3)) : load<f64>(scratch + (<usize>(r * NB + k) << 3));
        store<f64>(blk + <usize>r * s + (<usize>k << 3), v);
      }
    }
  }
}

/** Columns of a diagonal block per product in applyDiagonal (even: see there). */
const DS: i32 = 32;

/**
 * The m rows of B (stride n, b at column J): b ← b·Mᵀ for M the lower
 * (`lower`) or upper triangle of the jb×jb diagonal block at blk, zeros
 * elsewhere, copied into scratch; DP rows at a time, out of place.
 *
 * Output columns DS at a time, each over only the part of the shared
 * dimension where its rows of M can be nonzero (lower: up to the columns'
 * end; upper: from their start), so the products skip most of the
 * triangle's zeros. The skipped terms are zero products at the end (lower)
 * or the start (upper) of a sum, and a start at an even column keeps every
 * other term in its lane (gemm.ts's summation order): each result is the
 * whole product's, bit for bit, but for the sign of a zero.
 */
function applyDiagonal(blk: usize, n: i32, lower: bool, b: usize, m: i32, jb: i32, scratch: usize): void {
  const s = <usize>n << 3;
  const tri = scratch;
  const rowsBuf = scratch + (<usize>(NB * NB) << 3);
  for (let r = 0; r < jb; r++) {
    for (let k = 0; k < jb; k++) {
      const keep = lower ? k <= r : k >= r;
      store<f64>(tri + (<usize>(r * NB + k) << 3), keep ? load<f64>(blk + <usize>r * s + (<usize>k << 3)) : 0.0);
    }
  }
  for (let i = 0; i < m; i += DP) {
    const rows = min(DP, m - i);
    const at = b + <usize>i * s;
    for (let r = 0; r < rows; r++) memory.copy(rowsBuf + (<usize>(r * jb) << 3), at + <usize>r * s, <usize>jb << 3);
    zeroRows(at, n, rows, jb);
    for (let c0 = 0; c0 < jb; c0 += DS) {
      const c1 = min(jb, c0 + DS);
      const k0 = lower ? 0 : c0;
      const k1 = lower ? c1 : jb;
      const kOff = <usize>k0 << 3;
      gemmNTBlocked(rowsBuf + kOff, jb, tri + (<usize>(c0 * NB) << 3) + kOff, NB, at + (<usize>c0 << 3), n, rows, c1 - c0, k1 - k0, 1.0, false);
    }
  }
}

/** B ← B·L⁻ᵀ (each row b becomes y with L y = b), as trisolve.ts's trsmRightLowerT. */
function forward(l: usize, b: usize, n: i32, m: i32, scratch: usize): void {
  const s = <usize>n << 3;
  for (let J = 0; J < n; J += NB) {
    const jb = min(NB, n - J);
    const col = <usize>J << 3;
    if (J > 0) gemmNTBlocked(b, n, l + <usize>J * s, n, b + col, n, m, jb, J, -1.0, false);
    // Row y_r = Σ_k (L_JJ⁻¹)[r][k]·b_k: the block's lower triangle.
    applyDiagonal(l + <usize>J * s + col, n, true, b + col, m, jb, scratch);
  }
}

/** B ← B·L⁻¹ (each row y becomes x with Lᵀ x = y), as trisolve.ts's trsmRightUpper: reads Lᵀ from l's upper triangle. */
function backward(l: usize, b: usize, n: i32, m: i32, scratch: usize): void {
  const s = <usize>n << 3;
  for (let J = ((n - 1) / NB) * NB; J >= 0; J -= NB) {
    const jb = min(NB, n - J);
    const rest = n - J - jb;
    const col = <usize>J << 3;
    const after = <usize>(J + jb) << 3;
    if (rest > 0) gemmNTBlocked(b + after, n, l + <usize>J * s + after, n, b + col, n, m, jb, rest, -1.0, false);
    // x_r = Σ_k (L_JJ⁻¹)[k][r]·y_k: the block's upper triangle.
    applyDiagonal(l + <usize>J * s + col, n, false, b + col, m, jb, scratch);
  }
}

/**
 * B ← B·(L Lᵀ)⁻¹ for the m×n row-major B: each row k becomes (K + λ̃I)⁻¹k. The
 * factor must hold Lᵀ above its diagonal and have been through
 * invertDiagonalBlocks; it is only read, so threads may solve disjoint rows
 * of B at once, each with its own scratch of {@link solveScratchDoubles}.
 * Every row depends only on itself.
 */
export function solveFactored(l: usize, b: usize, n: i32, m: i32, scratch: usize): void {
  if (n <= 0 || m <= 0) return;
  forward(l, b, n, m, scratch);
  backward(l, b, n, m, scratch);
}
