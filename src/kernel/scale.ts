/**
 * Power-of-two scaling that keeps the NTK (docs/spec.md §2) inside float64's range.
 *
 * With bVar = 0 every quantity of the recursion is positively homogeneous —
 * Σ, q, q' and Θ scale with the product of the two rows' scales, ρ not at all —
 * so K(a·x, b·x') = a·b·K(x, x'). A row whose largest |value| lies outside
 * [2^-BAND, 2^BAND] is multiplied by a power of two before the Gram product
 * (exact: only the exponent changes) and the kernel entries by the inverse
 * power afterwards. Rows inside the band are used as they are, so ordinary
 * data see the unscaled computation bit for bit; and since every operation of
 * the Gram product and of the recursion commutes with powers of two, a scaled
 * row gives the unscaled result bit for bit too, wherever that one neither
 * overflows nor underflows.
 *
 * With bVar > 0 the kernel is not homogeneous: rows are used as they are, and
 * a recursion that would leave the range where its products are exact to
 * rounding is refused (checkLayers), naming the row.
 */
import { FlipcertError } from '../errors.js';
import type { ResolvedKernel } from '../types.js';
import type { Core } from '../wasm/core.js';

/** Rows whose largest |value| is in [2^-BAND, 2^BAND) are not rescaled. */
export const BAND = 128;

/**
 * Every layer variance q must be 0 or in [2^-LAYER_RANGE, 2^LAYER_RANGE], so
 * that √(q·q') and Σ/√(q·q') are computed from normal numbers.
 */
export const LAYER_RANGE = 511;

/**
 * Where rows came from, for error messages: `label` "options.train.x row"
 * (the CLI restates `options.*` as its flag), `field` the API option.
 */
export interface RowSource {
  label: string;
  field: string;
  /** Index of the first row (test blocks start inside the test set). */
  offset?: number;
  /** Augmented copies per original row (docs/spec.md §10): row i is copy i mod S of original row ⌊i / S⌋. */
  copies?: number;
}

/** "options.train.x row 7", or "options.train.x row 7 (augmented copy 3)". */
export function rowName(source: RowSource, i: number): string {
  const S = source.copies ?? 1;
  const row = `${source.label} ${(source.offset ?? 0) + Math.floor(i / S)}`;
  return S > 1 ? `${row} (augmented copy ${i % S})` : row;
}

/** Rows on the heap, already multiplied by 2^shift[i]; q[i] = |row i|² (after scaling). */
export interface ScaledRows {
  ptr: number;
  rows: number;
  /** Doubles per row on the heap: d, or fewer once a model drops its training set's zero columns (src/kernel/columns.ts). */
  width: number;
  /** ⌊log₂ max|x|⌋ of each original row; ZERO_ROW for a zero row. */
  logb: Int32Array;
  shift: Int32Array;
  /** Heap pointer of the rows' squared norms. */
  q: number;
  source: RowSource;
}

/** The shift that brings a row of this logb into [1, 2), or 0 inside the band (and for zero rows). */
export function bandShift(logb: number, zeroRow: number): number {
  if (logb === zeroRow || (logb >= -BAND && logb < BAND)) return 0;
  return -logb;
}

/**
 * Scales the heap rows at `ptr` in place (bVar = 0 only; with `copy`, a copy
 * of them when any row needs it), computes their squared norms into a new heap
 * array, and checks that the recursion stays in range. The norms (and the
 * copy) stay on the heap: the caller's scope frees them.
 */
export function prepareRows(
  core: Core,
  ptr: number,
  rows: number,
  d: number,
  kernel: ResolvedKernel,
  source: RowSource,
  copy = false,
): ScaledRows {
  const { heap, exports: wasm } = core;
  const q = heap.f64(rows);
  const zeroRow = wasm.ZERO_ROW.value;
  const logb = heap.scoped(() => {
    const out = heap.i32(rows);
    wasm.rowLogb(ptr, rows, d, out);
    return heap.viewI32(out, rows).slice();
  });
  const shift = new Int32Array(rows);
  if (kernel.bVar === 0) for (let i = 0; i < rows; i++) shift[i] = bandShift(logb[i], zeroRow);
  if (shift.some((s) => s !== 0)) {
    if (copy) {
      // The caller's rows stay untouched: scale a copy (rare: data far from 1).
      const from = ptr;
      ptr = heap.f64(rows * d);
      heap.viewF64(ptr, rows * d).set(heap.viewF64(from, rows * d));
    }
    heap.scoped(() => wasm.scaleRows(ptr, rows, d, heap.putI32(shift)));
  }
  wasm.rowSquaredNorms(ptr, q, rows, d);
  const scaled = { ptr, rows, width: d, logb, shift, q, source };
  checkLayers(core, scaled, d, kernel);
  return scaled;
}

/** K(x̂_i, x̂_i) of the scaled rows, as computed on the Gram path. */
export function scaledDiagonal(core: Core, rows: ScaledRows, d: number, kernel: ResolvedKernel): Float64Array {
  const { heap, exports: wasm } = core;
  return heap.scoped(() => {
    const out = heap.f64(rows.rows);
    wasm.ntkDiag(rows.q, out, rows.rows, d, kernel.depth, kernel.wVar, kernel.bVar);
    return heap.viewF64(out, rows.rows).slice();
  });
}

/**
 * Throws ENUMERIC unless every layer variance of every row stays 0 or inside
 * [2^-LAYER_RANGE, 2^LAYER_RANGE]. q at a layer is increasing in the row's
 * |x|², so the rows with the smallest and largest nonzero |x|² decide.
 */
function checkLayers(core: Core, rows: ScaledRows, d: number, kernel: ResolvedKernel): void {
  const q = core.heap.viewF64(rows.q, rows.rows);
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < q.length; i++) {
    if (q[i] === 0 && kernel.bVar === 0) continue;
    if (lo < 0 || q[i] < q[lo]) lo = i;
    if (hi < 0 || q[i] > q[hi]) hi = i;
  }
  for (const i of [lo, hi]) {
    if (i < 0) continue;
    const bad = firstBadLayer(q[i], d, kernel);
    if (bad) throw layerError(rows, i, q[i], d, kernel, bad);
  }
}

/** The first layer whose variance leaves the safe range, as in assembly/kernel/ntk.ts's recursion. */
function firstBadLayer(norm2: number, d: number, { depth, wVar, bVar }: ResolvedKernel): { layer: number; q: number } | undefined {
  let q = wVar * (norm2 / d) + bVar;
  for (let layer = 0; ; layer++) {
    if (!(q >= 2 ** -LAYER_RANGE && q <= 2 ** LAYER_RANGE)) return { layer, q };
    if (layer === depth) return undefined;
    q = wVar * (q / 2) + bVar;
  }
}

function layerError(
  rows: ScaledRows,
  i: number,
  norm2: number,
  d: number,
  kernel: ResolvedKernel,
  bad: { layer: number; q: number },
): FlipcertError {
  const { field } = rows.source;
  const where = `the kernel's layer variance q = ${bad.q.toPrecision(3)} at layer ${bad.layer} is outside the range float64 can hold safely (2^±${LAYER_RANGE})`;
  if (kernel.bVar === 0) {
    // Rows were scaled to max |x| ≈ 1, so the data are not the cause: wVar and depth are.
    const growth = (kernel.depth * Math.log2(kernel.wVar / 2)).toFixed(0);
    return new FlipcertError(
      `${where}: with options.kernel.wVar ${kernel.wVar} and options.kernel.depth ${kernel.depth} the kernel scales by ` +
        `(wVar/2)^depth = 2^${growth}; use a smaller depth or a wVar closer to 2`,
      'ENUMERIC',
      { field: 'kernel.depth' },
    );
  }
  return new FlipcertError(
    `${rowName(rows.source, i)}: ${where} (|x|²/d = ${(norm2 / d).toPrecision(3)}). With options.kernel.bVar > 0 the kernel ` +
      'depends on the scale of the features, so flipcert does not rescale them: divide all features by a constant c and ' +
      'bVar by c² (this scales the kernel by 1/c², which leaves predictions and certificates unchanged), or use bVar 0',
    'ENUMERIC',
    { field: rows.source.field },
  );
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** ⌊log₂ v⌋ for finite v > 0, subnormals included (little-endian, as every JS engine's typed arrays). */
export function log2Floor(v: number): number {
  bits[0] = v;
  const e = (words[1] >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  bits[0] = v * 2 ** 64;
  return ((words[1] >>> 20) & 0x7ff) - 1023 - 64;
}

/** v·2^k, exact wherever the result is normal (applied in steps so 2^k itself never overflows). */
export function times2(v: number, k: number): number {
  let out = v;
  let rest = k;
  while (rest !== 0) {
    const step = Math.max(-1000, Math.min(1000, rest));
    out *= 2 ** step;
    rest -= step;
  }
  return out;
}

/**
 * Exponent t with K(x_i, x_i) ∈ [2^t, 2^(t+1)) for the original row, from the
 * scaled diagonal; undefined when K(x_i, x_i) = 0 (a zero row with bVar = 0).
 */
export function diagonalLog2(diag: Float64Array, shift: Int32Array, i: number): number | undefined {
  return diag[i] === 0 ? undefined : log2Floor(diag[i]) - 2 * shift[i];
}

/** The rows with the smallest and largest nonzero K(x, x) (as log₂), or undefined when all are zero. */
export function diagonalExtremes(diag: Float64Array, shift: Int32Array): { min: number; argmin: number; max: number; argmax: number } | undefined {
  let out: { min: number; argmin: number; max: number; argmax: number } | undefined;
  for (let i = 0; i < diag.length; i++) {
    const t = diagonalLog2(diag, shift, i);
    if (t === undefined) continue;
    if (!out) out = { min: t, argmin: i, max: t, argmax: i };
    if (t < out.min) Object.assign(out, { min: t, argmin: i });
    if (t > out.max) Object.assign(out, { max: t, argmax: i });
  }
  return out;
}

/**
 * Throws ENUMERIC unless every entry of K(a, b) has a natural size
 * √(K(a_i, a_i)·K(b_j, b_j)) (its bound, by Cauchy–Schwarz) that float64 holds
 * as a normal number, with a factor 2 to spare at the top: the kernel
 * command's refusal for values float64 cannot represent. Zero rows aside.
 */
export function checkKernelRange(diagA: Float64Array, a: ScaledRows, diagB: Float64Array, b: ScaledRows): void {
  const ea = diagonalExtremes(diagA, a.shift);
  const eb = diagonalExtremes(diagB, b.shift);
  if (!ea || !eb) return;
  if (ea.max + eb.max > 2 * 1021) throw rangeError(a, ea.argmax, b, eb.argmax, (ea.max + eb.max) / 2, 'overflows');
  if (ea.min + eb.min < -2 * 1022) throw rangeError(a, ea.argmin, b, eb.argmin, (ea.min + eb.min) / 2, 'underflows');
}

function rangeError(a: ScaledRows, i: number, b: ScaledRows, j: number, log2: number, what: string): FlipcertError {
  const name = (rows: ScaledRows, k: number) => rowName(rows.source, k);
  const self = a === b && i === j;
  const which = self ? `${name(a, i)}: K(x, x) ≈` : `${name(a, i)} and ${name(b, j)}: K(x, x') is of size ≈`;
  const sizes = self ? `2^${a.logb[i]}` : `2^${a.logb[i]} and 2^${b.logb[j]}`;
  return new FlipcertError(
    `${which} 2^${Math.round(log2)}, which ${what} float64 (largest |value| in the row ≈ ${sizes}); the NTK with bVar 0 ` +
      'scales with the square of the features, so multiply them by a constant that brings them nearer to 1',
    'ENUMERIC',
    { field: a.source.field },
  );
}
