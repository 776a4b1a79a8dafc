/**
 * NTK Gram matrices (docs/spec.md §2) on the Wasm core: one tiled dot-product pass
 * (gramDot / gramSym) followed by the entry-wise NTK recursion (ntkFromDot).
 * Squared norms come from rowSquaredNorms, which sums in the same order as the
 * Gram product, so K(x, x) sees ρ = 1 exactly. Rows far from 1 in size are
 * rescaled by powers of two around the recursion (see scale.ts), and values
 * float64 cannot hold are refused, never returned as Inf, NaN or 0.
 */
import { FlipcertError } from '../errors.js';
import type { Matrix, ResolvedKernel } from '../types.js';
import type { Team } from './team.js';
import type { Core } from '../wasm/core.js';
import { TeamOp } from './team.js';
import { checkKernelRange, prepareRows, scaledDiagonal, type RowSource, type ScaledRows } from './scale.js';

/** Largest kernel depth (hidden layers); the option boundary (src/kernel/options.ts) checks it up front. */
export const MAX_DEPTH = 1000;


/** Throws unless the kernel parameters are ones docs/spec.md §2 defines. */
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
 * out[i][j] = 2^(outA[i] + outB[j]) · K(â_i, b̂_j) for prepared (scaled) rows;
 * `b === a` takes the symmetric path, which computes one triangle. With a
 * `team` the rows are spread over its threads: symmetric, the lower
 * triangle's dot products, then its kernel entries (in place), then the
 * mirror, each split by rows; the single-threaded path computes every entry
 * from the same lower-triangle dot product, so the two agree bit for bit.
 */
export function scaledKernelInto(
  core: Core,
  a: ScaledRows,
  b: ScaledRows,
  d: number,
  kernel: ResolvedKernel,
  out: number,
  outA: Int32Array,
  outB: Int32Array,
  team?: Team,
): void {
  const { exports: wasm, heap } = core;
  const { depth, wVar, bVar } = kernel;
  // The dot products run over the rows as stored (`width` doubles); the recursion divides by the input dimension d.
  const width = a.width;
  if (b.width !== width) throw new Error(`flipcert: kernel rows of widths ${width} and ${b.width}`);
  if (a === b && team) {
    team.run(TeamOp.gramSymLower, [a.ptr, out, a.rows, width]);
    team.run(TeamOp.ntkSymLower, [out, a.q, a.rows, d, depth, wVar, bVar]);
    team.run(TeamOp.mirror, [out, a.rows]);
  } else if (a === b) {
    wasm.gramSym(a.ptr, out, a.rows, width);
    wasm.ntkFromDotSym(out, a.q, a.rows, d, depth, wVar, bVar);
  } else if (team) {
    team.run(TeamOp.kernelDot, [a.ptr, b.ptr, out, a.q, b.q, a.rows, b.rows, d, depth, wVar, bVar, width]);
  } else {
    wasm.gramDot(a.ptr, b.ptr, out, a.rows, b.rows, width);
    wasm.ntkFromDot(out, a.q, b.q, a.rows, b.rows, d, depth, wVar, bVar);
  }
  if (outA.some((s) => s !== 0) || outB.some((s) => s !== 0)) {
    heap.scoped(() => {
      const [ea, eb] = [heap.putI32(outA), heap.putI32(outB)];
      if (team) team.run(TeamOp.scale, [out, a.rows, b.rows, ea, eb]);
      else wasm.scaleEntries(out, a.rows, b.rows, ea, eb);
    });
  }
}

/** Two row-major heap matrices a (m × d) and b (n × d), and the kernel: what {@link ntkInto} and {@link ntkIntoHeap} take. */
type HeapRows = [aPtr: number, m: number, bPtr: number, n: number, d: number, kernel: ResolvedKernel];

const DEFAULT_SOURCES: [RowSource, RowSource] = [
  { label: 'x1 row', field: 'x1' },
  { label: 'x2 row', field: 'x2' },
];

/**
 * Writes the m×n NTK matrix K[i][j] = K(a_i, b_j) to `out` (a heap pointer
 * the caller reserved). a and b are row-major heap matrices with d columns,
 * left unchanged; when `bPtr === aPtr` and m = n the symmetric path computes
 * one triangle. Throws ENUMERIC (naming the rows) when the entries' natural
 * size √(K(a_i, a_i)·K(b_j, b_j)) is beyond float64's normal range or the
 * recursion cannot be computed safely.
 * Scratch is released before returning.
 */
export function ntkInto(
  core: Core,
  ...[aPtr, m, bPtr, n, d, kernel, out, sources = DEFAULT_SOURCES]: [...HeapRows, out: number, sources?: [RowSource, RowSource]]
): void {
  checkKernel(kernel);
  core.heap.scoped(() => {
    const a = prepareRows(core, aPtr, m, d, kernel, sources[0], true);
    const b = aPtr === bPtr && m === n ? a : prepareRows(core, bPtr, n, d, kernel, sources[1], true);
    const diagA = scaledDiagonal(core, a, d, kernel);
    checkKernelRange(diagA, a, a === b ? diagA : scaledDiagonal(core, b, d, kernel), b);
    scaledKernelInto(core, a, b, d, kernel, out, a.shift.map((s) => -s), b.shift.map((s) => -s));
  });
}

/**
 * Reserves an m×n result on the heap, fills it with K(a_i, b_j) (see
 * {@link ntkInto}) and returns its pointer; free it with the caller's heap mark.
 */
export function ntkIntoHeap(core: Core, ...rows: HeapRows): number {
  const [, m, , n] = rows;
  const out = core.heap.f64(m * n);
  ntkInto(core, ...rows, out);
  return out;
}

/**
 * The NTK matrix K(a_i, b_j) as a new row-major Float64Array (a.rows × b.rows);
 * with b undefined, the symmetric Gram matrix of a against itself. Every entry
 * is finite (see {@link ntkInto} for what is refused).
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
  const k = heap.scoped(() => {
    const aPtr = heap.putF64(a.data);
    const bPtr = b ? heap.putF64(b.data) : aPtr;
    const n = b ? b.rows : a.rows;
    const out = ntkIntoHeap(core, aPtr, a.rows, bPtr, n, a.cols, kernel);
    return heap.viewF64(out, a.rows * n).slice();
  });
  assertFinite(k, b ? b.rows : a.rows);
  return k;
}

/** The range checks make this unreachable; it guards the promise that no Inf/NaN is ever returned. */
function assertFinite(k: Float64Array, cols: number): void {
  for (let i = 0; i < k.length; i++) {
    if (!Number.isFinite(k[i])) {
      const row = Math.floor(i / cols);
      throw new FlipcertError(`kernel entry K(${row}, ${i - row * cols}) is ${k[i]}: a bug in flipcert's range checks`, 'EINTERNAL');
    }
  }
}
