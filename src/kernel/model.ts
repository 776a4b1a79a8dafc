/**
 * The base model of docs/spec.md §3 on one training set, held in the Wasm heap:
 * training features, their squared norms and (for krr) the Cholesky factor
 * of K + λ̃I. It turns blocks of test rows into weight rows β(x).
 */
import type { Augmentation } from './augment.js';
import { FlipcertError } from '../errors.js';
import type { Matrix, ModelKind, ResolvedKernel } from '../types.js';
import type { Team } from './team.js';
import type { Core } from '../wasm/core.js';
import type { HeapMark } from '../wasm/heap.js';
import { checkKernel, scaledKernelInto } from './ntk.js';
import { keptColumns } from './columns.js';
import { bandShift, diagonalExtremes, prepareRows, scaledDiagonal, times2, type ScaledRows } from './scale.js';
import { teamCholesky } from './cholesky.js';
import { TeamOp } from './team.js';

export interface KernelModelOptions {
  model: ModelKind;
  /** Relative ridge for krr: λ̃ = reg·trace(K)/n; must be > 0. Ignored for svm. */
  reg: number;
  kernel: ResolvedKernel;
  /**
   * Train on S augmented copies of every row (docs/spec.md §10); weights() then
   * returns one weight per original row, the sum over its copies.
   */
  augment?: Augmentation;
  /**
   * Threads sharing this core's memory (src/pool/team-protocol.ts): the Gram matrices,
   * the kernel recursion, the Cholesky and the solves are split over them,
   * with bitwise the same results as on one thread.
   */
  team?: Team;
}

/**
 * Heap lifetime: fit() reserves the model on top of the heap; each weights()
 * call reserves its β rows above that and frees the previous call's rows when
 * nothing was reserved after them. dispose() releases the heap back to where
 * fit() began — together with anything reserved after the model (a bump
 * allocator frees in stack order).
 *
 * Scale (see scale.ts): with bVar = 0, training rows far from 1 are kept
 * multiplied by 2^shift[i], and the stored K is 2^(2g)·K for one global g
 * that brings its largest diagonal entry near 1 when K itself would leave
 * float64's range (g = 0 otherwise). KRR with relative ridge and the SVM's
 * argmax are invariant to that factor, and every step commutes with powers of
 * two, so predictions and certificates are those of the unscaled problem.
 */
export class KernelModel {
  private blockMark: HeapMark | undefined;
  private blockEnd: HeapMark | undefined;
  private disposed = false;
  private blockExponents = new Int32Array(0);

  private constructor(
    private readonly core: Core,
    private readonly start: HeapMark,
    private readonly kernel: ResolvedKernel,
    private readonly kind: ModelKind,
    /** Training rows of the kernel (with augmentation: every copy, groups × S). */
    readonly n: number,
    /** Feature columns. */
    readonly d: number,
    /** The training rows as prepared for the recursion (scaled, with their squared norms). */
    private readonly train: ScaledRows,
    /** g of the class comment. */
    private readonly globalShift: number,
    /** Heap i32[n]: the exponents g − shift[j] that turn K(x̂_j, ·) into stored units. */
    private readonly outShiftPtr: number,
    /** Cholesky factor of the stored K + λ̃I and its solve scratch (krr only). */
    private readonly solver: Solver | undefined,
    /** λ̃ = reg·trace(K)/n (krr); 0 for svm. */
    readonly lambda: number,
    /** 1 / max_i Σ_j |K_ij|: the SVM's small-C regime is C below this (docs/spec.md §3). */
    readonly svmBound: number,
    /** Augmented: original rows (groups) and the groups × n heap matrix G of {@link groupSolve}; else n and 0. */
    readonly groups: number = n,
    private readonly groupPtr: number = 0,
    private readonly team?: Team,
    /** Heap i32[train.width]: the columns the kernel reads (src/kernel/columns.ts), or 0 when it reads all d. */
    private readonly keptPtr: number = 0,
  ) {}

  /** Trains on `trainX` (copied into the heap); see {@link KernelModelOptions}. */
  static fit(core: Core, trainX: Matrix, opts: KernelModelOptions): KernelModel {
    const { rows: groups, cols: d } = trainX;
    checkFitInput(trainX, opts);
    const { heap, exports: wasm } = core;
    const start = heap.mark();
    // One copy (identity) is the unaugmented model, bit for bit.
    const aug = opts.augment && opts.augment.copies > 1 ? opts.augment : undefined;
    const copies = aug ? aug.copies : 1;
    const n = groups * copies;
    try {
      let xPtr = heap.putF64(trainX.data);
      if (aug) {
        // The S copies of row i are rows i·S ..< (i + 1)·S, written by the core: no JS-side copy.
        const paramsPtr = heap.putF64(aug.params);
        const copiesPtr = heap.f64(n * d);
        wasm.augmentRows(xPtr, groups, aug.height, aug.width, aug.channels, paramsPtr, copies, copiesPtr);
        xPtr = copiesPtr;
      }
      const train = prepareRows(core, xPtr, n, d, opts.kernel, { label: 'options.train.x row', field: 'train.x', copies });
      const keptPtr = dropZeroColumns(core, train, d);
      const g = globalShift(scaledDiagonal(core, train, d, opts.kernel), train);
      const outShift = train.shift.map((s) => g - s);
      const outShiftPtr = heap.putI32(outShift);
      const k = heap.f64(n * n);
      const team = opts.team;
      scaledKernelInto(core, train, train, d, opts.kernel, k, outShift, outShift, team);
      const svmBound = times2(1 / maxAbsRowSum(heap.viewF64(k, n * n), n), 2 * g);
      if (opts.model === 'svm') {
        heap.release(k); // K is recomputed per test block as k(X, x); the Gram is not needed.
        const groupPtr = aug ? groupSolve(core, groups, copies, undefined) : 0;
        return new KernelModel(core, start, opts.kernel, 'svm', n, d, train, g, outShiftPtr, undefined, 0, svmBound, groups, groupPtr, team, keptPtr);
      }
      const lambda = (opts.reg * wasm.traceOf(k, n)) / n;
      wasm.addDiagonal(k, n, lambda);
      // The solves read Lᵀ from the factor's upper triangle: teamCholesky writes it, one thread mirrors it here.
      const status = team ? teamCholesky(core, team, k, n) : wasm.cholesky(k, n);
      if (status !== 0) throw notPositiveDefinite(status - 1, n, opts.reg);
      if (!team) wasm.mirrorLowerRows(k, n, 0, n);
      const solver = prepareSolves(core, k, n, team);
      const groupPtr = aug ? groupSolve(core, groups, copies, solver, team) : 0;
      const lam = times2(lambda, -2 * g);
      return new KernelModel(core, start, opts.kernel, 'krr', n, d, train, g, outShiftPtr, solver, lam, svmBound, groups, groupPtr, team, keptPtr);
    } catch (error) {
      heap.release(start);
      throw error;
    }
  }

  /**
   * β rows for test rows rowStart ..< rowStart + rowCount of `testX`: returns
   * the heap pointer of a rowCount × {@link groups} row-major block, valid until the next
   * weights() call or dispose(). krr: β = (K + λ̃I)⁻¹ k(X, x); svm: β = k(X, x);
   * augmented, each original row's weight is the sum over its copies.
   * Row r is 2^s·β(x) with s = {@link lastExponents}[r]: 0, unless x is so
   * large or small next to the training rows that β(x) could leave float64's
   * range. Predictions and certificates do not depend on a positive factor.
   */
  weights(testX: Matrix, rowStart: number, rowCount: number): number {
    this.checkWeightsInput(testX, rowStart, rowCount);
    const { heap, exports: wasm } = this.core;
    if (this.blockMark !== undefined && heap.mark() === this.blockEnd) heap.release(this.blockMark);
    this.blockMark = heap.mark();
    const { n, groups } = this;
    const beta = heap.f64(rowCount * groups);
    const team = this.team;
    if (this.groupPtr === 0) {
      heap.scoped(() => this.testKernelInto(testX, rowStart, rowCount, beta));
      if (this.solver) solveRows(this.core, this.solver, beta, rowCount, team);
    } else {
      // Augmented: β_g(x) = k(X, x)ᵀ G_gᵀ, G the groups × n matrix of groupSolve (docs/spec.md §10).
      heap.scoped(() => {
        const k = heap.f64(rowCount * n);
        this.testKernelInto(testX, rowStart, rowCount, k);
        if (team) team.run(TeamOp.gramDot, [k, this.groupPtr, beta, rowCount, groups, n]);
        else wasm.gramDot(k, this.groupPtr, beta, rowCount, groups, n);
      });
    }
    this.blockEnd = heap.mark();
    return beta;
  }

  /** rowCount × n: the (scaled) kernel of test rows rowStart… against the training rows. */
  private testKernelInto(testX: Matrix, rowStart: number, rowCount: number, out: number): void {
    const { heap, exports: wasm } = this.core;
    const { n, d, train, globalShift: g } = this;
    const rows = testX.data.subarray(rowStart * d, (rowStart + rowCount) * d);
    const test = prepareRows(this.core, heap.putF64(rows), rowCount, d, this.kernel, {
      label: 'options.test.x row',
      field: 'test.x',
      offset: rowStart,
    });
    if (this.keptPtr !== 0) keepColumns(this.core, test, d, this.keptPtr, train.width);
    // Test row t enters as 2^(g + f)·t, f chosen (the band of scale.ts) so that it is not far from 1;
    // with bVar > 0 only K may be scaled (by 2^2g), not the rows.
    const zeroRow = wasm.ZERO_ROW.value;
    const f = test.logb.map((logb) => (this.kernel.bVar > 0 || logb === zeroRow ? 0 : bandShift(logb + g, zeroRow)));
    const outTest = test.shift.map((s, r) => g + f[r] - s);
    // The column is 2^(2g + f)·k(X, x): krr divides 2^2g out with K, svm keeps it.
    this.blockExponents = f.map((e) => (this.kind === 'svm' ? e + 2 * g : e));
    const outTrain = heap.viewI32(this.outShiftPtr, n).slice();
    scaledKernelInto(this.core, test, train, d, this.kernel, out, outTest, outTrain, this.team);
  }

  /** For the last weights() block: row r of β is 2^lastExponents[r]·β(x_r). */
  get lastExponents(): Int32Array {
    return this.blockExponents.slice();
  }

  /** Releases the heap back to where fit() began (see the class comment). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.core.heap.release(this.start);
  }

  private checkWeightsInput(testX: Matrix, rowStart: number, rowCount: number): void {
    if (this.disposed) throw new FlipcertError('KernelModel.weights: the model was disposed', 'EOPTION');
    if (testX.cols !== this.d) {
      throw new FlipcertError(`test features have ${testX.cols} columns but the training features have ${this.d}`);
    }
    if (testX.data.length !== testX.rows * testX.cols) {
      throw new FlipcertError(`test features: data has ${testX.data.length} values but shape ${testX.rows}×${testX.cols} needs ${testX.rows * testX.cols}`);
    }
    const ok = Number.isInteger(rowStart) && Number.isInteger(rowCount) && rowStart >= 0 && rowCount >= 1;
    if (!ok || rowStart + rowCount > testX.rows) {
      throw new FlipcertError(
        `KernelModel.weights: rows ${rowStart}..${rowStart + rowCount - 1} are outside the ${testX.rows} test rows`,
        'EOPTION',
      );
    }
  }
}

/**
 * Drops the columns that are zero in every (prepared) training row, when
 * enough are (src/kernel/columns.ts): the rows are compacted in place and their
 * squared norms recomputed over the kept columns, in the Gram product's order,
 * so that K(x, x) still sees ρ = 1 exactly. Returns the heap list of kept
 * columns, or 0 when the rows stay as they are. No new memory: the list lives
 * in the space the compaction frees behind the rows (the memory plan,
 * src/partition/memory.ts, is the same either way).
 */
function dropZeroColumns(core: Core, train: ScaledRows, d: number): number {
  const { heap, exports: wasm } = core;
  const n = train.rows;
  const kept = keptColumns(heap.viewF64(train.ptr, n * d), n, d);
  // The list must fit in the freed space, and its moment on the heap before that stay below the kernel matrix to come.
  if (!kept || 8 * n * (d - kept.length) < 4 * kept.length || n * n < d) return 0;
  heap.scoped(() => wasm.compactColumns(train.ptr, n, d, heap.putI32(kept), kept.length, 0));
  const keptPtr = train.ptr + 8 * n * kept.length;
  heap.viewI32(keptPtr, kept.length).set(kept);
  wasm.rowSquaredNorms(train.ptr, train.q, n, kept.length);
  train.width = kept.length;
  return keptPtr;
}

/**
 * Test rows for a model that dropped zero columns: compacted to the same
 * columns, with |x|² = (the kept part, in the Gram product's order) + (the
 * dropped part). A test row equal to a training row has a dropped part of
 * exactly 0, so its norm is that row's and K(x, x) sees ρ = 1 exactly. The
 * kept part's norms go to the space the compaction frees behind the rows.
 */
function keepColumns(core: Core, test: ScaledRows, d: number, keptPtr: number, width: number): void {
  const { heap, exports: wasm } = core;
  const m = test.rows;
  wasm.compactColumns(test.ptr, m, d, keptPtr, width, test.q);
  const keptNorms = test.ptr + 8 * m * width;
  wasm.rowSquaredNorms(test.ptr, keptNorms, m, width);
  const q = heap.viewF64(test.q, m);
  const part = heap.viewF64(keptNorms, m);
  for (let i = 0; i < m; i++) q[i] = part[i] + q[i];
  test.width = width;
}

/** The factor of K + λ̃I as solveFactored reads it, with one scratch per thread. */
interface Solver {
  factor: number;
  n: number;
  /** solveScratchDoubles per thread of the team (one without a team). */
  scratch: number;
}

/**
 * Turns the factor (Lᵀ above its diagonal) into what solveFactored reads —
 * its diagonal blocks inverted in place (assembly/linalg/trsm-inverse.ts) — and
 * reserves the solves' scratch.
 */
function prepareSolves(core: Core, factor: number, n: number, team?: Team): Solver {
  const { heap, exports: wasm } = core;
  const per = wasm.solveScratchDoubles();
  const scratch = heap.f64(per * (team?.size ?? 1));
  wasm.invertDiagonalBlocks(factor, n, scratch);
  return { factor, n, scratch };
}

/** B ← B·(K + λ̃I)⁻¹ for `rows` rows of B (n wide): both triangular solves, split over the team if any. */
function solveRows(core: Core, s: Solver, b: number, rows: number, team?: Team): void {
  if (team) team.run(TeamOp.solve, [s.factor, b, s.n, rows, s.scratch]);
  else core.exports.solveFactored(s.factor, b, s.n, rows, s.scratch);
}

/**
 * The groups × n matrix G whose row g sums the weights of group g's copies:
 * the indicator of rows g·S ..< (g + 1)·S, times (K + λ̃I)⁻¹ for krr (with a solver).
 * Then β_g(x) = G_g · k(X, x), so each test block costs one product instead of
 * two triangular solves with n right-hand sides per test row.
 */
function groupSolve(core: Core, groups: number, copies: number, solver: Solver | undefined, team?: Team): number {
  const n = groups * copies;
  const ptr = core.heap.f64(groups * n);
  const view = core.heap.viewF64(ptr, groups * n);
  view.fill(0);
  for (let gi = 0; gi < groups; gi++) view.fill(1, gi * n + gi * copies, gi * n + (gi + 1) * copies);
  if (solver) solveRows(core, solver, ptr, groups, team);
  return ptr;
}

function checkFitInput(trainX: Matrix, opts: KernelModelOptions): void {
  const { rows, cols, data } = trainX;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new FlipcertError(`training features: shape must be at least 1×1, got ${rows}×${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new FlipcertError(`training features: data has ${data.length} values but shape ${rows}×${cols} needs ${rows * cols}`);
  }
  if (opts.model !== 'krr' && opts.model !== 'svm') {
    throw new FlipcertError(`model must be 'krr' or 'svm', got ${JSON.stringify(opts.model)}`, 'EOPTION');
  }
  if (opts.model === 'krr' && !(Number.isFinite(opts.reg) && opts.reg > 0)) {
    throw new FlipcertError(`options.reg must be a number > 0 for krr, got ${String(opts.reg)}`, 'EOPTION', { field: 'reg' });
  }
  checkKernel(opts.kernel);
}

/**
 * g of the KernelModel comment: 0 while the largest K(x, x) is within 2^±256,
 * else the even power that brings it into [1, 4). Throws ENUMERIC when the
 * smallest nonzero K(x, x) would then fall below float64's normal range.
 */
function globalShift(diag: Float64Array, train: ScaledRows): number {
  const range = diagonalExtremes(diag, train.shift);
  if (!range) return 0;
  const g = range.max >= -256 && range.max <= 256 ? 0 : -Math.floor(range.max / 2);
  if (range.min + 2 * g < -1022) {
    throw new FlipcertError(
      `options.train.x rows ${copyName(train, range.argmin)} and ${copyName(train, range.argmax)} differ too much in size for float64: K(x, x) is ≈ 2^${range.min} ` +
        `for one and ≈ 2^${range.max} for the other (largest |values| ≈ 2^${train.logb[range.argmin]} and ` +
        `2^${train.logb[range.argmax]}); the kernel matrix cannot hold both. Rescale or remove these rows`,
      'ENUMERIC',
      { field: 'train.x' },
    );
  }
  return g;
}

/** Row i of the prepared rows as the user knows it: "7", or "7 (augmented copy 3)". */
function copyName(train: ScaledRows, i: number): string {
  const S = train.source.copies ?? 1;
  return S > 1 ? `${Math.floor(i / S)} (augmented copy ${i % S})` : String(i);
}

/**
 * max_i Σ_j |K_ij| over the n×n row-major K; throws if an entry is not finite
 * (the range checks of scale.ts make that unreachable).
 */
function maxAbsRowSum(k: Float64Array, n: number): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(k[i * n + j]);
    if (!Number.isFinite(s)) {
      throw new FlipcertError(`training kernel row ${i} is not finite: a bug in flipcert's range checks`, 'EINTERNAL');
    }
    if (s > best) best = s;
  }
  return best;
}

function notPositiveDefinite(pivot: number, n: number, reg: number): FlipcertError {
  return new FlipcertError(
    `kernel ridge regression failed: K + λ̃I is not numerically positive definite (Cholesky pivot ${pivot} of ${n}, ` +
      `options.reg ${reg}); use a larger options.reg (e.g. ${reg * 10}) or remove duplicate training rows`,
    'ENUMERIC',
    { field: 'reg' },
  );
}
