import { throwIfAborted } from '../host/abort.js';
import { pointsOf } from './points.js';
import { openReason, refineCosts } from '../ensemble/refine.js';
import { assembleWitnesses, planWitnesses } from '../ensemble/witness.js';
import type { Resolved } from './options.js';
import type { PartitionPool } from '../pool/pool.js';
import type { PartitionResult, PartitionTask } from '../partition/task.js';
import { ProgressReporter } from './progress.js';
import type { CertifyResult, PointResult, ResultConfig } from './result.js';
import { summarize, type SummaryFacts } from './summary.js';
import { TIE_TOLERANCE } from '../partition/certificate.js';
import { planPartitionBlocks } from '../partition/memory.js';
import { planTeam } from '../pool/team-setup.js';
import { ProfileTotals } from './profile.js';
import { now } from '../host/clock.js';

/** Milliseconds, from `performance` where the runtime has it (bare and edge runtimes may not). */

/**
 * Fans the partitions (already split by resolveOptions) out over the pool,
 * and turns their votes and costs into docs/spec.md §6 results. If onProgress
 * throws, this rejects with its exception at once; the caller closes the pool.
 * `blockSizes` (test rows per block, per partition) come from
 * planPartitionBlocks, which the caller runs before opening the pool;
 * `tableBytes` bounds the cost tables held at once (see testSlices);
 * `startupSeconds` (the caller's time before this call) goes to the profile.
 */
export async function coordinate(
  opts: Resolved,
  pool: PartitionPool,
  blockSizes: number[] = planPartitionBlocks(opts),
  tableBytes = COST_TABLE_BYTES,
  startupSeconds = 0,
): Promise<CertifyResult> {
  const started = now();
  const totals = new ProfileTotals();
  totals.startupSeconds = startupSeconds;
  const all = Array.from({ length: opts.partitions }, (_, p) => p);
  if (opts.partitions === 1) {
    const results = await runPartitions(opts, pool, all, blockSizes, { totals });
    const points = totals.time('aggregation', () => singleModelPoints(opts, results[0], opts.groups[0]));
    return assembleResult(opts, results.map((r) => r.svmBound), points, started, totals);
  }
  // Test points in slices, so that the k partitions' cost tables of one slice
  // are all the coordinator holds (docs/spec.md §5: every point is aggregated
  // on its own, so slicing changes no number).
  const slices = testSlices(opts.testX.rows, opts.partitions, opts.classes, tableBytes);
  const points: PointResult[] = [];
  const svmBounds = new Array<number>(opts.partitions).fill(Infinity);
  for (let s = 0; s < slices.length; s++) {
    const [first, count] = slices[s];
    const slice = totals.time('setup', () => sliceOf(opts, first, count));
    const progress = (done: number) => Math.floor((s * opts.partitions + done) / slices.length);
    const results = await runPartitions(slice, pool, all, blockSizes, { totals, progress });
    results.forEach((r, p) => (svmBounds[p] = Math.min(svmBounds[p], r.svmBound)));
    const block = await ensemblePoints(slice, pool, results, blockSizes, first, totals);
    if (opts.witness) await addEnsembleWitnesses(slice, pool, results, block, blockSizes, totals);
    for (const point of block) points.push(point);
  }
  return assembleResult(opts, svmBounds, points, started, totals);
}

/** Bytes of cost tables (votes, near-tie flags, lower and upper costs of k partitions) the coordinator holds at once, at most. */
export const COST_TABLE_BYTES = 128 * 2 ** 20;

/**
 * [first, count] test slices whose k partitions' tables fit in
 * COST_TABLE_BYTES: one slice unless k × m × C is large. A slice more costs
 * one more fit per partition, small beside its test work when tables are this
 * large (n_p/m_slice ≈ n·(8C + 5)/COST_TABLE_BYTES).
 */
export function testSlices(m: number, k: number, classes: number, budget = COST_TABLE_BYTES): [number, number][] {
  const perPoint = k * (8 * classes + 5);
  const size = Math.max(1, Math.min(m, Math.floor(budget / perPoint)));
  const slices = Math.ceil(m / size);
  // Even slices: the last one is not a sliver.
  const even = Math.ceil(m / slices);
  return Array.from({ length: slices }, (_, s) => [s * even, Math.min(even, m - s * even)] as [number, number]).filter(([, c]) => c > 0);
}

/**
 * The options for test points first ..< first + count: a copy of their rows
 * (sent to each worker once); testY stays whole, indexed by `first + i`.
 */
export function sliceOf(opts: Resolved, first: number, count: number): Resolved {
  if (first === 0 && count === opts.testX.rows) return opts;
  const d = opts.testX.cols;
  return {
    ...opts,
    testX: { data: opts.testX.data.slice(first * d, (first + count) * d), rows: count, cols: d },
  };
}

/**
 * Trains and certifies the partitions `which` (ascending ids) on the pool;
 * returns their results in the same order. Progress counts these partitions
 * (`progress` maps the count done to the count reported).
 */
export async function runPartitions(
  opts: Resolved,
  pool: PartitionPool,
  which: number[],
  blockSizes: number[] = planPartitionBlocks(opts),
  { totals, progress: reported = (done) => done }: { totals?: ProfileTotals; progress?: (done: number) => number } = {},
): Promise<PartitionResult[]> {
  const count = which.length;
  const results = new Array<PartitionResult>(count);
  const progress = new ProgressReporter(opts.onProgress, count);
  let done = 0;
  try {
    progress.report(reported(done));
    const onBlock = opts.partitions === 1 ? (blocksDone: number, blocks: number) => progress.report(done, blocksDone, blocks) : undefined;
    // Largest partitions first (the longest tasks), so that the last ones to finish are short and no thread idles long.
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => opts.groups[which[b]].length - opts.groups[which[a]].length || a - b);
    const work = forEachLimited(count, pool.threads * 2, async (next) => {
      throwIfAborted(opts.signal);
      const i = order[next];
      const p = which[i];
      const task = totals ? totals.time('setup', () => makeTask(opts, opts.groups[p], p, blockSizes[p])) : makeTask(opts, opts.groups[p], p, blockSizes[p]);
      // A single model uses every thread when the runtime can share memory (src/pool/team-protocol.ts); the same numbers either way.
      const team = opts.partitions === 1 && pool.runTeam ? await planTeam(task, pool.threads) : undefined;
      results[i] = team ? await pool.runTeam!(task, team, onBlock, opts.signal) : await pool.run(task, onBlock, opts.signal);
      totals?.addTask(results[i].phaseMs, results[i].phaseFlops, team !== undefined);
      done++;
      progress.report(reported(done));
    });
    await Promise.race([work, progress.failed]);
  } catch (error) {
    throw progress.failure()?.error ?? error;
  } finally {
    progress.close();
  }
  return results;
}

/** The partitions' SVM bounds (all k) and the points → the docs/spec.md §6 result, with `profile` if asked for. */
function assembleResult(opts: Resolved, svmBounds: number[], points: PointResult[], started: number, totals: ProfileTotals): CertifyResult {
  const summary = totals.time('aggregation', () => summarize(points, summaryFacts(opts), (now() - started) / 1000));
  const result: CertifyResult = { version: 1, config: resultConfig(opts, svmBounds), summary, points };
  if (opts.profile) result.profile = totals.profile((now() - started) / 1000, opts.threads);
  return result;
}

/** docs/spec.md §6.1 config of a run; `svmBounds` are the partitions' 1 / max_i Σ_j |K_ij|, all k of them. */
export function resultConfig(opts: Resolved, svmBounds: number[]): ResultConfig {
  return {
    model: opts.model,
    reg: opts.reg,
    svmC: opts.svmC ?? null,
    svmCBound: opts.model === 'svm' ? Math.min(...svmBounds) : null,
    ...opts.kernel,
    partitions: opts.partitions,
    partitioning: opts.partitioning,
    classes: opts.classes,
    augment: opts.augment?.spec ?? null,
    represent: opts.represent?.spec ?? null,
    imageShape: opts.imageShape ?? null,
    tieTolerance: TIE_TOLERANCE,
  };
}

/** What the summary needs to know of a run besides its points. */
export function summaryFacts(opts: Resolved): SummaryFacts {
  return {
    nTrain: opts.trainX.rows,
    nTest: opts.testX.rows,
    classes: opts.classes,
    partitions: opts.partitions,
    labelled: opts.testY !== undefined,
    threads: opts.threads,
  };
}

function makeTask(opts: Resolved, rows: Int32Array, partition: number, blockSize: number): PartitionTask {
  const { trainX, testX } = opts;
  const d = trainX.cols;
  // A single model's partition is every row in order: its data as they are (tasks never modify them).
  const everyRow = rows.length === trainX.rows && rows.every((row, i) => row === i);
  const trainSub = everyRow ? trainX.data : new Float64Array(rows.length * d);
  const labels = everyRow ? opts.trainY : new Int32Array(rows.length);
  if (!everyRow) {
    rows.forEach((row, i) => {
      trainSub.set(trainX.data.subarray(row * d, (row + 1) * d), i * d);
      labels[i] = opts.trainY[row];
    });
  }
  return {
    partition,
    trainX: trainSub,
    trainY: labels,
    trainRows: rows.length,
    testX: testX.data,
    testRows: testX.rows,
    cols: d,
    classes: opts.classes,
    model: opts.model,
    reg: opts.reg,
    svmC: opts.svmC,
    kernel: opts.kernel,
    mode: opts.partitions === 1 ? 'single' : 'costs',
    witness: opts.witness,
    blockSize,
    ...(opts.augment ? { augment: opts.augment } : {}),
  };
}

/** k = 1: docs/spec.md §4 radius, exact unless flagged; a flagged point's upper bound comes from a re-scored attack. */
function singleModelPoints(opts: Resolved, result: PartitionResult, rows: Int32Array): PointResult[] {
  const C = opts.classes;
  return Array.from(result.votes, (prediction, i) => {
    const votes = new Array<number>(C).fill(0);
    votes[prediction] = 1;
    const radius = result.radius![i];
    const upper = result.radiusUpper![i];
    const nearTie = result.nearTie[i] === 1;
    const point: PointResult = {
      index: i,
      label: opts.testY ? opts.testY[i] : null,
      prediction,
      radius,
      upper,
      exact: !nearTie && radius === upper,
      dpaRadius: 0,
      votes,
      nearTie,
    };
    if (nearTie) point.openReason = 'nearTie';
    if (result.witnesses) {
      point.witness = result.witnesses[i].map((f) => ({ train: rows[f.train], from: f.from, to: f.to }));
    }
    return point;
  });
}

/**
 * The witness pass (src/ensemble/witness.ts): recomputes, on the partitions
 * the knapsack's choices touch, the attacks for the chosen (point, class)
 * pairs, then adds `witness` and `witnessVerified` to every point.
 */
async function addEnsembleWitnesses(
  opts: Resolved,
  pool: PartitionPool,
  results: PartitionResult[],
  points: PointResult[],
  blockSizes: number[],
  totals: ProfileTotals,
): Promise<void> {
  const prediction = Int32Array.from(points, (p) => p.prediction);
  const upper = Int32Array.from(points, (p) => p.upper);
  const plan = totals.time('aggregation', () => planWitnesses(results, prediction, upper, opts.classes, opts.trainX.rows));
  const attacks = await secondPass(opts, pool, blockSizes, 'attacks', plan.requests, totals);
  totals.time('aggregation', () => {
    const witnesses = assembleWitnesses(plan, attacks, results.map((r) => r.votes), prediction, opts.groups, opts.classes);
    points.forEach((point, j) => {
      point.witness = witnesses[j]?.witness ?? [];
      point.witnessVerified = witnesses[j]?.verified ?? false;
    });
  });
}

/**
 * k > 1: aggregates, settles the open points' per-partition costs exactly in a
 * second pass (src/ensemble/refine.ts), and aggregates again.
 */
async function ensemblePoints(
  opts: Resolved,
  pool: PartitionPool,
  results: PartitionResult[],
  blockSizes: number[],
  first: number,
  totals: ProfileTotals,
): Promise<PointResult[]> {
  const C = opts.classes;
  const near = (i: number) => results.some((r) => r.nearTie[i] === 1);
  const { agg, unsettled } = await refineCosts(
    results,
    C,
    opts.trainX.rows,
    (requests) => secondPass(opts, pool, blockSizes, 'exact', requests, totals),
    undefined,
    (body) => totals.time('aggregation', body),
  );
  return totals.time('aggregation', () => pointsOf(agg, first, C, opts.testY, near, (i) => openReason(results, unsettled, i, C)));
}

/**
 * Runs a second pass (mode `attacks` or `exact`) on every partition with
 * requests; the others stay undefined. Only the requested test rows travel:
 * β of a test row does not depend on the other rows of its block (each row's
 * kernel column and triangular solves are computed alone; the tests check it
 * bit for bit), so these rows get the first pass's β exactly.
 */
export async function secondPass(
  opts: Resolved,
  pool: PartitionPool,
  blockSizes: number[],
  mode: 'attacks' | 'exact',
  requests: Int32Array[],
  totals: ProfileTotals,
): Promise<(PartitionResult | undefined)[]> {
  const stride = mode === 'attacks' ? 3 : 4;
  const touched = requests.flatMap((r, p) => (r.length > 0 ? [p] : []));
  const replies = new Array<PartitionResult | undefined>(requests.length);
  const d = opts.testX.cols;
  await forEachLimited(touched.length, pool.threads * 2, async (i) => {
    throwIfAborted(opts.signal);
    const p = touched[i];
    // Requests come by ascending test point: renumber them 0, 1, … over the rows they need.
    const local = requests[p].slice();
    const rows: number[] = [];
    for (let q = 0; q < local.length; q += stride) {
      if (rows.length === 0 || rows[rows.length - 1] !== local[q]) rows.push(local[q]);
      local[q] = rows.length - 1;
    }
    const testX = new Float64Array(rows.length * d);
    rows.forEach((row, r) => testX.set(opts.testX.data.subarray(row * d, (row + 1) * d), r * d));
    const task = {
      ...makeTask(opts, opts.groups[p], p, Math.min(blockSizes[p], rows.length)),
      testX,
      testRows: rows.length,
      mode,
      requests: local,
    };
    replies[p] = await pool.run(task, undefined, opts.signal);
    totals.addTask(replies[p]!.phaseMs, replies[p]!.phaseFlops);
  });
  return replies;
}

/**
 * Runs `body(0..count-1)` with at most `limit` in flight, so partition copies
 * stay bounded. After the first failure no lane starts another task.
 */
async function forEachLimited(count: number, limit: number, body: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    try {
      while (!failed && next < count) await body(next++);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}
