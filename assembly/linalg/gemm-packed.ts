// Matrix products whose second operand is read across its rows: C += alpha·A·B
// (gemmNN) and C += alpha·Aᵀ·B (gemmTN), B k×n row-major. The network's
// (docs/spec.md §11) backward pass needs both (deltas times a weight matrix, and the weight
// gradients Δᵀ·activations); the forward pass uses gemm.ts's A·Bᵀ.
//
// Here the shared dimension k is strided in memory (a row of B per k), often
// by a power of two (a 4096-wide layer is a 32 KiB stride), which would map
// every k of a tile onto the same cache sets. So both operands are packed into
// caller-given scratch first (JS owns memory): a KC×NC panel of B as 4-column
// tiles, k-major inside each tile, and a 4-row strip of op(A), k-major. The
// micro-kernel then streams both packs contiguously and keeps a 4×4 tile of C
// in eight f64x2 accumulators. Packs are padded with zeros to whole tiles;
// edge tiles go through a 4×4 buffer so that C outside the matrix is never
// touched.
//
// Summation order (fixed, so equal inputs give bit-equal outputs): every C
// entry sums its KC slice in increasing k, then C ← C + alpha·sum, slice by
// slice in order. Zero padding adds exact zeros and changes nothing.

/** Length of a slice of the shared dimension (doubles). */
export const PKC: i32 = 256;
/** Columns of B per packed panel. */
export const PNC: i32 = 128;

/** Doubles of scratch the packed products need: the B panel, the A strip, and a 4×4 edge tile. */
export function packedScratchDoubles(): i32 {
  return PKC * PNC + 4 * PKC + 16;
}

/** Packs op(A)(r, k), r < rows ≤ 4, k < len into dst[k·4 + r], zero for r ≥ rows. Strides in bytes. */
function packStrip(a: usize, ar: usize, ak: usize, rows: i32, len: i32, dst: usize): void {
  for (let k = 0; k < len; k++) {
    const src = a + <usize>k * ak;
    const out = dst + (<usize>k << 5);
    for (let r = 0; r < 4; r++) {
      store<f64>(out + (<usize>r << 3), r < rows ? load<f64>(src + <usize>r * ar) : 0.0);
    }
  }
}

/**
 * Packs B(k, j), k < len, j < cols ≤ PNC (row stride sb bytes, columns
 * contiguous) as tiles of 4 columns: tile t holds dst[(t·len + k)·4 + q] =
 * B(k, 4t + q), zero beyond cols.
 */
function packPanel(b: usize, sb: usize, len: i32, cols: i32, dst: usize): void {
  const tiles = (cols + 3) >> 2;
  const tileBytes = <usize>len << 5;
  for (let k = 0; k < len; k++) {
    const src = b + <usize>k * sb;
    const out = dst + (<usize>k << 5);
    for (let t = 0; t < tiles; t++) {
      const j = t << 2;
      const to = out + <usize>t * tileBytes;
      if (j + 4 <= cols) {
        v128.store(to, v128.load(src + (<usize>j << 3)));
        v128.store(to, v128.load(src + (<usize>j << 3), 16), 16);
      } else {
        for (let q = 0; q < 4; q++) {
          store<f64>(to + (<usize>q << 3), j + q < cols ? load<f64>(src + (<usize>(j + q) << 3)) : 0.0);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function update(c: usize, acc0: v128, acc1: v128, alpha: v128): void {
  v128.store(c, f64x2.add(v128.load(c), f64x2.mul(alpha, acc0)));
  v128.store(c, f64x2.add(v128.load(c, 16), f64x2.mul(alpha, acc1)), 16);
}

/** The 4×4 tile at c (row stride sc bytes) += alpha·Σ_k strip[k]·tile[k] over the packs. */
function micro(ap: usize, bp: usize, len: i32, c: usize, sc: usize, alpha: f64): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  const end = <usize>len << 5;
  for (let k: usize = 0; k < end; k += 32) {
    const b0 = v128.load(bp + k), b1 = v128.load(bp + k, 16);
    let x = v128.load64_splat(ap + k);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(ap + k, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(ap + k, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(ap + k, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
  }
  const al = f64x2.splat(alpha);
  update(c, c00, c01, al);
  update(c + sc, c10, c11, al);
  update(c + 2 * sc, c20, c21, al);
  update(c + 3 * sc, c30, c31, al);
}

/**
 * C (m×n, row stride ldc elements) += alpha·op(A)·B with op(A)(r, k) at
 * a + r·ar + k·ak (bytes) and B k×n with row stride ldb elements.
 */
function gemmPacked(
  a: usize, ar: usize, ak: usize, b: usize, ldb: i32, c: usize, ldc: i32,
  m: i32, n: i32, k: i32, alpha: f64, scratch: usize,
): void {
  const sb = <usize>ldb << 3, sc = <usize>ldc << 3;
  const panel = scratch;
  const strip = panel + (<usize>(PKC * PNC) << 3);
  const edge = strip + (<usize>(4 * PKC) << 3);
  for (let kk = 0; kk < k; kk += PKC) {
    const len = min(PKC, k - kk);
    for (let jj = 0; jj < n; jj += PNC) {
      const cols = min(PNC, n - jj);
      packPanel(b + <usize>kk * sb + (<usize>jj << 3), sb, len, cols, panel);
      for (let i = 0; i < m; i += 4) {
        const rows = min(4, m - i);
        packStrip(a + <usize>i * ar + <usize>kk * ak, ar, ak, rows, len, strip);
        const crow = c + <usize>i * sc + (<usize>jj << 3);
        for (let j = 0; j < cols; j += 4) {
          const tile = panel + <usize>(j >> 2) * (<usize>len << 5);
          if (rows == 4 && j + 4 <= cols) {
            micro(strip, tile, len, crow + (<usize>j << 3), sc, alpha);
          } else {
            memory.fill(edge, 0, 128);
            micro(strip, tile, len, edge, 32, alpha);
            for (let r = 0; r < rows; r++) {
              for (let q = 0; q < min(4, cols - j); q++) {
                const at = crow + <usize>r * sc + (<usize>(j + q) << 3);
                // The edge tile started at 0, so it holds alpha·sum exactly: C + alpha·sum as in micro.
                store<f64>(at, load<f64>(at) + load<f64>(edge + (<usize>(r * 4 + q) << 3)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * C += alpha·A·B: A m×k (row stride lda), B k×n (ldb), C m×n (ldc); strides
 * in elements. `scratch` holds {@link packedScratchDoubles} doubles.
 */
export function gemmNN(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32, alpha: f64, scratch: usize,
): void {
  gemmPacked(a, <usize>lda << 3, 8, b, ldb, c, ldc, m, n, k, alpha, scratch);
}

/**
 * C += alpha·Aᵀ·B: A k×m (row stride lda), B k×n (ldb), C m×n (ldc); strides
 * in elements. `scratch` holds {@link packedScratchDoubles} doubles.
 */
export function gemmTN(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32, alpha: f64, scratch: usize,
): void {
  gemmPacked(a, 8, <usize>lda << 3, b, ldb, c, ldc, m, n, k, alpha, scratch);
}
