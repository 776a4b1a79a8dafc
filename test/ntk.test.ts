// The NTK of docs/spec.md §2 as computed by src/kernel/ntk.ts (Gram product + the
// Wasm recursion) against test/reference.ts ntkPair and the closed forms docs/spec.md §2
// states as checks.
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { ntkGram } from '../src/kernel/ntk.js';
import type { Matrix, ResolvedKernel } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { ntkMatrix, randomRows, rng, type Rows } from './reference.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const matrix = (rows: Rows): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

const kernels: ResolvedKernel[] = [
  { depth: 1, wVar: 2, bVar: 0 },
  { depth: 2, wVar: 2, bVar: 0 },
  { depth: 3, wVar: 1.5, bVar: 0.1 },
  { depth: 5, wVar: 2, bVar: 0.5 },
  { depth: 8, wVar: 0.7, bVar: 1.3 },
];

/** Max over entries of |got − want| / |want| (|want| floored at 1e-300). */
function maxRelError(got: Float64Array, want: Rows): number {
  const flat = want.flat();
  let worst = 0;
  for (let i = 0; i < flat.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - flat[i]) / Math.max(Math.abs(flat[i]), 1e-300));
  }
  return worst;
}

/**
 * |got − want| ≤ rel·|want| + 1e-15·scale, with scale = √(K(x,x)·K(y,y)) the
 * natural size of K(x, y) (Cauchy–Schwarz): near ρ = −1 the true K can be 0
 * while the literal formula leaves sin(fl(π))-sized residue.
 */
function expectClose(got: number, want: number, scale: number, rel: number): void {
  expect(Number.isFinite(got)).toBe(true);
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-15 * scale);
}

/** Rows whose entries are multiples of 1/8: every dot product is exact in any order. */
function dyadicRows(random: () => number, rows: number, cols: number): Rows {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(random() * 32 - 16) / 8));
}

describe('K(x, x) = 2(depth + 1)|x|²/d for wVar = 2, bVar = 0', () => {
  it.each([1, 2, 3, 4, 6, 10])('depth %i, exact when every rounding in the recursion is exact (|x|²/d = 1)', (depth) => {
    const random = rng(depth);
    // Entries ±1: q = 2 at every layer, so Σ stays exactly q and ρ exactly 1.
    const x = Array.from({ length: 13 }, () => (Array.from({ length: 37 }, () => (random() < 0.5 ? -1 : 1))));
    const k = ntkGram(core, matrix(x), undefined, { depth, wVar: 2, bVar: 0 });
    for (let i = 0; i < x.length; i++) expect(k[i * x.length + i]).toBe(2 * (depth + 1));
  });

  it.each([1, 2, 3, 4, 6, 10])('depth %i on random rows, to 1e-14', (depth) => {
    // The literal grouping of docs/spec.md §2 can round Σ one ulp below q and then see
    // ρ = 1 − 2⁻⁵³ (θ ≈ 1.5e-8, K off by ~3e-8); assembly/kernel/ntk.ts regroups the
    // ReLU step so that the diagonal stays exact.
    const x = randomRows(rng(100 + depth), 40, 1 + 7 * depth);
    const d = x[0].length;
    const k = ntkGram(core, matrix(x), undefined, { depth, wVar: 2, bVar: 0 });
    for (let i = 0; i < x.length; i++) {
      const norm2 = x[i].reduce((s, v) => s + v * v, 0);
      const want = (2 * (depth + 1) * norm2) / d;
      expect(Math.abs(k[i * x.length + i] - want) / want).toBeLessThan(1e-14);
    }
  });
});

/**
 * K(x, cx) for c > 0 when ρ = 1 at every layer (c = 1, or bVar = 0): docs/spec.md §2
 * with θ = 0, i.e. Σ_relu = √(q q')/2, Θ_relu = Θ/2.
 */
function collinearNtk(norm2: number, c: number, d: number, { depth, wVar, bVar }: ResolvedKernel): number {
  let q = wVar * (norm2 / d) + bVar;
  let qp = wVar * ((c * c * norm2) / d) + bVar;
  let sigma = wVar * ((c * norm2) / d) + bVar;
  let theta = sigma;
  for (let layer = 0; layer < depth; layer++) {
    sigma = wVar * (Math.sqrt(q * qp) / 2) + bVar;
    theta = wVar * (theta / 2) + sigma;
    q = wVar * (q / 2) + bVar;
    qp = wVar * (qp / 2) + bVar;
  }
  return theta;
}

/** c > 0 with y = c·x exactly (1 for equal rows, zero rows included), or undefined. */
function positiveRatio(x: number[], y: number[]): number | undefined {
  if (x.every((v, i) => v === y[i])) return 1;
  const k = x.findIndex((v) => v !== 0);
  if (k < 0) return undefined;
  const c = y[k] / x[k];
  return c > 0 && x.every((v, i) => v * c === y[i]) ? c : undefined;
}

describe('the diagonal and collinear pairs (ρ = 1 at every layer)', () => {
  it.each(kernels)('K(x, x) and K(x, 2x) match the θ = 0 recursion to 1e-14, %o', (kernel) => {
    const x = randomRows(rng(kernel.depth + 300), 30, 23);
    const doubled = x.map((row) => row.map((v) => 2 * v));
    const k = ntkGram(core, matrix(x), undefined, kernel);
    const cross = ntkGram(core, matrix(x), matrix(doubled), kernel);
    for (let i = 0; i < x.length; i++) {
      const norm2 = x[i].reduce((s, v) => s + v * v, 0);
      const want = collinearNtk(norm2, 1, 23, kernel);
      expect(Math.abs(k[i * x.length + i] / want - 1)).toBeLessThan(1e-14);
      if (kernel.bVar === 0) {
        const want2 = collinearNtk(norm2, 2, 23, kernel);
        expect(Math.abs(cross[i * x.length + i] / want2 - 1)).toBeLessThan(1e-14);
      }
    }
  });
});

describe('rows collinear up to rounding (ρ may round past ±1: the clip)', () => {
  it.each(kernels.filter((k) => k.bVar === 0))('K(x, c·x) for inexact c stays finite and near c·K(x, x), %o', (kernel) => {
    // c·x is rounded, so Σ/√(q q') lands within a few ulps of ±1 on either
    // side; without the clip acos would return NaN. Within the clip, 1 − ρ of
    // an ulp or two costs θ ≈ 2e-8 (relative ~1e-8 per layer), hence 1e-7.
    const x = randomRows(rng(kernel.depth + 4242), 40, 17);
    // With bVar = 0, K is positively homogeneous in each argument:
    // K(x, c·x) = c·K(x, x) for c > 0 and |c|·K(x, −x) for c < 0, where −x is
    // exact (checked against the reference in the anti-collinear test below).
    const opposite = ntkGram(core, matrix(x), matrix(x.map((row) => row.map((v) => -v))), kernel);
    for (const c of [3, 1 / 3, 0.7, -3, -0.1]) {
      const y = x.map((row) => row.map((v) => c * v));
      const k = ntkGram(core, matrix(x), matrix(y), kernel);
      for (let i = 0; i < x.length; i++) {
        const norm2 = x[i].reduce((s, v) => s + v * v, 0);
        const got = k[i * x.length + i];
        const want = c > 0 ? collinearNtk(norm2, c, 17, kernel) : -c * opposite[i * x.length + i];
        expect(Number.isFinite(got)).toBe(true);
        expect(Math.abs(got - want)).toBeLessThan(1e-7 * Math.abs(c) * collinearNtk(norm2, 1, 17, kernel));
      }
    }
  });
});

describe('agreement with the reference ntkPair', () => {
  it.each(kernels)('cross matrix on random rows, %o, to 1e-12', (kernel) => {
    const random = rng(kernel.depth * 31 + 7);
    const a = randomRows(random, 23, 41);
    const b = randomRows(random, 17, 41);
    const k = ntkGram(core, matrix(a), matrix(b), kernel);
    expect(k.length).toBe(23 * 17);
    expect(maxRelError(k, ntkMatrix(a, b, kernel))).toBeLessThan(1e-12);
  });

  it.each(kernels)('symmetric matrix off the diagonal, %o, to 1e-12', (kernel) => {
    const a = randomRows(rng(kernel.depth + 500), 29, 300);
    const k = ntkGram(core, matrix(a), undefined, kernel);
    const ref = ntkMatrix(a, a, kernel);
    let worst = 0;
    for (let i = 0; i < a.length; i++)
      for (let j = 0; j < a.length; j++) {
        if (i !== j) worst = Math.max(worst, Math.abs(k[i * a.length + j] - ref[i][j]) / Math.abs(ref[i][j]));
      }
    expect(worst).toBeLessThan(1e-12);
  });

  it.each(kernels)('zero, collinear and anti-collinear rows (ρ = 0, ±1, clipped), %o', (kernel) => {
    const random = rng(kernel.depth + 900);
    const base = dyadicRows(random, 4, 9);
    const rows: Rows = [new Array(9).fill(0)];
    for (const x of base) rows.push(x, x.map((v) => -v), x.map((v) => 2 * v), x.map((v) => -0.5 * v));
    rows.push(...dyadicRows(random, 5, 9));
    const n = rows.length;
    const k = ntkGram(core, matrix(rows), undefined, kernel);
    const ref = ntkMatrix(rows, rows, kernel);
    // Pairs with ρ = 1 at every layer go to the θ = 0 recursion: there the
    // reference's literal grouping may be off by ~1e-8 (see above).
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const c = positiveRatio(rows[i], rows[j]);
        const norm2 = rows[i].reduce((s, v) => s + v * v, 0);
        const want = c !== undefined && (c === 1 || kernel.bVar === 0) ? collinearNtk(norm2, c, 9, kernel) : ref[i][j];
        expectClose(k[i * n + j], want, Math.sqrt(k[i * n + i] * k[j * n + j]), 1e-12);
      }
  });

  it('agrees across ρ ∈ [−1, 1) on a grid of exact inputs (d = 2), checking the Wasm acos', () => {
    // x = (1, 0) against y on a grid: Σ and q are exact, so differences come
    // from acos (AssemblyScript's versus V8's) and assembly/kernel/ntk.ts's exact
    // rewrites of the ReLU step only.
    const ys: Rows = [];
    for (let i = -32; i <= 32; i++) for (let j = -32; j <= 32; j += 4) if (j !== 0 || i < 0) ys.push([i / 16, j / 16]);
    for (const kernel of kernels) {
      const k = ntkGram(core, matrix([[1, 0]]), matrix(ys), kernel);
      const ref = ntkMatrix([[1, 0]], ys, kernel)[0];
      const kxx = collinearNtk(1, 1, 2, kernel);
      ys.forEach((y, j) => {
        const kyy = collinearNtk(y[0] * y[0] + y[1] * y[1], 1, 2, kernel);
        expectClose(k[j], ref[j], Math.sqrt(kxx * kyy), 1e-13);
      });
    }
  });
});

describe('structure', () => {
  it.each(kernels)('symmetric path equals the general path bit for bit and is symmetric, %o', (kernel) => {
    const a = matrix(randomRows(rng(kernel.depth + 77), 37, 19));
    const sym = ntkGram(core, a, undefined, kernel);
    const general = ntkGram(core, a, a, kernel);
    expect(Array.from(sym)).toEqual(Array.from(general));
    for (let i = 0; i < 37; i++) for (let j = 0; j < i; j++) expect(sym[i * 37 + j]).toBe(sym[j * 37 + i]);
  });

  it.each(kernels)('entries computed two at a time equal the single-entry path bit for bit, with zero, parallel and opposite rows, %o', (kernel) => {
    const random = rng(kernel.depth + 4242);
    const base = randomRows(random, 9, 11);
    // ρ = 1 (a row and its double), ρ = −1 (its negative), ρ near ±1 by rounding (a row times 1/3), and zero rows (norm 0 when bVar = 0).
    const rows = [...base, base[0].map((v) => 2 * v), base[0].map((v) => -v), base[1].map((v) => v / 3), base[2].map((v) => -v / 3),
      new Array(11).fill(0), base[3], new Array(11).fill(0)];
    const a = matrix(rows);
    const sym = ntkGram(core, a, undefined, kernel);
    const general = ntkGram(core, a, a, kernel);
    expect(Array.from(general)).toEqual(Array.from(sym));
    // Against one column at a time: a single column is the odd last entry, computed alone (ntkEntry).
    const n = rows.length;
    for (let j = 0; j < n; j++) {
      const column = ntkGram(core, a, matrix([rows[j]]), kernel);
      for (let i = 0; i < n; i++) expect(Object.is(general[i * n + j], column[i]), `(${i}, ${j})`).toBe(true);
    }
  });

  it.each([2, 3])('the paired arccos equals the scalar one on every branch and across mixed pairs (ρ at and beside ±0.5, near ±1 and 0), depth %i', (depth) => {
    // x = (1, 0) and y = (c, √(1 − c²)) in d = 2 with wVar 2, bVar 0 give ρ = c in the first layer (to rounding,
    // exactly for c = ±0.5 and its neighbours): the arccos branches split at |ρ| = 0.5 and on the sign.
    const next = (v: number, steps: number) => {
      const bits = new BigInt64Array(new Float64Array([v]).buffer);
      bits[0] += BigInt(steps * Math.sign(v));
      return new Float64Array(bits.buffer)[0];
    };
    const cs: number[] = [];
    for (let i = 0; i <= 200; i++) cs.push(-1 + i / 100);
    for (const edge of [0.5, -0.5]) for (let s = -3; s <= 3; s++) cs.push(next(edge, s));
    cs.push(1e-20, -1e-20, 0, 1 - 2 ** -52, -(1 - 2 ** -52), 0.1 + 0.2 - 0.3);
    const random = rng(depth + 99);
    for (let i = cs.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [cs[i], cs[j]] = [cs[j], cs[i]];
    }
    const ys = cs.map((c) => [c, Math.sqrt(Math.max(0, 1 - c * c))]);
    const kernel = { depth, wVar: 2, bVar: 0 };
    const x = matrix([[1, 0], [0.3, -0.7]]);
    const paired = ntkGram(core, x, matrix(ys), kernel);
    let mismatches = 0;
    ys.forEach((y, j) => {
      const alone = ntkGram(core, x, matrix([y]), kernel);
      for (let i = 0; i < 2; i++) if (!Object.is(paired[i * ys.length + j], alone[i])) mismatches++;
    });
    expect(mismatches).toBe(0);
    // Every branch of the scalar arccos is met in the first layer.
    expect(cs.filter((c) => Math.abs(c) < 0.5).length).toBeGreaterThan(10);
    expect(cs.filter((c) => c >= 0.5).length).toBeGreaterThan(10);
    expect(cs.filter((c) => c <= -0.5).length).toBeGreaterThan(10);
  });

  it.each(kernels)('is positive semi-definite on random sets, %o', (kernel) => {
    const n = 60;
    const a = randomRows(rng(kernel.depth + 1234), n, 6); // n > d: K is far from diagonal
    const k = ntkGram(core, matrix(a), undefined, kernel);
    let maxDiag = 0;
    for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, k[i * n + i]);
    const eig = new EigenvalueDecomposition(new MlMatrix(Array.from({ length: n }, (_, i) => Array.from(k.subarray(i * n, (i + 1) * n)))));
    expect(Math.min(...eig.realEigenvalues)).toBeGreaterThan(-1e-10 * maxDiag);
    // And the Wasm Cholesky accepts K + tiny jitter.
    const status = core.heap.scoped(() => {
      const p = core.heap.putF64(k);
      core.exports.addDiagonal(p, n, 1e-9 * maxDiag);
      return core.exports.cholesky(p, n);
    });
    expect(status).toBe(0);
  });

  it('rejects mismatched columns and bad kernels with FlipcertError', () => {
    const a = matrix([[1, 2, 3]]);
    expect(() => ntkGram(core, a, matrix([[1, 2]]), kernels[0])).toThrow(/x2 has 2 columns but x1 has 3/);
    expect(() => ntkGram(core, a, undefined, { depth: 0, wVar: 2, bVar: 0 })).toThrow(/depth/);
    expect(() => ntkGram(core, a, undefined, { depth: 2, wVar: Number.NaN, bVar: 0 })).toThrow(/wVar/);
    expect(() => ntkGram(core, { data: new Float64Array(2), rows: 1, cols: 3 }, undefined, kernels[0])).toThrow(/needs 3/);
  });
});
