// Dot-product matrix products C (+)= alpha·A·Bᵀ over row-major float64 rows:
// the Gram matrices behind the NTK (docs/spec.md §2), the finite network's
// forward pass (§11) and the updates of cholesky.ts and trisolve.ts.
//
// Both operands are read along their rows (the shared dimension is contiguous),
// so no packing and no scratch memory are needed. The work is cut into
// MC-row panels of A, KC-long slices of the shared dimension and NC-row blocks
// of B: one block of B (NC·KC doubles) stays in L2 while every 4-row strip of
// A (4·KC doubles) is reused from L1 against it, and the panel of A (MC·KC)
// stays in L2 for the next block of B. Inside, a register-tiled micro-kernel keeps a
// 4×2 tile of C in eight f64x2 accumulators.
//
// Summation order (fixed, so that equal inputs give bit-equal outputs):
// within a KC slice, lane 0 sums the even and lane 1 the odd positions, the two
// lanes are added, an odd last element is added after that, and the slice sums
// are added to C in slice order. rowSquaredNorms uses exactly this order, so a
// row's squared norm equals the diagonal Gram entry bit for bit (the NTK needs
// ρ = 1 exactly for x·x).

/** Length of a slice of the shared dimension (doubles). */
export const KC: i32 = 256;
/** Rows of B per cache block. */
export const NC: i32 = 64;
/** Rows of A per cache panel (a multiple of 4, the micro-kernel's strip). */
export const MC: i32 = 128;

// Sum of both lanes: lane 0 first, as documented above.
// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// @ts-ignore: decorator
@inline function tail(a: usize, b: usize, len: i32): f64 {
  const last = (<usize>(len - 1)) << 3;
  return load<f64>(a + last) * load<f64>(b + last);
}

/**
 * 4×2 micro-kernel: C[r][s] += alpha·Σ_k A[r][k]·B[s][k] for r < 4, s < 2.
 * Pointers are byte offsets of the first element; strides are in bytes.
 */
function kernel4x2(a: usize, sa: usize, b: usize, sb: usize, c: usize, sc: usize, len: i32, alpha: f64): void {
  const a1 = a + sa, a2 = a1 + sa, a3 = a2 + sa;
  const b1 = b + sb;
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  const end = (<usize>(len & ~1)) << 3;
  for (let k: usize = 0; k < end; k += 16) {
    const y0 = v128.load(b + k), y1 = v128.load(b1 + k);
    let x = v128.load(a + k);
    c00 = f64x2.add(c00, f64x2.mul(x, y0));
    c01 = f64x2.add(c01, f64x2.mul(x, y1));
    x = v128.load(a1 + k);
    c10 = f64x2.add(c10, f64x2.mul(x, y0));
    c11 = f64x2.add(c11, f64x2.mul(x, y1));
    x = v128.load(a2 + k);
    c20 = f64x2.add(c20, f64x2.mul(x, y0));
    c21 = f64x2.add(c21, f64x2.mul(x, y1));
    x = v128.load(a3 + k);
    c30 = f64x2.add(c30, f64x2.mul(x, y0));
    c31 = f64x2.add(c31, f64x2.mul(x, y1));
  }
  let s00 = hsum(c00), s01 = hsum(c01), s10 = hsum(c10), s11 = hsum(c11);
  let s20 = hsum(c20), s21 = hsum(c21), s30 = hsum(c30), s31 = hsum(c31);
  if (len & 1) {
    s00 += tail(a, b, len); s01 += tail(a, b1, len);
    s10 += tail(a1, b, len); s11 += tail(a1, b1, len);
    s20 += tail(a2, b, len); s21 += tail(a2, b1, len);
    s30 += tail(a3, b, len); s31 += tail(a3, b1, len);
  }
  const c1 = c + sc, c2 = c1 + sc, c3 = c2 + sc;
  store<f64>(c, load<f64>(c) + alpha * s00);
  store<f64>(c, load<f64>(c, 8) + alpha * s01, 8);
  store<f64>(c1, load<f64>(c1) + alpha * s10);
  store<f64>(c1, load<f64>(c1, 8) + alpha * s11, 8);
  store<f64>(c2, load<f64>(c2) + alpha * s20);
  store<f64>(c2, load<f64>(c2, 8) + alpha * s21, 8);
  store<f64>(c3, load<f64>(c3) + alpha * s30);
  store<f64>(c3, load<f64>(c3, 8) + alpha * s31, 8);
}

/** One dot product of `len` doubles, in the documented summation order. */
export function dotSlice(a: usize, b: usize, len: i32): f64 {
  let acc = f64x2.splat(0);
  const end = (<usize>(len & ~1)) << 3;
  for (let k: usize = 0; k < end; k += 16) {
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + k), v128.load(b + k)));
  }
  let s = hsum(acc);
  if (len & 1) s += tail(a, b, len);
  return s;
}

// Edge kernel for tiles narrower than 4×2: one C entry at a time.
function kernel1x1(a: usize, b: usize, c: usize, len: i32, alpha: f64): void {
  store<f64>(c, load<f64>(c) + alpha * dotSlice(a, b, len));
}

/**
 * C[r][s] += alpha·A[r]·B[s] for rows r of one 4-row strip (or a shorter
 * remainder strip) against B rows j0 ≤ s < j1, all on one KC slice.
 */
function strip(
  a: usize, sa: usize, rows: i32, b: usize, sb: usize, j0: i32, j1: i32,
  c: usize, sc: usize, len: i32, alpha: f64,
): void {
  if (rows == 4) {
    let j = j0;
    for (; j + 2 <= j1; j += 2) {
      kernel4x2(a, sa, b + <usize>j * sb, sb, c + (<usize>j << 3), sc, len, alpha);
    }
    if (j < j1) {
      for (let r = 0; r < 4; r++) {
        kernel1x1(a + <usize>r * sa, b + <usize>j * sb, c + <usize>r * sc + (<usize>j << 3), len, alpha);
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let j = j0; j < j1; j++) {
      kernel1x1(a + <usize>r * sa, b + <usize>j * sb, c + <usize>r * sc + (<usize>j << 3), len, alpha);
    }
  }
}

/**
 * C += alpha·A·Bᵀ with A m×k (leading dimension lda), B n×k (ldb), C m×n
 * (ldc); leading dimensions in elements. With `lower`, only tiles that touch
 * the lower triangle (column ≤ row + rowOffset, rowOffset being the global
 * index of A's first row when A and C start inside a larger matrix) are
 * computed; entries strictly above the diagonal inside those tiles are also
 * updated and must be ignored.
 */
export function gemmNTBlocked(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  m: i32, n: i32, k: i32, alpha: f64, lower: bool, rowOffset: i32 = 0,
): void {
  const sa = <usize>lda << 3, sb = <usize>ldb << 3, sc = <usize>ldc << 3;
  // MC-row panels of A (MC·KC doubles) stay in L2 across all the blocks of B.
  for (let ii = 0; ii < m; ii += MC) {
    const iEnd = min(ii + MC, m);
    for (let kk = 0; kk < k; kk += KC) {
      const len = min(KC, k - kk);
      const koff = <usize>kk << 3;
      for (let jj = 0; jj < n; jj += NC) {
        const jEnd = min(jj + NC, n);
        for (let i = ii; i < iEnd; i += 4) {
          const rows = min(4, iEnd - i);
          const j1 = lower ? min(jEnd, i + rowOffset + rows) : jEnd;
          if (j1 <= jj) continue;
          strip(a + <usize>i * sa + koff, sa, rows, b + koff, sb, jj, j1, c + <usize>i * sc, sc, len, alpha);
        }
      }
    }
  }
}

/** Sets n rows of `cols` doubles (stride ld elements) to zero. */
export function zeroRows(c: usize, ld: i32, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) memory.fill(c + ((<usize>i * <usize>ld) << 3), 0, <usize>cols << 3);
}

/** Copies the strict lower triangle of the n×n matrix c onto its upper triangle. */
export function mirrorLower(c: usize, n: i32): void {
  mirrorLowerRows(c, n, 0, n);
}

/**
 * mirrorLower for the destination rows r0 ≤ j < r1 only: c[j][i] = c[i][j]
 * for i > j. Threads that own disjoint row ranges can mirror concurrently
 * (each writes only its own rows and reads the lower triangle of others).
 */
export function mirrorLowerRows(c: usize, n: i32, r0: i32, r1: i32): void {
  // Tiles of 32×32 keep both the rows read and the column written in cache.
  const T = 32;
  const s = <usize>n << 3;
  for (let jj = r0; jj < r1; jj += T) {
    const jEnd = min(jj + T, r1);
    for (let ii = jj; ii < n; ii += T) {
      const iEnd = min(ii + T, n);
      for (let j = jj; j < jEnd; j++) {
        for (let i = max(ii, j + 1); i < iEnd; i++) {
          store<f64>(c + <usize>j * s + (<usize>i << 3), load<f64>(c + <usize>i * s + (<usize>j << 3)));
        }
      }
    }
  }
}

/** out[i] = |A[i]|² in the Gram summation order (see the file comment). */
export function squaredNorms(a: usize, out: usize, m: i32, d: i32): void {
  const s = <usize>d << 3;
  for (let i = 0; i < m; i++) {
    const row = a + <usize>i * s;
    let total: f64 = 0;
    for (let kk = 0; kk < d; kk += KC) {
      const slice = row + (<usize>kk << 3);
      total += dotSlice(slice, slice, min(KC, d - kk));
    }
    store<f64>(out + (<usize>i << 3), total);
  }
}

// ---- entry points (re-exported by assembly/index.ts) ----

/** C[m×n] = A[m×d]·B[n×d]ᵀ. */
export function gramDot(a: usize, b: usize, c: usize, m: i32, n: i32, d: i32): void {
  zeroRows(c, n, m, n);
  gemmNTBlocked(a, d, b, d, c, n, m, n, d, 1.0, false);
}

/** C[n×n] = A[n×d]·A[n×d]ᵀ, computing the lower triangle and mirroring it. */
export function gramSym(a: usize, c: usize, n: i32, d: i32): void {
  zeroRows(c, n, n, n);
  gemmNTBlocked(a, d, a, d, c, n, n, n, d, 1.0, true);
  mirrorLower(c, n);
}

/**
 * Rows r0 ≤ i < r1 of gramSym before its mirror: zeroes them, then fills
 * their lower part (columns ≤ i) with A[i]·A[j] (entries just above the
 * diagonal inside the last tiles get values too; mirrorLowerRows overwrites
 * them). Each entry is summed exactly as gramSym sums it.
 */
export function gramSymRows(a: usize, c: usize, n: i32, d: i32, r0: i32, r1: i32): void {
  if (r1 <= r0) return;
  const sa = <usize>d << 3, sc = <usize>n << 3;
  zeroRows(c + <usize>r0 * sc, n, r1 - r0, n);
  gemmNTBlocked(a + <usize>r0 * sa, d, a, d, c + <usize>r0 * sc, n, r1 - r0, r1, d, 1.0, true, r0);
}

/** C += alpha·A·Bᵀ (A m×k, B n×k, C m×n; leading dimensions in elements). */
export function gemmNT(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32, alpha: f64,
): void {
  gemmNTBlocked(a, lda, b, ldb, c, ldc, m, n, k, alpha, false);
}

/** out[i] = |A[i]|² for the m×d row-major A, bit-equal to gramSym's diagonal. */
export function rowSquaredNorms(a: usize, out: usize, m: i32, d: i32): void {
  squaredNorms(a, out, m, d);
}
