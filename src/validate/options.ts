/**
 * The boundary of {@link validate}: every option is checked here, once, and
 * resolved with its defaults, like src/certify/options.ts does for certify (same
 * messages: API fields `options.widths`, error `field` 'widths'). The data and
 * kernel options are certify's, resolved by certify's own code; a certify
 * option that validation cannot honour (an SVM, an ensemble) is EUNSUPPORTED.
 */
import { FlipcertError } from '../errors.js';
import { resolveOptions, type CertifyOptions, type Resolved, type ResolvedData } from '../certify/options.js';
import type { RunSettings } from '../pool/pool.js';
import type { Matrix, ResolvedKernel } from '../types.js';
import { DEFAULT_GRAD_TOL, DEFAULT_MAX_ITERATIONS } from '../network/train.js';
import { describe, integerAtLeast, integerInRange, invalid, knownKeys, nonNegative, positive } from '../checks/values.js';

/** Largest hidden width accepted: the parameters of one network must fit a Wasm heap (4 GiB) several times. */
export const MAX_WIDTH = 65536;
/** Most seeds per width: every seed is a full set of trainings. */
export const MAX_SEEDS = 1000;

/**
 * Options of {@link validate}. The data, `reg`, `kernel`, `classes` and the
 * runtime options are certify's ({@link CertifyOptions}); `model` must be
 * 'krr' and `partitions` 1 (the certificate checked is the single KRR
 * model's, docs/spec.md §12).
 */
export interface ValidateOptions {
  train: CertifyOptions['train'];
  test: CertifyOptions['test'];
  /** Only `'krr'` (the network trained on squared loss); `'svm'` is EUNSUPPORTED. */
  model?: 'krr' | 'svm';
  /** Relative ridge, as for certify: λ̃ = reg·trace(K)/n, here on the network's empirical kernel too. Default 1. */
  reg?: number;
  /** The network's depth and variances; its NTK is this kernel (docs/spec.md §2). */
  kernel?: CertifyOptions['kernel'];
  classes?: number;
  /** Only 1: validation checks the single-model certificate. */
  partitions?: number;
  /** A label-free representation of the rows, as for certify (docs/spec.md §13); the networks are trained on it. */
  represent?: string;
  /** The rows as images, for a scattering stage of `represent` (as for certify). */
  imageShape?: CertifyOptions['imageShape'];
  /**
   * Hidden widths of the finite networks, integers 1..65536, in the order
   * given (no duplicates). Default [256, 1024, 4096].
   */
  widths?: readonly number[];
  /** Initialisations per width, seeds `seed`, `seed` + 1, …; an integer 1..1000, default 2. */
  seeds?: number;
  /** First seed, an integer 0..2³¹ − 1 − seeds; default 0. */
  seed?: number;
  /** Training stops when the gradient norm falls below gradTol × its value at θ₀; default 1e-6. */
  gradTol?: number;
  /**
   * Training also stops when a step moves the training outputs by at most
   * stepTol × ‖Y‖ (converged in function space, docs/spec.md §11.3); a number
   * ≥ 0, default {@link VALIDATE_STEP_TOL} (0: only gradTol and maxIterations stop it).
   */
  stepTol?: number;
  /** Most optimiser (Gauss–Newton) iterations per training; default 50. */
  maxIterations?: number;
  /** Workers for the retrainings (capped at the cores); `1` runs on the calling thread. Default: all cores. */
  threads?: number;
  /** Called after each network training with the count done and the total. */
  onProgress?: (progress: ValidateProgress) => void;
  /** Cancels the run (EABORTED), as for certify. */
  signal?: AbortSignal;
  wasmModule?: WebAssembly.Module;
  workerUrl?: string | URL;
}

/** What {@link ValidateOptions.onProgress} receives: once at the start, then after each training. */
export interface ValidateProgress {
  /** Network trainings finished (clean trainings and retrainings). */
  trainingsDone: number;
  /** All trainings of the run; grows once the certificates say how many attacks there are. */
  trainings: number;
}

/** Validated options with every default filled in. */
export interface ResolvedValidate extends ResolvedData, RunSettings, Pick<Resolved, 'represent' | 'imageShape'> {
  widths: number[];
  seeds: number[];
  gradTol: number;
  stepTol: number;
  maxIterations: number;
  onProgress: ((progress: ValidateProgress) => void) | undefined;
}

// Every key of ValidateOptions, so that a new option cannot be added without being known here.
const OPTION_KEYS: Record<keyof ValidateOptions, true> = {
  train: true,
  test: true,
  model: true,
  reg: true,
  kernel: true,
  classes: true,
  partitions: true,
  represent: true,
  imageShape: true,
  widths: true,
  seeds: true,
  seed: true,
  gradTol: true,
  stepTol: true,
  maxIterations: true,
  threads: true,
  onProgress: true,
  signal: true,
  wasmModule: true,
  workerUrl: true,
};
const SHAPE = '{ train: { x, y }, test: { x, y? }, widths?, seeds?, … }';
export const DEFAULT_WIDTHS: readonly number[] = [256, 1024, 4096];
export const DEFAULT_SEEDS = 2;
/**
 * validate's step tolerance: 1e-2 rather than the trainer's 1e-3 halves the
 * training steps, so that the README's example fits 10 minutes on 2 cores; on
 * its data it changes the outcome of 8 of 240 retrainings (points on the
 * decision boundary), less than the spread between seeds (docs/spec.md §12).
 */
export const VALIDATE_STEP_TOL = 1e-2;

/** Checks the options of validate and fills in the defaults; `cores` caps `threads`. */
export function resolveValidateOptions(input: unknown, cores: number): ResolvedValidate {
  const options = knownKeys(input, Object.keys(OPTION_KEYS), 'options', SHAPE) as Partial<ValidateOptions>;
  if (options.model === 'svm') {
    throw new FlipcertError(
      "options.model 'svm' is not supported by validate: the network trained on squared loss is the krr model; use options.model krr",
      'EUNSUPPORTED',
      { field: 'model' },
    );
  }
  if (options.partitions !== undefined && options.partitions !== 1) {
    integerAtLeast(options.partitions, 1, 'options.partitions');
    throw new FlipcertError(
      `options.partitions ${options.partitions} is not supported by validate: it checks the single model's certificate; use options.partitions 1`,
      'EUNSUPPORTED',
      { field: 'partitions' },
    );
  }
  // certify's own resolution checks the data, model, reg, kernel, classes, threads, signal, module and URL.
  const base = resolveOptions(
    {
      train: options.train,
      test: options.test,
      model: options.model,
      reg: options.reg,
      kernel: options.kernel,
      classes: options.classes,
      represent: options.represent,
      imageShape: options.imageShape,
      threads: options.threads,
      signal: options.signal,
      wasmModule: options.wasmModule,
      workerUrl: options.workerUrl,
    },
    cores,
  );
  const threadsAsked = options.threads === undefined ? cores : options.threads;
  return {
    trainX: base.trainX,
    trainY: base.trainY,
    testX: base.testX,
    testY: base.testY,
    classes: base.classes,
    reg: base.reg,
    kernel: base.kernel,
    represent: base.represent,
    imageShape: base.imageShape,
    widths: resolveWidths(options.widths),
    seeds: resolveSeeds(options.seeds, options.seed),
    gradTol: options.gradTol === undefined ? DEFAULT_GRAD_TOL : positive(options.gradTol, 'options.gradTol'),
    stepTol: options.stepTol === undefined ? VALIDATE_STEP_TOL : nonNegative(options.stepTol, 'options.stepTol'),
    maxIterations: options.maxIterations === undefined ? DEFAULT_MAX_ITERATIONS : integerAtLeast(options.maxIterations, 1, 'options.maxIterations'),
    // certify caps threads at its partitions (1 here); the retrainings are many tasks.
    threads: Math.max(1, Math.min(threadsAsked, cores)),
    inThread: options.threads === 1,
    onProgress: options.onProgress === undefined ? undefined : callback(options.onProgress),
    signal: base.signal,
    wasmModule: base.wasmModule,
    workerUrl: base.workerUrl,
  };
}

function resolveWidths(value: unknown): number[] {
  if (value === undefined) return [...DEFAULT_WIDTHS];
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('options.widths', `options.widths must be a non-empty array of integers 1..${MAX_WIDTH}, got ${describe(value)}`, 'EOPTION');
  }
  const widths = value.map((w: unknown) => {
    if (typeof w === 'number' && Number.isSafeInteger(w) && w >= 1 && w <= MAX_WIDTH) return w;
    throw invalid('options.widths', `options.widths must hold integers 1..${MAX_WIDTH}, got ${describe(w)}`, 'EOPTION');
  });
  const repeated = widths.find((w, i) => widths.indexOf(w) !== i);
  if (repeated !== undefined) throw invalid('options.widths', `options.widths lists ${repeated} twice; give each width once`, 'EOPTION');
  return widths;
}

function resolveSeeds(count: unknown, first: unknown): number[] {
  const n = count === undefined ? DEFAULT_SEEDS : integerInRange(count, 1, MAX_SEEDS, 'options.seeds');
  const start = first === undefined ? 0 : integerInRange(first, 0, 0x7fffffff - n, 'options.seed');
  return Array.from({ length: n }, (_, i) => start + i);
}

function callback(value: unknown): (progress: ValidateProgress) => void {
  if (typeof value !== 'function') throw invalid('options.onProgress', `options.onProgress must be a function, got ${describe(value)}`, 'EOPTION');
  return value as (progress: ValidateProgress) => void;
}
