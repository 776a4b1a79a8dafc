// Kernels and certificates on features far from 1 in size. With bVar = 0 the
// NTK is positively homogeneous, K(a·x, b·x') = a·b·K(x, x'), so the reference
// is the kernel of moderate rows, rescaled; KRR with relative ridge and the
// certificates do not change when all features (or one test row) are scaled.
// What float64 cannot hold must be refused as ENUMERIC, never returned as
// NaN, Inf or a silently different number.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../src/data/mnist.js';
import { FlipcertError } from '../src/errors.js';
import { certify, ntk, type CertifyOptions, type CertifyResult } from '../src/index.js';
import { KernelModel } from '../src/kernel/model.js';
import { ntkGram, ntkInto } from '../src/kernel/ntk.js';
import { times2 } from '../src/kernel/scale.js';
import type { Matrix, ResolvedKernel } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { betaRows, ntkMatrix, randomRows, rng, type Rows } from './reference.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const matrix = (rows: Rows): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });
const scaleRows = (rows: Rows, factors: number[]): Rows => rows.map((row, i) => row.map((v) => times2(v, factors[i])));
const multiply = (rows: Rows, c: number): Rows => rows.map((row) => row.map((v) => v * c));

const homogeneous: ResolvedKernel[] = [
  { depth: 1, wVar: 2, bVar: 0 },
  { depth: 2, wVar: 2, bVar: 0 },
  { depth: 3, wVar: 1.5, bVar: 0 },
  { depth: 6, wVar: 2.5, bVar: 0 },
];

/** Runs `body` and returns the FlipcertError it throws (fails the test if it throws nothing else). */
function flipcertError(body: () => unknown): FlipcertError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(FlipcertError);
    return error as FlipcertError;
  }
  throw new Error('expected a FlipcertError');
}

describe('the kernel of rows far from 1 (bVar = 0): K(2^a·x, 2^b·y) = 2^(a+b)·K(x, y)', () => {
  // Exponents per row, mixed within one matrix; |a| ≤ 500 keeps K(x, x) ≈ 2^2a normal.
  const exponents = [-500, -300, -129, -1, 0, 7, 128, 300, 500];

  it.each(homogeneous)('bit for bit, rows of wildly different sizes in one matrix, %o', (kernel) => {
    const random = rng(kernel.depth * 7 + 1);
    const x = randomRows(random, 27, 13);
    const y = randomRows(random, 18, 13);
    const ex = x.map((_, i) => exponents[i % exponents.length]);
    const ey = y.map((_, j) => exponents[(j * 4 + 3) % exponents.length]);
    const base = ntkGram(core, matrix(x), matrix(y), kernel);
    const baseSym = ntkGram(core, matrix(x), undefined, kernel);
    const got = ntkGram(core, matrix(scaleRows(x, ex)), matrix(scaleRows(y, ey)), kernel);
    const gotSym = ntkGram(core, matrix(scaleRows(x, ex)), undefined, kernel);
    for (let i = 0; i < x.length; i++) {
      for (let j = 0; j < y.length; j++) expect(got[i * y.length + j]).toBe(times2(base[i * y.length + j], ex[i] + ey[j]));
      for (let j = 0; j < x.length; j++) expect(gotSym[i * x.length + j]).toBe(times2(baseSym[i * x.length + j], ex[i] + ex[j]));
    }
    // And against the plain docs/spec.md §2 recursion of test/reference.ts on the moderate rows.
    const ref = ntkMatrix(x, y, kernel);
    for (let i = 0; i < x.length; i++)
      for (let j = 0; j < y.length; j++) {
        const want = times2(ref[i][j], ex[i] + ey[j]);
        expect(Math.abs(got[i * y.length + j] - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
      }
  });

  it('features × 1e-90: K ≈ 1e-180·K(x, y) (the unscaled recursion saw q·q′ underflow to 0)', () => {
    const random = rng(90);
    const x = randomRows(random, 12, 9);
    const y = randomRows(random, 8, 9);
    const kernel = homogeneous[1];
    const ref = ntkMatrix(x, y, kernel);
    const got = ntkGram(core, matrix(multiply(x, 1e-90)), matrix(multiply(y, 1e-90)), kernel);
    for (let i = 0; i < x.length; i++)
      for (let j = 0; j < y.length; j++) {
        const want = ref[i][j] * 1e-180;
        expect(Math.abs(got[i * 8 + j] - want)).toBeLessThanOrEqual(1e-13 * Math.abs(want));
      }
  });

  it('zero rows give exact zeros, next to rows of size 2^±500', () => {
    const random = rng(3);
    const x = [new Array(6).fill(0), ...scaleRows(randomRows(random, 3, 6), [500, -500, 0]), new Array(6).fill(0)];
    const k = ntkGram(core, matrix(x), undefined, homogeneous[1]);
    for (let j = 0; j < 5; j++) {
      for (const zero of [0, 4]) {
        expect(k[zero * 5 + j]).toBe(0);
        expect(k[j * 5 + zero]).toBe(0);
      }
    }
    expect(Array.from(ntkGram(core, matrix([[0, 0], [0, 0]]), undefined, homogeneous[0]))).toEqual([0, 0, 0, 0]);
  });

  it('leaves the caller’s heap rows untouched (ntkInto scales a copy)', () => {
    const rows = scaleRows(randomRows(rng(4), 5, 7), [300, 0, -300, 500, -500]);
    const flat = Float64Array.from(rows.flat());
    core.heap.scoped(() => {
      const ptr = core.heap.putF64(flat);
      const out = core.heap.f64(25);
      ntkInto(core, ptr, 5, ptr, 5, 7, { depth: 2, wVar: 2, bVar: 0 }, out, [
        { label: 'x1 row', field: 'x1' },
        { label: 'x1 row', field: 'x1' },
      ]);
      expect(Array.from(core.heap.viewF64(ptr, 35))).toEqual(Array.from(flat));
    });
  });
});

describe('values float64 cannot hold are refused (ENUMERIC), never written as Inf/NaN', () => {
  const x = randomRows(rng(11), 6, 5);

  it('features × 1e300: K(x, x) ≈ 1e600 overflows; the error names the row', async () => {
    const big = x.map((row, i) => (i === 4 ? row.map((v) => v * 1e300) : row));
    const error = flipcertError(() => ntkGram(core, matrix(big), undefined, homogeneous[1]));
    expect(error.code).toBe('ENUMERIC');
    expect(error.message).toMatch(/x1 row 4: .*overflows float64/);
    // Through the public API as well.
    await expect(ntk(big)).rejects.toMatchObject({ code: 'ENUMERIC', field: 'x1' });
  });

  it('features × 1e-170: K ≈ 1e-340 underflows; the error says so', () => {
    const error = flipcertError(() => ntkGram(core, matrix(multiply(x, 1e-170)), undefined, homogeneous[1]));
    expect(error.code).toBe('ENUMERIC');
    expect(error.message).toMatch(/underflows float64/);
  });

  it('a cross kernel whose entries are far out of range even though each side is fine', () => {
    const error = flipcertError(() => ntkGram(core, matrix(multiply(x, 1e160)), matrix(multiply(x, 1e160)), homogeneous[1]));
    expect(error.message).toMatch(/x1 row \d+ and x2 row \d+: .*overflows/);
  });

  it.each([1e300, 1e100, 1e-300])('bVar > 0 (not homogeneous): features × %s are refused naming the row and the cause', (c) => {
    const rows = x.map((row, i) => (i === 2 ? row.map((v) => v * c) : row));
    const kernel = { depth: 2, wVar: 2, bVar: 1e-200 };
    const error = flipcertError(() => ntkGram(core, matrix(rows), undefined, kernel));
    expect(error.code).toBe('ENUMERIC');
    expect(error.field).toBe('x1');
    expect(error.message).toMatch(/x1 row 2: the kernel's layer variance .*bVar > 0/);
  });

  it('bVar > 0 with features × 1e60 is inside the range and matches the plain recursion', () => {
    const kernel = { depth: 3, wVar: 1.5, bVar: 0.5 };
    const rows = multiply(x, 1e60);
    const k = ntkGram(core, matrix(rows), undefined, kernel);
    const ref = ntkMatrix(rows, rows, kernel);
    ref.flat().forEach((want, i) => expect(Math.abs(k[i] - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want)));
  });

  it('wVar^depth beyond float64 is refused naming depth, not the data', () => {
    const error = flipcertError(() => ntkGram(core, matrix(x), undefined, { depth: 1000, wVar: 4, bVar: 0 }));
    expect(error.code).toBe('ENUMERIC');
    expect(error.field).toBe('kernel.depth');
    expect(error.message).toMatch(/wVar 4 and options\.kernel\.depth 1000 .*2\^1000/);
    expect(ntkGram(core, matrix(x), undefined, { depth: 1000, wVar: 2, bVar: 0 }).every(Number.isFinite)).toBe(true);
  });
});

/** A 3-class problem with one zero test row. */
function problem(seed: number): { train: Rows; labels: number[]; test: Rows } {
  const random = rng(seed);
  const train = randomRows(random, 48, 5);
  const labels = train.map((row) => (row[0] + row[1] > 0.4 ? 2 : row[0] > 0 ? 1 : 0));
  const test = [...randomRows(random, 19, 5), new Array(5).fill(0)];
  return { train, labels, test };
}

async function run(train: Rows, labels: number[], test: Rows, extra: Partial<CertifyOptions> = {}): Promise<CertifyResult> {
  return certify({ train: { x: train, y: labels }, test: { x: test }, threads: 1, classes: 3, ...extra });
}

const settings: Partial<CertifyOptions>[] = [
  { model: 'krr', reg: 0.3 },
  { model: 'krr', reg: 1e-3, kernel: { depth: 3, wVar: 1.5 } },
  { model: 'svm' },
  { model: 'krr', reg: 0.5, witness: true },
];

describe('certificates do not change when features are scaled (bVar = 0)', () => {
  it.each(settings)('all features × 2^k: identical results, %o', async (extra) => {
    const { train, labels, test } = problem(1);
    const base = await run(train, labels, test, extra);
    expect(base.points.some((p) => p.radius > 0 && p.radius < 48)).toBe(true); // a non-trivial problem
    for (const k of [-1000, -600, -129, 300, 900]) {
      const got = await run(scaleRows(train, train.map(() => k)), labels, scaleRows(test, test.map(() => k)), extra);
      expect(got.points).toEqual(base.points);
      expect(got.config.svmCBound).toBe(base.config.svmCBound === null ? null : times2(base.config.svmCBound, -2 * k));
    }
  });

  it.each(settings)('all features × 1e300 and × 1e-90: same predictions and radii, %o', async (extra) => {
    const { train, labels, test } = problem(2);
    const base = await run(train, labels, test, extra);
    for (const c of [1e300, 1e-90, 1e-300]) {
      const got = await run(multiply(train, c), labels, multiply(test, c), extra);
      expect(got.points).toEqual(base.points);
    }
  });

  it.each(settings)('each test row scaled on its own (2^±1000, 1e±300, zero): same results, %o', async (extra) => {
    const { train, labels, test } = problem(3);
    const base = await run(train, labels, test, extra);
    const factors = [1e300, 1e-300, 2 ** 1000, 2 ** -1000, 1e-90, 5e-324 * 2 ** 60, 3, 0.25];
    const scaled = test.map((row, r) => row.map((v) => v * factors[r % factors.length]));
    const got = await run(train, labels, scaled, extra);
    expect(got.points).toEqual(base.points);
  });

  it('KernelModel: β of 2^k-scaled test rows is 2^lastExponents·β bit for bit', () => {
    const { train, test } = problem(4);
    const model = KernelModel.fit(core, matrix(train), { model: 'krr', reg: 0.3, kernel: homogeneous[1] });
    const n = train.length;
    const base = core.heap.viewF64(model.weights(matrix(test), 0, test.length), test.length * n).slice();
    expect(Array.from(model.lastExponents).every((e) => e === 0)).toBe(true);
    // (2^-1000 keeps these entries normal, so the scaled rows are exact.)
    const ks = test.map((_, r) => [0, 700, -700, 1020, -1000][r % 5]);
    const beta = core.heap.viewF64(model.weights(matrix(scaleRows(test, ks)), 0, test.length), test.length * n).slice();
    const exps = model.lastExponents;
    for (let r = 0; r < test.length; r++) {
      for (let i = 0; i < n; i++) expect(beta[r * n + i]).toBe(times2(base[r * n + i], exps[r] + ks[r]));
    }
    model.dispose();
  });
});

describe('training rows of wildly different sizes', () => {
  // Sizes 2^±200 (and zero rows): outside the band, so they are rescaled, but
  // the plain reference recursion still computes them without overflow.
  const sizes = [200, -200, 0, 150, -90, 0, 17];

  it.each(settings.slice(0, 3))('β matches the plain reference; results equal those of the set × 2^±600, %o', async (extra) => {
    const { train, labels, test } = problem(5);
    const mixed = scaleRows(train, train.map((_, i) => sizes[i % sizes.length]));
    mixed[9] = new Array(5).fill(0);
    const kernel = { depth: 2, wVar: 2, bVar: 0, ...extra.kernel };
    const model = KernelModel.fit(core, matrix(mixed), { model: extra.model!, reg: extra.reg ?? 1, kernel });
    const beta = core.heap.viewF64(model.weights(matrix(test), 0, test.length), test.length * mixed.length).slice();
    const exps = model.lastExponents;
    // β comes back as 2^e·β(x), here e ≠ 0: β(x) itself is ≈ 2^-200 next to these training rows.
    expect(exps.some((e) => e !== 0)).toBe(true);
    expect(exps.every((e) => Math.abs(e) < 2000)).toBe(true);
    const want = betaRows(mixed, test, { model: extra.model!, reg: extra.reg ?? 1, kernel });
    // Rows 2^±200 apart make K + λ̃I ill-conditioned (more so with reg 1e-3): both solvers lose digits.
    const tol = (extra.reg ?? 1) < 0.01 ? 1e-8 : 1e-9;
    let worst = 0;
    want.forEach((row, r) => {
      const size = Math.max(...row.map(Math.abs), Number.MIN_VALUE); // the zero test row has β = 0
      row.forEach((v, i) => (worst = Math.max(worst, Math.abs(times2(beta[r * mixed.length + i], -exps[r]) - v) / size)));
    });
    expect(worst).toBeLessThanOrEqual(tol);
    model.dispose();
    const base = await run(mixed, labels, test, extra);
    for (const k of [600, -600]) {
      const a = scaleRows(mixed, mixed.map(() => k));
      const b = scaleRows(test, test.map(() => k));
      const got = await run(a, labels, b, extra);
      expect(got.points).toEqual(base.points);
    }
  });

  it('sizes beyond what one float64 matrix holds (K(x, x) from 2^-1200 to 2^1200) are refused naming both rows', async () => {
    const { train, labels, test } = problem(6);
    const mixed = scaleRows(train, train.map((_, i) => (i === 3 ? 600 : i === 7 ? -600 : 0)));
    await expect(run(mixed, labels, test)).rejects.toMatchObject({
      code: 'ENUMERIC',
      field: 'train.x',
      message: expect.stringMatching(/options\.train\.x rows 7 and 3 differ too much in size/),
    });
  });

  it('bVar > 0 with a 1e300 training row: ENUMERIC naming the row, not "use a larger options.reg"', async () => {
    const { train, labels, test } = problem(7);
    train[5] = train[5].map((v) => v * 1e300);
    const error = await run(train, labels, test, { kernel: { bVar: 0.1 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENUMERIC', field: 'train.x' });
    expect((error as Error).message).toMatch(/^options\.train\.x row 5: .*bVar > 0/);
    expect((error as Error).message).not.toMatch(/larger .*reg/);
  });
});

describe('the Wasm helpers of assembly/kernel/scale.ts', () => {
  it('rowLogb is ⌊log₂ max|x|⌋ per row, subnormals included, ZERO_ROW for zero rows', () => {
    const rows = [[0.75, -3], [0, 0], [5e-324, -1e-310], [-1.7976931348623157e308, 1], [1, 0.5], [2 ** -1022, 0]];
    const want = [1, core.exports.ZERO_ROW.value, Math.floor(Math.log2(1e-310)), 1023, 0, -1022];
    const got = core.heap.scoped(() => {
      const out = core.heap.i32(rows.length);
      core.exports.rowLogb(core.heap.putF64(rows.flat()), rows.length, 2, out);
      return Array.from(core.heap.viewI32(out, rows.length));
    });
    expect(got).toEqual(want);
  });

  it('scaleRows and scaleEntries multiply by 2^k exactly, k beyond ±1023 too', () => {
    const values = [5e-324, 3e-310, 1.5, -7.25, 2 ** 1000, 0];
    for (const k of [2000, 1074, 1, 0, -1, -1000, -2000]) {
      const [rowsOut, entriesOut] = core.heap.scoped(() => {
        const x = core.heap.putF64(values);
        core.exports.scaleRows(x, 1, values.length, core.heap.putI32([k]));
        const c = core.heap.putF64(values);
        core.exports.scaleEntries(c, 2, 3, core.heap.putI32([k - 5, k + 7]), core.heap.putI32([5, 0, -3]));
        return [Array.from(core.heap.viewF64(x, 6)), Array.from(core.heap.viewF64(c, 6))];
      });
      expect(rowsOut).toEqual(values.map((v) => times2(v, k)));
      const shifts = [k, k - 5, k - 8, k + 12, k + 7, k + 4];
      expect(entriesOut).toEqual(values.map((v, i) => times2(v, shifts[i])));
    }
  });
});

/**
 * The path before rescaling existed, on rows of `width` doubles from data of d features: squared norms (a test row's
 * plus `testRest[i]`), Gram product, recursion, then the solves as KernelModel runs them
 * (assembly/linalg/trsm-inverse.ts). Depth 2, wVar 2, bVar 0, relative ridge 1.
 */
function rawPath(train: Float64Array, n: number, test: Float64Array, m: number, width: number, d: number, testRest?: number[]) {
  return core.heap.scoped(() => {
    const x = core.heap.putF64(train);
    const t = core.heap.putF64(test);
    const q = core.heap.f64(n);
    const qt = core.heap.f64(m);
    const k = core.heap.f64(n * n);
    const kt = core.heap.f64(m * n);
    core.exports.rowSquaredNorms(x, q, n, width);
    core.exports.rowSquaredNorms(t, qt, m, width);
    if (testRest) {
      const testNorms = core.heap.viewF64(qt, m);
      for (let i = 0; i < m; i++) testNorms[i] = testNorms[i] + testRest[i];
    }
    core.exports.gramSym(x, k, n, width);
    core.exports.ntkFromDotSym(k, q, n, d, 2, 2, 0);
    core.exports.gramDot(t, x, kt, m, n, width);
    core.exports.ntkFromDot(kt, qt, q, m, n, d, 2, 2, 0);
    const sym = core.heap.viewF64(k, n * n).slice();
    core.exports.addDiagonal(k, n, core.exports.traceOf(k, n) / n);
    expect(core.exports.cholesky(k, n)).toBe(0);
    const cross = core.heap.viewF64(kt, m * n).slice();
    const scratch = core.heap.f64(core.exports.solveScratchDoubles());
    core.exports.mirrorLowerRows(k, n, 0, n);
    core.exports.invertDiagonalBlocks(k, n, scratch);
    core.exports.solveFactored(k, kt, n, m, scratch);
    return { sym, cross, beta: core.heap.viewF64(kt, m * n).slice() };
  });
}

describe('ordinary data: bit for bit the unscaled computation', () => {
  it('MNIST kernels and β equal the raw Gram + recursion path (no rescaling, no extra rounding; β on the columns the model keeps)', async () => {
    const { train, test } = await loadMnist('mnist', { trainSize: 300, testSize: 40 });
    const kernel = { depth: 2, wVar: 2, bVar: 0 };
    const n = train.x.rows;
    const d = train.x.cols;
    const raw = rawPath(train.x.data, n, test.x.data, 40, d, d);
    expect(Array.from(ntkGram(core, train.x, undefined, kernel))).toEqual(Array.from(raw.sym));
    expect(Array.from(ntkGram(core, test.x, train.x, kernel))).toEqual(Array.from(raw.cross));
    // The model drops the columns that are zero in every training row (src/kernel/columns.ts): its β is the same
    // raw path on the kept columns, a test row's squared norm being (kept part) + (dropped part, in column order).
    const kept = Array.from({ length: d }, (_, j) => j).filter((j) => {
      for (let i = 0; i < n; i++) if (train.x.data[i * d + j] !== 0) return true;
      return false;
    });
    expect(d - kept.length).toBeGreaterThan(d / 16);
    const w = kept.length;
    const compact = (x: Float64Array, rows: number) => Float64Array.from({ length: rows * w }, (_, at) => x[Math.floor(at / w) * d + kept[at % w]]);
    const rest = Array.from({ length: 40 }, (_, i) => {
      let sum = 0;
      for (let j = 0; j < d; j++) if (!kept.includes(j)) sum += test.x.data[i * d + j] ** 2;
      return sum;
    });
    const rawKept = rawPath(compact(train.x.data, n), n, compact(test.x.data, 40), 40, w, d, rest);
    const model = KernelModel.fit(core, train.x, { model: 'krr', reg: 1, kernel });
    const beta = core.heap.viewF64(model.weights(test.x, 0, 40), 40 * n).slice();
    expect(Array.from(beta)).toEqual(Array.from(rawKept.beta));
    // And within rounding of the path over all columns.
    const scale = Math.max(...raw.beta.map(Math.abs));
    for (let i = 0; i < beta.length; i++) expect(Math.abs(beta[i] - raw.beta[i])).toBeLessThanOrEqual(1e-9 * scale);
    expect(Array.from(model.lastExponents)).toEqual(new Array(40).fill(0));
    model.dispose();
  });
});
