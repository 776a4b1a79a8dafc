import { FlipcertError } from './errors.js';
import type { KernelOptions, LabelsInput, Matrix, MatrixInput, ModelKind, Partitioning, ResolvedKernel } from './types.js';
import { checkSameColumns, integerAtLeast, nonNegative, positive, resolveClasses, toLabels, toMatrix } from './validate.js';

/** Options of {@link certify}. Only `train` and `test` are required. */
export interface CertifyOptions {
  train: { x: MatrixInput; y: LabelsInput };
  /** Test points; with labels, the summary reports accuracy and certified accuracy. */
  test: { x: MatrixInput; y?: LabelsInput };
  /** Base model (SPEC §3). Default `krr`. */
  model?: ModelKind;
  /** Relative ridge: λ̃ = reg · trace(K) / n. Default 1. */
  reg?: number;
  /** SVM C; must lie in the small-C regime (checked). Optional. */
  svmC?: number;
  kernel?: KernelOptions;
  /** Number of classes C; default 1 + the largest label seen. */
  classes?: number;
  /** Number of partitions k (SPEC §5). Default 1: a single model. */
  partitions?: number;
  /** Label-independent partitioning rule. Default `hash`. */
  partitioning?: Partitioning;
  /** Worker threads (Node). Default: all cores. */
  threads?: number;
  /** Add each point's witness flips (k = 1 only). */
  witness?: boolean;
  /** Test rows per block (memory bound); default chosen from the partition size. */
  blockSize?: number;
  /** The compiled core (`flipcert/wasm`), for runtimes that cannot compile WebAssembly from bytes (edge runtimes). */
  wasmModule?: WebAssembly.Module;
  /** Browsers: load the Web Worker from this URL (flipcert's dist/browser-worker.js) instead of a blob: URL. */
  workerUrl?: string | URL;
  /** Called as partitions and test blocks complete. */
  onProgress?: (progress: Progress) => void;
}

export interface Progress {
  partitionsDone: number;
  partitions: number;
  /** Test blocks done within the running single model (k = 1), else 0. */
  blocksDone: number;
  blocks: number;
}

/** Validated options with every default filled in. */
export interface Resolved {
  trainX: Matrix;
  trainY: Int32Array;
  testX: Matrix;
  testY: Int32Array | undefined;
  classes: number;
  model: ModelKind;
  reg: number;
  svmC: number | undefined;
  kernel: ResolvedKernel;
  partitions: number;
  partitioning: Partitioning;
  witness: boolean;
  blockSize: number | undefined;
}

export function resolveOptions(options: CertifyOptions): Resolved {
  const trainX = toMatrix(options.train.x, 'train-x');
  const trainY = toLabels(options.train.y, trainX.rows, 'train-y');
  const testX = toMatrix(options.test.x, 'test-x');
  checkSameColumns(trainX, testX);
  const testY = options.test.y === undefined ? undefined : toLabels(options.test.y, testX.rows, 'test-y');
  const model = options.model ?? 'krr';
  if (model !== 'krr' && model !== 'svm') throw new FlipcertError(`--model must be krr or svm, got ${String(model)}`, 'EOPTION');
  if (options.svmC !== undefined && model !== 'svm') {
    throw new FlipcertError('--svm-c applies to --model svm only', 'EOPTION');
  }
  const partitions = options.partitions ?? 1;
  integerAtLeast(partitions, 1, '--partitions');
  if (partitions > trainX.rows) {
    throw new FlipcertError(`--partitions ${partitions} exceeds the ${trainX.rows} training rows; use fewer partitions`, 'EOPTION');
  }
  const witness = options.witness ?? false;
  if (witness && partitions > 1) {
    throw new FlipcertError('--witness is available for a single model only (--partitions 1)', 'EOPTION');
  }
  if (options.blockSize !== undefined) integerAtLeast(options.blockSize, 1, '--block-size');
  if (options.threads !== undefined) integerAtLeast(options.threads, 1, '--threads');
  return {
    trainX,
    trainY,
    testX,
    testY,
    classes: resolveClasses(trainY, testY, options.classes),
    model,
    reg: positive(options.reg ?? 1, '--reg'),
    svmC: options.svmC === undefined ? undefined : positive(options.svmC, '--svm-c'),
    kernel: resolveKernel(options.kernel),
    partitions,
    partitioning: options.partitioning ?? 'hash',
    witness,
    blockSize: options.blockSize,
  };
}

export function resolveKernel(kernel: KernelOptions = {}): ResolvedKernel {
  const depth = kernel.depth ?? 2;
  integerAtLeast(depth, 1, '--depth');
  return {
    depth,
    wVar: positive(kernel.wVar ?? 2, '--w-var'),
    bVar: nonNegative(kernel.bVar ?? 0, '--b-var'),
  };
}
