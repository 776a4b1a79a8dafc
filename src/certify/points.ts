// Per-point results of an ensemble (docs/spec.md §5) for one block of test points:
// the single place where aggregated votes and costs become PointResults, used
// by the coordinator (all points at once) and by the shard merge (block by block).
import type { PointResult } from './result.js';
import { aggregateBlock, type AggregateResult } from '../ensemble/aggregate.js';
import type { OpenReason } from '../ensemble/refine.js';

/** All k partitions' results for test points first … first + m − 1, partition-major. */
export interface EnsembleBlock {
  votes: Int32Array[];
  lower: Int32Array[];
  upper: Int32Array[];
  nearTie: Uint8Array[];
  /** Index of the block's first test point. */
  first: number;
  m: number;
}

/**
 * Points of a block from its partitions' costs as they are: the shard merge's
 * path, which has no partition weights to run the exact search of
 * src/ensemble/refine.ts, so open points say `unrefined` (or `nearTie`).
 */
export function ensembleBlockPoints(
  block: EnsembleBlock,
  classes: number,
  nTrain: number,
  testY: ArrayLike<number> | undefined,
): PointResult[] {
  const agg = aggregateBlock({ votes: block.votes, lower: block.lower, upper: block.upper, classes, nTrain, m: block.m });
  const near = (i: number) => block.nearTie.some((flags) => flags[i] === 1);
  return pointsOf(agg, block.first, classes, testY, near, (i) => (near(i) ? 'nearTie' : 'unrefined'));
}

/**
 * PointResults of an aggregation whose first row is test point `first`;
 * `near(i)` and `reason(i)` answer for row i (reason only for open points).
 */
export function pointsOf(
  agg: AggregateResult,
  first: number,
  classes: number,
  testY: ArrayLike<number> | undefined,
  near: (i: number) => boolean,
  reason: (i: number) => OpenReason,
): PointResult[] {
  const C = classes;
  return Array.from({ length: agg.prediction.length }, (_, i) => {
    const index = first + i;
    const nearTie = near(i);
    // Bounds that meet are exact, unless some decision behind them lay within rounding.
    const exact = agg.radius[i] === agg.upper[i] && !nearTie;
    const point: PointResult = {
      index,
      label: testY ? testY[index] : null,
      prediction: agg.prediction[i],
      radius: agg.radius[i],
      upper: agg.upper[i],
      exact,
      dpaRadius: agg.dpaRadius[i],
      votes: Array.from(agg.votes.subarray(i * C, (i + 1) * C)),
      nearTie,
    };
    if (!exact) point.openReason = reason(i);
    return point;
  });
}
