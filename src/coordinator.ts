import { throwIfAborted } from './abort.js';
import { ensembleBlockPoints } from './ensemble/points.js';
import type { Resolved } from './options.js';
import type { PartitionPool } from './pool/pool.js';
import type { PartitionResult, PartitionTask } from './pool/task.js';
import { ProgressReporter } from './progress.js';
import type { CertifyResult, PointResult, ResultConfig } from './result.js';
import { summarize, type SummaryFacts } from './report/summary.js';
import { TIE_TOLERANCE } from './model/certificate.js';
import { planPartitionBlocks } from './model/memory.js';

/** Milliseconds, from `performance` where the runtime has it (bare and edge runtimes may not). */
const now = (): number => globalThis.performance?.now() ?? Date.now();

/**
 * Fans the partitions (already split by resolveOptions) out over the pool,
 * and turns their votes and costs into docs/spec.md §6 results. If onProgress
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
  const all = Array.from({ length: opts.partitions }, (_, p) => p);
  const results = await runPartitions(opts, pool, all, blockSizes);
  return assembleResult(opts, results, (now() - started) / 1000);
}

/**
 * Trains and certifies the partitions `which` (ascending ids) on the pool;
 * returns their results in the same order. Progress counts these partitions.
 */
export async function runPartitions(
  opts: Resolved,
  pool: PartitionPool,
  which: number[],
  blockSizes: number[] = planPartitionBlocks(opts),
): Promise<PartitionResult[]> {
  const count = which.length;
  const results = new Array<PartitionResult>(count);
  const progress = new ProgressReporter(opts.onProgress, count);
  let done = 0;
  try {
    progress.report(done);
    const onBlock = opts.partitions === 1 ? (blocksDone: number, blocks: number) => progress.report(done, blocksDone, blocks) : undefined;
    const work = forEachLimited(count, pool.threads * 2, async (i) => {
      throwIfAborted(opts.signal);
      const p = which[i];
      results[i] = await pool.run(makeTask(opts, opts.groups[p], p, blockSizes[p]), onBlock, opts.signal);
      done++;
      progress.report(done);
    });
    await Promise.race([work, progress.failed]);
  } catch (error) {
    throw progress.failure()?.error ?? error;
  } finally {
    progress.close();
  }
  return results;
}

/** All k partitions' results (in partition order) → the docs/spec.md §6 result. */
export function assembleResult(opts: Resolved, results: PartitionResult[], seconds: number): CertifyResult {
  const k = opts.partitions;
  const points = k === 1 ? singleModelPoints(opts, results[0], opts.groups[0]) : ensemblePoints(opts, results);
  return {
    version: 1,
    config: resultConfig(opts, results.map((r) => r.svmBound)),
    summary: summarize(points, summaryFacts(opts), seconds),
    points,
  };
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
    if (result.witnesses) {
      point.witness = result.witnesses[i].map((f) => ({ train: rows[f.train], from: f.from, to: f.to }));
    }
    return point;
  });
}

function ensemblePoints(opts: Resolved, results: PartitionResult[]): PointResult[] {
  const block = {
    votes: results.map((r) => r.votes),
    lower: results.map((r) => r.lower!),
    upper: results.map((r) => r.upper!),
    nearTie: results.map((r) => r.nearTie),
    first: 0,
    m: opts.testX.rows,
  };
  return ensembleBlockPoints(block, opts.classes, opts.trainX.rows, opts.testY);
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
