/**
 * The API boundary: every option and input of {@link certify} is checked here,
 * once, and resolved into a {@link Resolved} object with every default filled
 * in. Everything below (coordinator, pools, workers, Wasm) trusts it; the
 * checks that remain there guard internal invariants only.
 *
 * Messages name API fields (`options.partitions`, `options.train.y`) and set
 * the error's `field` ('partitions', 'train.y'); option values are EOPTION,
 * data (matrices, labels) EINPUT.
 */
import type { Augmentation } from '../kernel/augment.js';
import { resolveImages } from '../represent/images.js';
import type { Representation } from '../represent/spec.js';
import type { RepresentStep } from '../represent/registry.js';
import { FlipcertError, type ErrorCode } from '../errors.js';
import { resolveKernel } from '../kernel/options.js';
import { groupByPartition, partitionIds } from '../ensemble/partitioning.js';
import { checkCoreModule } from '../wasm/core.js';
import { sharedMemoryAvailable } from '../wasm/shared-memory.js';
import type { RunSettings } from '../pool/pool.js';
import type { KernelOptions, LabelsInput, Matrix, MatrixInput, ModelKind, Partitioning, ResolvedKernel } from '../types.js';
import { boolean, describe, integerAtLeast, integerInRange, invalid, knownKeys, nonNegative, oneOf, positive } from '../checks/values.js';
import { checkSameColumns, toMatrix } from '../checks/matrix.js';
import { resolveClasses, toLabels } from '../checks/labels.js';
import { checkClassCost } from '../checks/class-cost.js';

/**
 * Options of {@link certify}. Only `train` and `test` are required; any other
 * key is an error (with a "did you mean" hint), so a typo never runs silently
 * with a default.
 *
 * @example
 * await certify({
 *   train: { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] },
 *   test: { x: [[0.9, 0.1]], y: [1] },
 *   partitions: 2,
 *   kernel: { depth: 3 },
 * });
 */
export interface CertifyOptions {
  /**
   * Training set: features (one row per point) and integer labels 0..C-1, one per row.
   * @example { x: { data: Float32Array, shape: [n, d] }, y: Int32Array }
   */
  train: { x: MatrixInput; y: LabelsInput };
  /**
   * Test points to certify, with the training set's columns. With labels `y`,
   * the summary reports accuracy and certified accuracy; a test label never
   * changes the number of classes (one ≥ C is an error).
   */
  test: { x: MatrixInput; y?: LabelsInput };
  /** Base model: `'krr'` (kernel ridge regression, default) or `'svm'` (small-C kernel SVM). */
  model?: ModelKind;
  /** Relative ridge of `krr`: λ̃ = reg · trace(K) / n. A number > 0; default 1. */
  reg?: number;
  /**
   * SVM C (`model: 'svm'` only). It must lie in the small-C regime
   * C < 1 / maxᵢ Σⱼ |Kᵢⱼ| of every partition, where the certificate is exact;
   * outside it is an error that names the bound. Without it, predictions do
   * not depend on C and `result.config.svmCBound` reports the bound.
   */
  svmC?: number;
  /**
   * NTK hyper-parameters: `depth` (hidden ReLU layers, integer 1..1000, default 2),
   * `wVar` (> 0, default 2), `bVar` (≥ 0, default 0).
   * @example { depth: 3, wVar: 2, bVar: 0.1 }
   */
  kernel?: KernelOptions;
  /**
   * Number of classes C, an integer 2..65536. Default: 1 + the largest
   * training label. An inferred C with more empty classes (no training point)
   * than max(16, classes present) is refused as a likely typo (one label
   * 60000 among 0/1); set `classes` to insist. Every label must be below C.
   * An ensemble compares its E empty classes with each other for every
   * partition and test point: k · m · E² above 10¹¹ (hours) is refused up front,
   * with the estimate (src/checks/class-cost.ts).
   */
  classes?: number;
  /**
   * Number of partitions k, an integer from 1 to the number of training rows.
   * Default 1: a single model with exact certificates; k > 1: an ensemble
   * (EnsembleCert and DPA). Every partition must receive a training row.
   */
  partitions?: number;
  /**
   * Label-independent rule that splits the training rows into partitions:
   * `'hash'` (FNV-1a of the row's bytes, default), `'sorted'` (lexicographic
   * order, dealt round-robin), or one partition id 0..k-1 per training row.
   * @example partitioning: Int32Array.from(rows, (_, i) => i % 4)
   */
  partitioning?: Partitioning;
  /**
   * Worker threads (Node: worker_threads; browsers: Web Workers), an integer ≥ 1.
   * Capped at what can be used: the number of cores and the number of
   * partitions — except for a single model, whose Gram matrices, Cholesky,
   * solves and certificates are spread over the threads where the runtime
   * can share WebAssembly memory (Node; browsers when cross-origin
   * isolated), with the same results; elsewhere it runs on one thread.
   * `result.summary.threads` reports the count used. `1` runs on the calling
   * thread. Default: all cores.
   */
  threads?: number;
  /**
   * Add each point's witness flips to the result: the flips behind `upper`
   * (for an ensemble, with their partitions and `witnessVerified`; this adds a
   * second pass over the partitions the witnesses touch). Default false.
   */
  witness?: boolean;
  /**
   * Train every base model on label-preserving augmented copies of its images
   * (docs/spec.md §10): comma-separated transforms `shift:R` (every integer
   * shift within ±R pixels, zero fill), `hflip`, `rotate:DEG` (±DEG, bilinear,
   * zero fill), or `identity`; their Cartesian product gives S copies per image.
   * An attacker flips original labels, so each image with its copies counts as
   * one point. Test points are not augmented. Default: no augmentation.
   * @example augment: 'shift:1'  // 9 copies per image
   */
  augment?: string;
  /**
   * A label-free representation applied to every row before training
   * (docs/spec.md §13): stages joined by '+', e.g.
   * `'scattering+log+pca+spectral'` (wavelet scattering, log, PCA whitened to
   * 100 dimensions, a 10-dimensional spectral embedding of the training rows'
   * neighbour graph) or `'none'`. Fitted on the training rows' features only,
   * never on a label, so every certificate stays exact; a test row's
   * representation depends only on the training rows and that row.
   * Partitions still hash the rows as given. In browsers, needs
   * `import 'flipcert/represent'`. Default: none.
   * @example represent: 'scattering+log+pca+spectral'
   */
  represent?: string;
  /**
   * [height, width, channels] of the images (features channel-last, row-major),
   * for `augment` and a `scattering` stage; default [28, 28, 1] when there are 784 features.
   */
  imageShape?: readonly [number, number, number];
  /** Test rows certified per block, an integer ≥ 1 (bounds memory); default chosen from the partition size. */
  blockSize?: number;
  /**
   * Add `result.profile`: CPU seconds per phase (Gram, NTK recursion,
   * Cholesky, solves, certificates, the tasks' rest, setup, aggregation),
   * summed over threads, and the wall time. Default false.
   */
  profile?: boolean;
  /**
   * Called as partitions and test blocks complete. If it throws, certify
   * stops its workers and rejects with that exception.
   * @example onProgress: ({ partitionsDone, partitions }) => console.log(`${partitionsDone}/${partitions}`)
   */
  onProgress?: (progress: Progress) => void;
  /**
   * Cancels the run: its workers are stopped (terminated, or on the calling
   * thread at the next test block) and `certify` rejects with a FlipcertError
   * of code `EABORTED`; an already-aborted signal rejects at once.
   */
  signal?: AbortSignal;
  /**
   * The compiled core (the file exported as `flipcert/wasm`, as a
   * WebAssembly.Module), for runtimes that cannot compile WebAssembly from
   * bytes (edge runtimes). Default: the core inlined in the bundle, compiled once.
   */
  wasmModule?: WebAssembly.Module;
  /**
   * Browsers: load the Web Worker from this URL (flipcert's
   * dist/browser-worker.js, exported as `flipcert/browser-worker`, same
   * origin) instead of from a blob: URL, for a Content-Security-Policy without
   * `worker-src blob:`. Ignored in Node.
   */
  workerUrl?: string | URL;
}

/** What {@link CertifyOptions.onProgress} receives: once at the start, then after each partition (and test block, k = 1). */
export interface Progress {
  /**
   * Partitions trained and certified so far. When an ensemble's cost tables are
   * large enough for its test points to go in slices (src/certify/coordinator.ts), every
   * slice runs all partitions: this is then k × the share of that work done.
   */
  partitionsDone: number;
  /** All partitions (k). */
  partitions: number;
  /** Test blocks done within the running single model (k = 1), else 0. */
  blocksDone: number;
  /** Test blocks of the running single model (k = 1), else 0. */
  blocks: number;
  /** While options.represent runs (before any partition): its step and how far it is. */
  represent?: RepresentStep;
}

/** The data and the kernel model, checked: what certify and validate resolve alike (validate through {@link resolveOptions}). */
export interface ResolvedData {
  trainX: Matrix;
  trainY: Int32Array;
  testX: Matrix;
  testY: Int32Array | undefined;
  classes: number;
  reg: number;
  kernel: ResolvedKernel;
}

/** Validated options with every default filled in: what the layers below trust. */
export interface Resolved extends ResolvedData, RunSettings {
  model: ModelKind;
  svmC: number | undefined;
  partitions: number;
  partitioning: 'hash' | 'sorted' | 'ids';
  /** Training rows of each partition, ascending; none is empty. */
  groups: Int32Array[];
  witness: boolean;
  /** Augmented copies (docs/spec.md §10); undefined: none. */
  augment: Augmentation | undefined;
  /** The label-free representation (docs/spec.md §13); undefined: none. Applied by certifyWith, after the partitions are drawn from the rows as given. */
  represent: Representation | undefined;
  /** [height, width, channels] of the rows as images, when augment or a scattering stage reads them. */
  imageShape: [number, number, number] | undefined;
  /** At most the number of test rows; undefined: chosen per partition. */
  blockSize: number | undefined;
  /** Add result.profile. */
  profile: boolean;
  onProgress: ((progress: Progress) => void) | undefined;
}

// Typed as a record of every key, so that a new option cannot be added to
// CertifyOptions without being known here (tsc fails until it is).
const OPTION_KEYS: Record<keyof CertifyOptions, true> = {
  train: true,
  test: true,
  model: true,
  reg: true,
  svmC: true,
  kernel: true,
  classes: true,
  partitions: true,
  partitioning: true,
  threads: true,
  witness: true,
  augment: true,
  represent: true,
  imageShape: true,
  blockSize: true,
  profile: true,
  onProgress: true,
  signal: true,
  wasmModule: true,
  workerUrl: true,
};
const MODELS: readonly ModelKind[] = ['krr', 'svm'];
const SHAPE = '{ train: { x, y }, test: { x, y? }, … }';
const MATRIX = 'a matrix ({ data, shape: [rows, cols] }, { data, rows, cols } or an array of rows)';
const LABELS = 'one integer label per row (an array or typed array)';

/**
 * Checks every option and input of certify and fills in the defaults.
 * `cores` is the host's parallelism (Node: availableParallelism(),
 * browsers: navigator.hardwareConcurrency), the cap on `threads`.
 */
export function resolveOptions(input: unknown, cores: number): Resolved {
  const options = knownKeys(input, Object.keys(OPTION_KEYS), 'options', SHAPE) as Partial<CertifyOptions>;
  const train = knownKeys(required(options.train, 'options.train', '{ x, y }', 'EOPTION'), ['x', 'y'], 'options.train', '{ x, y }');
  const test = knownKeys(required(options.test, 'options.test', '{ x, y? }', 'EOPTION'), ['x', 'y'], 'options.test', '{ x, y? }');
  const trainX = toMatrix(required(train.x, 'options.train.x', MATRIX, 'EINPUT') as MatrixInput, 'options.train.x');
  const trainY = toLabels(required(train.y, 'options.train.y', LABELS, 'EINPUT') as LabelsInput, trainX.rows, 'options.train.y');
  const testX = toMatrix(required(test.x, 'options.test.x', MATRIX, 'EINPUT') as MatrixInput, 'options.test.x');
  checkSameColumns(trainX, testX);
  const testY = test.y === undefined ? undefined : toLabels(test.y as LabelsInput, testX.rows, 'options.test.y');

  const model = options.model === undefined ? 'krr' : oneOf(options.model, MODELS, 'options.model');
  if (options.svmC !== undefined && model !== 'svm') {
    throw new FlipcertError("options.svmC applies to model: 'svm' only", 'EOPTION', { field: 'svmC' });
  }
  const partitions = options.partitions === undefined ? 1 : integerAtLeast(options.partitions, 1, 'options.partitions');
  if (partitions > trainX.rows) {
    throw new FlipcertError(
      `options.partitions ${partitions} exceeds the ${trainX.rows} training rows; use at most ${trainX.rows} partitions`,
      'EOPTION',
      { field: 'partitions' },
    );
  }
  const witness = options.witness === undefined ? false : boolean(options.witness, 'options.witness');
  const rule = resolvePartitioning(options.partitioning);
  const groups = groupByPartition(partitionIds(trainX, partitions, rule), partitions);
  const threadsAsked = options.threads === undefined ? undefined : integerAtLeast(options.threads, 1, 'options.threads');
  const classes = resolveClasses(trainY, testY, options.classes);
  checkClassCost(classes, trainY, partitions, testX.rows);
  return {
    trainX,
    trainY,
    testX,
    testY,
    classes,
    model,
    reg: options.reg === undefined ? 1 : positive(options.reg, 'options.reg'),
    svmC: options.svmC === undefined ? undefined : positive(options.svmC, 'options.svmC'),
    kernel: resolveKernel(options.kernel),
    partitions,
    partitioning: typeof rule === 'string' ? rule : 'ids',
    groups,
    witness,
    ...resolveImages(options, trainX.cols),
    blockSize:
      options.blockSize === undefined ? undefined : Math.min(integerAtLeast(options.blockSize, 1, 'options.blockSize'), testX.rows),
    profile: options.profile === undefined ? false : boolean(options.profile, 'options.profile'),
    // A single model is one task, but runs on every thread where memory can be shared (src/pool/team-protocol.ts).
    threads: Math.max(1, Math.min(threadsAsked ?? cores, partitions === 1 && sharedMemoryAvailable() ? cores : partitions, cores)),
    inThread: threadsAsked === 1,
    onProgress: options.onProgress === undefined ? undefined : callback(options.onProgress, 'options.onProgress'),
    signal: options.signal === undefined ? undefined : abortSignal(options.signal),
    wasmModule: options.wasmModule === undefined ? undefined : checkCoreModule(options.wasmModule),
    workerUrl: options.workerUrl === undefined ? undefined : url(options.workerUrl, 'options.workerUrl'),
  };
}

function required(value: unknown, name: string, what: string, code: ErrorCode): unknown {
  if (value === undefined) throw invalid(name, `${name} is required: ${what}`, code);
  return value;
}

function resolvePartitioning(value: unknown): Partitioning {
  if (value === undefined) return 'hash';
  if (typeof value === 'string') return oneOf(value, ['hash', 'sorted'] as const, 'options.partitioning');
  if (value !== null && typeof value === 'object' && typeof (value as ArrayLike<unknown>).length === 'number') {
    return value as ArrayLike<number>;
  }
  throw invalid(
    'options.partitioning',
    `options.partitioning must be 'hash', 'sorted' or one partition id per training row, got ${describe(value)}`,
    'EOPTION',
  );
}

function callback<T>(value: unknown, name: string): T {
  if (typeof value !== 'function') throw invalid(name, `${name} must be a function, got ${describe(value)}`, 'EOPTION');
  return value as T;
}

/** A string or a URL object (any realm's), as a string. */
function url(value: unknown, name: string): string {
  if (typeof value === 'string' || Object.prototype.toString.call(value) === '[object URL]') return String(value);
  throw invalid(name, `${name} must be a URL or a string, got ${describe(value)}`, 'EOPTION');
}

/** An AbortSignal, or anything shaped like one (a polyfill, another realm's). */
function abortSignal(value: unknown): AbortSignal {
  const signal = value as AbortSignal | null;
  if (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw invalid('options.signal', `options.signal must be an AbortSignal, got ${describe(value)}`, 'EOPTION');
  }
  return signal;
}
