// Wavelet scattering (docs/spec.md §13.1; assembly/features/scattering.ts,
// src/features/scattering.ts): the filters against the formula evaluated here,
// whole transforms against an independent NumPy reference
// (test/reference_scattering.py), exact symmetries (translation by 2^J,
// homogeneity), batch independence, determinism and the input checks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { scatter, scatterOn, scatteringDims, scatteringGrid } from '../src/features/scattering.js';
import type { ScatteringStage } from '../src/represent/spec.js';
import { createFeatures, type Features } from '../src/features/module.js';
import { rng } from './reference.js';

let features: Features;
beforeAll(async () => {
  features = await createFeatures();
});

const stage = (J: number, L: number, order: number): ScatteringStage => ({ kind: 'scattering', J, L, order });

function randomImages(rows: number, h: number, w: number, seed: number): Float64Array {
  const random = rng(seed);
  return Float64Array.from({ length: rows * h * w }, () => random() * 2 - 0.5);
}

describe('filters', () => {
  // The workspace's first f64: P + Q twiddle values, then φ̂ (P·Q), then ψ̂_{j,ℓ} at 1 + j·L + ℓ planes on.
  function plan(h: number, w: number, s: ScatteringStage): { P: number; Q: number; phi: Float64Array; psi: (j: number, l: number) => Float64Array } {
    const P = scatteringGrid(h, s.J);
    const Q = scatteringGrid(w, s.J);
    const e = features.exports;
    const n = e.scatteringWorkspaceDoubles(h, w, s.J, s.L, s.order);
    const ws = features.heap.f64(n);
    e.scatteringPlan(ws, h, w, s.J, s.L, s.order);
    const all = features.heap.viewF64(ws, n).slice();
    const N = P * Q;
    return { P, Q, phi: all.subarray(P + Q, P + Q + N), psi: (j, l) => all.subarray(P + Q + N * (1 + j * s.L + l), P + Q + N * (2 + j * s.L + l)) };
  }

  const omega = (k: number, n: number) => (2 * Math.PI * (k < n / 2 ? k : k - n)) / n;

  it('φ̂ and ψ̂ match the formula of §13.1 at hand-picked frequencies', () => {
    features.heap.scoped(() => {
      const s = stage(2, 8, 1);
      const { P, Q, phi, psi } = plan(28, 20, s);
      expect([P, Q]).toEqual([32, 32]);
      const sJ = 0.8 * 4;
      for (const [r, q] of [[0, 0], [1, 0], [0, 3], [5, 7], [16, 16], [31, 30], [20, 2]]) {
        const wr = omega(r, P);
        const wc = omega(q, Q);
        expect(phi[r * Q + q]).toBeCloseTo(Math.exp((-sJ * sJ * (wr * wr + wc * wc)) / 2), 15);
        for (const [j, l] of [[0, 0], [0, 3], [1, 5], [1, 7]]) {
          const sigma = 0.8 * 2 ** j;
          const xi = (3 * Math.PI) / 4 / 2 ** j;
          const th = (Math.PI * l) / 8;
          const a = wr * Math.cos(th) + wc * Math.sin(th);
          const b = -wr * Math.sin(th) + wc * Math.cos(th);
          const g = (u: number, v: number) => Math.exp((-sigma * sigma * (u * u + (v * v) / 0.25)) / 2);
          const want = g(a - xi, b) - Math.exp((-sigma * sigma * xi * xi) / 2) * g(a, b);
          expect(Math.abs(psi(j, l)[r * Q + q] - want)).toBeLessThan(1e-15);
        }
      }
      // A hand value: φ̂ at (ω_r, ω_c) = (2π/32, 0) is exp(−3.2²·(π/16)²/2).
      expect(phi[Q]).toBeCloseTo(0.8208687174, 9);
      // ψ̂_{0,0} peaks at ω_r = 3π/4 = 2π·12/32, ω_c = 0: 1 − κ·exp(−0.8²·(3π/4)²/2) = 1 − κ².
      const kappa = Math.exp(-((0.8 * 0.75 * Math.PI) ** 2) / 2);
      expect(psi(0, 0)[12 * Q]).toBeCloseTo(1 - kappa * kappa, 14);
    });
  });

  it('every wavelet has zero mean exactly and φ̂(0) = 1; slant is 1 for L ≤ 4', () => {
    features.heap.scoped(() => {
      const s = stage(3, 3, 2);
      const { Q, phi, psi } = plan(9, 11, s);
      expect(phi[0]).toBe(1);
      for (let j = 0; j < 3; j++) for (let l = 0; l < 3; l++) expect(psi(j, l)[0]).toBe(0);
      // L = 3: isotropic envelope, θ = π/3; at (ω_r, ω_c) = (0, 2π/16) for j = 1.
      const wc = (2 * Math.PI) / Q;
      const a = wc * Math.sin(Math.PI / 3);
      const b = wc * Math.cos(Math.PI / 3);
      const sigma = 1.6;
      const xi = (3 * Math.PI) / 8;
      const g = (u: number, v: number) => Math.exp((-sigma * sigma * (u * u + v * v)) / 2);
      expect(psi(1, 1)[1]).toBeCloseTo(g(a - xi, b) - Math.exp((-sigma * sigma * xi * xi) / 2) * g(a, b), 15);
    });
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!hasNumpy) console.warn('test/scattering.test.ts: python3 with NumPy not found, skipping the comparison with test/reference_scattering.py');

function numpyScatter(x: Float64Array, rows: number, h: number, w: number, s: ScatteringStage): Float64Array {
  const dir = mkdtempSync(join(tmpdir(), 'flipcert-scattering-'));
  try {
    writeFileSync(join(dir, 'in.f64'), x);
    const run = spawnSync('python3', ['test/reference_scattering.py', join(dir, 'in.f64'), ...[rows, h, w, s.J, s.L, s.order].map(String), join(dir, 'out.f64')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    const bytes = readFileSync(join(dir, 'out.f64'));
    return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8).slice();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasNumpy)('against the NumPy reference', () => {
  const cases: [number, number, ScatteringStage][] = [
    [28, 28, stage(2, 8, 1)],
    [20, 13, stage(2, 4, 2)],
    [17, 9, stage(1, 3, 2)],
    [33, 30, stage(3, 6, 2)],
    [8, 8, stage(3, 1, 1)],
  ];
  it.each(cases)('%i×%i %o: every channel within 1e-12 of the reference (relative to its largest entry)', (h, w, s) => {
    const rows = 4;
    const x = randomImages(rows, h, w, h * 31 + w);
    const got = scatterOn(features, x, rows, h, w, s);
    const want = numpyScatter(x, rows, h, w, s);
    const dims = scatteringDims(h, w, s);
    expect(got.length).toBe(rows * dims);
    expect(want.length).toBe(rows * dims);
    const plane = Math.ceil(h / 2 ** s.J) * Math.ceil(w / 2 ** s.J);
    for (let c = 0; c < dims / plane; c++) {
      let diff = 0;
      let size = 0;
      for (let i = 0; i < rows; i++) {
        for (let k = 0; k < plane; k++) {
          const at = i * dims + c * plane + k;
          diff = Math.max(diff, Math.abs(got[at] - want[at]));
          size = Math.max(size, Math.abs(want[at]));
        }
      }
      expect(size).toBeGreaterThan(0);
      expect(diff / size).toBeLessThan(1e-12);
    }
  });
});

describe('properties', () => {
  it('dims: channels × ⌈H/2^J⌉ × ⌈W/2^J⌉', () => {
    expect(scatteringDims(28, 28, stage(2, 8, 1))).toBe(17 * 49);
    expect(scatteringDims(28, 28, stage(2, 8, 2))).toBe((1 + 16 + 64) * 49);
    expect(scatteringDims(30, 17, stage(3, 6, 2))).toBe((1 + 18 + 36 * 3) * 4 * 3);
    expect(scatteringGrid(28, 2)).toBe(32);
    expect(scatteringGrid(29, 2)).toBe(64);
  });

  it('a translation by 2^J inside the zero padding translates every channel by one sample', () => {
    const s = stage(2, 4, 2);
    const h = 24;
    const w = 24;
    const random = rng(7);
    const a = new Float64Array(h * w);
    const b = new Float64Array(h * w);
    for (let r = 4; r < 16; r++) for (let c = 4; c < 14; c++) a[r * w + c] = b[(r + 4) * w + (c + 8)] = random();
    const fa = scatterOn(features, a, 1, h, w, s);
    const fb = scatterOn(features, b, 1, h, w, s);
    const ho = 6;
    const wo = 6;
    let big = 0;
    for (const v of fa) big = Math.max(big, Math.abs(v));
    for (let c = 0; c < fa.length / 36; c++) {
      for (let ur = 0; ur + 1 < ho; ur++) {
        for (let uc = 0; uc + 2 < wo; uc++) {
          const va = fa[c * 36 + ur * wo + uc];
          const vb = fb[c * 36 + (ur + 1) * wo + uc + 2];
          expect(Math.abs(va - vb)).toBeLessThan(1e-13 * big);
        }
      }
    }
  });

  it('channel 0 keeps the mean: 4^J·Σ_u S0[u] = Σ x for an image whose blur stays inside the samples', () => {
    // φ̂_J(0) = 1, so x ⋆ φ_J has the sum of x; sampled every 2^J pixels its samples sum to Σx/4^J up to
    // aliasing (φ̂_J at the folded frequencies, e.g. exp(−3.2²·(π/2)²/2) ≈ 3·10⁻⁶ for J = 2) and the blur that
    // falls beyond the 7×7 samples (content 11 pixels from row 28: a Gaussian tail of ≈ 3·10⁻⁴).
    const x = new Float64Array(28 * 28);
    const random = rng(3);
    for (let r = 10; r < 18; r++) for (let c = 10; c < 18; c++) x[r * 28 + c] = random();
    const f = scatterOn(features, x, 1, 28, 28, stage(2, 8, 1));
    let sampled = 0;
    for (let k = 0; k < 49; k++) sampled += 16 * f[k];
    const total = x.reduce((a, b) => a + b, 0);
    expect(Math.abs(sampled - total) / total).toBeLessThan(1e-3);
  });

  it('is positively homogeneous bit for bit: S(2x) = 2·S(x), and S(0) = 0', () => {
    const s = stage(2, 8, 2);
    const x = randomImages(2, 28, 28, 11);
    const fx = scatterOn(features, x, 2, 28, 28, s);
    const f2x = scatterOn(features, x.map((v) => 2 * v), 2, 28, 28, s);
    expect(f2x).toEqual(fx.map((v) => 2 * v));
    expect(scatterOn(features, new Float64Array(28 * 28), 1, 28, 28, s).every((v) => v === 0)).toBe(true);
  });

  it('a row in a batch (across blocks) is bit-identical to the row alone; the same bits on a fresh instance', async () => {
    const s = stage(2, 8, 1);
    const rows = 700; // more than one block of 28×28 images (src/features/scattering.ts: 2²⁰ f64 per block)
    const x = randomImages(rows, 28, 28, 5);
    const done: number[] = [];
    const batch = scatterOn(features, x, rows, 28, 28, s, (n) => done.push(n));
    expect(done.length).toBeGreaterThan(1);
    expect(done.at(-1)).toBe(rows);
    expect(done.every((n, i) => i === 0 || n > done[i - 1])).toBe(true);
    const dims = scatteringDims(28, 28, s);
    for (const i of [0, 1, 647, 648, 699]) {
      const alone = scatterOn(features, x.slice(i * 784, (i + 1) * 784), 1, 28, 28, s);
      expect(alone).toEqual(batch.subarray(i * dims, (i + 1) * dims));
    }
    const again = await scatter(x.slice(0, 50 * 784), 50, 28, 28, s);
    expect(again).toEqual(batch.subarray(0, 50 * dims));
  });
});

describe('input checks', () => {
  const field = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(FlipcertError);
      return [(error as FlipcertError).field, (error as FlipcertError).message];
    }
    throw new Error('no error');
  };
  it('images smaller than 2^J, bad stages, NaN pixels and wrong lengths are FlipcertErrors', () => {
    const [f1, m1] = field(() => scatterOn(features, new Float64Array(3 * 8), 1, 3, 8, stage(2, 8, 1)));
    expect(f1).toBe('represent');
    expect(m1).toMatch(/options\.represent: scattering:J=2 needs images of at least 4×4 pixels .* got 3×8/);
    const [f2, m2] = field(() => scatteringDims(28, 28, stage(7, 8, 1)));
    expect(f2).toBe('represent');
    expect(m2).toMatch(/J in 1\.\.6/);
    expect(field(() => scatterOn(features, new Float64Array(28 * 28), 1, 28, 28, stage(2, 8, 3)))[0]).toBe('represent');
    const nan = new Float64Array(2 * 16);
    nan[16 + 5] = NaN;
    expect(field(() => scatterOn(features, nan, 2, 4, 4, stage(1, 2, 1)))[1]).toMatch(/image row 1 has NaN at pixel \(1, 1\)/);
    expect(field(() => scatterOn(features, new Float64Array(30), 2, 4, 4, stage(1, 2, 1)))[1]).toMatch(/need 32 values, got 30/);
    expect(field(() => scatteringDims(2 ** 14, 2 ** 14, stage(6, 16, 2)))[1]).toMatch(/over the features module's 2 GiB/);
  });
});
