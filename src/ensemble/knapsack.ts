// EnsembleCert's attack problem (docs/spec.md §5): the cheapest set of per-partition
// vote changes that lets a rival class c' overtake the ensemble prediction c.
//
// Each partition offers at most one option, worth gain 1 or 2 votes of margin:
//   votes c       → switch to c'          (gain 2, cost ρ_p(c'))      "A"
//                 → switch to l ∉ {c, c'} (gain 1, cost min_l ρ_p(l)) "B"
//   votes ∉{c,c'} → switch to c'          (gain 1, cost ρ_p(c'))
//   votes c'      → nothing.
// We need total gain ≥ G = N_c − N_c' + [c' > c] at minimum total cost.
//
// Because gains are only 1 or 2 the multiple-choice knapsack collapses to
// sorting plus prefix sums (O(k + max cost) with a counting sort, instead of
// the O(k·G) DP, which test/reference-knapsack.ts keeps as minFlipCostDp for cross-checks):
//  * B ≥ A: B is dominated (A gives more for no more), so the partition is a
//    plain weight-2 item of cost A.
//  * B < A and A − B ≥ B ("convex"): the partition behaves exactly like two
//    independent weight-1 items of costs B and A − B, because any cheapest
//    selection that takes the A − B unit alone can take the B unit instead.
//  * B < A and A − B < B ("concave"): a weight-2 item of cost A, or a weight-1
//    item of cost B. Some optimum uses at most ONE concave partition at gain 1:
//    given two such p, q with A_p − B_p ≤ A_q − B_q, upgrading p to A and
//    dropping q keeps the gain and changes the cost by A_p − B_p − B_q < 0.
// With independent weight-1 and weight-2 items, the optimum using t doubles
// takes the t cheapest doubles and the G − 2t cheapest singles; we scan t.
// The single concave partition used at gain 1 (if any) is handled by a second
// scan that removes it from the doubles in O(1) per t (see concaveSingle).
import { FlipcertError } from '../errors.js';
import { UNREACHABLE } from '../types.js';
import { majority } from './dpa.js';

/** Reusable buffers for k partitions, so a block of test points allocates nothing per point. */
export class KnapsackScratch {
  readonly ones: Int32Array;
  readonly twos: Int32Array;
  readonly prefix1: Float64Array;
  readonly prefix2: Float64Array;
  readonly concaveA: Int32Array;
  readonly concaveB: Int32Array;
  readonly bestDrop: Float64Array;
  readonly bestKeep: Float64Array;
  /** Per partition voting c: cheapest and second-cheapest ρ_p(l) over l ≠ c, and the argmin. */
  readonly min1: Int32Array;
  readonly arg1: Int32Array;
  readonly min2: Int32Array;
  /** Partitions voting c, then the others (filled per point by prepareRunnersUp). */
  readonly forC: Int32Array;
  readonly forOther: Int32Array;
  countC = 0;
  countOther = 0;
  /** Histogram for the counting sort; grows with the largest cost seen. */
  histogram = new Int32Array(1024);

  constructor(readonly partitions: number) {
    const k = partitions;
    this.ones = new Int32Array(2 * k);
    this.twos = new Int32Array(k);
    this.prefix1 = new Float64Array(2 * k + 1);
    this.prefix2 = new Float64Array(k + 2);
    this.concaveA = new Int32Array(k);
    this.concaveB = new Int32Array(k);
    this.bestDrop = new Float64Array(k + 2);
    this.bestKeep = new Float64Array(k + 2);
    this.min1 = new Int32Array(k);
    this.arg1 = new Int32Array(k);
    this.min2 = new Int32Array(k);
    this.forC = new Int32Array(k);
    this.forOther = new Int32Array(k);
  }
}

/**
 * Minimum total flips that make `rival` overtake `prediction` in the vote:
 * the exact multiple-choice knapsack of docs/spec.md §5. `votes[p]` is partition p's
 * vote, `costs[p * classes + l]` = ρ_p(l) (UNREACHABLE = impossible).
 * Returns Infinity when no choice of options reaches the needed gain.
 */
export function minFlipCost(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  prediction: number,
  rival: number,
  scratch: KnapsackScratch = new KnapsackScratch(votes.length),
): number {
  const counts = checkInput(votes, costs, classes, prediction, scratch);
  checkClass(rival, classes, 'rival');
  if (rival === prediction) throw new FlipcertError(`minFlipCost: rival ${rival} equals the prediction`, 'EINTERNAL');
  prepareRunnersUp(votes, costs, classes, prediction, scratch);
  return solve(votes, costs, classes, prediction, rival, neededGain(counts, prediction, rival), scratch);
}

/**
 * EnsembleCert radius (docs/spec.md §5): min over rivals c' of the knapsack cost, − 1,
 * capped at `nTrain`; `nTrain` when no number of flips changes the vote.
 * `prediction` must be the majority of `votes` (ties to the lowest class).
 */
export function ensembleRadius(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  prediction: number,
  nTrain: number,
  scratch: KnapsackScratch = new KnapsackScratch(votes.length),
): number {
  const counts = checkInput(votes, costs, classes, prediction, scratch);
  prepareRunnersUp(votes, costs, classes, prediction, scratch);
  let best = Infinity;
  for (let rival = 0; rival < classes; rival++) {
    if (rival === prediction) continue;
    best = Math.min(best, solve(votes, costs, classes, prediction, rival, neededGain(counts, prediction, rival), scratch));
  }
  // Costs of 0 (a vote within rounding of another class) may give best = 0: radius 0.
  return best === Infinity ? nTrain : Math.max(0, Math.min(best - 1, nTrain));
}


/** G = N_c − N_c' + [c' > c]: the margin the rival must make up (docs/spec.md §5). */
function neededGain(counts: Int32Array, prediction: number, rival: number): number {
  return counts[prediction] - counts[rival] + (rival > prediction ? 1 : 0);
}

/**
 * Splits the partitions into those voting `prediction` and the rest, and for
 * the former records the cheapest and second-cheapest alternative class, so
 * option B (min over l ∉ {c, c'}) costs O(1) per rival instead of O(C).
 */
function prepareRunnersUp(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  prediction: number,
  s: KnapsackScratch,
): void {
  s.countC = 0;
  s.countOther = 0;
  for (let p = 0; p < votes.length; p++) {
    if (votes[p] !== prediction) {
      s.forOther[s.countOther++] = p;
      continue;
    }
    s.forC[s.countC++] = p;
    const row = p * classes;
    let m1 = UNREACHABLE;
    let a1 = -1;
    let m2 = UNREACHABLE;
    for (let l = 0; l < classes; l++) {
      if (l === prediction) continue;
      const cost = costs[row + l];
      if (cost < 0) throw negativeCost(p, l, cost);
      if (cost < m1) {
        m2 = m1;
        m1 = cost;
        a1 = l;
      } else if (cost < m2) m2 = cost;
    }
    s.min1[p] = m1;
    s.arg1[p] = a1;
    s.min2[p] = m2;
  }
}

function negativeCost(p: number, l: number, cost: number): FlipcertError {
  return new FlipcertError(`ensemble costs: partition ${p}, class ${l} has negative cost ${cost}`, 'EINTERNAL');
}

/** Splits the partitions into weight-1 / weight-2 items (see the file comment), then optimises. */
function solve(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  c: number,
  rival: number,
  need: number,
  s: KnapsackScratch,
): number {
  if (need <= 0) return 0;
  const { ones, twos, concaveA, concaveB, min1, arg1, min2, forC, forOther } = s;
  let n1 = 0;
  let n2 = 0;
  let nq = 0;
  for (let i = 0; i < s.countOther; i++) {
    const p = forOther[i];
    if (votes[p] === rival) continue;
    const toRival = costs[p * classes + rival];
    if (toRival < 0) throw negativeCost(p, rival, toRival);
    if (toRival !== UNREACHABLE) ones[n1++] = toRival;
  }
  for (let i = 0; i < s.countC; i++) {
    const p = forC[i];
    const a = costs[p * classes + rival];
    if (a < 0) throw negativeCost(p, rival, a);
    const b = arg1[p] === rival ? min2[p] : min1[p];
    if (a !== UNREACHABLE && (b === UNREACHABLE || b >= a)) twos[n2++] = a;
    else if (a === UNREACHABLE) {
      if (b !== UNREACHABLE) ones[n1++] = b;
    } else if (a - b >= b) {
      ones[n1++] = b;
      ones[n1++] = a - b;
    } else {
      twos[n2++] = a;
      concaveA[nq] = a;
      concaveB[nq++] = b;
    }
  }
  if (n1 + 2 * n2 < need) return Infinity;
  sortCosts(s.ones, n1, s);
  sortCosts(s.twos, n2, s);
  fillPrefix(s.ones, Math.min(n1, need), s.prefix1);
  fillPrefix(s.twos, Math.min(n2, Math.ceil(need / 2) + 1), s.prefix2);
  let best = bestSplit(need, n1, n2, s.prefix1, s.prefix2);
  if (nq > 0) best = Math.min(best, concaveSingle(need - 1, n1, n2, nq, s));
  return best;
}

/** Cheapest t doubles + (need − 2t) singles, over every feasible t. */
function bestSplit(need: number, n1: number, n2: number, p1: Float64Array, p2: Float64Array): number {
  let best = Infinity;
  const tMin = Math.max(0, Math.ceil((need - n1) / 2));
  const tMax = Math.min(n2, Math.ceil(need / 2));
  for (let t = tMin; t <= tMax; t++) {
    best = Math.min(best, p2[t] + p1[Math.max(0, need - 2 * t)]);
  }
  return best;
}

/**
 * Optimum when exactly one concave partition q is used at gain 1 (cost B_q),
 * the rest reaching `need` = G − 1 from singles and the OTHER doubles.
 * Among the sorted doubles, the t cheapest without q cost P2[t+1] − A_q when
 * A_q ≤ W2[t−1] (q would have been among them) and P2[t] otherwise. Bucketing
 * q by pos = 1 + #{doubles < A_q} makes that test "t ≥ pos", so a prefix
 * minimum of B_q − A_q and a suffix minimum of B_q give O(1) per t.
 */
function concaveSingle(need: number, n1: number, n2: number, nq: number, s: KnapsackScratch): number {
  const drop = s.bestDrop.subarray(0, n2 + 2).fill(Infinity);
  const keep = s.bestKeep.subarray(0, n2 + 2).fill(Infinity);
  for (let i = 0; i < nq; i++) {
    const pos = 1 + lowerBound(s.twos, n2, s.concaveA[i]);
    drop[pos] = Math.min(drop[pos], s.concaveB[i] - s.concaveA[i]);
    keep[pos] = Math.min(keep[pos], s.concaveB[i]);
  }
  for (let t = 1; t <= n2 + 1; t++) drop[t] = Math.min(drop[t], drop[t - 1]); // min over pos ≤ t
  for (let t = n2; t >= 0; t--) keep[t] = Math.min(keep[t], keep[t + 1]); // min over pos ≥ t
  let best = Infinity;
  const tMax = Math.min(n2 - 1, Math.max(0, Math.ceil(need / 2)));
  for (let t = Math.max(0, Math.ceil((need - n1) / 2)); t <= tMax; t++) {
    const singles = s.prefix1[Math.max(0, need - 2 * t)];
    const withQ = s.prefix2[t + 1] + drop[t]; // q among the t cheapest doubles
    const withoutQ = s.prefix2[t] + keep[t + 1]; // q beyond them
    best = Math.min(best, Math.min(withQ, withoutQ) + singles);
  }
  return best;
}

/**
 * Sorts the first n costs ascending. Flip counts are small integers, so a
 * counting sort (O(n + max)) beats the comparison sort that dominated the
 * profile; huge costs fall back to the typed-array sort.
 */
function sortCosts(values: Int32Array, n: number, s: KnapsackScratch): void {
  let max = 0;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  if (max > 4 * n + 4096) {
    values.subarray(0, n).sort();
    return;
  }
  if (s.histogram.length <= max) s.histogram = new Int32Array(2 * max + 1);
  const hist = s.histogram;
  for (let i = 0; i < n; i++) hist[values[i]]++;
  let at = 0;
  for (let v = 0; v <= max; v++) {
    for (let c = hist[v]; c > 0; c--) values[at++] = v;
    hist[v] = 0; // leave the histogram clean for the next call
  }
}

function fillPrefix(values: Int32Array, count: number, prefix: Float64Array): void {
  prefix[0] = 0;
  for (let i = 0; i < count; i++) prefix[i + 1] = prefix[i] + values[i];
}

/** Number of the first `n` (sorted) values that are < `x`. */
function lowerBound(values: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Internal invariants (EINTERNAL): votes and costs come from the workers, never from a user. */
function checkInput(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  prediction: number,
  scratch: KnapsackScratch,
): Int32Array {
  const k = votes.length;
  if (!Number.isInteger(classes) || classes < 1) throw new FlipcertError(`classes must be a positive integer, got ${classes}`, 'EINTERNAL');
  if (k === 0) throw new FlipcertError('ensemble: no partitions voted', 'EINTERNAL');
  if (costs.length !== k * classes) {
    throw new FlipcertError(`ensemble costs: expected ${k} × ${classes} = ${k * classes} entries, got ${costs.length}`, 'EINTERNAL');
  }
  if (scratch.partitions < k) throw new FlipcertError(`knapsack scratch sized for ${scratch.partitions} partitions, got ${k}`, 'EINTERNAL');
  checkClass(prediction, classes, 'prediction');
  const counts = new Int32Array(classes);
  for (let p = 0; p < k; p++) {
    const v = votes[p];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new FlipcertError(`ensemble votes: partition ${p} voted ${v}, expected a class in 0..${classes - 1}`, 'EINTERNAL');
    }
    counts[v]++;
  }
  if (majority(counts) !== prediction) {
    throw new FlipcertError(`ensemble: prediction ${prediction} is not the majority vote (${majority(counts)})`, 'EINTERNAL');
  }
  return counts;
}

function checkClass(value: number, classes: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= classes) {
    throw new FlipcertError(`${name} ${value} is not a class in 0..${classes - 1}`, 'EINTERNAL');
  }
}
