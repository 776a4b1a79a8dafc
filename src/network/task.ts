// Network trainings of `validate` (docs/spec.md §12), as the worker pool runs
// them: plain data in (it crosses a thread boundary by structured clone), plain
// data out. A task is the clean training of one (width, seed), or a batch of
// its retrainings, run by trainNetworks so that they share the work at θ₀.
// Every training starts from θ₀ = initialParameters(shape, seed), regenerated
// here (cheaper than sending it), and trainNetworks gives each retraining the
// bits trainNetwork would: a task depends on nothing but its own fields, and
// the results do not depend on how the retrainings are batched.
import { ntkGram } from '../kernel/ntk.js';
import type { ResolvedKernel } from '../types.js';
import type { Core } from '../wasm/core.js';
import { greedyAttack } from './attacks.js';
import { krrWeights } from './krr-weights.js';
import { relativeFrobenius } from './relative-error.js';
import { initialParameters, type NetworkShape } from './network.js';
import { empiricalNtk, networkScores, trainNetwork, trainNetworks, type TrainedNetwork, type TrainOptions } from './train.js';

export interface NetworkTask {
  /**
   * `clean`: the empirical NTK at θ₀ against the analytic kernel, training on
   * the clean labels `trainY`, scores of every test row, and the greedy attacks
   * of `greedy`. `attacks`: `testRows` retrainings, retraining a on the
   * (flipped) labels trainY[a·trainRows … (a+1)·trainRows), scored on test row
   * a of `testX` (one row per retraining).
   */
  kind: 'clean' | 'attacks';
  shape: NetworkShape;
  seed: number;
  reg: number;
  gradTol: number;
  stepTol: number;
  maxIterations: number;
  trainX: Float64Array;
  trainRows: number;
  cols: number;
  trainY: Int32Array;
  testX: Float64Array;
  testRows: number;
  kernel: ResolvedKernel;
  /** `clean` only: greedy attacks of `radius[q]` flips on test row `points[q]`. */
  greedy?: { points: Int32Array; radius: Int32Array };
}

export interface NetworkResult {
  /** Centred class scores of the test rows, testRows × C. */
  scores: Float64Array;
  iterations: number;
  /** Final gradient norm relative to its value at θ₀; NaN when the step tolerance stopped training (not computed). */
  gradNorm: number;
  /** Whether training reached the gradient or the step tolerance. */
  converged: boolean;
  /** `clean`: ‖K̂(θ₀) − K‖_F / ‖K‖_F on the training rows. */
  kernelError?: number;
  /** `clean`: attack q's flips are the (train row, from, to) triples greedyFlips[3·greedyStart[q] … 3·greedyStart[q+1]). */
  greedyStart?: Int32Array;
  greedyFlips?: Int32Array;
}

/**
 * Runs one task on `core` (a worker's, or the calling thread's): one result
 * per training, in order; `onTrained(done)` after each.
 */
export function runNetworkTask(core: Core, task: NetworkTask, onTrained?: (done: number) => void): NetworkResult[] {
  const { shape } = task;
  const x = { data: task.trainX, rows: task.trainRows, cols: task.cols };
  const theta0 = initialParameters(shape, task.seed);
  const options: TrainOptions = { reg: task.reg, gradTol: task.gradTol, stepTol: task.stepTol, maxIterations: task.maxIterations, finalGradient: false };
  if (task.kind === 'attacks') {
    const n = task.trainRows;
    const d = task.cols;
    const C = shape.classes;
    const targets = Array.from({ length: task.testRows }, (_, a) => oneHot(task.trainY.subarray(a * n, (a + 1) * n), C));
    const results: NetworkResult[] = [];
    trainNetworks(core, shape, theta0, x, targets, options, (a, trained) => {
      const row = { data: task.testX.subarray(a * d, (a + 1) * d), rows: 1, cols: d };
      results.push({ scores: networkScores(core, shape, trained.theta, theta0, row), ...outcome(trained) });
      onTrained?.(a + 1);
    });
    return results;
  }
  const test = { data: task.testX, rows: task.testRows, cols: task.cols };
  const trained = trainNetwork(core, shape, theta0, x, oneHot(task.trainY, shape.classes), options);
  const scores = networkScores(core, shape, trained.theta, theta0, test);
  const result: NetworkResult = { scores, ...outcome(trained) };
  result.kernelError = relativeFrobenius(empiricalNtk(core, shape, theta0, x), ntkGram(core, x, undefined, task.kernel));
  if (task.greedy && task.greedy.points.length > 0) {
    Object.assign(result, greedyAttacks(core, task, trained.theta, scores));
  }
  onTrained?.(1);
  return [result];
}

function outcome(trained: TrainedNetwork): Pick<NetworkResult, 'iterations' | 'gradNorm' | 'converged'> {
  return { iterations: trained.iterations, gradNorm: trained.gradNorm, converged: trained.converged };
}

/** Buffers of a task's results, to move (not copy) back across threads. */
export function networkTransferables(results: NetworkResult[]): ArrayBuffer[] {
  return results
    .flatMap((result) => [result.scores, result.greedyStart, result.greedyFlips])
    .filter((a): a is NonNullable<typeof a> => a !== undefined)
    .map((a) => a.buffer as ArrayBuffer);
}

/** n × C one-hot targets. */
export function oneHot(labels: Int32Array, classes: number): Float64Array {
  const targets = new Float64Array(labels.length * classes);
  labels.forEach((label, i) => (targets[i * classes + label] = 1));
  return targets;
}


/**
 * The greedy attacks of docs/spec.md §12.3, with the weights of the trained
 * network's own linearisation: the empirical NTK at θ̂ on the training rows and
 * the attacked test rows, solved with the same relative ridge.
 */
function greedyAttacks(core: Core, task: NetworkTask, theta: Float64Array, scores: Float64Array): Pick<NetworkResult, 'greedyStart' | 'greedyFlips'> {
  const { points, radius } = task.greedy!;
  const n = task.trainRows;
  const d = task.cols;
  const C = task.shape.classes;
  const rows = new Float64Array((n + points.length) * d);
  rows.set(task.trainX);
  points.forEach((p, q) => rows.set(task.testX.subarray(p * d, (p + 1) * d), (n + q) * d));
  const kernel = empiricalNtk(core, task.shape, theta, { data: rows, rows: n + points.length, cols: d });
  const beta = krrWeights(kernel, n, points.length, task.reg);
  const start = new Int32Array(points.length + 1);
  const flips: number[] = [];
  points.forEach((p, q) => {
    const attack = greedyAttack(beta.subarray(q * n, (q + 1) * n), task.trainY, C, scores.subarray(p * C, (p + 1) * C), radius[q]);
    for (const f of attack) flips.push(f.train, f.from, f.to);
    start[q + 1] = start[q] + attack.length;
  });
  return { greedyStart: start, greedyFlips: Int32Array.from(flips) };
}
