// KernelModel (docs/spec.md §3) against the reference betaRows, which re-solves
// (K + λ̃I) β = k(X, x) by Gaussian elimination for every test row.
import { beforeAll, describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { KernelModel } from '../src/kernel/model.js';
import type { Matrix, ResolvedKernel } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { betaRows, ntkMatrix, randomRows, rng, type Rows } from './reference.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const matrix = (rows: Rows): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

/** Max over rows of max_i |got_i − want_i| / max_i |want_i|. */
function maxRowRelError(got: Float64Array, want: Rows): number {
  const n = want[0].length;
  let worst = 0;
  want.forEach((row, r) => {
    const scale = Math.max(...row.map(Math.abs));
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[r * n + i] - row[i]) / scale);
  });
  return worst;
}

// Training rows are ±1 and wVar + bVar = 2, so q = 2 at every layer: the
// reference's literal ReLU grouping is then exact on the diagonal of K too
// (with general rows it can be off there by ~1e-8, see test/ntk.test.ts).
// Test rows are continuous.
const cases: [string, 'krr' | 'svm', number, ResolvedKernel][] = [
  ['krr, reg 0.1, default kernel', 'krr', 0.1, { depth: 2, wVar: 2, bVar: 0 }],
  ['krr, reg 1e-3, depth 3 with bias', 'krr', 1e-3, { depth: 3, wVar: 1.5, bVar: 0.5 }],
  ['svm, depth 1', 'svm', 1, { depth: 1, wVar: 2, bVar: 0 }],
];

function signRows(random: () => number, rows: number, cols: number): Rows {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (random() < 0.5 ? -1 : 1)));
}

describe('KernelModel.weights', () => {
  it.each(cases)('%s: successive test blocks match betaRows to 1e-9', (_, model, reg, kernel) => {
    const random = rng(reg * 1000 + kernel.depth);
    const train = signRows(random, 150, 20); // 150 > NB = 128: crosses a panel boundary
    const test = randomRows(random, 37, 20);
    const want = betaRows(train, test, { model, reg, kernel });
    const fitMark = core.heap.mark();
    const m = KernelModel.fit(core, matrix(train), { model, reg, kernel });
    expect(m.n).toBe(150);
    const testX = matrix(test);
    let blockMark: number | undefined;
    for (const [start, count] of [[0, 16], [16, 16], [32, 5]]) {
      const ptr = m.weights(testX, start, count);
      // Each call reuses the previous call's heap space: no growth per block.
      blockMark ??= ptr;
      expect(ptr).toBe(blockMark);
      const got = core.heap.viewF64(ptr, count * 150);
      expect(maxRowRelError(got, want.slice(start, start + count))).toBeLessThan(1e-9);
    }
    m.dispose();
    expect(core.heap.mark()).toBe(fitMark);
  });

  it('reports λ̃ = reg·trace(K)/n and svmBound = 1/max_i Σ_j |K_ij|', () => {
    const train = signRows(rng(5), 40, 7);
    const kernel = { depth: 2, wVar: 1.7, bVar: 0.3 };
    const k = ntkMatrix(train, train, kernel);
    const trace = k.reduce((s, row, i) => s + row[i], 0);
    const bound = 1 / Math.max(...k.map((row) => row.reduce((s, v) => s + Math.abs(v), 0)));
    const krr = KernelModel.fit(core, matrix(train), { model: 'krr', reg: 0.5, kernel });
    expect(Math.abs(krr.lambda / ((0.5 * trace) / 40) - 1)).toBeLessThan(1e-13);
    expect(Math.abs(krr.svmBound / bound - 1)).toBeLessThan(1e-13);
    krr.dispose();
    const svm = KernelModel.fit(core, matrix(train), { model: 'svm', reg: 0.5, kernel });
    expect(svm.lambda).toBe(0);
    expect(Math.abs(svm.svmBound / bound - 1)).toBeLessThan(1e-13);
    svm.dispose();
  });
});

describe('KernelModel errors', () => {
  it('a numerically singular K + λ̃I throws a FlipcertError suggesting a larger options.reg (field reg) and frees the heap', () => {
    // Identical ±1 rows: K is 6·(all ones) exactly, λ̃ = 6e-18 vanishes next
    // to 6, and the second pivot is 6 − (6/√6)² = −8.9e-16.
    const row = [1, -1, 1, 1, -1];
    const train = matrix(Array.from({ length: 10 }, () => row));
    const mark = core.heap.mark();
    let error: unknown;
    try {
      KernelModel.fit(core, train, { model: 'krr', reg: 1e-18, kernel: { depth: 2, wVar: 2, bVar: 0 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlipcertError);
    expect((error as Error).message).toMatch(/pivot 1 of 10.*larger options\.reg/);
    expect(error).toMatchObject({ code: 'ENUMERIC', field: 'reg' });
    expect(core.heap.mark()).toBe(mark);
  });

  it('rejects bad options and test blocks with FlipcertError', () => {
    const kernel = { depth: 2, wVar: 2, bVar: 0 };
    const train = matrix(randomRows(rng(9), 6, 3));
    expect(() => KernelModel.fit(core, train, { model: 'krr', reg: 0, kernel })).toThrow(FlipcertError);
    expect(() => KernelModel.fit(core, train, { model: 'krr', reg: 1, kernel: { ...kernel, depth: 1.5 } })).toThrow(/depth/);
    const m = KernelModel.fit(core, train, { model: 'krr', reg: 1, kernel });
    expect(() => m.weights(matrix([[1, 2]]), 0, 1)).toThrow(/2 columns but the training features have 3/);
    expect(() => m.weights(matrix([[1, 2, 3]]), 0, 2)).toThrow(/outside the 1 test rows/);
    m.dispose();
    expect(() => m.weights(matrix([[1, 2, 3]]), 0, 1)).toThrow(/disposed/);
  });
});
