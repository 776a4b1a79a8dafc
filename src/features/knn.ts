/**
 * Exact k nearest neighbours (docs/spec.md §13.3) by blocked squared
 * distances ‖a‖² + ‖b‖² − 2·a·b: the norms from the core's rowSquaredNorms
 * and the dot products from its gramDot, which sum every entry in the same
 * order wherever it sits in a block (assembly/linalg/gemm.ts), so a query
 * row's distances do not depend on the other rows of its block. Distances
 * are clamped at 0; ties go to the lower training index; a training row is
 * not its own neighbour. Memory: the reference rows, plus one block of
 * QUERY_BLOCK × REF_BLOCK dot products, in the core's heap.
 */
import { FlipcertError } from '../errors.js';
import type { Core } from '../wasm/core.js';

export const QUERY_BLOCK = 256;
export const REF_BLOCK = 2048;

/** Each query row's k nearest reference rows, nearest first (equal distances: lower index first). */
export interface Neighbours {
  k: number;
  /** rows × k reference indices. */
  index: Int32Array;
  /** rows × k squared distances, nondecreasing along a row. */
  dist2: Float64Array;
}

export type StepCallback = (label: string, done: number, total: number) => void;

/**
 * The k nearest rows of `ref` (n × d) to each of the m × d `queries`, or,
 * with `queries` undefined, to each row of `ref` itself (excluding that row).
 */
export function nearestNeighbours(
  core: Core, ref: Float64Array, n: number, d: number, k: number,
  queries?: { rows: Float64Array; m: number }, onStep?: StepCallback,
): Neighbours {
  const self = queries === undefined;
  const m = self ? n : queries.m;
  const available = self ? n - 1 : n;
  if (!Number.isSafeInteger(k) || k < 1 || k > available) {
    throw new FlipcertError(
      `spectral: neighbors=${k} needs more than ${k} training rows, but there are ${n}`, 'EOPTION', { field: 'represent' },
    );
  }
  const index = new Int32Array(m * k);
  const dist2 = new Float64Array(m * k).fill(Infinity);
  if (self) {
    selfNeighbours(core, ref, n, d, k, index, dist2, onStep);
    return { k, index, dist2 };
  }
  const { heap, exports } = core;
  heap.scoped(() => {
    const qBlock = Math.min(QUERY_BLOCK, Math.max(m, 1));
    const rBlock = Math.min(REF_BLOCK, n);
    const refPtr = heap.putF64(ref.subarray(0, n * d));
    const refNormPtr = heap.f64(n);
    const qPtrOwn = self ? 0 : heap.f64(qBlock * d);
    const qNormPtrOwn = self ? 0 : heap.f64(qBlock);
    const gPtr = heap.f64(qBlock * rBlock);
    exports.rowSquaredNorms(refPtr, refNormPtr, n, d);
    const refNorm = heap.viewF64(refNormPtr, n);
    const g = heap.viewF64(gPtr, qBlock * rBlock);
    const qView = self ? undefined : heap.viewF64(qPtrOwn, qBlock * d);
    const qNormOwn = self ? undefined : heap.viewF64(qNormPtrOwn, qBlock);
    for (let q0 = 0; q0 < m; q0 += qBlock) {
      const qRows = Math.min(qBlock, m - q0);
      let qPtr: number;
      let qNorm: Float64Array;
      if (self) {
        qPtr = refPtr + q0 * d * 8;
        qNorm = refNorm.subarray(q0, q0 + qRows);
      } else {
        qView!.set(queries.rows.subarray(q0 * d, (q0 + qRows) * d));
        exports.rowSquaredNorms(qPtrOwn, qNormPtrOwn, qRows, d);
        qPtr = qPtrOwn;
        qNorm = qNormOwn!;
      }
      for (let r0 = 0; r0 < n; r0 += rBlock) {
        const rRows = Math.min(rBlock, n - r0);
        exports.gramDot(qPtr, refPtr + r0 * d * 8, gPtr, qRows, rRows, d);
        for (let i = 0; i < qRows; i++) {
          keepNearest(g, i * rRows, rRows, r0, qNorm[i], refNorm, self ? q0 + i : -1, index, dist2, (q0 + i) * k, k);
        }
      }
      onStep?.('neighbours', q0 + qRows, m);
    }
  });
  return { k, index, dist2 };
}

/**
 * Offers the reference rows r0.. (dot products g[at..at+count)) to one query
 * row's sorted list (dist2/index from `base`). References arrive in
 * increasing index, so a strict comparison keeps the lower index on ties.
 */
function keepNearest(
  g: Float64Array, at: number, count: number, r0: number, qNorm: number, refNorm: Float64Array, skip: number,
  index: Int32Array, dist2: Float64Array, base: number, k: number,
): void {
  let worst = dist2[base + k - 1];
  for (let j = 0; j < count; j++) {
    const r = r0 + j;
    let dd = qNorm + refNorm[r] - 2 * g[at + j];
    if (dd < 0) dd = 0;
    if (dd < worst && r !== skip) {
      insert(index, dist2, base, k, dd, r);
      worst = dist2[base + k - 1];
    }
  }
}

/**
 * The training rows' own neighbours: each distance δ(i, j), j < i, is computed
 * once (the lower triangle, block by block) and offered to both rows' lists.
 * Row j still sees its candidates in increasing index (those below j while its
 * own query block runs, those above it in later rows and blocks), so the
 * strict comparison keeps the lower index on ties, and δ(i, j) = δ(j, i).
 */
function selfNeighbours(
  core: Core, ref: Float64Array, n: number, d: number, k: number, index: Int32Array, dist2: Float64Array, onStep?: StepCallback,
): void {
  const { heap, exports } = core;
  heap.scoped(() => {
    const qBlock = Math.min(QUERY_BLOCK, n);
    const rBlock = Math.min(REF_BLOCK, n);
    const refPtr = heap.putF64(ref.subarray(0, n * d));
    const normPtr = heap.f64(n);
    const gPtr = heap.f64(qBlock * rBlock);
    exports.rowSquaredNorms(refPtr, normPtr, n, d);
    const norm = heap.viewF64(normPtr, n);
    const g = heap.viewF64(gPtr, qBlock * rBlock);
    for (let q0 = 0; q0 < n; q0 += qBlock) {
      const qRows = Math.min(qBlock, n - q0);
      const qEnd = q0 + qRows;
      for (let r0 = 0; r0 < qEnd; r0 += rBlock) {
        const rRows = Math.min(rBlock, qEnd - r0);
        exports.gramDot(refPtr + q0 * d * 8, refPtr + r0 * d * 8, gPtr, qRows, rRows, d);
        for (let a = 0; a < qRows; a++) {
          const i = q0 + a;
          const count = Math.min(rRows, i - r0); // columns j < i only
          for (let b = 0; b < count; b++) {
            const j = r0 + b;
            let dd = norm[i] + norm[j] - 2 * g[a * rRows + b];
            if (dd < 0) dd = 0;
            if (dd < dist2[i * k + k - 1]) insert(index, dist2, i * k, k, dd, j);
            if (dd < dist2[j * k + k - 1]) insert(index, dist2, j * k, k, dd, i);
          }
        }
      }
      onStep?.('neighbours', qEnd, n);
    }
  });
}

/** Inserts (dd, r) into the sorted list at `base`, after any equal distances (they have lower indices). */
function insert(index: Int32Array, dist2: Float64Array, base: number, k: number, dd: number, r: number): void {
  let p = base + k - 1;
  while (p > base && dist2[p - 1] > dd) {
    dist2[p] = dist2[p - 1];
    index[p] = index[p - 1];
    p--;
  }
  dist2[p] = dd;
  index[p] = r;
}
