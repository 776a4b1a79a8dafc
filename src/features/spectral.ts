/**
 * The `spectral` stage (docs/spec.md §13.3): the training rows' kNN graph
 * with locally scaled weights, the leading nontrivial eigenvectors of its
 * normalised matrix A = D^{-1/2}·W·D^{-1/2} as the training rows' embedding,
 * and the Nyström extension for other rows. Labels are never read; a test
 * row's output depends only on the fit (the training rows) and that row.
 */
import { FlipcertError } from '../errors.js';
import type { SpectralStage } from '../represent/spec.js';
import type { Core } from '../wasm/core.js';
import { componentCount, degrees, edgeWeights, localScales, multiply, normalize, symmetrize } from './graph.js';
import { nearestNeighbours, type StepCallback } from './knn.js';
import type { Features } from './module.js';
import { lanczosLargest } from './lanczos.js';
import { checkRows } from './rows.js';

/** The Lanczos start vector's seed. */
export const LANCZOS_SEED = 20261207;
/** Residual norm every kept eigenpair must reach (A has norm 1). */
export const LANCZOS_TOLERANCE = 1e-10;
/**
 * The restarted Lanczos iteration's sizes for `count` = dims + 1 eigenpairs:
 * a basis of min(n, 2·count + 20) vectors, restarted from the leading
 * count + ⌊(basis − count)/2⌋ Ritz vectors, at most 5000 + 100·count steps.
 */
export function lanczosSizes(count: number): { basis: number; keep: number; maxSteps: number } {
  const basis = 2 * count + 20;
  return { basis, keep: count + Math.floor((basis - count) / 2), maxSteps: 5000 + 100 * count };
}
/** |λ_k| below this gives test rows 0 in that dimension rather than an unbounded 1/λ_k. */
export const LAMBDA_FLOOR = 1e-12;

export interface SpectralFit {
  n: number;
  d: number;
  dims: number;
  neighbors: number;
  scale: number;
  /** The training rows, n × d: a test row's neighbours are found among them. */
  train: Float64Array;
  /** Training rows' local scales σ_j (floored), and the floor, which test rows' scales also get. */
  sigma: Float64Array;
  sigmaFloor: number;
  /** Training rows' degrees d_j in the symmetrised graph. */
  degree: Float64Array;
  /** λ_1..λ_dims (the trivial λ_0 dropped), decreasing. */
  values: Float64Array;
  /** dims × n: row k is the unit eigenvector u_k of values[k]. */
  vectors: Float64Array;
  /** The dropped top eigenvalue (1 up to rounding). */
  topValue: number;
  /** Largest recomputed residual ‖A·u − λ·u‖ over the dims + 1 pairs. */
  residual: number;
  /** Lanczos steps (operator applications) and restarts. */
  iterations: number;
  restarts: number;
}

/**
 * Fits the stage on the n × d training rows and returns the fit with the
 * training rows' embedding (n × dims, row-major): √n·u_k(i).
 */
export function fitSpectral(
  core: Core, features: Features, train: Float64Array, n: number, d: number, stage: SpectralStage, onStep?: StepCallback,
): { fit: SpectralFit; train: Float64Array } {
  checkRows(train, n, d, 'train.x');
  const { dims, neighbors, scale } = stage;
  if (dims + 1 > n) {
    throw new FlipcertError(`spectral: dims=${dims} needs more than ${dims} training rows, but there are ${n}`, 'EOPTION', { field: 'represent' });
  }
  const nb = nearestNeighbours(core, train, n, d, neighbors, undefined, onStep);
  const { sigma, floor } = localScales(nb, n, scale);
  const w = symmetrize(nb, n, edgeWeights(features, nb, n, sigma, sigma));
  const components = componentCount(w);
  if (components > 1) {
    throw new FlipcertError(
      `spectral: the training rows' ${neighbors}-nearest-neighbour graph has ${components} connected components; ` +
        'the embedding needs one: raise neighbors', 'EOPTION', { field: 'represent' },
    );
  }
  const degree = degrees(w);
  const a = normalize(w, degree);
  const eig = lanczosLargest(core, n, dims + 1, (x, y) => multiply(a, x, y), {
    seed: LANCZOS_SEED, ...lanczosSizes(dims + 1), tolerance: LANCZOS_TOLERANCE, onStep,
  });
  const residual = Math.max(...eig.residuals);
  if (!(residual <= 1e3 * LANCZOS_TOLERANCE)) {
    throw new FlipcertError(
      `spectral: the eigenvectors did not converge in ${eig.iterations} Lanczos steps (residual ${residual.toExponential(2)})`, 'ENUMERIC',
    );
  }
  const fit: SpectralFit = {
    n, d, dims, neighbors, scale, train: train.slice(0, n * d), sigma, sigmaFloor: floor, degree,
    values: eig.values.slice(1), vectors: eig.vectors.slice(n), topValue: eig.values[0], residual, iterations: eig.iterations, restarts: eig.restarts,
  };
  const out = new Float64Array(n * dims);
  const root = Math.sqrt(n);
  for (let k = 0; k < dims; k++) for (let i = 0; i < n; i++) out[i * dims + k] = root * fit.vectors[k * n + i];
  return { fit, train: out };
}

/**
 * The Nyström extension for m × d rows (row-major), m × dims out: with x's
 * `neighbors` nearest training rows j, w(x, j) = exp(−d²/(σ_x·σ_j)) and
 * d_x = Σ_j w(x, j), φ_k(x) = √n·(1/λ_k)·Σ_j w(x, j)/√(d_x·d_j)·u_k(j),
 * both sums over the neighbours nearest first.
 */
export function embedSpectral(core: Core, features: Features, fit: SpectralFit, rows: Float64Array, m: number, onStep?: StepCallback): Float64Array {
  const { n, d, dims, neighbors } = fit;
  checkRows(rows, m, d, 'rows');
  const out = new Float64Array(m * dims);
  if (m === 0) return out;
  const nb = nearestNeighbours(core, fit.train, n, d, neighbors, { rows, m }, onStep);
  const own = localScales(nb, m, fit.scale, fit.sigmaFloor).sigma;
  const w = edgeWeights(features, nb, m, own, fit.sigma);
  const root = Math.sqrt(n);
  for (let i = 0; i < m; i++) {
    let dx = 0;
    for (let t = 0; t < neighbors; t++) dx += w[i * neighbors + t];
    if (dx === 0) continue; // every weight underflowed: no neighbour carries x, 0 in every dimension
    for (let k = 0; k < dims; k++) {
      const lambda = fit.values[k];
      if (Math.abs(lambda) < LAMBDA_FLOOR) continue;
      let s = 0;
      for (let t = 0; t < neighbors; t++) {
        const j = nb.index[i * neighbors + t];
        s += (w[i * neighbors + t] / Math.sqrt(dx * fit.degree[j])) * fit.vectors[k * n + j];
      }
      out[i * dims + k] = root * (s / lambda);
    }
  }
  return out;
}
