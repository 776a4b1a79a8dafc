/**
 * NTK Gram matrices (SPEC §2) on the Wasm core: one tiled dot-product pass
 * (gramDot / gramSym) followed by the entry-wise NTK recursion (ntkFromDot).
 * Squared norms come from rowSquaredNorms, which sums in the same order as the
 * Gram product, so K(x, x) sees ρ = 1 exactly.
 */
import { FlipcertError } from '../errors.js';
import type { Matrix, ResolvedKernel } from '../types.js';
import type { Core } from '../wasm/core.js';

/** Largest kernel depth (hidden layers); the API boundary (src/options.ts) checks it up front. */
export const MAX_DEPTH = 1000;

/** Throws unless the kernel parameters are ones SPEC §2 defines. */
export function checkKernel(kernel: ResolvedKernel): void {
  const { depth, wVar, bVar } = kernel;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    throw new FlipcertError(`kernel depth must be an integer in 1..${MAX_DEPTH}, got ${String(depth)}`, 'EOPTION');
  }
  if (!Number.isFinite(wVar) || wVar <= 0) throw new FlipcertError(`kernel wVar must be > 0, got ${String(wVar)}`, 'EOPTION');
  if (!Number.isFinite(bVar) || bVar < 0) throw new FlipcertError(`kernel bVar must be ≥ 0, got ${String(bVar)}`, 'EOPTION');
}

function checkMatrix(x: Matrix, what: string): void {
  if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 1 || x.cols < 1) {
    throw new FlipcertError(`${what}: shape must be at least 1×1, got ${x.rows}×${x.cols}`);
  }
  if (x.data.length !== x.rows * x.cols) {
    throw new FlipcertError(`${what}: data has ${x.data.length} values but shape ${x.rows}×${x.cols} needs ${x.rows * x.cols}`);
  }
}

/**
 * Writes the m×n NTK matrix K[i][j] = K(a_i, b_j) to `out` (a heap pointer
 * the caller reserved). a and b are row-major heap matrices with d columns;
 * when `bPtr === aPtr` and m = n the symmetric path computes one triangle.
 * Scratch (the squared norms) is released before returning.
 */
export function ntkInto(
  core: Core,
  aPtr: number,
  m: number,
  bPtr: number,
  n: number,
  d: number,
  kernel: ResolvedKernel,
  out: number,
): void {
  checkKernel(kernel);
  const { exports: wasm, heap } = core;
  const { depth, wVar, bVar } = kernel;
  heap.scoped(() => {
    const qa = heap.f64(m);
    wasm.rowSquaredNorms(aPtr, qa, m, d);
    if (aPtr === bPtr && m === n) {
      wasm.gramSym(aPtr, out, n, d);
      wasm.ntkFromDotSym(out, qa, n, d, depth, wVar, bVar);
      return;
    }
    const qb = heap.f64(n);
    wasm.rowSquaredNorms(bPtr, qb, n, d);
    wasm.gramDot(aPtr, bPtr, out, m, n, d);
    wasm.ntkFromDot(out, qa, qb, m, n, d, depth, wVar, bVar);
  });
}

/**
 * Reserves an m×n result on the heap, fills it with K(a_i, b_j) (see
 * {@link ntkInto}) and returns its pointer; free it with the caller's heap mark.
 */
export function ntkIntoHeap(
  core: Core,
  aPtr: number,
  m: number,
  bPtr: number,
  n: number,
  d: number,
  kernel: ResolvedKernel,
): number {
  const out = core.heap.f64(m * n);
  ntkInto(core, aPtr, m, bPtr, n, d, kernel, out);
  return out;
}

/**
 * The NTK matrix K(a_i, b_j) as a new row-major Float64Array (a.rows × b.rows);
 * with b undefined, the symmetric Gram matrix of a against itself.
 */
export function ntkGram(core: Core, a: Matrix, b: Matrix | undefined, kernel: ResolvedKernel): Float64Array {
  checkMatrix(a, 'x1');
  if (b) {
    checkMatrix(b, 'x2');
    if (b.cols !== a.cols) {
      throw new FlipcertError(`x2 has ${b.cols} columns but x1 has ${a.cols}; both must have the same features`);
    }
  }
  checkKernel(kernel);
  const { heap } = core;
  return heap.scoped(() => {
    const aPtr = heap.putF64(a.data);
    const bPtr = b ? heap.putF64(b.data) : aPtr;
    const n = b ? b.rows : a.rows;
    const out = ntkIntoHeap(core, aPtr, a.rows, bPtr, n, a.cols, kernel);
    return heap.viewF64(out, a.rows * n).slice();
  });
}
