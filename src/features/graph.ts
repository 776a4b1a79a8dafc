/**
 * The spectral stage's graph (docs/spec.md §13.3): local scales, the kNN
 * edge weights w_ij = exp(−d_ij² / (σ_i·σ_j)), their symmetrisation
 * W = max(W, Wᵀ) in compressed sparse rows, the degrees and the normalised
 * matrix A = D^{-1/2}·W·D^{-1/2}. No n × n matrix: at most 2·n·k entries.
 */
import { expInPlace } from './elementary.js';
import type { Features } from './module.js';
import type { Neighbours } from './knn.js';

/** A local scale below SIGMA_FLOOR·max σ is raised to it (duplicated rows would otherwise give 0/0). */
export const SIGMA_FLOOR = 1e-10;

export interface Scales {
  /** σ_i: the distance to the scale-th neighbour, floored. */
  sigma: Float64Array;
  /** The floor applied: SIGMA_FLOOR·max_i σ_i (1 when every σ_i is 0). */
  floor: number;
}

/** Symmetric sparse matrix in compressed sparse rows; columns increase along a row. */
export interface SparseRows {
  n: number;
  rowStart: Int32Array;
  col: Int32Array;
  value: Float64Array;
}

/** σ_i = √(the `scale`-th smallest squared distance of row i), floored as {@link SIGMA_FLOOR} says. */
export function localScales(nb: Neighbours, rows: number, scale: number, floor?: number): Scales {
  const sigma = new Float64Array(rows);
  for (let i = 0; i < rows; i++) sigma[i] = Math.sqrt(nb.dist2[i * nb.k + scale - 1]);
  if (floor === undefined) {
    let top = 0;
    for (let i = 0; i < rows; i++) if (sigma[i] > top) top = sigma[i];
    floor = top > 0 ? SIGMA_FLOOR * top : 1;
  }
  for (let i = 0; i < rows; i++) if (sigma[i] < floor) sigma[i] = floor;
  return { sigma, floor };
}

/** w(i, index[i][t]) = exp(−dist2[i][t] / (σ_i·σ_j)) for every listed neighbour (rows × k), with `ownSigma` the rows' scales. */
export function edgeWeights(features: Features, nb: Neighbours, rows: number, ownSigma: Float64Array, trainSigma: Float64Array): Float64Array {
  const k = nb.k;
  const w = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < k; t++) {
      const at = i * k + t;
      w[at] = -nb.dist2[at] / (ownSigma[i] * trainSigma[nb.index[at]]);
    }
  }
  expInPlace(features, w);
  return w;
}

/**
 * W = max(W, Wᵀ) from each row's k directed edges: entry (i, j) is the
 * larger of w(i, j) and w(j, i) where both are listed, else the one listed.
 */
export function symmetrize(nb: Neighbours, n: number, w: Float64Array): SparseRows {
  const k = nb.k;
  // Each row's own edges, sorted by column.
  const outCol = new Int32Array(n * k);
  const outVal = new Float64Array(n * k);
  const order = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) order[t] = t;
    const base = i * k;
    // Insertion sort by column: k is small.
    for (let t = 1; t < k; t++) {
      const o = order[t];
      let p = t;
      while (p > 0 && nb.index[base + order[p - 1]] > nb.index[base + o]) {
        order[p] = order[p - 1];
        p--;
      }
      order[p] = o;
    }
    for (let t = 0; t < k; t++) {
      outCol[base + t] = nb.index[base + order[t]];
      outVal[base + t] = w[base + order[t]];
    }
  }
  // Reverse edges j → i, bucketed by j; filled in increasing i, so sorted by column.
  const inStart = new Int32Array(n + 1);
  for (let a = 0; a < n * k; a++) inStart[nb.index[a] + 1]++;
  for (let j = 0; j < n; j++) inStart[j + 1] += inStart[j];
  const inCol = new Int32Array(n * k);
  const inVal = new Float64Array(n * k);
  const fill = inStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = nb.index[i * k + t];
      inCol[fill[j]] = i;
      inVal[fill[j]++] = w[i * k + t];
    }
  }
  return mergeRows(n, k, outCol, outVal, inStart, inCol, inVal);
}

/** Merges each row's two sorted lists, an entry in both taking the larger weight. */
function mergeRows(
  n: number, k: number, outCol: Int32Array, outVal: Float64Array, inStart: Int32Array, inCol: Int32Array, inVal: Float64Array,
): SparseRows {
  const rowStart = new Int32Array(n + 1);
  const col = new Int32Array(2 * n * k);
  const value = new Float64Array(2 * n * k);
  let at = 0;
  for (let i = 0; i < n; i++) {
    let a = i * k;
    const aEnd = a + k;
    let b = inStart[i];
    const bEnd = inStart[i + 1];
    while (a < aEnd || b < bEnd) {
      if (b >= bEnd || (a < aEnd && outCol[a] < inCol[b])) {
        col[at] = outCol[a];
        value[at++] = outVal[a++];
      } else if (a >= aEnd || inCol[b] < outCol[a]) {
        col[at] = inCol[b];
        value[at++] = inVal[b++];
      } else {
        col[at] = outCol[a];
        value[at++] = Math.max(outVal[a++], inVal[b++]);
      }
    }
    rowStart[i + 1] = at;
  }
  return { n, rowStart, col: col.slice(0, at), value: value.slice(0, at) };
}

/** Row sums d_i = Σ_j W_ij, in increasing column order. */
export function degrees(w: SparseRows): Float64Array {
  const deg = new Float64Array(w.n);
  for (let i = 0; i < w.n; i++) {
    let s = 0;
    for (let p = w.rowStart[i]; p < w.rowStart[i + 1]; p++) s += w.value[p];
    deg[i] = s;
  }
  return deg;
}

/** A_ij = W_ij / √(d_i·d_j), same pattern as W. */
export function normalize(w: SparseRows, deg: Float64Array): SparseRows {
  const value = new Float64Array(w.value.length);
  for (let i = 0; i < w.n; i++) {
    for (let p = w.rowStart[i]; p < w.rowStart[i + 1]; p++) value[p] = w.value[p] / Math.sqrt(deg[i] * deg[w.col[p]]);
  }
  return { ...w, value };
}

/** y = A·x for the sparse A, each row summed in increasing column order. */
export function multiply(a: SparseRows, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < a.n; i++) {
    let s = 0;
    for (let p = a.rowStart[i]; p < a.rowStart[i + 1]; p++) s += a.value[p] * x[a.col[p]];
    y[i] = s;
  }
}

/** Number of connected components of the graph of W's nonzero entries. */
export function componentCount(w: SparseRows): number {
  const seen = new Uint8Array(w.n);
  const stack = new Int32Array(w.n);
  let count = 0;
  for (let s = 0; s < w.n; s++) {
    if (seen[s]) continue;
    count++;
    seen[s] = 1;
    let top = 0;
    stack[top++] = s;
    while (top > 0) {
      const i = stack[--top];
      for (let p = w.rowStart[i]; p < w.rowStart[i + 1]; p++) {
        const j = w.col[p];
        if (!seen[j] && w.value[p] > 0) {
          seen[j] = 1;
          stack[top++] = j;
        }
      }
    }
  }
  return count;
}
