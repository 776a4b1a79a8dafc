// Making multi-class ensembles exact (docs/spec.md §5.7). After the first
// aggregation, a point whose bounds differ (radius < upper) and that is not a
// near tie has per-partition costs with LB_p(l) < UB_p(l); the exact search
// (src/model/exact-cost.ts) settles those entries in a second pass over the
// partitions, then the knapsack runs again on the new costs. Exact costs make
// the two knapsacks equal, so the point becomes exact.
import type { PartitionResult } from '../pool/task.js';
import { UNREACHABLE } from '../types.js';

/** Why a point stays open (PointResult.openReason). */
export type OpenReason = 'nearTie' | 'searchBudget' | 'rounding' | 'noAttack';

/** Per partition: (point, class, lower, upper) quadruples, flat, by ascending point. */
export function planRefinement(results: PartitionResult[], open: readonly number[], classes: number): Int32Array[] {
  return results.map((r) => {
    const out: number[] = [];
    for (const j of open) {
      for (let l = 0; l < classes; l++) {
        const lo = r.lower![j * classes + l];
        const up = r.upper![j * classes + l];
        if (lo < up && up !== UNREACHABLE) out.push(j, l, lo, up);
      }
    }
    return Int32Array.from(out);
  });
}

/** exactStatus codes of src/model/requests.ts that leave an entry open, by reason. */
const STATUS_REASON: Record<number, OpenReason> = { 1: 'searchBudget', 2: 'rounding' };

/**
 * Writes the second pass's bounds into the first pass's cost arrays and
 * returns, per entry left open, its reason, keyed `point·classes + class` per partition.
 */
export function applyRefinement(
  results: PartitionResult[],
  requests: Int32Array[],
  replies: (PartitionResult | undefined)[],
  classes: number,
): Map<number, OpenReason>[] {
  return results.map((r, p) => {
    const reasons = new Map<number, OpenReason>();
    const reply = replies[p];
    const asked = requests[p];
    if (!reply) return reasons;
    for (let q = 0; q < asked.length / 4; q++) {
      const at = asked[4 * q] * classes + asked[4 * q + 1];
      r.lower![at] = reply.exactLower![q];
      r.upper![at] = reply.exactUpper![q];
      if (reply.exactLower![q] < reply.exactUpper![q]) reasons.set(at, STATUS_REASON[reply.exactStatus![q]] ?? 'rounding');
    }
    return reasons;
  });
}

/** Why point j's bounds still differ: the first open entry's reason, in order of precedence. */
export function openReason(results: PartitionResult[], reasons: Map<number, OpenReason>[] | undefined, j: number, classes: number): OpenReason {
  if (results.some((r) => r.nearTie[j] === 1)) return 'nearTie';
  const seen = new Set<OpenReason>();
  results.forEach((r, p) => {
    for (let l = 0; l < classes; l++) {
      const at = j * classes + l;
      if (r.lower![at] >= r.upper![at]) continue;
      seen.add(r.upper![at] === UNREACHABLE ? 'noAttack' : reasons?.[p].get(at) ?? 'searchBudget');
    }
  });
  for (const reason of ['searchBudget', 'rounding', 'noAttack'] as const) if (seen.has(reason)) return reason;
  return 'searchBudget';
}
