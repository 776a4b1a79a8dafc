/**
 * The base model of SPEC §3 on one training set, held in the Wasm heap:
 * training features, their squared norms and (for krr) the Cholesky factor
 * of K + λ̃I. It turns blocks of test rows into weight rows β(x).
 */
import { FlipcertError } from '../errors.js';
import type { Matrix, ModelKind, ResolvedKernel } from '../types.js';
import type { Core } from '../wasm/core.js';
import type { HeapMark } from '../wasm/heap.js';
import { checkKernel, ntkInto } from './ntk.js';

export interface KernelModelOptions {
  model: ModelKind;
  /** Relative ridge for krr: λ̃ = reg·trace(K)/n; must be > 0. Ignored for svm. */
  reg: number;
  kernel: ResolvedKernel;
}

/**
 * Heap lifetime: fit() reserves the model on top of the heap; each weights()
 * call reserves its β rows above that and frees the previous call's rows when
 * nothing was reserved after them. dispose() releases the heap back to where
 * fit() began — together with anything reserved after the model (a bump
 * allocator frees in stack order).
 */
export class KernelModel {
  private blockMark: HeapMark | undefined;
  private blockEnd: HeapMark | undefined;
  private disposed = false;

  private constructor(
    private readonly core: Core,
    private readonly start: HeapMark,
    private readonly kernel: ResolvedKernel,
    private readonly kind: ModelKind,
    /** Training rows. */
    readonly n: number,
    /** Feature columns. */
    readonly d: number,
    private readonly xPtr: number,
    /** Cholesky factor of K + λ̃I (krr only; 0 for svm). */
    private readonly factorPtr: number,
    /** λ̃ = reg·trace(K)/n (krr); 0 for svm. */
    readonly lambda: number,
    /** 1 / max_i Σ_j |K_ij|: the SVM's small-C regime is C below this (SPEC §3). */
    readonly svmBound: number,
  ) {}

  /** Trains on `trainX` (copied into the heap); see {@link KernelModelOptions}. */
  static fit(core: Core, trainX: Matrix, opts: KernelModelOptions): KernelModel {
    const { rows: n, cols: d } = trainX;
    checkFitInput(trainX, opts);
    const { heap, exports: wasm } = core;
    const start = heap.mark();
    try {
      const xPtr = heap.putF64(trainX.data);
      const k = heap.f64(n * n);
      ntkInto(core, xPtr, n, xPtr, n, d, opts.kernel, k);
      const svmBound = 1 / maxAbsRowSum(heap.viewF64(k, n * n), n);
      if (opts.model === 'svm') {
        heap.release(k); // K is recomputed per test block as k(X, x); the Gram is not needed.
        return new KernelModel(core, start, opts.kernel, 'svm', n, d, xPtr, 0, 0, svmBound);
      }
      const lambda = (opts.reg * wasm.traceOf(k, n)) / n;
      wasm.addDiagonal(k, n, lambda);
      const status = wasm.cholesky(k, n);
      if (status !== 0) throw notPositiveDefinite(status - 1, n, opts.reg);
      return new KernelModel(core, start, opts.kernel, 'krr', n, d, xPtr, k, lambda, svmBound);
    } catch (error) {
      heap.release(start);
      throw error;
    }
  }

  /**
   * β rows for test rows rowStart ..< rowStart + rowCount of `testX`: returns
   * the heap pointer of a rowCount × n row-major block, valid until the next
   * weights() call or dispose(). krr: β = (K + λ̃I)⁻¹ k(X, x); svm: β = k(X, x).
   */
  weights(testX: Matrix, rowStart: number, rowCount: number): number {
    this.checkWeightsInput(testX, rowStart, rowCount);
    const { heap, exports: wasm } = this.core;
    if (this.blockMark !== undefined && heap.mark() === this.blockEnd) heap.release(this.blockMark);
    this.blockMark = heap.mark();
    const { n, d } = this;
    const beta = heap.f64(rowCount * n);
    heap.scoped(() => {
      const rows = testX.data.subarray(rowStart * d, (rowStart + rowCount) * d);
      const tPtr = heap.putF64(rows);
      ntkInto(this.core, tPtr, rowCount, this.xPtr, n, d, this.kernel, beta);
    });
    if (this.kind === 'krr') {
      wasm.trsmRightLowerT(this.factorPtr, beta, n, rowCount);
      wasm.trsmRightLower(this.factorPtr, beta, n, rowCount);
    }
    this.blockEnd = heap.mark();
    return beta;
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

/** max_i Σ_j |K_ij| over the n×n row-major K. */
function maxAbsRowSum(k: Float64Array, n: number): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(k[i * n + j]);
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
