/**
 * `validate` (docs/spec.md §12): flipcert's NTK certificate on the calling
 * thread, then per width and seed a clean training and the retrainings of
 * every witness and within-radius attack on the pool (in batches sharing the
 * work at θ₀), then the figures.
 * Results are gathered by (width, seed, point, attack), never by completion
 * order, so the JSON does not depend on the number of threads.
 */
import { throwIfAborted } from '../host/abort.js';
import type { PartitionPool } from '../pool/pool.js';
import type { WitnessFlip } from '../types.js';
import type { Core } from '../wasm/core.js';
import { applyFlips, argmax } from '../network/attacks.js';
import { parameterCount, type NetworkShape } from '../network/network.js';
import type { NetworkResult, NetworkTask } from '../network/task.js';
import { ntkReference, type NtkReference, type ReferencePoint } from './ntk-reference.js';
import { relativeFrobenius } from '../network/relative-error.js';
import { spread } from './statistics.js';
import type { ResolvedValidate } from './options.js';
import type { AttackKind, Retraining, SeedRun, ValidatePoint, ValidateResult, WidthResult } from './result.js';
import { now } from '../host/clock.js';

export async function runValidation(opts: ResolvedValidate, pool: PartitionPool, core: Core): Promise<ValidateResult> {
  const started = now();
  const reference = ntkReference(core, opts);
  throwIfAborted(opts.signal);
  const progress = new TrainingProgress(opts, trainingsPerSeed(reference.points, opts.trainX.rows) * opts.widths.length * opts.seeds.length);
  const limit = limiter(pool.threads * 2);
  const train = (task: NetworkTask) => limit(() => pool.train(task, () => progress.trained(), opts.signal));
  const runs = opts.widths.flatMap((width) => opts.seeds.map((seed) => validateSeed(opts, pool.threads, reference, width, seed, train)));
  const seedResults = await Promise.all(runs);
  const widths = opts.widths.map((width, w) => widthResult(width, seedResults.slice(w * opts.seeds.length, (w + 1) * opts.seeds.length)));
  return {
    version: 1,
    config: {
      model: 'krr',
      reg: opts.reg,
      ...opts.kernel,
      classes: opts.classes,
      represent: opts.represent?.spec ?? null,
      nTrain: opts.trainX.rows,
      nTest: opts.testX.rows,
      widths: opts.widths,
      seeds: opts.seeds,
      gradTol: opts.gradTol,
      stepTol: opts.stepTol,
      maxIterations: opts.maxIterations,
    },
    ntk: ntkSummary(opts, reference),
    widths,
    points: seedResults.flatMap((r) => r.points),
    seconds: (now() - started) / 1000,
    threads: pool.threads,
  };
}

/** The trainings of one seed: one clean, one per witness, and two per point with 1 ≤ radius < n. */
function trainingsPerSeed(points: ReferencePoint[], n: number): number {
  return 1 + points.reduce((sum, p) => sum + (p.witness.length > 0 ? 1 : 0) + (p.strongest.length > 0 ? 1 : 0) + (greedyWanted(p, n) ? 1 : 0), 0);
}

/** A point gets a greedy attack when its radius is finite and at least one flip. */
function greedyWanted(p: ReferencePoint, n: number): boolean {
  return p.radius >= 1 && p.radius < n;
}

interface SeedOutcome {
  run: SeedRun;
  points: ValidatePoint[];
}

async function validateSeed(
  opts: ResolvedValidate,
  threads: number,
  reference: NtkReference,
  width: number,
  seed: number,
  train: (task: NetworkTask) => Promise<NetworkResult[]>,
): Promise<SeedOutcome> {
  const shape: NetworkShape = { inputDim: opts.trainX.cols, width, depth: opts.kernel.depth, classes: opts.classes, wVar: opts.kernel.wVar, bVar: opts.kernel.bVar };
  const C = opts.classes;
  const greedyPoints = reference.points.flatMap((p, j) => (greedyWanted(p, opts.trainX.rows) ? [j] : []));
  const [clean] = await train({
    ...baseTask(opts, shape, seed),
    kind: 'clean',
    trainY: opts.trainY,
    testX: opts.testX.data,
    testRows: opts.testX.rows,
    greedy: { points: Int32Array.from(greedyPoints), radius: Int32Array.from(greedyPoints, (j) => reference.points[j].radius) },
  });
  const networkPrediction = Array.from({ length: opts.testX.rows }, (_, j) => argmax(clean.scores.subarray(j * C, (j + 1) * C)));
  const greedyFlips = new Map(greedyPoints.map((j, q) => [j, flipsOf(clean, q)]));

  // Every retraining of this (width, seed), point by point: its witness, then its attacks.
  const planned: PlannedRetraining[] = reference.points.flatMap((p, j) => {
    const own: PlannedRetraining[] = [];
    if (p.witness.length > 0) own.push({ point: j, kind: 'witness', flips: p.witness });
    if (p.strongest.length > 0) own.push({ point: j, kind: 'witness-strongest', flips: p.strongest });
    if (greedyFlips.has(j)) own.push({ point: j, kind: 'greedy', flips: greedyFlips.get(j)! });
    return own;
  });
  const outcomes = (await Promise.all(retrainingBatches(planned.length, threads).map(([from, to]) => train(attackTask(opts, shape, seed, planned.slice(from, to)))))).flat();
  const retrainings = planned.map((plan, a): Retraining => {
    const result = outcomes[a];
    const prediction = argmax(result.scores);
    return {
      flips: plan.flips,
      prediction,
      changed: prediction !== networkPrediction[plan.point],
      iterations: result.iterations,
      gradNorm: result.gradNorm,
      converged: result.converged,
    };
  });
  const points = reference.points.map((p, j): ValidatePoint => {
    const own = planned.flatMap((plan, a) => (plan.point === j ? [{ kind: plan.kind, ...retrainings[a] }] : []));
    const witness = own.find((r) => r.kind === 'witness');
    return {
      point: j,
      width,
      seed,
      label: opts.testY ? opts.testY[j] : null,
      ntkPrediction: p.prediction,
      radius: p.radius,
      nearTie: p.nearTie,
      networkPrediction: networkPrediction[j],
      witness: witness ? retrainingOf(witness) : null,
      attacks: own.filter((r): r is typeof r & { kind: AttackKind } => r.kind !== 'witness'),
    };
  });
  return { run: seedRun(shape, seed, clean, networkPrediction, reference, points), points };
}

interface PlannedRetraining {
  point: number;
  kind: 'witness' | AttackKind;
  flips: WitnessFlip[];
}

function retrainingOf({ kind: _kind, ...retraining }: Retraining & { kind: string }): Retraining {
  return retraining;
}

/** Most retrainings in one task: on the calling thread an abort lands only between tasks. */
const MAX_BATCH = 16;

/**
 * [from, to) ranges splitting `count` retrainings into near-equal batches: at
 * least one per thread (so every worker has a share of each width), each at
 * most MAX_BATCH. Batches share the work at θ₀ (trainNetworks) and give the
 * same bits whatever the split.
 */
export function retrainingBatches(count: number, threads: number): [number, number][] {
  if (count === 0) return [];
  const batches = Math.min(count, Math.max(threads, Math.ceil(count / MAX_BATCH)));
  return Array.from({ length: batches }, (_, b) => [Math.floor((b * count) / batches), Math.floor(((b + 1) * count) / batches)]);
}

function attackTask(opts: ResolvedValidate, shape: NetworkShape, seed: number, batch: PlannedRetraining[]): NetworkTask {
  const n = opts.trainX.rows;
  const d = opts.testX.cols;
  const labels = new Int32Array(batch.length * n);
  const rows = new Float64Array(batch.length * d);
  batch.forEach((plan, a) => {
    labels.set(applyFlips(opts.trainY, plan.flips), a * n);
    rows.set(opts.testX.data.subarray(plan.point * d, (plan.point + 1) * d), a * d);
  });
  return { ...baseTask(opts, shape, seed), kind: 'attacks', trainY: labels, testX: rows, testRows: batch.length };
}

function baseTask(opts: ResolvedValidate, shape: NetworkShape, seed: number): Omit<NetworkTask, 'kind' | 'trainY' | 'testX' | 'testRows'> {
  return {
    shape,
    seed,
    reg: opts.reg,
    gradTol: opts.gradTol,
    stepTol: opts.stepTol,
    maxIterations: opts.maxIterations,
    trainX: opts.trainX.data,
    trainRows: opts.trainX.rows,
    cols: opts.trainX.cols,
    kernel: opts.kernel,
  };
}

function flipsOf(result: NetworkResult, q: number): WitnessFlip[] {
  const start = result.greedyStart!;
  const triples = result.greedyFlips!;
  const flips: WitnessFlip[] = [];
  for (let k = start[q]; k < start[q + 1]; k++) flips.push({ train: triples[3 * k], from: triples[3 * k + 1], to: triples[3 * k + 2] });
  return flips;
}

function seedRun(
  shape: NetworkShape,
  seed: number,
  clean: NetworkResult,
  networkPrediction: number[],
  reference: NtkReference,
  points: ValidatePoint[],
): SeedRun {
  const witnessed = points.filter((p) => p.witness !== null);
  const attacks = points.flatMap((p) => p.attacks);
  const retrainings = [...witnessed.map((p) => p.witness!), ...attacks];
  const agreeing = networkPrediction.filter((c, j) => c === reference.points[j].prediction).length;
  return {
    seed,
    kernelError: clean.kernelError!,
    agreement: agreeing / networkPrediction.length,
    scoreError: relativeFrobenius(clean.scores, reference.scores),
    tightness: witnessed.length === 0 ? null : witnessed.filter((p) => p.witness!.changed).length / witnessed.length,
    violations: attacks.filter((a) => a.changed).length,
    attacks: attacks.length,
    witnesses: witnessed.length,
    parameters: parameterCount(shape),
    iterations: clean.iterations,
    gradNorm: clean.gradNorm,
    maxIterations: Math.max(clean.iterations, ...retrainings.map((r) => r.iterations)),
    maxGradNorm: largest([clean.gradNorm, ...retrainings.map((r) => r.gradNorm)]),
    unconverged: (clean.converged ? 0 : 1) + retrainings.filter((r) => !r.converged).length,
  };
}

/** The largest computed value (NaN marks a gradient norm not computed); NaN when none was. */
function largest(values: number[]): number {
  const computed = values.filter((v) => !Number.isNaN(v));
  return computed.length === 0 ? Number.NaN : Math.max(...computed);
}

function widthResult(width: number, seeds: SeedOutcome[]): WidthResult {
  const runs = seeds.map((s) => s.run);
  const sum = (key: 'violations' | 'attacks' | 'witnesses') => runs.reduce((total, r) => total + r[key], 0);
  return {
    width,
    seeds: runs.map((r) => r.seed),
    kernelError: spread(runs.map((r) => r.kernelError)),
    agreement: spread(runs.map((r) => r.agreement)),
    scoreError: spread(runs.map((r) => r.scoreError)),
    tightness: spread(runs.flatMap((r) => (r.tightness === null ? [] : [r.tightness]))),
    violations: sum('violations'),
    attacks: sum('attacks'),
    witnesses: sum('witnesses'),
    runs,
  };
}

function ntkSummary(opts: ResolvedValidate, reference: NtkReference): ValidateResult['ntk'] {
  const { points } = reference;
  const testY = opts.testY;
  const radii = points.map((p) => p.radius).sort((a, b) => a - b);
  return {
    accuracy: testY ? points.filter((p, j) => p.prediction === testY[j]).length / points.length : null,
    finite: points.filter((p) => p.radius < opts.trainX.rows).length,
    medianRadius: radii[Math.floor((radii.length - 1) / 2)],
  };
}

/** Calls onProgress after each training; an exception from it fails the run. */
class TrainingProgress {
  private done = 0;

  constructor(
    private readonly opts: ResolvedValidate,
    private readonly total: number,
  ) {
    opts.onProgress?.({ trainingsDone: 0, trainings: total });
  }

  /** One more training done. */
  trained(): void {
    this.done++;
    this.opts.onProgress?.({ trainingsDone: this.done, trainings: this.total });
  }
}

/**
 * At most `slots` tasks in flight, so that the task copies (each carries the
 * training rows) stay bounded; after a failure nothing more starts.
 */
function limiter(slots: number): <T>(start: () => Promise<T>) => Promise<T> {
  let free = slots;
  let failed: unknown;
  const waiting: (() => void)[] = [];
  return async (start) => {
    while (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    if (failed !== undefined) throw failed;
    free--;
    try {
      return await start();
    } catch (error) {
      failed ??= error;
      for (const wake of waiting.splice(0)) wake();
      throw error;
    } finally {
      free++;
      waiting.shift()?.();
    }
  };
}
