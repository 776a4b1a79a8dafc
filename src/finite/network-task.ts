// One network training of `validate` (docs/spec.md §12), as the worker pool
// runs it: plain data in (it crosses a thread boundary by structured clone),
// plain data out. Every retraining starts from θ₀ = initialParameters(shape,
// seed), so a task depends on nothing but its own fields: same task, same bits,
// on any thread.
import { ntkGram } from '../kernel/ntk.js';
import type { ResolvedKernel } from '../types.js';
import type { Core } from '../wasm/core.js';
import { greedyAttack } from './attacks.js';
import { krrWeights } from './krr-weights.js';
import { relativeFrobenius } from './statistics.js';
import { initialParameters, type NetworkShape } from './network.js';
import { empiricalNtk, networkScores, trainNetwork } from './train.js';

export interface NetworkTask {
  /**
   * `clean`: the empirical NTK at θ₀ against the analytic kernel, training on
   * the clean labels, scores of every test row, and the greedy attacks of
   * `greedy`. `attack`: training on the (flipped) labels `trainY`, scores of
   * the test rows.
   */
  kind: 'clean' | 'attack';
  shape: NetworkShape;
  seed: number;
  reg: number;
  gradTol: number;
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
  /** Final gradient norm relative to its value at θ₀. */
  gradNorm: number;
  /** Whether training reached the gradient tolerance. */
  converged: boolean;
  /** `clean`: ‖K̂(θ₀) − K‖_F / ‖K‖_F on the training rows. */
  kernelError?: number;
  /** `clean`: attack q's flips are the (train row, from, to) triples greedyFlips[3·greedyStart[q] … 3·greedyStart[q+1]). */
  greedyStart?: Int32Array;
  greedyFlips?: Int32Array;
}

/** Runs one task on `core` (a worker's, or the calling thread's). */
export function runNetworkTask(core: Core, task: NetworkTask): NetworkResult {
  const { shape } = task;
  const x = { data: task.trainX, rows: task.trainRows, cols: task.cols };
  const test = { data: task.testX, rows: task.testRows, cols: task.cols };
  const theta0 = initialParameters(shape, task.seed);
  const trained = trainNetwork(core, shape, theta0, x, oneHot(task.trainY, shape.classes), {
    reg: task.reg,
    gradTol: task.gradTol,
    maxIterations: task.maxIterations,
  });
  const scores = networkScores(core, shape, trained.theta, theta0, test);
  const result: NetworkResult = { scores, iterations: trained.iterations, gradNorm: trained.gradNorm, converged: trained.converged };
  if (task.kind !== 'clean') return result;
  result.kernelError = relativeFrobenius(empiricalNtk(core, shape, theta0, x), ntkGram(core, x, undefined, task.kernel));
  if (task.greedy && task.greedy.points.length > 0) {
    Object.assign(result, greedyAttacks(core, task, trained.theta, scores));
  }
  return result;
}

/** Buffers of a result, to move (not copy) back across threads. */
export function networkTransferables(result: NetworkResult): ArrayBuffer[] {
  return [result.scores, result.greedyStart, result.greedyFlips]
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
