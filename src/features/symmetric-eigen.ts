/**
 * Deterministic symmetric eigensolver (docs/spec.md §13.2): Householder
 * reduction to tridiagonal form, then implicit QR steps with Wilkinson shifts
 * on the tridiagonal matrix, rotations accumulated on rows. Plain float64
 * JavaScript arithmetic and √ only (both correctly rounded everywhere; no
 * Math.hypot, whose rounding varies by engine), in a fixed order, so the same
 * input gives the same bits in every engine.
 *
 * Conventions: eigenvalues in decreasing order (equal ones keep the order
 * the QR iteration left them in); eigenvector i is row i of a row-major
 * matrix; its sign makes its entry of largest magnitude positive (the lowest
 * index among equal magnitudes).
 */
import { FlipcertError } from '../errors.js';

const EPS = 2 ** -52;

/** √(a² + b²) without overflow or underflow. */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = x > y ? x : y;
  if (big === 0) return 0;
  const small = x > y ? y : x;
  const r = small / big;
  return big * Math.sqrt(1 + r * r);
}

/** The eigenpairs of a symmetric matrix: values decreasing, vectors as rows. */
export interface Eigen {
  values: Float64Array;
  /** n × n row-major; row i is the unit eigenvector of values[i]. */
  vectors: Float64Array;
}

/**
 * Every eigenpair of the symmetric n × n row-major matrix `a` (only its
 * lower triangle is read; `a` is not modified).
 */
export function symmetricEigen(a: Float64Array, n: number): Eigen {
  const work = Float64Array.from(a.subarray(0, n * n));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) work[i * n + j] = work[j * n + i];
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(0, n - 1));
  const rows = tridiagonalize(work, n, diag, off);
  tridiagonalQr(diag, off, n, rows, n);
  return sortedEigen(diag, rows, n, n);
}

/**
 * Householder reduction of the symmetric `a` (full storage, overwritten):
 * Qᵀ·A·Q = T with T's diagonal in `diag` and its off-diagonal in `off`.
 * Returns Qᵀ (n × n row-major), the rows the QR rotations then act on.
 */
export function tridiagonalize(a: Float64Array, n: number, diag: Float64Array, off: Float64Array): Float64Array {
  const betas = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    // x = A[k+1.., k], read from row k (A is symmetric).
    const row = k * n;
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += a[row + i] * a[row + i];
    const x0 = a[row + k + 1];
    const alpha = norm2 === 0 ? 0 : x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    // v = x − α·e₁ stays in row k (entries k+1..); H = I − β·v·vᵀ maps x to α·e₁.
    a[row + k + 1] = x0 - alpha;
    const vv = norm2 - x0 * x0 + a[row + k + 1] * a[row + k + 1];
    const beta = vv === 0 ? 0 : 2 / vv;
    betas[k] = beta;
    diag[k] = a[row + k];
    off[k] = alpha;
    if (beta === 0) continue;
    // A₂₂ ← H·A₂₂·H = A₂₂ − v·wᵀ − w·vᵀ, p = β·A₂₂·v, w = p − (β·pᵀv/2)·v.
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      const ri = i * n;
      for (let j = k + 1; j < n; j++) s += a[ri + j] * a[row + j];
      p[i] = beta * s;
      pv += p[i] * a[row + i];
    }
    const half = (beta * pv) / 2;
    for (let i = k + 1; i < n; i++) p[i] -= half * a[row + i];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = a[row + i];
      const wi = p[i];
      for (let j = k + 1; j < n; j++) a[ri + j] -= vi * p[j] + wi * a[row + j];
    }
  }
  if (n >= 2) {
    diag[n - 2] = a[(n - 2) * n + n - 2];
    off[n - 2] = a[(n - 1) * n + n - 2];
  }
  if (n >= 1) diag[n - 1] = a[n * n - 1];
  // Q = H₀·H₁·…, accumulated backwards (each step touches only the trailing block), then transposed.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const row = k * n;
    for (let j = k + 1; j < n; j++) {
      let s = 0;
      for (let i = k + 1; i < n; i++) s += a[row + i] * q[i * n + j];
      p[j] = beta * s;
    }
    for (let i = k + 1; i < n; i++) {
      const vi = a[row + i];
      const ri = i * n;
      for (let j = k + 1; j < n; j++) q[ri + j] -= vi * p[j];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = q[i * n + j];
      q[i * n + j] = q[j * n + i];
      q[j * n + i] = t;
    }
  }
  return q;
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix (diag, off), left in
 * `diag` unsorted; `off` is destroyed. Every rotation Gᵀ applied to T is
 * also applied to the rows of `rows` (n rows of `width`), so rows = Qᵀ
 * (from {@link tridiagonalize}) ends as the eigenvectors of A, and rows = Iₙ
 * as those of T. An off-diagonal entry is neglected once
 * |e_i| ≤ ε·(|d_i| + |d_{i+1}|).
 */
export function tridiagonalQr(diag: Float64Array, off: Float64Array, n: number, rows?: Float64Array, width = 0): void {
  let hi = n - 1;
  let steps = 0;
  const maxSteps = 60 * Math.max(n, 1);
  while (hi > 0) {
    for (let i = 0; i < hi; i++) {
      if (Math.abs(off[i]) <= EPS * (Math.abs(diag[i]) + Math.abs(diag[i + 1]))) off[i] = 0;
    }
    while (hi > 0 && off[hi - 1] === 0) hi--;
    if (hi === 0) break;
    let lo = hi - 1;
    while (lo > 0 && off[lo - 1] !== 0) lo--;
    if (++steps > maxSteps) {
      throw new FlipcertError(`the symmetric eigensolver did not converge in ${maxSteps} QR steps (n = ${n})`, 'ENUMERIC');
    }
    qrStep(diag, off, lo, hi, rows, width);
  }
}

/** One implicit QR step with Wilkinson shift on the unreduced block lo..hi. */
function qrStep(d: Float64Array, e: Float64Array, lo: number, hi: number, rows: Float64Array | undefined, width: number): void {
  const delta = (d[hi - 1] - d[hi]) / 2;
  const eh = e[hi - 1];
  const denom = delta + (delta >= 0 ? 1 : -1) * hypot(delta, eh);
  const mu = d[hi] - (eh * eh) / denom;
  let x = d[lo] - mu;
  let z = e[lo];
  for (let k = lo; k < hi; k++) {
    // Rotation (rows k, k+1: row_k ← c·row_k − s·row_{k+1}, row_{k+1} ← s·row_k + c·row_{k+1}) zeroing z against x.
    const r = hypot(x, z);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : -z / r;
    if (k > lo) e[k - 1] = r;
    const a = d[k];
    const b = d[k + 1];
    const ek = e[k];
    d[k] = c * c * a - 2 * c * s * ek + s * s * b;
    d[k + 1] = s * s * a + 2 * c * s * ek + c * c * b;
    e[k] = c * s * (a - b) + (c * c - s * s) * ek;
    if (k + 1 < hi) {
      z = -s * e[k + 1];
      e[k + 1] = c * e[k + 1];
      x = e[k];
    }
    if (rows) rotateRows(rows, width, k, c, s);
  }
}

function rotateRows(rows: Float64Array, width: number, k: number, c: number, s: number): void {
  const r0 = k * width;
  const r1 = r0 + width;
  for (let j = 0; j < width; j++) {
    const u = rows[r0 + j];
    const v = rows[r1 + j];
    rows[r0 + j] = c * u - s * v;
    rows[r1 + j] = s * u + c * v;
  }
}

/** Order of the eigenvalues, decreasing; equal values keep their index order. */
export function decreasingOrder(values: Float64Array, n: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => (values[j] - values[i]) || i - j);
  return order;
}

/** Sorts eigenpairs (values decreasing, vectors as rows of `width`) and fixes each vector's sign. */
export function sortedEigen(values: Float64Array, rows: Float64Array, n: number, width: number): Eigen {
  const order = decreasingOrder(values, n);
  const outValues = new Float64Array(n);
  const outVectors = new Float64Array(n * width);
  order.forEach((from, to) => {
    outValues[to] = values[from];
    outVectors.set(rows.subarray(from * width, from * width + width), to * width);
    fixSign(outVectors.subarray(to * width, to * width + width));
  });
  return { values: outValues, vectors: outVectors };
}

/** Makes the entry of largest magnitude (lowest index among equals) positive. */
export function fixSign(v: Float64Array): void {
  let at = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[at])) at = i;
  if (v[at] < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i];
}
