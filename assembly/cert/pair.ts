// The minimum number of label flips that make class t overtake class b (docs/spec.md §4),
// answered from the per-point lists of lists.ts by a threshold search.
//
// For the pair (b, t) with margin M = F_b − F_t, the gains are
//   2|β| of points labelled b with β > 0      (relabel b → t)
//   2|β| of points labelled t with β < 0      (relabel t → b)
//   |β|  of every point labelled neither       (β > 0 → t, β < 0 → b)
// and s(b, t) = the smallest s whose s largest gains sum past M.
// h(v) = "sum of the gains ≥ v" is evaluated with binary searches + prefix
// sums; the smallest gain v* of the optimal set is the largest gain value with
// h(v*) past the threshold, found by a binary search in each of the three
// sorted sources. Then s = #(gains > v*) + the few copies of v* needed.
//
// Rounding ("err on the sound side"). With S the sum of the chosen gains,
// A_c = Σ_{y_i = c} |β_i| and X = A_b + A_t + S (what recomputing F_b and F_t
// after the flips would sum), the rounding band of the decision "S passes M"
// is |S − M| ≤ eps·X, eps = CERT_EPS = 1e-12.
// - Tolerant rule (eps > 0, certificates and lower bounds): t overtakes b when
//   S > M − eps·X, so the count can only come out too small (sound).
// - The count is flagged (ws.pairNear) unless the chosen sum clears the band
//   on the defender's side too, S > M + eps·X: only then does every exact or
//   re-scored evaluation agree that these flips win and one fewer does not.
//   Zero flips (minFlips = 0) are flagged unless 0 > M + eps·A; against the
//   model's own vote (minFlips = 1) a clean margin inside the band is a near
//   tie of the prediction itself (pairNear = 2).
// - Strict rule (eps < 0, the attacks behind upper bounds): t overtakes b only
//   when S > M + |eps|·X, so the flips really win when re-scored.
// eps = 0 gives the exact rule of docs/spec.md §4. The comparisons, the
// zero-flip and near-tie set-up (countStart) and the final flag (flagUnclear)
// are band.ts's, shared with the vote costs' counts on the top candidates.

import { UNREACHABLE, countGoal, countGoalOrEqual, countStart, flagUnclear, passes } from './band';
import { groupLen, groupPre, groupVals, scoreOf } from './lists';
import { countAbove, countAtLeast } from './select';
import { Workspace } from './workspace';

/** Points the workspace's pair views at base class b and target class t. */
export function setPair(ws: Workspace, b: i32, t: i32): void {
  const classes = ws.classes;
  ws.pbVals = groupVals(ws, b); ws.pbPre = groupPre(ws, b); ws.pbLen = groupLen(ws, b);
  ws.ntVals = groupVals(ws, classes + t); ws.ntPre = groupPre(ws, classes + t); ws.ntLen = groupLen(ws, classes + t);
  ws.nbVals = groupVals(ws, classes + b); ws.nbPre = groupPre(ws, classes + b); ws.nbLen = groupLen(ws, classes + b);
  ws.ptVals = groupVals(ws, t); ws.ptPre = groupPre(ws, t); ws.ptLen = groupLen(ws, t);
}

// @ts-ignore: decorator
@inline function listCount(vals: usize, len: i32, v: f64, strict: bool): i32 {
  return strict ? countAbove(vals, len, v) : countAtLeast(vals, len, v);
}

// @ts-ignore: decorator
@inline function listTotal(pre: usize, len: i32): f64 {
  return load<f64>(pre + (<usize>len << 3));
}

/**
 * Sum of the pair's gains ≥ v (> v when strict). The "others" part is a
 * difference of prefix sums; when no other point qualifies (an exact integer
 * count) it is exactly 0, so rounding never invents a positive gain.
 */
function gainSum(ws: Workspace, v: f64, strict: bool): f64 {
  const half = v * 0.5;
  const pbHalf = listCount(ws.pbVals, ws.pbLen, half, strict);
  const ntHalf = listCount(ws.ntVals, ws.ntLen, half, strict);
  const all = listCount(ws.absVals, ws.nz, v, strict);
  const pb = listCount(ws.pbVals, ws.pbLen, v, strict);
  const nb = listCount(ws.nbVals, ws.nbLen, v, strict);
  const pt = listCount(ws.ptVals, ws.ptLen, v, strict);
  const nt = listCount(ws.ntVals, ws.ntLen, v, strict);
  const doubled = 2 * (prefix(ws.pbPre, pbHalf) + prefix(ws.ntPre, ntHalf));
  if (all - pb - nb - pt - nt <= 0) return doubled;
  const others =
    prefix(ws.absPre, all) - prefix(ws.pbPre, pb) - prefix(ws.nbPre, nb) - prefix(ws.ptPre, pt) - prefix(ws.ntPre, nt);
  return doubled + Math.max(others, 0);
}

// @ts-ignore: decorator
@inline function prefix(pre: usize, count: i32): f64 {
  return load<f64>(pre + (<usize>count << 3));
}

/** Number of the pair's gains ≥ v (> v when strict). */
function gainCount(ws: Workspace, v: f64, strict: bool): i32 {
  const half = v * 0.5;
  return (
    listCount(ws.pbVals, ws.pbLen, half, strict) +
    listCount(ws.ntVals, ws.ntLen, half, strict) +
    listCount(ws.absVals, ws.nz, v, strict) -
    listCount(ws.pbVals, ws.pbLen, v, strict) -
    listCount(ws.nbVals, ws.nbLen, v, strict) -
    listCount(ws.ptVals, ws.ptLen, v, strict) -
    listCount(ws.ntVals, ws.ntLen, v, strict)
  );
}

/**
 * Largest gain value mult·vals[i] whose gain sum h passes the threshold, or −1.
 * h grows as i grows (values descend), so the passing indices are a suffix.
 * With `skipPair` (the list of all |β|) entries labelled b or t are not gains
 * of this pair: the answer is the first passing entry labelled otherwise.
 */
function searchSource(
  ws: Workspace, vals: usize, idx: usize, len: i32, mult: f64, threshold: f64, orEqual: bool, b: i32, t: i32, skipPair: bool,
): f64 {
  if (len == 0) return -1;
  if (!passes(gainSum(ws, mult * load<f64>(vals + (<usize>(len - 1) << 3)), false), threshold, orEqual)) return -1;
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (passes(gainSum(ws, mult * load<f64>(vals + (<usize>mid << 3)), false), threshold, orEqual)) hi = mid;
    else lo = mid + 1;
  }
  if (skipPair) {
    while (lo < len) {
      const y = load<i32>(ws.labels + (<usize>load<i32>(idx + (<usize>lo << 2)) << 2));
      if (y != b && y != t) break;
      lo++;
    }
    if (lo == len) return -1;
  }
  return mult * load<f64>(vals + (<usize>lo << 3));
}

/**
 * Smallest s ≥ 1 whose s largest gains pass the threshold (UNREACHABLE if
 * none). Records the split (vStar, kStar) and the chosen sum for witnesses.
 */
function searchFlips(ws: Workspace, b: i32, t: i32, threshold: f64, orEqual: bool, fallback: i32): i32 {
  if (!passes(gainSum(ws, 0, true), threshold, orEqual)) return UNREACHABLE;
  // v* is the largest gain value passing; it comes from one of three sorted sources.
  const pbIdx = ws.grpIdx + (<usize>groupIndex(ws, ws.pbVals) << 2);
  const ntIdx = ws.grpIdx + (<usize>groupIndex(ws, ws.ntVals) << 2);
  let v = searchSource(ws, ws.pbVals, pbIdx, ws.pbLen, 2, threshold, orEqual, b, t, false);
  v = Math.max(v, searchSource(ws, ws.ntVals, ntIdx, ws.ntLen, 2, threshold, orEqual, b, t, false));
  v = Math.max(v, searchSource(ws, ws.absVals, ws.absIdx, ws.nz, 1, threshold, orEqual, b, t, true));
  const countAboveV = v > 0 ? gainCount(ws, v, true) : 0;
  const copies = v > 0 ? gainCount(ws, v, false) - countAboveV : 0;
  if (copies <= 0) {
    // Only reachable when the sums disagree in their last bits (the total passes
    // but no gain value does): the decision is within rounding, so answer the
    // caller's safe side and flag it.
    if (ws.pairNear == 0) ws.pairNear = 1;
    return fallback;
  }
  const above = gainSum(ws, v, true);
  // The fewest copies of v that pass: solve, then nudge against rounding.
  const gap = (threshold - above) / v;
  let kf = orEqual ? Math.ceil(gap) : Math.floor(gap) + 1;
  kf = Math.min(Math.max(kf, 1), <f64>copies);
  let k = <i32>kf;
  while (k > 1 && passes(above + <f64>(k - 1) * v, threshold, orEqual)) k--;
  while (k < copies && !passes(above + <f64>k * v, threshold, orEqual)) k++;
  ws.vStar = v;
  ws.kStar = k;
  ws.sumStar = above + <f64>k * v;
  return countAboveV + k;
}

/**
 * Minimum flips for class t to overtake class b at the current point (lists
 * and scores already built), with relative tolerance `eps`: CERT_EPS for the
 * tolerant rule (certificates, lower bounds), −CERT_EPS for the strict rule
 * (attacks), 0 for the exact rule. `minFlips` = 1 when b is the model's own
 * vote: zero flips cannot change it, and at least one strictly positive gain
 * is needed. Sets ws.pairNear (see the file comment); UNREACHABLE when no
 * flips suffice.
 */
export function pairFlips(ws: Workspace, b: i32, t: i32, eps: f64, minFlips: i32): i32 {
  setPair(ws, b, t);
  const margin = scoreOf(ws, b) - scoreOf(ws, t);
  const scale =
    listTotal(ws.pbPre, ws.pbLen) + listTotal(ws.nbPre, ws.nbLen) + listTotal(ws.ptPre, ws.ptLen) + listTotal(ws.ntPre, ws.ntLen);
  ws.vStar = 0;
  ws.kStar = 0;
  ws.sumStar = 0;
  if (countStart(ws, b, t, margin, scale, eps, minFlips)) return 0;
  const s = searchFlips(ws, b, t, countGoal(), countGoalOrEqual(), eps > 0 ? 1 : UNREACHABLE);
  if (s != UNREACHABLE) flagUnclear(ws, ws.sumStar, margin, scale, eps);
  return s;
}

/**
 * Writes the flips of the last pairFlips(ws, b, t, …) call: every gain above
 * vStar and kStar gains equal to it. With `inPlace` the new labels are stored
 * into `labels` itself (the attack); otherwise (train, from, to) triples go to
 * `out`. Returns the number of flips.
 */
export function emitFlips(ws: Workspace, beta: usize, labels: usize, b: i32, t: i32, out: usize, inPlace: bool): i32 {
  const v = ws.vStar;
  let ties = ws.kStar;
  let w = 0;
  if (ties == 0) return 0;
  for (let k = 0; k < ws.pbLen; k++) {
    const g = 2 * load<f64>(ws.pbVals + (<usize>k << 3));
    if (g < v || (g == v && ties == 0)) break;
    if (g == v) ties--;
    w = emit(labels, out, inPlace, w, load<i32>(ws.grpIdx + (<usize>(groupIndex(ws, ws.pbVals) + k) << 2)), b, t);
  }
  for (let k = 0; k < ws.ntLen; k++) {
    const g = 2 * load<f64>(ws.ntVals + (<usize>k << 3));
    if (g < v || (g == v && ties == 0)) break;
    if (g == v) ties--;
    w = emit(labels, out, inPlace, w, load<i32>(ws.grpIdx + (<usize>(groupIndex(ws, ws.ntVals) + k) << 2)), t, b);
  }
  for (let k = 0; k < ws.nz; k++) {
    const g = load<f64>(ws.absVals + (<usize>k << 3));
    if (g < v || (g == v && ties == 0)) break;
    const i = load<i32>(ws.absIdx + (<usize>k << 2));
    const y = load<i32>(labels + (<usize>i << 2));
    if (y == b || y == t) continue;
    if (g == v) ties--;
    w = emit(labels, out, inPlace, w, i, y, load<f64>(beta + (<usize>i << 3)) > 0 ? t : b);
  }
  return w;
}

// @ts-ignore: decorator
@inline function groupIndex(ws: Workspace, vals: usize): i32 {
  return <i32>((vals - ws.grpVals) >> 3);
}

// @ts-ignore: decorator
@inline function emit(labels: usize, out: usize, inPlace: bool, w: i32, i: i32, from: i32, to: i32): i32 {
  if (inPlace) {
    store<i32>(labels + (<usize>i << 2), to);
  } else {
    const p = out + (<usize>(3 * w) << 2);
    store<i32>(p, i);
    store<i32>(p + 4, from);
    store<i32>(p + 8, to);
  }
  return w + 1;
}
