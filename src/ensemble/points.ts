// Per-point results of an ensemble (docs/spec.md §5) for one block of test points:
// the single place where aggregated votes and costs become PointResults, used
// by the coordinator (all points at once) and by the shard merge (block by block).
import type { PointResult } from '../result.js';
import { aggregateBlock } from './aggregate.js';

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

export function ensembleBlockPoints(
  block: EnsembleBlock,
  classes: number,
  nTrain: number,
  testY: ArrayLike<number> | undefined,
): PointResult[] {
  const C = classes;
  const agg = aggregateBlock({ votes: block.votes, lower: block.lower, upper: block.upper, classes: C, nTrain, m: block.m });
  return Array.from({ length: block.m }, (_, i) => {
    const index = block.first + i;
    const nearTie = block.nearTie.some((flags) => flags[i] === 1);
    return {
      index,
      label: testY ? testY[index] : null,
      prediction: agg.prediction[i],
      radius: agg.radius[i],
      upper: agg.upper[i],
      // Bounds that meet are exact, unless some decision behind them lay within rounding.
      exact: agg.radius[i] === agg.upper[i] && !nearTie,
      dpaRadius: agg.dpaRadius[i],
      votes: Array.from(agg.votes.subarray(i * C, (i + 1) * C)),
      nearTie,
    };
  });
}
