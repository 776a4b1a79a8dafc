// The label-free embeddings of docs/spec.md §13.2 (pca) and §13.3 (spectral), against
// NumPy/SciPy references computed in the test run (python3 -c, data as JSON on stdin)
// and brute-force JavaScript oracles.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPca, fitPca } from '../src/features/pca.js';
import { symmetricEigen } from '../src/features/symmetric-eigen.js';
import { createCore, type Core } from '../src/wasm/core.js';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' }).status === 0;
if (!hasNumpy) console.warn('test/embedding.test.ts: python3 with numpy and scipy is missing, so the NumPy reference tests are skipped');
const withNumpy = hasNumpy ? it : it.skip;

/** Runs a Python script with `input` as JSON on stdin and parses the JSON it prints. */
function python(script: string, input: unknown): any {
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Deterministic non-integer test data (a small LCG; not the code under test). */
function randomRows(rows: number, cols: number, seed: number, spread = (j: number) => 1 + j / 3): Float64Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) x[i * cols + j] = (next() - 0.5 + 0.3 * Math.sin(i * (j + 1))) * spread(j);
  return x;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

// The sign rule of src/features/symmetric-eigen.ts, in NumPy: the largest-magnitude entry is positive.
const PY_SIGN = `
def fix_sign(v):
    return v if v[np.argmax(np.abs(v))] >= 0 else -v
`;

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

describe('symmetric eigensolver', () => {
  withNumpy('matches numpy.linalg.eigh on a random symmetric matrix', () => {
    const n = 60;
    const b = randomRows(n, n, 7);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j] + b[j * n + i];
    const mine = symmetricEigen(a, n);
    const ref = python(
      `import sys, json, numpy as np\n${PY_SIGN}\nn, a = json.load(sys.stdin)\nA = np.array(a).reshape(n, n)\nw, V = np.linalg.eigh(A)\n` +
        `o = np.argsort(-w, kind='stable')\nprint(json.dumps({'w': w[o].tolist(), 'V': np.array([fix_sign(V[:, i]) for i in o]).ravel().tolist()}))`,
      [n, Array.from(a)],
    );
    expect(maxAbsDiff(mine.values, ref.w)).toBeLessThan(1e-12);
    expect(maxAbsDiff(mine.vectors, ref.V)).toBeLessThan(1e-10);
  });

  it('gives orthonormal eigenvectors with A·v = λ·v, also for repeated eigenvalues', () => {
    // diag(2, 2, 2, 1, 1, 0) rotated by a Householder reflection: eigenvalues repeat.
    const n = 6;
    const u = [0.3, -0.1, 0.5, 0.2, -0.7, 0.4];
    const uu = u.reduce((s, x) => s + x * x, 0);
    const h = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu;
    const lam = [2, 2, 2, 1, 1, 0];
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += h(i, k) * lam[k] * h(j, k);
    const { values, vectors } = symmetricEigen(a, n);
    expect(maxAbsDiff(values, lam)).toBeLessThan(1e-14);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[p * n + i] * vectors[q * n + i];
        expect(Math.abs(dot - (p === q ? 1 : 0))).toBeLessThan(1e-14);
      }
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[p * n + j];
        expect(Math.abs(av - values[p] * vectors[p * n + i])).toBeLessThan(1e-14);
      }
    }
  });
});

describe('pca', () => {
  const n = 400;
  const d = 23;
  const train = randomRows(n, d, 11);
  // A constant feature: its std is 0, so it keeps scale 1 (and its z-score is 0).
  for (let i = 0; i < n; i++) train[i * d + 5] = 2.5;
  const test = randomRows(37, d, 12);

  for (const whiten of [true, false]) {
    withNumpy(`matches NumPy (eigh of the z-scored covariance), whiten=${whiten}`, () => {
      const fit = fitPca(core, train, n, d, { kind: 'pca', dims: 8, whiten });
      const out = applyPca(core, fit, test, 37);
      const ref = python(
        `import sys, json, numpy as np\n${PY_SIGN}\nn, d, m, x, t, whiten = json.load(sys.stdin)\n` +
          `X = np.array(x).reshape(n, d); T = np.array(t).reshape(m, d)\n` +
          `mu = X.mean(0); sd = X.std(0); sd = np.where(sd > 1e-12 * np.maximum(1, np.abs(mu)), sd, 1)\n` +
          `Z = (X - mu) / sd; C = Z.T @ Z / n\nw, V = np.linalg.eigh(C); o = np.argsort(-w, kind='stable')[:8]\n` +
          `W = np.array([fix_sign(V[:, i]) for i in o]); Y = ((T - mu) / sd) @ W.T\n` +
          `if whiten: Y = Y / np.sqrt(np.maximum(w[o], 1e-12 * w[o[0]]))\n` +
          `print(json.dumps({'w': w[o].tolist(), 'W': W.ravel().tolist(), 'Y': Y.ravel().tolist()}))`,
        [n, d, 37, Array.from(train), Array.from(test), whiten],
      );
      expect(maxAbsDiff(fit.values, ref.w)).toBeLessThan(1e-12);
      expect(maxAbsDiff(fit.components, ref.W)).toBeLessThan(1e-10);
      expect(maxAbsDiff(out, ref.Y)).toBeLessThan(1e-10);
      expect(fit.scale[5]).toBe(1);
    });
  }

  it('clamps dims to the number of features', () => {
    const fit = fitPca(core, train, n, d, { kind: 'pca', dims: 100, whiten: true });
    expect(fit.dims).toBe(d);
    expect(applyPca(core, fit, test, 37).length).toBe(37 * d);
  });

  it('gives a test row alone the bits it gets in a batch, and the same bits on a rerun', () => {
    const stage = { kind: 'pca', dims: 8, whiten: true } as const;
    const fit = fitPca(core, train, n, d, stage);
    const batch = applyPca(core, fit, test, 37);
    for (const r of [0, 17, 36]) {
      const alone = applyPca(core, fit, test.slice(r * d, (r + 1) * d), 1);
      expect(Array.from(alone)).toEqual(Array.from(batch.slice(r * 8, (r + 1) * 8)));
    }
    expect(Array.from(applyPca(core, fitPca(core, train, n, d, stage), test, 37))).toEqual(Array.from(batch));
  });

  it('refuses non-finite values, naming the row', () => {
    const bad = train.slice();
    bad[3 * d + 2] = NaN;
    expect(() => fitPca(core, bad, n, d, { kind: 'pca', dims: 3, whiten: true })).toThrow(/row 4, column 3/);
  });
});
