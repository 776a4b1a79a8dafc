// The library's represent() (docs/spec.md §13): the rows of a training set (and
// optionally a test set) in a label-free representation, as certify and
// validate compute it for options.represent; and the representer they find in
// the registry. Certifying the returned rows (with the returned partition ids,
// so that partitions still hash the rows as given) gives exactly the
// certificates of certify with options.represent.
import { now } from '../host/clock.js';
import { throwIfAborted } from '../host/abort.js';
import { FlipcertError } from '../errors.js';
import { partitionIds } from '../ensemble/partitioning.js';
import { checkSameColumns, toMatrix } from '../checks/matrix.js';
import { describe, integerAtLeast, invalid, knownKeys } from '../checks/values.js';
import { resolveImages } from './images.js';
import type { Matrix, MatrixInput } from '../types.js';
import { runPipeline } from './pipeline.js';
import type { RepresentStep } from './registry.js';

/**
 * Options of {@link represent}. There is no label anywhere: a representation
 * never reads one.
 *
 * @example
 * const { train, test, partitionIds } = await represent({
 *   train: { x: { data: trainX, shape: [60000, 784] } },
 *   test: { x: { data: testX, shape: [10000, 784] } },
 *   represent: 'scattering+log+pca+spectral',
 *   partitions: 1200,
 * });
 * // certify({ train: { x: train, y: trainY }, test: { x: test, y: testY }, partitions: 1200, partitioning: partitionIds })
 */
export interface RepresentOptions {
  /** The training rows, from which every stage is fitted. */
  train: { x: MatrixInput };
  /** Rows represented against the training rows, each on its own (optional). */
  test?: { x: MatrixInput };
  /** The stages, as {@link CertifyOptions.represent}. */
  represent: string;
  /** [height, width, channels] of the rows as images, for a scattering stage; default [28, 28, 1] for 784 features. */
  imageShape?: readonly [number, number, number];
  /** Also return the hash partition ids of the training rows as given, for k partitions (docs/spec.md §5). */
  partitions?: number;
  /** Called as the steps advance. */
  onProgress?: (step: RepresentStep) => void;
  /** Cancels the run between steps (EABORTED). */
  signal?: AbortSignal;
}

/** What {@link represent} returns. */
export interface RepresentResult {
  /** The training rows' representation, one row per training row, float64. */
  train: Matrix;
  /** The test rows' representation; undefined without options.test. */
  test: Matrix | undefined;
  /** The canonical spelling of the stages (what results record as config.represent). */
  spec: string;
  /** With options.partitions: each training row's partition, hashed from the row as given. */
  partitionIds: Int32Array | undefined;
  /** Wall-clock seconds. */
  seconds: number;
}

const KEYS = ['train', 'test', 'represent', 'imageShape', 'partitions', 'onProgress', 'signal'];
const SHAPE = "{ train: { x }, test?: { x }, represent: 'scattering+log+pca+spectral', … }";

/**
 * The rows in the label-free representation `options.represent`
 * (docs/spec.md §13), computed on the calling thread.
 */
export async function represent(options: RepresentOptions): Promise<RepresentResult> {
  const started = now();
  const given = knownKeys(options, KEYS, 'options', SHAPE) as Partial<RepresentOptions>;
  const train = toMatrix(unlabelled(given.train, 'options.train'), 'options.train.x');
  const test = given.test === undefined ? undefined : toMatrix(unlabelled(given.test, 'options.test'), 'options.test.x');
  if (test) checkSameColumns(train, test);
  if (given.represent === undefined) throw invalid('options.represent', `options.represent is required (${SHAPE})`, 'EOPTION');
  const { represent: representation, imageShape } = resolveImages({ represent: given.represent, imageShape: given.imageShape }, train.cols);
  if (representation === undefined) throw invalid('options.represent', "options.represent is 'none': nothing to compute", 'EOPTION');
  const partitions = given.partitions === undefined ? undefined : integerAtLeast(given.partitions, 1, 'options.partitions');
  if (partitions !== undefined && partitions > train.rows) {
    throw invalid('options.partitions', `options.partitions ${partitions} exceeds the ${train.rows} training rows`, 'EOPTION');
  }
  const onProgress = given.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalid('options.onProgress', `options.onProgress must be a function, got ${describe(onProgress)}`, 'EOPTION');
  }
  throwIfAborted(given.signal);
  const ids = partitions === undefined ? undefined : partitionIds(train, partitions, 'hash');
  const represented = await runPipeline({
    representation,
    train,
    test: test ?? { data: new Float64Array(0), rows: 0, cols: train.cols },
    imageShape,
    signal: given.signal,
    onStep: onProgress,
  });
  return {
    train: represented.train,
    test: test ? represented.test : undefined,
    spec: representation.spec,
    partitionIds: ids,
    seconds: (now() - started) / 1000,
  };
}

/** `{ x }`, refusing a `y`: labels are what an attacker flips, and a representation must not read them. */
function unlabelled(value: unknown, name: string): MatrixInput {
  if (value === null || typeof value !== 'object') throw invalid(name, `${name} must be { x }, got ${describe(value)}`, 'EINPUT');
  if ('y' in value) {
    throw new FlipcertError(`${name}.y: represent never reads labels (a representation learned from labels would void the certificates); pass { x } only`, 'EOPTION', {
      field: name.slice('options.'.length) + '.y',
    });
  }
  const x = knownKeys(value, ['x'], name, '{ x }') as { x?: MatrixInput };
  if (x.x === undefined) throw invalid(`${name}.x`, `${name}.x is required`, 'EINPUT');
  return x.x;
}
