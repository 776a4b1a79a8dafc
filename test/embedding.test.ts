// The label-free embeddings of docs/spec.md §13.2 (pca) and §13.3 (spectral), against
// NumPy/SciPy references computed in the test run (python3 -c, data as JSON on stdin)
// and brute-force JavaScript oracles.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPca, fitPca } from '../src/features/pca.js';
import { nearestNeighbours } from '../src/features/knn.js';
import { embedSpectral, fitSpectral } from '../src/features/spectral.js';
import { symmetricEigen } from '../src/features/symmetric-eigen.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { createFeatures, type Features } from '../src/features/module.js';

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
let features: Features;
beforeAll(async () => {
  core = await createCore();
  features = await createFeatures();
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

/** Brute-force kNN: direct Σ(a−b)², sorted by (distance, index), self excluded when `self`. */
function bruteNeighbours(ref: Float64Array, n: number, d: number, q: Float64Array, m: number, k: number, self: boolean) {
  const index: number[] = [];
  const dist2: number[] = [];
  for (let i = 0; i < m; i++) {
    const all: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (self && i === j) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (q[i * d + c] - ref[j * d + c]) ** 2;
      all.push([s, j]);
    }
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let t = 0; t < k; t++) {
      dist2.push(all[t][0]);
      index.push(all[t][1]);
    }
  }
  return { index, dist2 };
}

describe('k nearest neighbours', () => {
  it('match brute force on integer data with exact ties (lower index first), across block boundaries', () => {
    // Small integers: every distance is exact in both computations, and many are equal.
    const n = 2300; // more than one reference block (REF_BLOCK = 2048) and several query blocks
    const d = 3;
    const x = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) x[i] = (i * 7919) % 5;
    for (let c = 0; c < d; c++) x[2299 * d + c] = x[3 * d + c]; // a duplicate row: distance 0, not itself
    const mine = nearestNeighbours(core, x, n, d, 6);
    const ref = bruteNeighbours(x, n, d, x, n, 6, true);
    expect(Array.from(mine.index)).toEqual(ref.index);
    expect(Array.from(mine.dist2)).toEqual(ref.dist2);
    expect(mine.dist2[3 * 6]).toBe(0);
    expect(Array.from(mine.index.subarray(3 * 6, 4 * 6))).not.toContain(3);
  });

  it('match brute force on random data, for query rows', () => {
    const n = 500;
    const d = 9;
    const x = randomRows(n, d, 3);
    const q = randomRows(40, d, 4);
    const mine = nearestNeighbours(core, x, n, d, 10, { rows: q, m: 40 });
    const ref = bruteNeighbours(x, n, d, q, 40, 10, false);
    expect(Array.from(mine.index)).toEqual(ref.index);
    for (let i = 0; i < ref.dist2.length; i++) expect(Math.abs(mine.dist2[i] - ref.dist2[i])).toBeLessThan(1e-12 * (1 + ref.dist2[i]));
  });

  it('refuse more neighbours than other training rows', () => {
    expect(() => nearestNeighbours(core, randomRows(5, 2, 1), 5, 2, 5)).toThrow(/neighbors=5/);
  });
});

describe('spectral embedding', () => {
  const n = 300;
  const d = 5;
  const m = 25;
  const train = randomRows(n, d, 21, () => 1);
  const test = randomRows(m, d, 22, () => 1);
  const stage = { kind: 'spectral', dims: 5, neighbors: 10, scale: 7 } as const;

  // Dense reference: brute-force kNN (direct differences), dense W, max-symmetrised, numpy eigh,
  // the same sign rule, and the Nyström formula for the test rows.
  const REFERENCE = `import sys, json, numpy as np
${PY_SIGN}
n, d, m, x, t, dims, k, scale = json.load(sys.stdin)
X = np.array(x).reshape(n, d); T = np.array(t).reshape(m, d)
D2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
np.fill_diagonal(D2, np.inf)
nb = np.argsort(D2, axis=1, kind='stable')[:, :k]
sig = np.sqrt(D2[np.arange(n), nb[:, scale - 1]])
W = np.zeros((n, n))
for i in range(n):
    W[i, nb[i]] = np.exp(-D2[i, nb[i]] / (sig[i] * sig[nb[i]]))
W = np.maximum(W, W.T)
deg = W.sum(1)
A = W / np.sqrt(np.outer(deg, deg))
w, V = np.linalg.eigh(A)
o = np.argsort(-w, kind='stable')[:dims + 1]
U = np.array([fix_sign(V[:, i]) for i in o])
lam = w[o]
E = np.sqrt(n) * U[1:].T
DT = ((T[:, None, :] - X[None, :, :]) ** 2).sum(-1)
tn = np.argsort(DT, axis=1, kind='stable')[:, :k]
F = np.zeros((m, dims))
for i in range(m):
    j = tn[i]
    sx = np.sqrt(DT[i, j[scale - 1]])
    wx = np.exp(-DT[i, j] / (sx * sig[j]))
    dx = wx.sum()
    F[i] = np.sqrt(n) * ((wx / np.sqrt(dx * deg[j])) @ U[1:, j].T) / lam[1:]
print(json.dumps({'lam': lam.tolist(), 'E': E.ravel().tolist(), 'F': F.ravel().tolist()}))
`;

  withNumpy('matches a dense NumPy reference: eigenvalues, training embedding and Nyström extension', () => {
    const { fit, train: embedding } = fitSpectral(core, features, train, n, d, stage);
    const out = embedSpectral(core, features, fit, test, m);
    const ref = python(REFERENCE, [n, d, m, Array.from(train), Array.from(test), 5, 10, 7]);
    expect(Math.abs(fit.topValue - ref.lam[0])).toBeLessThan(1e-9);
    expect(maxAbsDiff(fit.values, ref.lam.slice(1))).toBeLessThan(1e-9);
    expect(fit.residual).toBeLessThan(1e-9);
    expect(fit.restarts).toBeGreaterThan(0); // the restart path is exercised (basis 2·6 + 20 = 32 < 300)
    // Eigenvectors agree to about residual/gap; seen: 7e-10 (training) and 4e-10 (Nyström), after √n = 17.3.
    expect(maxAbsDiff(embedding, ref.E)).toBeLessThan(1e-8);
    expect(maxAbsDiff(out, ref.F)).toBeLessThan(1e-8);
  });

  it('gives a test row alone the bits it gets in a batch, and the same bits on a rerun', () => {
    const first = fitSpectral(core, features, train, n, d, stage);
    const batch = embedSpectral(core, features, first.fit, test, m);
    for (const r of [0, 13, 24]) {
      const alone = embedSpectral(core, features, first.fit, test.slice(r * d, (r + 1) * d), 1);
      expect(Array.from(alone)).toEqual(Array.from(batch.slice(r * 5, (r + 1) * 5)));
    }
    const again = fitSpectral(core, features, train, n, d, stage);
    expect(Array.from(again.train)).toEqual(Array.from(first.train));
    expect(Array.from(embedSpectral(core, features, again.fit, test, m))).toEqual(Array.from(batch));
  });

  it('permuting the training rows permutes their embedding (within rounding) and leaves test rows alone', () => {
    const perm = Array.from({ length: n }, (_, i) => (i * 7 + 3) % n); // 7 is coprime to 300
    const permuted = new Float64Array(n * d);
    perm.forEach((from, to) => permuted.set(train.subarray(from * d, (from + 1) * d), to * d));
    const base = fitSpectral(core, features, train, n, d, stage);
    const moved = fitSpectral(core, features, permuted, n, d, stage);
    expect(maxAbsDiff(moved.fit.values, base.fit.values)).toBeLessThan(1e-12);
    let diff = 0;
    perm.forEach((from, to) => {
      for (let k = 0; k < 5; k++) diff = Math.max(diff, Math.abs(moved.train[to * 5 + k] - base.train[from * 5 + k]));
    });
    expect(diff).toBeLessThan(1e-7);
    expect(maxAbsDiff(embedSpectral(core, features, moved.fit, test, m), embedSpectral(core, features, base.fit, test, m))).toBeLessThan(1e-7);
  });

  it('reproduces a training row by the Nyström formula up to its own term', () => {
    // For a training row i, A·u = λ·u gives u_k(i) = (1/λ_k)·Σ_j A_ij·u_k(j): an independent check of the eigenpairs.
    const { fit } = fitSpectral(core, features, train, n, d, stage);
    const nb = bruteNeighbours(train, n, d, train, n, 10, true);
    // Dense symmetric W from the brute-force neighbours, in JavaScript.
    const w = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < 10; t++) {
        const j = nb.index[i * 10 + t];
        const v = Math.exp(-nb.dist2[i * 10 + t] / (fit.sigma[i] * fit.sigma[j]));
        for (const key of [i * n + j, j * n + i]) w.set(key, Math.max(w.get(key) ?? 0, v));
      }
    }
    const deg = new Float64Array(n);
    for (const [key, v] of w) deg[Math.floor(key / n)] += v;
    for (let k = 0; k < 5; k++) {
      const u = fit.vectors.subarray(k * n, (k + 1) * n);
      const lu = new Float64Array(n);
      for (const [key, v] of w) lu[Math.floor(key / n)] += (v / Math.sqrt(deg[Math.floor(key / n)] * deg[key % n])) * u[key % n];
      expect(maxAbsDiff(lu.map((x) => x / fit.values[k]), u)).toBeLessThan(1e-8);
    }
  });

  it('reports progress: neighbour rows up to n, then Lanczos steps', () => {
    const seen: [string, number, number][] = [];
    const { fit } = fitSpectral(core, features, train, n, d, stage, (label, done, total) => seen.push([label, done, total]));
    const rows = seen.filter(([label]) => label === 'neighbours');
    expect(rows.at(-1)).toEqual(['neighbours', n, n]);
    const steps = seen.filter(([label]) => label === 'lanczos').map(([, done]) => done);
    expect(steps).toEqual(Array.from({ length: fit.iterations }, (_, i) => i + 1));
    expect(seen.findIndex(([label]) => label === 'lanczos')).toBe(rows.length);
  });

  it('refuses a disconnected graph, naming neighbors', () => {
    // Two far-apart clusters of 20 rows: 5 neighbours never cross.
    const x = new Float64Array(40 * 2);
    for (let i = 0; i < 40; i++) {
      x[2 * i] = (i < 20 ? 0 : 1000) + Math.sin(i);
      x[2 * i + 1] = Math.cos(3 * i);
    }
    expect(() => fitSpectral(core, features, x, 40, 2, { kind: 'spectral', dims: 2, neighbors: 5, scale: 3 })).toThrow(/2 connected components.*neighbors/);
  });
});
