import { throwIfAborted } from './abort.js';
import { openReason, refineCosts } from './ensemble/refine.js';
import { assembleWitnesses, planWitnesses } from './ensemble/witness.js';
import type { Resolved } from './options.js';
import type { PartitionPool } from './pool/pool.js';
import type { PartitionResult, PartitionTask } from './pool/task.js';
import { ProgressReporter } from './progress.js';
import type { CertifyResult, PointResult } from './result.js';
import { summarize } from './report/summary.js';
import { TIE_TOLERANCE } from './model/certificate.js';
import { planPartitionBlocks } from './model/memory.js';

/** Milliseconds, from `performance` where the runtime has it (bare and edge runtimes may not). */
const now = (): number => globalThis.performance?.now() ?? Date.now();

/**
 * Fans the partitions (already split by resolveOptions) out over the pool,
 * and turns their votes and costs into SPEC §6 results. If onProgress
 * throws, this rejects with its exception at once; the caller closes the pool.
 * `blockSizes` (test rows per block, per partition) come from
 * planPartitionBlocks, which the caller runs before opening the pool.
 */
export async function coordinate(
  opts: Resolved,
  pool: PartitionPool,
  blockSizes: number[] = planPartitionBlocks(opts),
): Promise<CertifyResult> {
  const started = now();
  const k = opts.partitions;
  const results = new Array<PartitionResult>(k);
  const progress = new ProgressReporter(opts.onProgress, k);
  let done = 0;
  try {
    progress.report(done);
    const onBlock = k === 1 ? (blocksDone: number, blocks: number) => progress.report(done, blocksDone, blocks) : undefined;
    const work = forEachLimited(k, pool.threads * 2, async (p) => {
      throwIfAborted(opts.signal);
      results[p] = await pool.run(makeTask(opts, opts.groups[p], p, blockSizes[p]), onBlock, opts.signal);
      done++;
      progress.report(done);
    });
    await Promise.race([work, progress.failed]);
  } catch (error) {
    throw progress.failure()?.error ?? error;
  } finally {
    progress.close();
  }
  const points = k === 1 ? singleModelPoints(opts, results[0], opts.groups[0]) : await ensemblePoints(opts, pool, results, blockSizes);
  if (k > 1 && opts.witness) await addEnsembleWitnesses(opts, pool, results, points, blockSizes);
  const seconds = (now() - started) / 1000;
  return {
    version: 1,
    config: {
      model: opts.model,
      reg: opts.reg,
      svmC: opts.svmC ?? null,
      svmCBound: opts.model === 'svm' ? Math.min(...results.map((r) => r.svmBound)) : null,
      ...opts.kernel,
      partitions: k,
      partitioning: opts.partitioning,
      classes: opts.classes,
      tieTolerance: TIE_TOLERANCE,
    },
    summary: summarize(points, opts, seconds),
    points,
  };
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
): Promise<void> {
  const prediction = Int32Array.from(points, (p) => p.prediction);
  const upper = Int32Array.from(points, (p) => p.upper);
  const plan = planWitnesses(results, prediction, upper, opts.classes, opts.trainX.rows);
  const attacks = await secondPass(opts, pool, blockSizes, 'attacks', plan.requests);
  const witnesses = assembleWitnesses(plan, attacks, results.map((r) => r.votes), prediction, opts.groups, opts.classes);
  points.forEach((point, j) => {
    point.witness = witnesses[j]?.witness ?? [];
    point.witnessVerified = witnesses[j]?.verified ?? false;
  });
}

function makeTask(opts: Resolved, rows: Int32Array, partition: number, blockSize: number): PartitionTask {
  const { trainX, testX } = opts;
  const d = trainX.cols;
  const trainSub = new Float64Array(rows.length * d);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    trainSub.set(trainX.data.subarray(row * d, (row + 1) * d), i * d);
    labels[i] = opts.trainY[row];
  });
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
  };
}

/** k = 1: SPEC §4 radius, exact unless flagged; a flagged point's upper bound comes from a re-scored attack. */
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
 * k > 1: aggregates, settles the open points' per-partition costs exactly in a
 * second pass (src/ensemble/refine.ts), and aggregates again.
 */
async function ensemblePoints(opts: Resolved, pool: PartitionPool, results: PartitionResult[], blockSizes: number[]): Promise<PointResult[]> {
  const C = opts.classes;
  const m = opts.testX.rows;
  const near = (i: number) => results.some((r) => r.nearTie[i] === 1);
  const { agg, unsettled } = await refineCosts(results, C, opts.trainX.rows, (requests) =>
    secondPass(opts, pool, blockSizes, 'exact', requests),
  );
  return Array.from({ length: m }, (_, i) => {
    // Bounds that meet are exact, unless some decision behind them lay within rounding.
    const exact = agg.radius[i] === agg.upper[i] && !near(i);
    const point: PointResult = {
      index: i,
      label: opts.testY ? opts.testY[i] : null,
      prediction: agg.prediction[i],
      radius: agg.radius[i],
      upper: agg.upper[i],
      exact,
      dpaRadius: agg.dpaRadius[i],
      votes: Array.from(agg.votes.subarray(i * C, (i + 1) * C)),
      nearTie: near(i),
    };
    if (!exact) point.openReason = openReason(results, unsettled, i, C);
    return point;
  });
}

/**
 * Runs a second pass (mode `attacks` or `exact`) on every partition with
 * requests; the others stay undefined. Only the requested test rows travel:
 * β of a test row does not depend on the other rows of its block (each row's
 * kernel column and triangular solves are computed alone; the tests check it
 * bit for bit), so these rows get the first pass's β exactly.
 */
async function secondPass(
  opts: Resolved,
  pool: PartitionPool,
  blockSizes: number[],
  mode: 'attacks' | 'exact',
  requests: Int32Array[],
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
