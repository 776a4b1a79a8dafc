// The Wasm linear algebra (gramDot, gramSym, gemmNT, rowSquaredNorms,
// cholesky, the two trsm) against naive loops, at sizes on and off the tile
// (4×2), slice (KC = 256), block (NC = 64) and panel (NB = 128) boundaries.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../src/wasm/core.js';
import { cholesky as refCholesky, rng } from './reference.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const random = rng(20240611);
function randomArray(length: number): Float64Array {
  return Float64Array.from({ length }, () => random() * 2 - 1);
}

/** Runs `body` with heap copies of `arrays` and releases them afterwards. */
function withHeap<T>(arrays: Float64Array[], body: (ptrs: number[]) => T): T {
  return core.heap.scoped(() => body(arrays.map((a) => core.heap.putF64(a))));
}
const read = (ptr: number, length: number): Float64Array => core.heap.viewF64(ptr, length).slice();

function naiveNT(a: Float64Array, b: Float64Array, m: number, n: number, d: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
      c[i * n + j] = s;
    }
  return c;
}

/** Max |x − y| / (1 + |y|): relative for large entries, absolute near 0. */
function maxError(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  return worst;
}

/** A well-conditioned SPD matrix G Gᵀ/n + I. */
function spd(n: number): Float64Array {
  const g = randomArray(n * n);
  const a = naiveNT(g, g, n, n, n);
  for (let i = 0; i < n * n; i++) a[i] /= n;
  for (let i = 0; i < n; i++) a[i * n + i] += 1;
  return a;
}

function toRows(a: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
}

/** Textbook forward then back substitution of every row: y_r = L⁻¹ b_r, x_r = (L Lᵀ)⁻¹ b_r. */
function substitute(l: Float64Array, b: Float64Array, n: number, m: number): { y: Float64Array; x: Float64Array } {
  const y = new Float64Array(m * n);
  const x = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      let s = b[r * n + j];
      for (let k = 0; k < j; k++) s -= l[j * n + k] * y[r * n + k];
      y[r * n + j] = s / l[j * n + j];
    }
    for (let j = n - 1; j >= 0; j--) {
      let s = y[r * n + j];
      for (let k = j + 1; k < n; k++) s -= l[k * n + j] * x[r * n + k];
      x[r * n + j] = s / l[j * n + j];
    }
  }
  return { y, x };
}

describe('gramDot / gramSym / rowSquaredNorms', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [3, 7, 3], [7, 3, 255], [33, 64, 256], [64, 33, 257], [129, 7, 513], [5, 130, 784],
  ];
  it.each(shapes)('gramDot m=%i n=%i d=%i matches the naive product', (m, n, d) => {
    const a = randomArray(m * d);
    const b = randomArray(n * d);
    const c = withHeap([a, b], ([pa, pb]) => {
      const pc = core.heap.f64(m * n);
      core.heap.viewF64(pc, m * n).fill(Number.NaN); // the output must be overwritten, not accumulated into
      core.exports.gramDot(pa, pb, pc, m, n, d);
      return read(pc, m * n);
    });
    expect(maxError(c, naiveNT(a, b, m, n, d))).toBeLessThan(1e-13);
  });

  it.each([1, 3, 7, 33, 64, 129, 257])('gramSym n=%i equals gramDot bit for bit, diagonal = rowSquaredNorms', (n) => {
    const d = n % 2 === 0 ? 300 : 257;
    const a = randomArray(n * d);
    const [sym, full, norms] = withHeap([a], ([pa]) => {
      const ps = core.heap.f64(n * n);
      const pf = core.heap.f64(n * n);
      const pq = core.heap.f64(n);
      core.heap.viewF64(ps, n * n).fill(Number.NaN);
      core.exports.gramSym(pa, ps, n, d);
      core.exports.gramDot(pa, pa, pf, n, n, d);
      core.exports.rowSquaredNorms(pa, pq, n, d);
      return [read(ps, n * n), read(pf, n * n), read(pq, n)];
    });
    expect(Array.from(sym)).toEqual(Array.from(full));
    for (let i = 0; i < n; i++) {
      expect(sym[i * n + i]).toBe(norms[i]);
      for (let j = 0; j < i; j++) expect(sym[j * n + i]).toBe(sym[i * n + j]);
    }
    expect(maxError(full, naiveNT(a, a, n, n, d))).toBeLessThan(1e-13);
  });
});

describe('gemmNT', () => {
  it.each([
    [1, 1, 1], [3, 7, 5], [33, 64, 129], [129, 3, 257], [64, 130, 300],
  ])('C += alpha·A·Bᵀ on strided sub-matrices, m=%i n=%i k=%i', (m, n, k) => {
    const lda = k + 3, ldb = k + 1, ldc = n + 5;
    const a = randomArray(m * lda);
    const b = randomArray(n * ldb);
    const c0 = randomArray(m * ldc);
    const alpha = -0.75;
    const c = withHeap([a, b, c0], ([pa, pb, pc]) => {
      core.exports.gemmNT(pa, lda, pb, ldb, pc, ldc, m, n, k, alpha);
      return read(pc, m * ldc);
    });
    const expected = Float64Array.from(c0);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[i * lda + t] * b[j * ldb + t];
        expected[i * ldc + j] += alpha * s;
      }
    expect(maxError(c, expected)).toBeLessThan(1e-13);
    // Padding columns (j ≥ n) must be untouched.
    for (let i = 0; i < m; i++) for (let j = n; j < ldc; j++) expect(c[i * ldc + j]).toBe(c0[i * ldc + j]);
  });
});

describe('cholesky', () => {
  it.each([1, 3, 7, 33, 64, 127, 128, 129, 257, 300])('n=%i matches the textbook factor', (n) => {
    const a = spd(n);
    const [status, l] = withHeap([a], ([pa]) => [core.exports.cholesky(pa, n), read(pa, n * n)] as const);
    expect(status).toBe(0);
    const ref = refCholesky(toRows(a, n)).flat();
    expect(maxError(l, ref)).toBeLessThan(1e-12);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
  });

  it.each([0, 5, 127, 128, 200, 256])('reports pivot %i of a 257×257 matrix that is not positive definite', (j) => {
    const n = 257;
    const a = spd(n);
    // Lower A[j][j] so that the Schur complement at j becomes −0.5.
    const l = refCholesky(toRows(a, n));
    a[j * n + j] -= l[j][j] * l[j][j] + 0.5;
    const status = withHeap([a], ([pa]) => core.exports.cholesky(pa, n));
    expect(status).toBe(j + 1);
  });

  it('reports a zero pivot and a NaN pivot', () => {
    const n = 9;
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    eye[4 * n + 4] = 0;
    expect(withHeap([eye], ([p]) => core.exports.cholesky(p, n))).toBe(5);
    eye[4 * n + 4] = 1;
    eye[6 * n + 6] = Number.NaN;
    expect(withHeap([eye], ([p]) => core.exports.cholesky(p, n))).toBe(7);
  });
});

describe('trsmRightLowerT / trsmRightLower', () => {
  function factor(n: number): Float64Array {
    const a = spd(n);
    return Float64Array.from(refCholesky(toRows(a, n)).flat());
  }

  it.each([
    [1, 1], [3, 5], [7, 2], [33, 9], [64, 4], [127, 3], [128, 7], [129, 5], [257, 6], [300, 11],
  ])('n=%i m=%i match forward and back substitution; together they solve (L Lᵀ) x = b', (n, m) => {
    const l = factor(n);
    const b = randomArray(m * n);
    const [y, x, lAfter] = withHeap([l, b], ([pl, pb]) => {
      core.exports.trsmRightLowerT(pl, pb, n, m);
      const y = read(pb, m * n);
      core.exports.trsmRightLower(pl, pb, n, m);
      return [y, read(pb, m * n), read(pl, n * n)];
    });
    const { y: yRef, x: xRef } = substitute(l, b, n, m);
    expect(maxError(y, yRef)).toBeLessThan(1e-12);
    expect(maxError(x, xRef)).toBeLessThan(1e-12);
    // Residual check independent of substitution order: (L Lᵀ) x_r = b_r.
    for (let r = 0; r < m; r++) {
      const lt = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = i; k < n; k++) lt[i] += l[k * n + i] * x[r * n + k];
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += l[i * n + k] * lt[k];
        expect(Math.abs(s - b[r * n + i])).toBeLessThan(1e-11);
      }
    }
    // The lower triangle (the factor itself) is left unchanged.
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(lAfter[i * n + j]).toBe(l[i * n + j]);
  });
});

describe('solveFactored (diagonal blocks applied as products with their inverses)', () => {
  /** Mirrors L, inverts its diagonal blocks and solves the m rows of b with the core; also returns the factor after. */
  function solve(l: Float64Array, b: Float64Array, n: number, m: number): [Float64Array, Float64Array] {
    const w = core.exports;
    return core.heap.scoped(() => {
      const pl = core.heap.putF64(l);
      const pb = core.heap.putF64(b);
      const scratch = core.heap.f64(w.solveScratchDoubles());
      w.mirrorLowerRows(pl, n, 0, n);
      w.invertDiagonalBlocks(pl, n, scratch);
      w.solveFactored(pl, pb, n, m, scratch);
      return [read(pb, m * n), read(pl, n * n)];
    });
  }

  it.each([
    [1, 1], [3, 5], [7, 2], [33, 9], [64, 65], [127, 3], [128, 7], [129, 64], [257, 130], [300, 11],
  ])('n=%i m=%i matches substitution and solves (L Lᵀ) x = b; off the diagonal blocks the factor is only read', (n, m) => {
    const l = Float64Array.from(refCholesky(toRows(spd(n), n)).flat());
    const b = randomArray(m * n);
    const [x, lAfter] = solve(l, b, n, m);
    expect(maxError(x, substitute(l, b, n, m).x)).toBeLessThan(1e-12);
    for (let r = 0; r < m; r++) {
      const lt = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = i; k < n; k++) lt[i] += l[k * n + i] * x[r * n + k];
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += l[i * n + k] * lt[k];
        expect(Math.abs(s - b[r * n + i])).toBeLessThan(1e-11);
      }
    }
    const NB = core.exports.NB.value;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const inDiagonalBlock = Math.floor(i / NB) === Math.floor(j / NB);
        if (!inDiagonalBlock) expect(lAfter[i * n + j]).toBe(j <= i ? l[i * n + j] : l[j * n + i]);
      }
    }
    // Each diagonal block holds L_JJ⁻¹ below and (L_JJ⁻¹)ᵀ above: L_JJ·L_JJ⁻¹ = I.
    for (let J = 0; J < n; J += NB) {
      const jb = Math.min(NB, n - J);
      for (let i = 0; i < jb; i++) {
        for (let j = 0; j < jb; j++) {
          let s = 0;
          for (let k = j; k <= i; k++) s += l[(J + i) * n + J + k] * lAfter[(J + k) * n + J + j];
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12);
          if (j > i) expect(lAfter[(J + i) * n + J + j]).toBe(lAfter[(J + j) * n + J + i]);
        }
      }
    }
  });

  it("skips the diagonal triangles' zeros without changing a bit: the same results as whole zero-padded triangle products", () => {
    const w = core.exports;
    const NB = w.NB.value;
    for (const [n, m] of [[300, 37], [129, 8], [45, 5]]) {
      const l = Float64Array.from(refCholesky(toRows(spd(n), n)).flat());
      const b = randomArray(m * n);
      const [x] = solve(l, b, n, m);
      // The solve as it ran before the zeros were skipped: every diagonal product over the whole jb×jb triangle.
      const reference = core.heap.scoped(() => {
        const pl = core.heap.putF64(l);
        const pb = core.heap.putF64(b);
        const scratch = core.heap.f64(w.solveScratchDoubles());
        w.mirrorLowerRows(pl, n, 0, n);
        w.invertDiagonalBlocks(pl, n, scratch);
        const factor = read(pl, n * n);
        const tri = core.heap.f64(NB * NB);
        const rows = core.heap.f64(m * NB);
        const diagonal = (J: number, jb: number, lower: boolean) => {
          const t = core.heap.viewF64(tri, jb * jb);
          for (let r = 0; r < jb; r++) for (let k = 0; k < jb; k++) t[r * jb + k] = (lower ? k <= r : k >= r) ? factor[(J + r) * n + J + k] : 0;
          const bv = core.heap.viewF64(pb, m * n);
          const rv = core.heap.viewF64(rows, m * jb);
          for (let i = 0; i < m; i++) for (let k = 0; k < jb; k++) [rv[i * jb + k], bv[i * n + J + k]] = [bv[i * n + J + k], 0];
          w.gemmNT(rows, jb, tri, jb, pb + 8 * J, n, m, jb, jb, 1);
        };
        for (let J = 0; J < n; J += NB) {
          const jb = Math.min(NB, n - J);
          if (J > 0) w.gemmNT(pb, n, pl + 8 * J * n, n, pb + 8 * J, n, m, jb, J, -1);
          diagonal(J, jb, true);
        }
        for (let J = Math.floor((n - 1) / NB) * NB; J >= 0; J -= NB) {
          const jb = Math.min(NB, n - J);
          const rest = n - J - jb;
          if (rest > 0) w.gemmNT(pb + 8 * (J + jb), n, pl + 8 * (J * n + J + jb), n, pb + 8 * J, n, m, jb, rest, -1);
          diagonal(J, jb, false);
        }
        return read(pb, m * n);
      });
      let differing = 0;
      for (let i = 0; i < m * n; i++) if (x[i] !== reference[i]) differing++;
      expect(differing, `n=${n} m=${m}`).toBe(0);
    }
  });

  it('gives every row the same bits whatever rows are solved with it (threads split rows)', () => {
    const n = 200;
    const m = 150;
    const l = Float64Array.from(refCholesky(toRows(spd(n), n)).flat());
    const b = randomArray(m * n);
    const [all] = solve(l, b, n, m);
    for (const [lo, hi] of [[0, 1], [37, 101], [64, 150]]) {
      const [part] = solve(l, b.subarray(lo * n, hi * n), n, hi - lo);
      expect(Array.from(part)).toEqual(Array.from(all.subarray(lo * n, hi * n)));
    }
  });
});

describe('addDiagonal / traceOf', () => {
  it('add to and sum the diagonal only', () => {
    const n = 5;
    const a = randomArray(n * n);
    const [out, trace] = withHeap([a], ([p]) => {
      core.exports.addDiagonal(p, n, 0.25);
      return [read(p, n * n), core.exports.traceOf(p, n)] as const;
    });
    let expectedTrace = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) expect(out[i * n + j]).toBe(i === j ? a[i * n + j] + 0.25 : a[i * n + j]);
      expectedTrace += a[i * n + i] + 0.25;
    }
    expect(trace).toBe(expectedTrace);
  });
});
