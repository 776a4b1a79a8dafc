// Per-partition vote costs (docs/spec.md §5.5): for one base model and every
// class l, LB(l) = max_{j≠l} pair(l over j) and UB(l) from a re-checked attack.
// Two twins compute the same numbers (the tests and bench/votecosts.mjs
// compare them):
// - voteCostsDirectBlock, the direct evaluation and reference: every
//   pair(l over j) on fully sorted lists (lists.ts, pair.ts), then attack.ts's
//   attack;
// - voteCostsBlock, at the pace of the rest of the core: on the top of the
//   lists only (pair-top.ts), with the rivals that cannot matter skipped, and
//   with the attack on the candidates (attack-top.ts):
//   LB(l) = max_j pair(l over j) only needs the maximising rivals. The vote is
//   tried first, then the rivals by descending score until one scores below l
//   (l beats it and all later ones with zero flips); a rival whose pair is
//   proven below the current maximum by a bound (O(1), see provenBelow) or by
//   a walk capped at it cannot set the maximum, so its exact count is never
//   needed. Equal maxima are still found (their near-tie flags count, and the
//   rival of the attack is the lowest index among them).
//   UB(l): the attack runs on the candidates; only where it needs more than
//   them does the full attack run, on fully sorted lists built then (once per point).
// Both share the loops over the classes (lowerBounds, upperBounds) and the
// near tie of the vote itself (voteNearTie).
// Rounding: every comparison is the one of pair.ts / attack.ts (band.ts's,
// near-tie set-up included); the O(1) shortcuts only decide with a margin far
// above the float error of their sums, and otherwise leave the decision to the walk.

import { attackVote } from './attack';
import { topAttack } from './attack-top';
import {
  CERT_EPS, UNREACHABLE, countGoal, countGoalOrEqual, countStart, flagUnclear, overtakesAtZero, thresholdOf,
} from './band';
import { argmaxAt, argmaxScore, bucket, sortAbs } from './lists';
import { pairFlips } from './pair';
import {
  SHORTCUT_MARGIN, WALK_MORE, WALK_NONE, WALK_SHORT, cgStartOf, clearHistogram, cleanScale, cleanScoreOf, pairTotal,
  scanPoint, selectTop, walk,
} from './pair-top';
import { sortPairsDesc } from './select';
import { Workspace, wsInit } from './workspace';

/** Largest gains kept at first (widened ×8 while some pair needs more). */
const FIRST_TOP: i32 = 24;

/**
 * Vote costs of one base model for m test points: vote, lower[l] =
 * max_{j≠l} pair(l over j) (exact for C = 2), upper[l] from a re-checked attack
 * (= lower for C = 2 unless the point is a near tie), near-tie flags. lower/upper are m × C row-major.
 */
export function voteCostsBlock(
  beta: usize, labels: usize, m: i32, n: i32, classes: i32, scratch: usize,
  outVotes: usize, outLower: usize, outUpper: usize, outNear: usize,
): i32 {
  return voteCosts(beta, labels, m, n, classes, scratch, outVotes, outLower, outUpper, outNear, true);
}

/**
 * Vote costs of one base model for m test points, evaluated directly (every
 * pair on fully sorted lists): vote, lower[l] = max_{j≠l} pair(l over j)
 * (exact for C = 2), upper[l] from a re-checked attack (= lower for C = 2
 * unless the point is a near tie), near-tie flags. lower/upper are m × C
 * row-major. voteCostsBlock above computes the same numbers faster;
 * this one is the reference the tests and bench/votecosts.mjs compare it with.
 */
export function voteCostsDirectBlock(
  beta: usize, labels: usize, m: i32, n: i32, classes: i32, scratch: usize,
  outVotes: usize, outLower: usize, outUpper: usize, outNear: usize,
): i32 {
  return voteCosts(beta, labels, m, n, classes, scratch, outVotes, outLower, outUpper, outNear, false);
}

/**
 * Both blocks, point by point: the clean vote, the lower bounds, then the
 * upper bounds; with `top` on the candidates (voteCostsBlock), otherwise on
 * fully sorted lists (voteCostsDirectBlock).
 */
function voteCosts(
  beta: usize, labels: usize, m: i32, n: i32, classes: i32, scratch: usize,
  outVotes: usize, outLower: usize, outUpper: usize, outNear: usize, top: bool,
): i32 {
  const ws = wsInit(scratch, n, classes);
  for (let p = 0; p < m; p++) {
    const row = beta + ((<usize>p * <usize>n) << 3);
    const lower = outLower + ((<usize>p * <usize>classes) << 2);
    const upper = outUpper + ((<usize>p * <usize>classes) << 2);
    let vote: i32;
    let near: i32;
    if (top) {
      scanPoint(ws, row, labels);
      vote = argmaxAt(ws.cleanScores, ws.classes);
      near = lowerBoundsTop(ws, row, labels, vote, lower);
    } else {
      sortAbs(ws, row);
      bucket(ws, row, labels);
      vote = argmaxScore(ws);
      near = lowerBounds(ws, vote, lower, false);
    }
    upperBounds(ws, row, labels, vote, near, lower, upper, top);
    store<i32>(outVotes + (<usize>p << 2), vote);
    store<u8>(outNear + <usize>p, <u8>near);
  }
  return 0;
}

/**
 * The lower bounds on the candidates, after scanPoint: the classes ordered by
 * clean score, then lowerBounds on the top FIRST_TOP gains, the candidates
 * widened ×8 until every count fits in them; leaves the workspace ready for
 * the attacks. Returns the near-tie flag.
 */
function lowerBoundsTop(ws: Workspace, row: usize, labels: usize, vote: i32, lower: usize): i32 {
  orderClasses(ws);
  let near = 0;
  for (let k = FIRST_TOP; ; k *= 8) {
    selectTop(ws, row, labels, k);
    near = lowerBounds(ws, vote, lower, true);
    if (near >= 0) break;
  }
  clearHistogram(ws);
  ws.fullReady = 0;
  ws.trialReady = 0; // initTrial reorders ws.order by key: after the lower bounds
  ws.dirty = 0;
  return near;
}

/**
 * upper[l] for every class, after the lower bounds: 0 for the vote, LB(l)
 * where it is exact, else the attack's count (on the candidates first with
 * `top`, on fully sorted lists otherwise). Two classes: the bound is exact
 * unless it lies within the rounding band; then only a re-scored attack may
 * give the upper bound. Attacks may overwrite the buckets, so they run after
 * every lower bound and restore them.
 */
function upperBounds(
  ws: Workspace, row: usize, labels: usize, vote: i32, near: i32, lower: usize, upper: usize, top: bool,
): void {
  const classes = ws.classes;
  for (let l = 0; l < classes; l++) {
    const lb = load<i32>(lower + (<usize>l << 2));
    const exact = lb == UNREACHABLE || (classes == 2 && near == 0);
    let ub = lb;
    if (l == vote) ub = 0;
    else if (!exact) ub = top ? upperBoundTop(ws, row, labels, l) : upperBound(ws, row, labels, l);
    store<i32>(upper + (<usize>l << 2), ub);
  }
}

/**
 * Fills lower[l] = LB(l) for every class and ws.rival[l] = the rival that set it
 * (on the candidates with `top`, on fully sorted lists otherwise); returns 1
 * if a maximising pair was within the rounding band, or the vote's margin to
 * some class is (a near tie of the vote itself), else 0; −1 when some count
 * on the candidates needs more than them (the caller widens them and starts again).
 */
function lowerBounds(ws: Workspace, vote: i32, lower: usize, top: bool): i32 {
  let near = 0;
  ws.voteNear = 0;
  for (let l = 0; l < ws.classes; l++) {
    const lb = top ? lowerBoundTop(ws, vote, l) : lowerBound(ws, vote, l);
    if (lb == WALK_SHORT) return -1;
    store<i32>(lower + (<usize>l << 2), lb);
    near |= ws.pairNear;
  }
  return near | ws.voteNear;
}

// LB(l)'s running maximum over the rivals, for lowerBound and lowerBoundTop
// alike: the most flips, the near-tie flags of every pair at it, and the
// lowest-index rival at it (−1 while the maximum is 0 flips).
let lbMost: i32 = 0;
let lbNear: i32 = 0;
let lbRival: i32 = -1;

/** Starts LB(l)'s maximum: 0 flips, no flag, no rival. */
// @ts-ignore: decorator
@inline function startMax(): void {
  lbMost = 0;
  lbNear = 0;
  lbRival = -1;
}

/** Takes rival j's count s (its near-tie flag in ws.pairNear) into the maximum. */
// @ts-ignore: decorator
@inline function takeMax(ws: Workspace, s: i32, j: i32): void {
  if (s > lbMost) {
    lbMost = s;
    lbNear = ws.pairNear;
    lbRival = j;
  } else if (s == lbMost) {
    lbNear |= ws.pairNear;
    if (s > 0 && j < lbRival) lbRival = j;
  }
}

/** LB(l): records the rival in ws.rival[l] and leaves ws.pairNear = 1 when a pair at the maximum was within the band. */
// @ts-ignore: decorator
@inline function endMax(ws: Workspace, l: i32): i32 {
  store<i32>(ws.rival + (<usize>l << 2), lbRival);
  ws.pairNear = lbNear != 0 ? 1 : 0;
  return lbMost;
}

/**
 * The count s of pair(l over vote), unless the vote's own margin to l lies
 * within the rounding band (ws.pairNear = 2): l is within rounding of the vote
 * itself, some exact evaluation may already vote l, so the sound lower bound
 * is 0 flips (and the point is flagged, ws.voteNear).
 */
// @ts-ignore: decorator
@inline function voteNearTie(ws: Workspace, s: i32): i32 {
  if (ws.pairNear != 2) return s;
  ws.voteNear = 1;
  return 0;
}

/**
 * LB(l) = max_{j≠l} pair(l over j), 0 for the vote itself. Records the
 * maximising rival in ws.rival[l] and leaves ws.pairNear = 1 when a maximising
 * pair (any of equal maxima) was within the rounding band; sets ws.voteNear
 * when the vote's own margin to l is. On fully sorted lists (sortAbs, bucket);
 * certificate.ts's voteAttack starts from it too.
 */
export function lowerBound(ws: Workspace, vote: i32, l: i32): i32 {
  startMax();
  if (l != vote) {
    for (let j = 0; j < ws.classes; j++) {
      if (j == l) continue;
      // Zero flips never change the vote itself: at least one against it.
      takeMax(ws, voteNearTie(ws, pairFlips(ws, j, l, CERT_EPS, j == vote ? 1 : 0)), j);
    }
  }
  return endMax(ws, l);
}

/**
 * UB(l): the attack of attack.ts, run on the candidates (attack-top.ts);
 * where it needs more than them (or its blunt last resort), the full attack
 * runs on fully sorted lists.
 */
function upperBoundTop(ws: Workspace, row: usize, labels: usize, l: i32): i32 {
  const fast = topAttack(ws, row, l, load<i32>(ws.rival + (<usize>l << 2)));
  if (fast >= 0) return fast;
  if (ws.fullReady == 0) {
    sortAbs(ws, row);
    bucket(ws, row, labels);
    ws.fullReady = 1;
    ws.dirty = 0;
  }
  ws.trialReady = 0; // the full attack re-scores into ws.trial…: topAttack starts them afresh
  return upperBound(ws, row, labels, l);
}

/**
 * UB(l) by attack.ts's attack on fully sorted lists, first against the rival
 * of LB(l); the buckets are rebuilt first when an earlier attack left them
 * holding attacked labels.
 */
function upperBound(ws: Workspace, row: usize, labels: usize, l: i32): i32 {
  if (ws.dirty) bucket(ws, row, labels);
  ws.dirty = 0;
  return attackVote(ws, row, labels, l, load<i32>(ws.rival + (<usize>l << 2)));
}

/**
 * LB(l) = max_{j≠l} pair(l over j) as lowerBound (the same value,
 * rival and near-tie flag), skipping rivals that cannot reach the maximum.
 * WALK_SHORT when the candidates do not suffice.
 */
function lowerBoundTop(ws: Workspace, vote: i32, l: i32): i32 {
  startMax();
  if (l != vote) {
    let s = pairCount(ws, vote, l, 1, UNREACHABLE);
    if (s == WALK_SHORT) return s;
    takeMax(ws, voteNearTie(ws, s), vote);
    // Rivals by descending score: once F_j < F_l, l beats j and every later
    // rival with zero flips (margin < 0 ≤ eps·scale), so none can set a maximum ≥ 1.
    const fl = cleanScoreOf(ws, l);
    for (let k = 0; k < ws.classes && lbMost != UNREACHABLE; k++) {
      const j = load<i32>(ws.order + (<usize>k << 2));
      if (lbMost > 0 && cleanScoreOf(ws, j) < fl) break;
      if (j == l || j == vote) continue;
      // Below the maximum: cannot set it. Equal: its flag and index count too.
      if (lbMost > 0 && beatenAtZero(ws, j, l)) continue;
      if (lbMost > 1 && provenBelow(ws, j, l, lbMost)) continue;
      s = pairCount(ws, j, l, 0, lbMost);
      if (s == WALK_SHORT) return s;
      if (s == WALK_MORE) {
        s = pairCount(ws, j, l, 0, UNREACHABLE);
        if (s == WALK_SHORT) return s;
      }
      takeMax(ws, s, j);
    }
  }
  return endMax(ws, l);
}

/** ws.order: the classes by descending clean score (ties in any order). */
function orderClasses(ws: Workspace): void {
  for (let c = 0; c < ws.classes; c++) {
    store<f64>(ws.orderVals + (<usize>c << 3), cleanScoreOf(ws, c));
    store<i32>(ws.order + (<usize>c << 2), c);
  }
  sortPairsDesc(ws.orderVals, ws.order, ws.classes);
}

/** Whether t already overtakes b with zero flips under the tolerant rule (pair(t over b) = 0, minFlips 0). */
function beatenAtZero(ws: Workspace, b: i32, t: i32): bool {
  return overtakesAtZero(b, t, cleanScoreOf(ws, b) - cleanScoreOf(ws, t), cleanScale(ws, b, t), CERT_EPS);
}

/**
 * Whether pair(t over b) < most, by a bound that needs no walk: the pair's
 * gains dominate the list "|β| of every point not labelled t, 2|β⁻| of t" with
 * b's negative points removed, so the sum of its (most − 1) largest gains is
 * at least that list's sum minus the (most − 1) largest |β⁻| of b. Decided
 * only with a margin (SHORTCUT_MARGIN); otherwise the walk decides.
 */
function provenBelow(ws: Workspace, b: i32, t: i32, most: i32): bool {
  const s = most - 1;
  const common = commonTop(ws, t, s);
  if (common < 0) return false;
  const g = ws.classes + b;
  const start = cgStartOf(ws, g);
  const len = cgStartOf(ws, g + 1) - start;
  const pre = ws.cgPre + (<usize>(start + g) << 3);
  // Beyond the candidates every |β⁻| of b is below tau/2.
  const lost = load<f64>(pre + (<usize>min(s, len) << 3)) + (s > len ? <f64>(s - len) * ws.tau * 0.5 : 0);
  const margin = cleanScoreOf(ws, b) - cleanScoreOf(ws, t);
  const threshold = thresholdOf(margin, cleanScale(ws, b, t), CERT_EPS);
  return common - lost > threshold + SHORTCUT_MARGIN * (ws.totalAbs + Math.abs(margin));
}

/**
 * Sum of the s largest entries of "|β| of every point not labelled t, 2|β⁻|
 * of t" among the candidates (a lower bound on the full list's; −1 when s = 0,
 * which proves nothing). Cached per t and s (ws.commonT, commonS, commonSum).
 */
function commonTop(ws: Workspace, t: i32, s: i32): f64 {
  if (s <= 0) return -1;
  if (ws.commonT == t && ws.commonS == s) return ws.commonSum;
  const classes = ws.classes;
  let i2 = cgStartOf(ws, classes + t);
  const e2 = cgStartOf(ws, classes + t + 1);
  let io = 0;
  const end = ws.absCount;
  while (io < end && load<i32>(ws.candLab + (<usize>io << 2)) == t) io++;
  let sum: f64 = 0;
  for (let k = 0; k < s; k++) {
    const g2 = i2 < e2 ? 2 * load<f64>(ws.cgVals + (<usize>i2 << 3)) : -1.0;
    const go = io < end ? load<f64>(ws.candVals + (<usize>io << 3)) : -1.0;
    if (g2 < 0 && go < 0) break;
    if (g2 >= go) {
      sum += g2;
      i2++;
    } else {
      sum += go;
      io++;
      while (io < end && load<i32>(ws.candLab + (<usize>io << 2)) == t) io++;
    }
  }
  ws.commonT = t;
  ws.commonS = s;
  ws.commonSum = sum;
  return sum;
}

/**
 * pair(t over b) under the tolerant rule, as pair.ts's pairFlips(ws, b, t,
 * CERT_EPS, minFlips) (the same count and ws.pairNear), or WALK_MORE when it
 * exceeds `cap`, or WALK_SHORT.
 */
function pairCount(ws: Workspace, b: i32, t: i32, minFlips: i32, cap: i32): i32 {
  const margin = cleanScoreOf(ws, b) - cleanScoreOf(ws, t);
  const scale = cleanScale(ws, b, t);
  if (countStart(ws, b, t, margin, scale, CERT_EPS, minFlips)) return 0;
  const threshold = countGoal();
  if (pairTotal(ws, b, t) + SHORTCUT_MARGIN * ws.totalAbs < threshold) return UNREACHABLE;
  const s = walk(ws, b, t, threshold, countGoalOrEqual(), cap, false);
  if (s == WALK_NONE) return UNREACHABLE;
  if (s > 0) flagUnclear(ws, ws.walkSum, margin, scale, CERT_EPS);
  return s;
}
