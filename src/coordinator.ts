import { throwIfAborted } from './abort.js';
import { aggregateBlock } from './ensemble/aggregate.js';
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
  const points = k === 1 ? singleModelPoints(opts, results[0], opts.groups[0]) : ensemblePoints(opts, results);
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
      augment: opts.augment?.spec ?? null, // issue 13: augmentation
      imageShape: opts.augment ? [opts.augment.height, opts.augment.width, opts.augment.channels] : null,
      tieTolerance: TIE_TOLERANCE,
    },
    summary: summarize(points, opts, seconds),
    points,
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
    ...(opts.augment ? { augment: opts.augment } : {}), // issue 13: augmentation
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
    if (result.witnesses) {
      point.witness = result.witnesses[i].map((f) => ({ train: rows[f.train], from: f.from, to: f.to }));
    }
    return point;
  });
}

function ensemblePoints(opts: Resolved, results: PartitionResult[]): PointResult[] {
  const C = opts.classes;
  const m = opts.testX.rows;
  const agg = aggregateBlock({
    votes: results.map((r) => r.votes),
    lower: results.map((r) => r.lower!),
    upper: results.map((r) => r.upper!),
    classes: C,
    nTrain: opts.trainX.rows,
    m,
  });
  return Array.from({ length: m }, (_, i) => ({
    index: i,
    label: opts.testY ? opts.testY[i] : null,
    prediction: agg.prediction[i],
    radius: agg.radius[i],
    upper: agg.upper[i],
    // Bounds that meet are exact, unless some decision behind them lay within rounding.
    exact: agg.radius[i] === agg.upper[i] && !results.some((r) => r.nearTie[i] === 1),
    dpaRadius: agg.dpaRadius[i],
    votes: Array.from(agg.votes.subarray(i * C, (i + 1) * C)),
    nearTie: results.some((r) => r.nearTie[i] === 1),
  }));
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
