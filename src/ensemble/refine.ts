// Making multi-class ensembles exact (docs/spec.md §5.7). After the first
// aggregation, a point whose bounds differ (radius < upper) and that is not a
// near tie has per-partition costs with LB_p(l) < UB_p(l). Lazily, round by
// round: take the knapsack's cheapest choice on the LOWER costs; the entries
// it picks that are not yet exact are settled by the exact search
// (src/partition/exact-cost.ts) in a second pass over their partitions; aggregate
// again. When a choice picks exact entries only, the upper knapsack can make
// the same choice at the same cost, so radius = upper: the point is exact.
// Every round settles at least one entry per open point, so this ends.
import type { PartitionResult } from '../partition/task.js';
import { UNREACHABLE } from '../types.js';
import { aggregateBlock, type AggregateResult } from './aggregate.js';
import { knapsackChoice } from './choice.js';

/** Rounds at most; points still open after them say `searchBudget`. */
export const MAX_REFINE_ROUNDS = 64;

/**
 * Settles requests (per partition, (point, class, lower, upper) quadruples):
 * the replies' exactLower/exactUpper/exactStatus, one per request, for every
 * partition with requests. The coordinator runs a second pass on the pool.
 */
export type Settle = (requests: Int32Array[]) => Promise<(PartitionResult | undefined)[]>;

/**
 * Aggregates the partitions' results (votes, lower/upper costs, nearTie, for
 * all m points), refines the open points' costs round by round in place, and
 * returns the final aggregation with the entries left unsettled and why.
 * `timed` wraps the work done here (not `settle`), for the caller's profile.
 */
export async function refineCosts(
  results: PartitionResult[],
  classes: number,
  nTrain: number,
  settle: Settle,
  rounds = MAX_REFINE_ROUNDS,
  timed: <T>(body: () => T) => T = (body) => body(),
): Promise<{ agg: AggregateResult; unsettled: Map<number, OpenReason>[] }> {
  const m = results[0].votes.length;
  const aggregate = () =>
    timed(() =>
      aggregateBlock({ votes: results.map((r) => r.votes), lower: results.map((r) => r.lower!), upper: results.map((r) => r.upper!), classes, nTrain, m }),
    );
  const near = (i: number) => results.some((r) => r.nearTie[i] === 1);
  const agg = aggregate();
  const unsettled = results.map(() => new Map<number, OpenReason>());
  for (let round = 0; round < rounds; round++) {
    const { open, requests } = timed(() => {
      const open = Array.from({ length: m }, (_, i) => i).filter((i) => agg.radius[i] < agg.upper[i] && !near(i));
      return { open, requests: planRefinement(results, open, agg.prediction, classes, unsettled) };
    });
    if (requests.every((r) => r.length === 0)) break;
    const replies = await settle(requests);
    // Only the open points' costs changed: aggregate those again, not all m (many rounds × m was the serial bottleneck).
    timed(() => {
      applyRefinement(results, requests, replies, classes, unsettled);
      reaggregate(results, open, classes, nTrain, agg);
    });
  }
  return { agg, unsettled };
}

/** Aggregates the points `rows` again and writes their figures into `agg` (the others are unchanged). */
function reaggregate(results: PartitionResult[], rows: readonly number[], classes: number, nTrain: number, agg: AggregateResult): void {
  if (rows.length === 0) return;
  const C = classes;
  const pickRows = (costs: Int32Array) => {
    const out = new Int32Array(rows.length * C);
    rows.forEach((j, r) => out.set(costs.subarray(j * C, (j + 1) * C), r * C));
    return out;
  };
  const part = aggregateBlock({
    votes: results.map((r) => Int32Array.from(rows, (j) => r.votes[j])),
    lower: results.map((r) => pickRows(r.lower!)),
    upper: results.map((r) => pickRows(r.upper!)),
    classes,
    nTrain,
    m: rows.length,
  });
  rows.forEach((j, r) => {
    agg.prediction[j] = part.prediction[r];
    agg.radius[j] = part.radius[r];
    agg.upper[j] = part.upper[r];
    agg.dpaRadius[j] = part.dpaRadius[r];
    agg.votes.set(part.votes.subarray(r * C, (r + 1) * C), j * C);
  });
}

/** Why a point stays open (PointResult.openReason). */
export type OpenReason = 'nearTie' | 'searchBudget' | 'rounding' | 'noAttack' | 'unrefined';

/**
 * One round's requests, per partition: (point, class, lower, upper)
 * quadruples, flat, by ascending point: the inexact entries picked by each
 * open point's cheapest choice on the lower costs. Points whose choice picks
 * an entry the search could not settle (in `settled`, or unbounded) are left
 * out: they stay open. `open` is ascending.
 */
export function planRefinement(
  results: PartitionResult[],
  open: readonly number[],
  prediction: Int32Array,
  classes: number,
  unsettled: Map<number, OpenReason>[],
): Int32Array[] {
  const k = results.length;
  const votes = new Int32Array(k);
  const costs = new Int32Array(k * classes);
  const out: number[][] = Array.from({ length: k }, () => []);
  for (const j of open) {
    for (let p = 0; p < k; p++) {
      votes[p] = results[p].votes[j];
      costs.set(results[p].lower!.subarray(j * classes, (j + 1) * classes), p * classes);
    }
    const choice = knapsackChoice(votes, costs, classes, prediction[j]);
    if (!choice) continue;
    const wanted: number[] = [];
    let stuck = false;
    for (const { partition: p, to: l } of choice.picks) {
      const at = j * classes + l;
      const lo = results[p].lower![at];
      const up = results[p].upper![at];
      if (lo >= up) continue;
      if (unsettled[p].has(at)) stuck = true;
      else wanted.push(p, l, lo, up);
    }
    if (stuck) continue;
    for (let q = 0; q < wanted.length; q += 4) out[wanted[q]].push(j, wanted[q + 1], wanted[q + 2], wanted[q + 3]);
  }
  return out.map((r) => Int32Array.from(r));
}

/** exactStatus codes of src/partition/requests.ts that leave an entry open, by reason. */
const STATUS_REASON: Record<number, OpenReason> = { 1: 'searchBudget', 2: 'rounding' };

/**
 * Writes a second pass's bounds into the first pass's cost arrays and records,
 * per entry left open, its reason in `unsettled` (keyed `point·classes + class`, per partition).
 */
export function applyRefinement(
  results: PartitionResult[],
  requests: Int32Array[],
  replies: (PartitionResult | undefined)[],
  classes: number,
  unsettled: Map<number, OpenReason>[],
): void {
  results.forEach((r, p) => {
    const reply = replies[p];
    const asked = requests[p];
    if (!reply) return;
    for (let q = 0; q < asked.length / 4; q++) {
      const at = asked[4 * q] * classes + asked[4 * q + 1];
      r.lower![at] = reply.exactLower![q];
      r.upper![at] = reply.exactUpper![q];
      if (reply.exactLower![q] < reply.exactUpper![q]) unsettled[p].set(at, STATUS_REASON[reply.exactStatus![q]] ?? 'rounding');
    }
  });
}

/** Why point j's bounds still differ: the first open entry's reason, in order of precedence. */
export function openReason(results: PartitionResult[], reasons: Map<number, OpenReason>[], j: number, classes: number): OpenReason {
  if (results.some((r) => r.nearTie[j] === 1)) return 'nearTie';
  const seen = new Set<OpenReason>();
  results.forEach((r, p) => {
    for (let l = 0; l < classes; l++) {
      const at = j * classes + l;
      if (r.lower![at] >= r.upper![at]) continue;
      const reason = reasons[p].get(at);
      if (reason) seen.add(r.upper![at] === UNREACHABLE && reason === 'searchBudget' ? 'noAttack' : reason);
    }
  });
  for (const reason of ['searchBudget', 'rounding', 'noAttack'] as const) if (seen.has(reason)) return reason;
  return 'searchBudget';
}
