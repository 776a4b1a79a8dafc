import { beforeAll, describe, expect, it } from 'vitest';
import { keptColumns } from '../src/kernel/columns.js';
import { KernelModel } from '../src/kernel/model.js';
import { ntkGram } from '../src/kernel/ntk.js';
import type { Matrix } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { rng } from './reference.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const matrix = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0].length, data: Float64Array.from(rows.flat()) });

/** Rows of width d with values like 0.1 + 0.2 in the `used` columns and exact zeros elsewhere. */
function rowsWithZeroColumns(random: () => number, count: number, d: number, used: (j: number) => boolean): number[][] {
  return Array.from({ length: count }, () => Array.from({ length: d }, (_, j) => (used(j) ? (random() < 0.7 ? 0.1 + 0.2 * random() : 0) : 0)));
}

describe('keptColumns', () => {
  it('lists the columns nonzero in some row, only when enough are zero everywhere', () => {
    const x = new Float64Array([0, 1, 0, 0, 0, 0, -0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(keptColumns(x, 2, 16)!)).toEqual([1, 4, 15]);
    // 1 zero column of 16 (below 1/16 … exactly 1/16 is enough), none, or every column zero: nothing to gain.
    const one = new Float64Array(16).fill(1);
    one[3] = 0;
    expect(Array.from(keptColumns(one, 1, 16)!)).toHaveLength(15);
    expect(keptColumns(new Float64Array(17).fill(1).map((v, j) => (j === 3 ? 0 : v)), 1, 17)).toBeUndefined();
    expect(keptColumns(new Float64Array(16), 1, 16)).toBeUndefined();
  });
});

describe('compactColumns (the core)', () => {
  it('keeps the listed columns in place and sums the others’ squares in column order', () => {
    const random = rng(5);
    const rows = 7;
    const d = 13;
    const x = Array.from({ length: rows * d }, () => random() - 0.5);
    const keep = [0, 2, 3, 7, 12];
    const got = core.heap.scoped(() => {
      const ptr = core.heap.putF64(Float64Array.from(x));
      const rest = core.heap.f64(rows);
      core.exports.compactColumns(ptr, rows, d, core.heap.putI32(Int32Array.from(keep)), keep.length, rest);
      return { rows: core.heap.viewF64(ptr, rows * keep.length).slice(), rest: core.heap.viewF64(rest, rows).slice() };
    });
    for (let i = 0; i < rows; i++) {
      keep.forEach((j, k) => expect(got.rows[i * keep.length + k]).toBe(x[i * d + j]));
      let total = 0;
      for (let j = 0; j < d; j++) if (!keep.includes(j)) total += x[i * d + j] * x[i * d + j];
      expect(got.rest[i]).toBe(total);
    }
  });
});

describe('a model on rows with zero columns', () => {
  const d = 40;
  const used = (j: number) => j % 5 !== 0 && j < 33; // 14 of 40 columns zero in every training row
  const kernel = { depth: 3, wVar: 2, bVar: 0 };

  it('gives the kernel of all columns to rounding, symmetric bit for bit, and K(x, x) with ρ = 1 exactly', () => {
    const random = rng(11);
    const train = rowsWithZeroColumns(random, 30, d, used);
    // Test rows: the training rows themselves, and rows with values in the training set's zero columns too.
    const others = rowsWithZeroColumns(random, 6, d, () => true);
    const test = [...train, ...others];
    const model = KernelModel.fit(core, matrix(train), { model: 'svm', reg: 1, kernel });
    const beta = core.heap.viewF64(model.weights(matrix(test), 0, test.length), test.length * train.length).slice();
    const exps = model.lastExponents;
    model.dispose();
    expect(Array.from(exps).every((e) => e === 0)).toBe(true);
    const dense = ntkGram(core, matrix(test), matrix(train), kernel);
    for (let i = 0; i < test.length; i++) {
      for (let j = 0; j < train.length; j++) {
        const [a, b] = [beta[i * train.length + j], dense[i * train.length + j]];
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-13 * Math.abs(b));
        // Symmetric: K(x_i, x_j) as a test row against the training rows, both ways.
        if (i < train.length) expect(Object.is(a, beta[j * train.length + i]), `(${i}, ${j})`).toBe(true);
      }
      if (i < train.length) {
        // K(x, x) = 2·(depth + 1)·|x|²/d: exact up to |x|²'s rounding only when ρ = 1 exactly (ρ = 1 − 2⁻⁵³ is off by ~1e-8).
        const norm = train[i].reduce((s, v) => s + v * v, 0);
        expect(Math.abs(beta[i * train.length + i] - (2 * (kernel.depth + 1) * norm) / d)).toBeLessThanOrEqual(1e-14 * norm);
      }
    }
  });

  it('gives krr weights within rounding of the dense solve', () => {
    const random = rng(12);
    const train = rowsWithZeroColumns(random, 25, d, used);
    const test = rowsWithZeroColumns(random, 5, d, () => true);
    const model = KernelModel.fit(core, matrix(train), { model: 'krr', reg: 0.1, kernel });
    const beta = core.heap.viewF64(model.weights(matrix(test), 0, test.length), test.length * train.length).slice();
    const lambda = model.lambda;
    model.dispose();
    // Reference: (K + λI)β = k by Gaussian elimination on the dense kernel.
    const k = ntkGram(core, matrix(train), undefined, kernel);
    const kx = ntkGram(core, matrix(test), matrix(train), kernel);
    const n = train.length;
    for (let t = 0; t < test.length; t++) {
      const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => k[i * n + j] + (i === j ? lambda : 0)));
      const b = Array.from({ length: n }, (_, i) => kx[t * n + i]);
      for (let c = 0; c < n; c++) {
        let p = c;
        for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
        [a[c], a[p]] = [a[p], a[c]];
        [b[c], b[p]] = [b[p], b[c]];
        for (let r = c + 1; r < n; r++) {
          const f = a[r][c] / a[c][c];
          for (let q = c; q < n; q++) a[r][q] -= f * a[c][q];
          b[r] -= f * b[c];
        }
      }
      const x = new Array<number>(n);
      for (let r = n - 1; r >= 0; r--) {
        let s = b[r];
        for (let q = r + 1; q < n; q++) s -= a[r][q] * x[q];
        x[r] = s / a[r][r];
      }
      const scale = Math.max(...x.map(Math.abs));
      for (let i = 0; i < n; i++) expect(Math.abs(beta[t * n + i] - x[i])).toBeLessThanOrEqual(1e-9 * scale);
    }
  });
});
