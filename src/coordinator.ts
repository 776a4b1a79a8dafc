import { aggregateBlock } from './ensemble/aggregate.js';
import type { Progress, Resolved } from './options.js';
import { groupByPartition, partitionIds } from './partition.js';
import type { PartitionPool } from './pool/pool.js';
import type { PartitionResult, PartitionTask } from './pool/task.js';
import type { CertifyResult, PointResult } from './result.js';
import { summarize } from './report/summary.js';
import { TIE_TOLERANCE } from './model/certificate.js';
import { planBlockSize, type PartitionShape } from './model/memory.js';

/**
 * Splits the training set, fans the partitions out over the pool, and turns
 * their votes and costs into SPEC §6 results.
 */
export async function coordinate(
  opts: Resolved,
  pool: PartitionPool,
  onProgress?: (progress: Progress) => void,
): Promise<CertifyResult> {
  const started = performance.now();
  const k = opts.partitions;
  const groups = groupByPartition(partitionIds(opts.trainX, k, opts.partitioning), k);
  // Every partition's memory is checked before any of them starts (EMEMORY otherwise).
  const blockSizes = groups.map((rows) => planBlockSize(shapeOf(opts, rows.length), k, opts.blockSize));
  const results = new Array<PartitionResult>(k);
  let done = 0;
  const report = (blocksDone = 0, blocks = 0) =>
    onProgress?.({ partitionsDone: done, partitions: k, blocksDone, blocks });
  report();
  await forEachLimited(k, pool.threads * 2, async (p) => {
    results[p] = await pool.run(makeTask(opts, groups[p], p, blockSizes[p]), k === 1 ? report : undefined);
    done++;
    report();
  });
  const points = k === 1 ? singleModelPoints(opts, results[0], groups[0]) : ensemblePoints(opts, results);
  const seconds = (performance.now() - started) / 1000;
  return {
    version: 1,
    config: {
      model: opts.model,
      reg: opts.reg,
      svmC: opts.svmC ?? null,
      svmCBound: opts.model === 'svm' ? Math.min(...results.map((r) => r.svmBound)) : null,
      ...opts.kernel,
      partitions: k,
      partitioning: typeof opts.partitioning === 'string' ? opts.partitioning : 'ids',
      classes: opts.classes,
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
  };
}

function shapeOf(opts: Resolved, trainRows: number): PartitionShape {
  return {
    n: trainRows,
    m: opts.testX.rows,
    d: opts.trainX.cols,
    classes: opts.classes,
    model: opts.model,
    mode: opts.partitions === 1 ? 'single' : 'costs',
    witness: opts.witness,
  };
}

/** k = 1: SPEC §4 radius; it is exact, so upper = radius. */
function singleModelPoints(opts: Resolved, result: PartitionResult, rows: Int32Array): PointResult[] {
  const C = opts.classes;
  return Array.from(result.votes, (prediction, i) => {
    const votes = new Array<number>(C).fill(0);
    votes[prediction] = 1;
    const radius = result.radius![i];
    const point: PointResult = {
      index: i,
      label: opts.testY ? opts.testY[i] : null,
      prediction,
      radius,
      upper: radius,
      exact: true,
      dpaRadius: 0,
      votes,
      nearTie: result.nearTie[i] === 1,
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
    exact: agg.radius[i] === agg.upper[i],
    dpaRadius: agg.dpaRadius[i],
    votes: Array.from(agg.votes.subarray(i * C, (i + 1) * C)),
    nearTie: results.some((r) => r.nearTie[i] === 1),
  }));
}

/** Runs `body(0..count-1)` with at most `limit` in flight, so partition copies stay bounded. */
async function forEachLimited(count: number, limit: number, body: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await body(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}
