/**
 * Full-batch training of the network (docs/spec.md §11.3): minimises
 *
 *     E(θ) = Σ_i ‖f(x_i; θ) − f(x_i; θ₀) − Y_i‖² + λ̃‖θ − θ₀‖²,   λ̃ = reg·trace(K̂₀)/(n·C),
 *
 * K̂₀ = J₀J₀ᵀ the empirical NTK of all C output units at θ₀ (so trace/(n·C) is
 * the mean diagonal of the one-unit kernels), by Gauss–Newton in function
 * space. With u = θ − θ₀, r the residuals and J the Jacobian at θ, the step
 * minimising the linearised objective ‖r + Jδ‖² + λ̃‖u + δ‖² is
 *
 *     θ' = θ₀ + Jᵀα,   α = (JJᵀ + λ̃I)⁻¹(J·u − r),
 *
 * an (n·C)-sized solve; from θ₀ the first step is exactly kernel ridge
 * regression with the empirical kernel. A backtracking (Armijo) line search on
 * the segment θ → θ' makes E decrease.
 *
 * Stopping. E is only piecewise smooth: its gradient jumps whenever a hidden
 * pre-activation of a training row changes sign, by about |r|/√(n·width)
 * relative to ‖∇E(θ₀)‖, so near the minimiser the gradient norm stalls at
 * that scale instead of vanishing (measured after 20 steps: 1e-2 … 8e-3 relative
 * for 12 rows at widths 256 … 4096, 1e-3 for 200 MNIST rows at width 1024). Training therefore stops at the first of: the
 * relative gradient norm ‖∇E(θ)‖/‖∇E(θ₀)‖ ≤ gradTol (computed explicitly,
 * 2‖Jᵀr + λ̃u‖, in parameter space); a step that moves the training outputs by at
 * most stepTol·‖Y‖ (converged in function space); maxIterations steps; or a
 * line search that finds no decrease. The result says which, with the final
 * gradient norm.
 *
 * Everything runs in one core in a fixed order: same inputs, same bits.
 */
import { throwIfAborted } from '../host/abort.js';
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import type { Core } from '../wasm/core.js';
import { checkParameters, parameterCount, withNetworkMemory, type NetworkShape } from './network.js';
import { Passes, type SavedPasses } from './passes.js';
import { checkRows } from './scores.js';

export { empiricalNtk, networkScores } from './scores.js';

export interface TrainOptions {
  /** Relative ridge (the krr model's `reg`), > 0. */
  reg: number;
  /** Stop when ‖∇E(θ)‖ ≤ gradTol·‖∇E(θ₀)‖. Default {@link DEFAULT_GRAD_TOL}. */
  gradTol?: number;
  /**
   * Stop when a step moves the training outputs by ‖f(θ') − f(θ)‖ ≤ stepTol·‖Y‖
   * (Frobenius norms over the n×C outputs): converged in function space. Default {@link DEFAULT_STEP_TOL}.
   */
  stepTol?: number;
  /** Most Gauss–Newton steps. Default {@link DEFAULT_MAX_ITERATIONS}. */
  maxIterations?: number;
  /**
   * false: when the step tolerance stops training, skip the explicit gradient at
   * the final θ (one backward pass and one weight-gradient product, about a fifth
   * of a two-step training) and report gradNorm as NaN. Default true.
   */
  finalGradient?: boolean;
  signal?: AbortSignal;
}

/** Why training stopped: a tolerance met (converged), or not. */
export type StopReason = 'gradient' | 'step' | 'maxIterations' | 'lineSearch';

export interface TrainedNetwork {
  theta: Float64Array;
  /** Gauss–Newton steps taken. */
  iterations: number;
  /** Final ‖∇E(θ)‖ / ‖∇E(θ₀)‖ (relative, as gradTol), computed explicitly in parameter space; NaN when finalGradient is false and the step tolerance stopped training. */
  gradNorm: number;
  /** ‖∇E(θ₀)‖ = 2‖J₀ᵀY‖, the scale of gradNorm. */
  initialGradNorm: number;
  /** ‖f(θ_k) − f(θ_{k−1})‖ / ‖Y‖ of the last step on the training rows (Infinity before any step). */
  lastStep: number;
  /** λ̃. */
  ridge: number;
  /** E(θ) at the returned θ. */
  objective: number;
  /** Points the line searches evaluated (one per step when every full step is accepted). */
  lineSearchTrials: number;
  /** stoppedBy is 'gradient' or 'step'. */
  converged: boolean;
  stoppedBy: StopReason;
}

export const DEFAULT_GRAD_TOL = 1e-6;
export const DEFAULT_STEP_TOL = 1e-3;
export const DEFAULT_MAX_ITERATIONS = 50;
/** Armijo's sufficient-decrease constant and the smallest step tried. */
const ARMIJO = 1e-4;
const MIN_STEP = 2 ** -30;

interface Tolerances {
  gradTol: number;
  stepTol: number;
  maxIterations: number;
  finalGradient: boolean;
}

/** Trains from θ₀ on rows x with n×C targets (one-hot in flipcert); see the module comment. */
export function trainNetwork(
  core: Core,
  shape: NetworkShape,
  theta0: Float64Array,
  x: Matrix,
  targets: Float64Array,
  options: TrainOptions,
): TrainedNetwork {
  checkParameters(shape, theta0, 'theta0');
  checkRows(shape, x, 'network training');
  const tolerances = checkOptions(options);
  checkTargets(targets, x.rows, shape.classes, 'targets');
  throwIfAborted(options.signal);
  const { heap } = core;
  return withNetworkMemory(shape, () =>
    heap.scoped(() => new Trainer(core, shape, theta0, x, options.reg).run(targets, tolerances, options.signal)),
  );
}

/**
 * Trains one network per target matrix, all from the same θ₀ on the same rows
 * (retrainings after label flips), calling `onTrained(index, result)` after each,
 * in order. Each result is bit for bit what {@link trainNetwork} returns for its
 * targets; the work that depends only on θ₀ and the rows (the forward and
 * backward passes and the kernel at θ₀, about a quarter of a two-step training at
 * width 4096) is done once. `onTrained` may use the core (e.g. networkScores);
 * each result's θ is its own copy, so dropping it frees its memory.
 */
export function trainNetworks(
  core: Core,
  shape: NetworkShape,
  theta0: Float64Array,
  x: Matrix,
  targets: readonly Float64Array[],
  options: TrainOptions,
  onTrained: (index: number, result: TrainedNetwork) => void,
): void {
  checkParameters(shape, theta0, 'theta0');
  checkRows(shape, x, 'network training');
  const tolerances = checkOptions(options);
  targets.forEach((t, i) => checkTargets(t, x.rows, shape.classes, `targets[${i}]`));
  throwIfAborted(options.signal);
  const { heap } = core;
  withNetworkMemory(shape, () =>
    heap.scoped(() => {
      const trainer = new Trainer(core, shape, theta0, x, options.reg);
      targets.forEach((t, i) => onTrained(i, trainer.run(t, tolerances, options.signal)));
    }),
  );
}

function checkTargets(targets: Float64Array, n: number, C: number, what: string): void {
  if (targets.length !== n * C) {
    throw new FlipcertError(`network training: ${what} must have n·C = ${n * C} values, got ${targets.length}`, 'EINPUT');
  }
}

function checkOptions(options: TrainOptions): Tolerances {
  const { reg, gradTol = DEFAULT_GRAD_TOL, stepTol = DEFAULT_STEP_TOL, maxIterations = DEFAULT_MAX_ITERATIONS } = options;
  if (!(Number.isFinite(reg) && reg > 0)) throw new FlipcertError(`options.reg must be a number > 0, got ${String(reg)}`, 'EOPTION', { field: 'reg' });
  for (const [name, value] of [['gradTol', gradTol], ['stepTol', stepTol]] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new FlipcertError(`network training: ${name} must be a number ≥ 0, got ${String(value)}`, 'EOPTION', { field: name });
    }
  }
  if (!Number.isInteger(maxIterations) || maxIterations < 0) {
    throw new FlipcertError(`network training: maxIterations must be an integer ≥ 0, got ${String(maxIterations)}`, 'EOPTION', {
      field: 'maxIterations',
    });
  }
  const { finalGradient = true } = options;
  if (typeof finalGradient !== 'boolean') {
    throw new FlipcertError(`network training: finalGradient must be true or false, got ${String(finalGradient)}`, 'EOPTION', {
      field: 'finalGradient',
    });
  }
  return { gradTol, stepTol, maxIterations, finalGradient };
}

/**
 * The heap buffers and state of training from one θ₀ on one set of rows
 * (heap-scoped by its caller); run() trains for one target matrix, as often as
 * asked. The passes and the kernel at θ₀ are computed by the first run and
 * copied back for the others: the same bits as computing them again.
 */
class Trainer {
  private readonly P: number;
  private readonly N: number;
  private readonly passes: Passes;
  private readonly xPtr: number;
  private readonly theta0: number;
  private theta: number;
  private cand: number;
  /** Parameter-space scratch: u = θ − θ₀, then the gradient. */
  private readonly work: number;
  /** n·C vectors and matrices. */
  private readonly k: number;
  private readonly factor: number;
  private readonly vec: number;
  private readonly f0: Float64Array;
  private targets: Float64Array = new Float64Array(0);
  private ridge = 0;
  private trials = 0;
  /** The passes at θ₀ (forward and backward) and K̂₀, saved by the first run. */
  private start: { passes: SavedPasses; k0: number } | undefined;

  constructor(
    private readonly core: Core,
    private readonly shape: NetworkShape,
    theta0: Float64Array,
    x: Matrix,
    private readonly reg: number,
  ) {
    const { heap } = core;
    this.P = parameterCount(shape);
    this.N = x.rows * shape.classes;
    this.passes = new Passes(core, shape, x.rows, shape.classes);
    this.xPtr = heap.putF64(x.data);
    this.theta0 = heap.putF64(theta0);
    this.theta = heap.putF64(theta0);
    this.cand = heap.f64(this.P);
    this.work = heap.f64(this.P);
    this.k = heap.f64(this.N * this.N);
    this.factor = heap.f64(this.N * this.N);
    this.vec = heap.f64(this.N);
    this.passes.forward(this.theta0, this.xPtr);
    this.f0 = this.outputs().slice();
  }

  private outputs(): Float64Array {
    return this.core.heap.viewF64(this.passes.out, this.N);
  }

  /** r = f(θ) − f(θ₀) − Y at the last forward pass. */
  private residual(): Float64Array {
    const out = this.outputs();
    return out.map((v, i) => v - this.f0[i] - this.targets[i]);
  }

  private objective(r: Float64Array, theta: number): number {
    return dot(r, r) + this.ridge * this.core.exports.squaredDistance(theta, this.theta0, this.P);
  }

  run(targets: Float64Array, tol: Tolerances, signal: AbortSignal | undefined): TrainedNetwork {
    const { heap, exports: wasm } = this.core;
    const { N, P } = this;
    this.targets = targets;
    this.trials = 0;
    heap.viewF64(this.theta, P).set(heap.viewF64(this.theta0, P));
    if (this.start) this.passes.restore(this.start.passes);
    let r = this.residual();
    const targetNorm = Math.sqrt(dot(this.targets, this.targets));
    let initialGradNorm = 0;
    let objective = 0;
    let iterations = 0;
    let lastStep = Infinity;
    let gradNorm = Number.NaN;
    let stoppedBy: StopReason;
    for (;;) {
      throwIfAborted(signal);
      if (iterations === 0 && this.start) {
        heap.viewF64(this.k, N * N).set(heap.viewF64(this.start.k0, N * N));
      } else {
        this.passes.backward();
        this.passes.kernel(this.k);
        if (iterations === 0) {
          const k0 = heap.f64(N * N);
          heap.viewF64(k0, N * N).set(heap.viewF64(this.k, N * N));
          this.start = { passes: this.passes.save(), k0 };
        }
      }
      const K = heap.viewF64(this.k, N * N);
      if (iterations === 0) {
        let trace = 0;
        for (let i = 0; i < N; i++) trace += K[i * N + i];
        this.ridge = (this.reg * trace) / N;
        // At θ₀, r = −Y and u = 0: ∇E = −2J₀ᵀY, ‖J₀ᵀY‖² = YᵀK̂₀Y.
        initialGradNorm = 2 * Math.sqrt(Math.max(0, quadratic(K, this.targets, N)));
        objective = this.objective(r, this.theta);
        if (initialGradNorm === 0) {
          [gradNorm, stoppedBy] = [0, 'gradient'];
          break;
        }
      }
      // u = θ − θ₀ and J·u (zero at θ₀).
      wasm.subtractInto(this.work, this.theta, this.theta0, P);
      const ju = new Float64Array(N);
      if (iterations > 0) {
        this.passes.jacobianTimes(this.work, this.vec);
        ju.set(heap.viewF64(this.vec, N));
      }
      // ‖Jᵀr + λ̃u‖² = rᵀK̂r + 2λ̃·rᵀJu + λ̃²‖u‖² costs nothing here; the explicit norm confirms it.
      const uu = wasm.squaredDistance(this.theta, this.theta0, P);
      const estimate = 2 * Math.sqrt(Math.max(0, quadratic(heap.viewF64(this.k, N * N), r, N) + 2 * this.ridge * dot(r, ju) + this.ridge ** 2 * uu));
      if (estimate <= 2 * tol.gradTol * initialGradNorm) {
        gradNorm = this.gradientNorm(r) / initialGradNorm;
        if (gradNorm <= tol.gradTol) {
          stoppedBy = 'gradient';
          break;
        }
        wasm.subtractInto(this.work, this.theta, this.theta0, P);
      }
      if (iterations >= tol.maxIterations) {
        stoppedBy = 'maxIterations';
        break;
      }
      const before = this.outputs().slice();
      if (!this.step(r, ju, objective, signal)) {
        // E does not decrease along the Gauss–Newton direction: back to the pass at θ.
        this.passes.forward(this.theta, this.xPtr);
        this.passes.backward();
        stoppedBy = 'lineSearch';
        break;
      }
      [this.theta, this.cand] = [this.cand, this.theta];
      r = this.residual();
      objective = this.objective(r, this.theta);
      iterations++;
      const after = this.outputs();
      lastStep = Math.sqrt(before.reduce((s, v, i) => s + (after[i] - v) ** 2, 0)) / targetNorm;
      if (lastStep <= tol.stepTol) {
        stoppedBy = 'step';
        if (!tol.finalGradient) gradNorm = Number.NaN;
        else this.passes.backward();
        break;
      }
    }
    if (stoppedBy !== 'gradient' && !(stoppedBy === 'step' && !tol.finalGradient)) {
      wasm.subtractInto(this.work, this.theta, this.theta0, P);
      gradNorm = this.gradientNorm(r) / initialGradNorm;
    }
    return {
      theta: heap.viewF64(this.theta, P).slice(),
      iterations,
      gradNorm,
      initialGradNorm,
      lastStep,
      ridge: this.ridge,
      objective,
      lineSearchTrials: this.trials,
      converged: stoppedBy === 'gradient' || stoppedBy === 'step',
      stoppedBy,
    };
  }

  /**
   * One Gauss–Newton step from θ (passes at θ, `work` = u): θ' = θ₀ + Jᵀα into
   * `cand`, then the line search. False when no step length decreases E.
   */
  private step(r: Float64Array, ju: Float64Array, objective: number, signal: AbortSignal | undefined): boolean {
    const { heap, exports: wasm } = this.core;
    const { N, P } = this;
    // α = (K̂ + λ̃I)⁻¹(J·u − r), by Cholesky.
    heap.viewF64(this.factor, N * N).set(heap.viewF64(this.k, N * N));
    wasm.addDiagonal(this.factor, N, this.ridge);
    if (wasm.cholesky(this.factor, N) !== 0) {
      throw new FlipcertError('network training: K̂ + λ̃I is not numerically positive definite; use a larger options.reg', 'ENUMERIC', {
        field: 'reg',
      });
    }
    heap.viewF64(this.vec, N).set(ju.map((v, i) => v - r[i]));
    wasm.trsmRightLowerT(this.factor, this.vec, N, 1);
    wasm.trsmRightLower(this.factor, this.vec, N, 1);
    const alpha = heap.viewF64(this.vec, N).slice();
    heap.viewF64(this.cand, P).set(heap.viewF64(this.theta0, P));
    this.passes.transposeTimes(this.vec, this.cand);
    // Along δ = θ' − θ, E decreases at rate 2·(‖Jδ‖² + λ̃‖δ‖²) per unit step, with Jδ = K̂α − Ju.
    const jd = matVec(heap.viewF64(this.k, N * N), alpha, N).map((v, i) => v - ju[i]);
    const slope = 2 * (dot(jd, jd) + this.ridge * wasm.squaredDistance(this.cand, this.theta, P));
    return this.lineSearch(objective, slope, signal);
  }

  /**
   * Tries θ + t(θ' − θ) for t = 1, ½, ¼, … (in place in `cand`) until
   * E ≤ E(θ) − ARMIJO·t·slope; leaves the forward pass at the accepted point.
   */
  private lineSearch(objective: number, slope: number, signal: AbortSignal | undefined): boolean {
    const { exports: wasm } = this.core;
    for (let t = 1; t >= MIN_STEP; t /= 2) {
      throwIfAborted(signal);
      if (t < 1) wasm.lerpInto(this.cand, this.theta, this.cand, 0.5, this.P);
      this.passes.forward(this.cand, this.xPtr);
      this.trials++;
      const trial = this.objective(this.residual(), this.cand);
      if (trial <= objective - ARMIJO * t * slope) return true;
    }
    return false;
  }

  /** ‖∇E(θ)‖ = 2‖Jᵀr + λ̃u‖, explicitly in parameter space (`work` holds u on entry, the gradient / 2 on exit). */
  private gradientNorm(r: Float64Array): number {
    const { heap, exports: wasm } = this.core;
    return heap.scoped(() => {
      const rPtr = heap.putF64(r);
      const norm = heap.f64(1);
      wasm.scaleInto(this.work, this.work, this.ridge, this.P);
      this.passes.transposeTimes(rPtr, this.work);
      wasm.rowSquaredNorms(this.work, norm, 1, this.P);
      return 2 * Math.sqrt(heap.viewF64(norm, 1)[0]);
    });
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function matVec(m: Float64Array, v: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += m[i * n + j] * v[j];
    out[i] = s;
  }
  return out;
}

function quadratic(m: Float64Array, v: ArrayLike<number>, n: number): number {
  return dot(v, matVec(m, v, n));
}
