// The attack behind UB(l) (attack.ts, docs/spec.md §5.5) on the candidates of
// pair-top.ts instead of fully sorted lists: the same steps (the strict pair
// against the rival of LB, then rounds against the rival needing the most
// flips, then putting back the flips not needed), with the attacked labels
// kept as a short list of relabelled candidates and the scores checked by
// rescore()'s compensated sums of the clean labels continued over the moved
// weights. Those sums hold the same terms as a fresh rescore() plus the moved
// ones twice (in and out), so their error is a few ulps of the score plus
// about N·u² of the magnitudes that went through them. Two things make the
// check as safe as a fresh rescore(): a class left with no nonzero weight
// scores exactly 0 with Σ|β| = 0 (as a fresh sum would, rather than a residue
// of cancelled terms), and a win must also clear MOVED_FLOOR·Σ|β|, far above
// that second error term (it matters only when both classes' weights are
// below 10⁻¹³ of the total).
//
// The attacked scores are kept sparse: ws.trial/trialAbs/trialCount/trialGrp
// hold the clean labels' values (initTrial, once per point) except for the
// classes some move touched (ws.dirty*), which are restored before the next
// evaluation; classes nobody touched are compared in the order of their key
// F_j + eps·A_j, and only until the key is so far below the target that every
// later class is clearly beaten (CUT_MARGIN·Σ|β| far above the rounding of
// the comparison). So an attack costs time for the classes near the target,
// not for all C.
//
// Every count walks the gains ≥ tau, which the candidates hold whatever the
// labels are; a walk that needs more answers WALK_SHORT, and so does the blunt
// last resort of attack.ts: the caller then runs the full attack.

import { Workspace } from './workspace';
import { sortPairsDesc } from './select';
import { CERT_EPS, UNREACHABLE, beatsClearly, passes, thresholdOf } from './band';
import { WALK_MORE, WALK_NONE, WALK_SHORT, cgStartOf, pairTotal, walk } from './pair-top';
import { harder } from './attack';
import { moveScore } from './lists';

/** Relative margin of the O(1) unreachability test (as vote-costs.ts's shortcuts). */
const SHORTCUT_MARGIN: f64 = 1e-8;
/** Absolute floor of a win, relative to Σ|β| (2⁻⁸⁰ ≈ 8·10⁻²⁵ > 3·10⁷·u²). */
const MOVED_FLOOR: f64 = 8.271806125530277e-25;
/** Margin of the key-order cut, relative to Σ|β| (far above a few ulps of it, and above MOVED_FLOOR). */
const CUT_MARGIN: f64 = 1e-13;
/** topAttack's answer when the full attack must run. */
export const TOP_FAILED: i32 = -1;

/**
 * Attacks the point (candidates selected, clean labels) so that it votes
 * `target`, first against `rival` (−1: none); returns the number of labels
 * changed, or TOP_FAILED. Leaves ws.curLab clean.
 */
export function topAttack(ws: Workspace, row: usize, target: i32, rival: i32): i32 {
  ws.touchedCount = 0;
  if (ws.trialReady == 0) initTrial(ws);
  if (rival >= 0) {
    const first = firstStep(ws, row, target, rival);
    if (first != TOP_FAILED) return first;
    if (ws.walkSum < 0) return TOP_FAILED;
  }
  const result = rounds(ws, row, target);
  undo(ws);
  return result;
}

/**
 * The strict pair against the rival on the clean lists. Returns the pruned
 * size when it wins; otherwise TOP_FAILED, with its flips applied to the
 * attacked labels (ws.walkSum < 0 when the walk was SHORT).
 */
function firstStep(ws: Workspace, row: usize, target: i32, rival: i32): i32 {
  const margin = cleanScore(ws, rival) - cleanScore(ws, target);
  const scale = load<f64>(ws.classAbs + (<usize>rival << 3)) + load<f64>(ws.classAbs + (<usize>target << 3));
  const threshold = thresholdOf(margin, scale, -CERT_EPS);
  ws.walkSum = 0;
  // Zero flips leave the clean vote, which is not target: the rounds go on from there.
  if (passes(0, threshold, false)) return TOP_FAILED;
  if (pairTotal(ws, rival, target) + SHORTCUT_MARGIN * ws.totalAbs < threshold) return TOP_FAILED; // unreachable
  const count = walk(ws, rival, target, threshold, false, UNREACHABLE, true);
  if (count == WALK_SHORT) {
    ws.walkSum = -1;
    return TOP_FAILED;
  }
  if (count <= 0) return TOP_FAILED; // unreachable: attack.ts skips the first step too
  resolveDestinations(ws, row, rival, target, count);
  applyFlips(ws, row, count);
  if (winsClearly(ws, target)) return prune(ws, row, target, count);
  for (let k = 0; k < count; k++) {
    relabel(ws, load<i32>(ws.flipPos + (<usize>k << 2)), load<i32>(ws.flipTo + (<usize>k << 2)));
  }
  return TOP_FAILED;
}

/** attack.ts's rounds on the attacked candidates: each beats the rival needing the most flips. */
function rounds(ws: Workspace, row: usize, target: i32): i32 {
  const count = 2 * ws.classes + 8;
  for (let round = 0; round < count; round++) {
    evaluate(ws, row);
    // A clear win makes target the argmax too (every margin > 0).
    if (winsClearly(ws, target)) return pruneTouched(ws, row, target);
    const rival = hardestRival(ws, row, target);
    if (rival == WALK_SHORT) return TOP_FAILED;
    if (rival < 0) break;
    const s = strictPair(ws, row, rival, target, UNREACHABLE, true);
    if (s == WALK_SHORT) return TOP_FAILED;
    if (s <= 0) break;
    for (let k = 0; k < s; k++) {
      relabel(ws, load<i32>(ws.flipPos + (<usize>k << 2)), load<i32>(ws.flipTo + (<usize>k << 2)));
    }
  }
  return TOP_FAILED; // attack.ts's blunt attack touches every point: the full attack does it
}

// @ts-ignore: decorator
@inline function cleanScore(ws: Workspace, c: i32): f64 {
  return load<f64>(ws.cleanScores + (<usize>c << 3));
}

// @ts-ignore: decorator
@inline function trialOf(ws: Workspace, c: i32): f64 {
  return load<f64>(ws.trial + (<usize>c << 3));
}

// @ts-ignore: decorator
@inline function trialAbsOf(ws: Workspace, c: i32): f64 {
  return load<f64>(ws.trialAbs + (<usize>c << 3));
}

// @ts-ignore: decorator
@inline function candBeta(ws: Workspace, row: usize, pos: i32): f64 {
  return load<f64>(row + (<usize>load<i32>(ws.candIdx + (<usize>pos << 2)) << 3));
}

// @ts-ignore: decorator
@inline function labAt(base: usize, pos: i32): i32 {
  return load<i32>(base + (<usize>pos << 2));
}

/**
 * attack.ts's hardestRival on the attacked labels: the class j ≠ target
 * whose strict pair needs the most flips (lowest index among equals, the rule
 * `harder` both share); −1 when one is unreachable, WALK_SHORT when a count
 * needs more than the candidates. The rest differs on purpose, so it is not
 * shared: attack.ts counts every pair on fully sorted lists in index order;
 * here the counts are walks on the candidates, the classes come touched first,
 * then untouched by key until every later one is clearly beaten, a class
 * already beaten at zero flips is skipped, and a count that cannot exceed the
 * current maximum is only walked up to it.
 */
function hardestRival(ws: Workspace, row: usize, target: i32): i32 {
  let rival = -1;
  let most = -1;
  const ft = trialOf(ws, target);
  const at = trialAbsOf(ws, target);
  const cut = ft - CERT_EPS * at - CUT_MARGIN * ws.totalAbs;
  // The touched classes, then the untouched ones by key until all later are clearly beaten.
  const dirty = ws.dirtyCount;
  for (let k = 0; k < dirty + ws.classes; k++) {
    let j: i32;
    if (k < dirty) {
      j = labAt(ws.dirtyCls, k);
    } else {
      const o = k - dirty;
      if (load<f64>(ws.orderVals + (<usize>o << 3)) < cut) break;
      j = labAt(ws.order, o);
      if (labAt(ws.dirtyMark, j) != 0) continue;
    }
    if (j == target) continue;
    // strictPair's zero test, inline: a class target already beats clearly
    // has count 0, never the maximum (some class is not beaten: the attack has not won).
    if (passes(0, thresholdOf(trialOf(ws, j) - ft, trialAbsOf(ws, j) + at, -CERT_EPS), false)) continue;
    let s = strictPair(ws, row, j, target, most < 0 ? UNREACHABLE : most, false);
    if (s == WALK_MORE) s = strictPair(ws, row, j, target, UNREACHABLE, false);
    if (s == WALK_SHORT) return WALK_SHORT;
    if (s == UNREACHABLE) return -1;
    if (harder(s, j, most, rival)) {
      most = s;
      rival = j;
    }
  }
  return rival;
}

/**
 * Fewest flips for t to overtake b on the attacked labels under the strict
 * rule (pair.ts's pairFlips(ws, b, t, −CERT_EPS, 0)): 0, a count, UNREACHABLE,
 * WALK_MORE (above cap) or WALK_SHORT; ws.trial/trialAbs/trialGrp must hold the
 * attacked labels' sums (evaluate). With `record`, the flips go to ws.flip*.
 */
function strictPair(ws: Workspace, row: usize, b: i32, t: i32, cap: i32, record: bool): i32 {
  const margin = trialOf(ws, b) - trialOf(ws, t);
  const scale = trialAbsOf(ws, b) + trialAbsOf(ws, t);
  const threshold = thresholdOf(margin, scale, -CERT_EPS);
  if (passes(0, threshold, false)) return 0;
  const classes = ws.classes;
  const others = ws.totalAbs - trialAbsOf(ws, b) - trialAbsOf(ws, t);
  const total =
    Math.max(others, 0) +
    2 * (load<f64>(ws.trialGrp + (<usize>b << 3)) + load<f64>(ws.trialGrp + (<usize>(classes + t) << 3)));
  if (total + SHORTCUT_MARGIN * ws.totalAbs < threshold) return UNREACHABLE;
  const s = walkTouched(ws, row, b, t, threshold, cap, record);
  return s == WALK_NONE ? UNREACHABLE : s;
}

// Cursors of walkTouched's doubled sources: a clean group's list and the touched list.
let gCur: i32 = 0;
let tCur: i32 = 0;

/**
 * Next position (ascending) at or after the cursors of the entries now
 * labelled `cls` with β of the given sign: from the clean group list
 * (candidates still labelled cls) and from the touched list (candidates moved
 * into cls); advances the cursors past skipped entries, not past the answer.
 * −1 when none is left.
 */
function nextDoubled(ws: Workspace, row: usize, cls: i32, positive: bool, gEnd: i32): i32 {
  while (gCur < gEnd && labAt(ws.curLab, labAt(ws.cgPos, gCur)) != cls) gCur++;
  while (tCur < ws.touchedCount) {
    const pos = labAt(ws.touched, tCur);
    if (labAt(ws.curLab, pos) == cls && labAt(ws.candLab, pos) != cls && (candBeta(ws, row, pos) > 0) == positive) break;
    tCur++;
  }
  const pg = gCur < gEnd ? labAt(ws.cgPos, gCur) : -1;
  const pt = tCur < ws.touchedCount ? labAt(ws.touched, tCur) : -1;
  if (pg < 0) return pt;
  if (pt < 0) return pg;
  return min(pg, pt);
}

/** Steps past position `pos` (just taken) in whichever cursor holds it. */
function stepDoubled(ws: Workspace, pos: i32, gEnd: i32): void {
  if (gCur < gEnd && labAt(ws.cgPos, gCur) == pos) gCur++;
  else tCur++;
}

/** pair-top.ts's walk on the attacked labels (ws.curLab). */
function walkTouched(ws: Workspace, row: usize, b: i32, t: i32, threshold: f64, cap: i32, record: bool): i32 {
  const classes = ws.classes;
  const g1 = cgStartOf(ws, b);
  const e1 = cgStartOf(ws, b + 1);
  const g2 = cgStartOf(ws, classes + t);
  const e2 = cgStartOf(ws, classes + t + 1);
  let c1g = g1;
  let c1t = 0;
  let c2g = g2;
  let c2t = 0;
  const absCount = ws.absCount;
  let io = nextOtherNow(ws, 0, absCount, b, t);
  let sum: f64 = 0;
  let comp: f64 = 0;
  let count = 0;
  while (true) {
    if (count >= cap) return WALK_MORE;
    gCur = c1g; tCur = c1t;
    const p1 = nextDoubled(ws, row, b, true, e1);
    c1g = gCur; c1t = tCur;
    gCur = c2g; tCur = c2t;
    const p2 = nextDoubled(ws, row, t, false, e2);
    c2g = gCur; c2t = tCur;
    const v1 = p1 >= 0 ? 2 * load<f64>(ws.candVals + (<usize>p1 << 3)) : -1.0;
    const v2 = p2 >= 0 ? 2 * load<f64>(ws.candVals + (<usize>p2 << 3)) : -1.0;
    const vo = io < absCount ? load<f64>(ws.candVals + (<usize>io << 3)) : -1.0;
    let g: f64;
    let pos: i32;
    let to: i32;
    if (v1 >= v2 && v1 >= vo) {
      if (v1 < 0) return ws.complete != 0 ? WALK_NONE : WALK_SHORT;
      g = v1;
      pos = p1;
      to = t;
      gCur = c1g; tCur = c1t;
      stepDoubled(ws, p1, e1);
      c1g = gCur; c1t = tCur;
    } else if (v2 >= vo) {
      g = v2;
      pos = p2;
      to = b;
      gCur = c2g; tCur = c2t;
      stepDoubled(ws, p2, e2);
      c2g = gCur; c2t = tCur;
    } else {
      g = vo;
      pos = io;
      to = candBeta(ws, row, io) > 0 ? t : b;
      io = nextOtherNow(ws, io + 1, absCount, b, t);
    }
    if (record) {
      store<i32>(ws.flipPos + (<usize>count << 2), pos);
      store<i32>(ws.flipTo + (<usize>count << 2), to);
    }
    const u = sum + g;
    comp += Math.abs(sum) >= g ? sum - u + g : g - u + sum;
    sum = u;
    count++;
    if (passes(sum + comp, threshold, false)) return count;
  }
  return WALK_NONE;
}

/** First candidate position ≥ k (below end) now labelled neither b nor t. */
// @ts-ignore: decorator
@inline function nextOtherNow(ws: Workspace, k: i32, end: i32, b: i32, t: i32): i32 {
  while (k < end) {
    const y = labAt(ws.curLab, k);
    if (y != b && y != t) break;
    k++;
  }
  return k;
}

/** Sets the attacked label of candidate `pos`, keeping ws.touched sorted and free of repeats. */
function relabel(ws: Workspace, pos: i32, to: i32): void {
  store<i32>(ws.curLab + (<usize>pos << 2), to);
  let lo = 0;
  let hi = ws.touchedCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (labAt(ws.touched, mid) < pos) lo = mid + 1;
    else hi = mid;
  }
  if (lo < ws.touchedCount && labAt(ws.touched, lo) == pos) return;
  for (let k = ws.touchedCount; k > lo; k--) store<i32>(ws.touched + (<usize>k << 2), labAt(ws.touched, k - 1));
  store<i32>(ws.touched + (<usize>lo << 2), pos);
  ws.touchedCount++;
}

/** Restores the clean labels of the touched candidates. */
function undo(ws: Workspace): void {
  for (let k = 0; k < ws.touchedCount; k++) {
    const pos = labAt(ws.touched, k);
    store<i32>(ws.curLab + (<usize>pos << 2), labAt(ws.candLab, pos));
  }
  ws.touchedCount = 0;
}

/** Scores of the attacked labels into ws.trial/trialAbs/trialCount/trialGrp (rescore()'s sums, continued). */
function evaluate(ws: Workspace, row: usize): void {
  restoreTrial(ws);
  for (let k = 0; k < ws.touchedCount; k++) {
    const pos = labAt(ws.touched, k);
    const to = labAt(ws.curLab, pos);
    const from = labAt(ws.candLab, pos);
    if (to != from) move(ws, candBeta(ws, row, pos), from, to);
  }
  finishTrial(ws);
}

/** The number of touched candidates whose label differs from the clean one. */
function changed(ws: Workspace): i32 {
  let count = 0;
  for (let k = 0; k < ws.touchedCount; k++) {
    const pos = labAt(ws.touched, k);
    if (labAt(ws.curLab, pos) != labAt(ws.candLab, pos)) count++;
  }
  return count;
}

/** attack.ts's pruned() on the touched candidates (ws.trial holds the winning attack). */
function pruneTouched(ws: Workspace, row: usize, target: i32): i32 {
  const n = ws.touchedCount;
  for (let k = 0; k < n; k++) store<i32>(ws.touchedBak + (<usize>k << 2), labAt(ws.curLab, labAt(ws.touched, k)));
  let putBack = false;
  let moved: f64 = 0;
  for (let k = 0; k < n; k++) moved += Math.abs(candBeta(ws, row, labAt(ws.touched, k)));
  closeClasses(ws, target, moved);
  // Smallest |β| first: the highest candidate positions.
  for (let k = n - 1; k >= 0; k--) {
    const pos = labAt(ws.touched, k);
    const now = labAt(ws.curLab, pos);
    const was = labAt(ws.candLab, pos);
    if (now == was) continue;
    const x = candBeta(ws, row, pos);
    moveScore(ws, x, now, was);
    if (votesClearlyClose(ws, target)) {
      store<i32>(ws.curLab + (<usize>pos << 2), was);
      putBack = true;
    } else {
      moveScore(ws, x, was, now);
    }
  }
  if (putBack) {
    evaluate(ws, row);
    if (!winsClearly(ws, target)) {
      for (let k = 0; k < n; k++) store<i32>(ws.curLab + (<usize>labAt(ws.touched, k) << 2), labAt(ws.touchedBak, k));
    }
  }
  return changed(ws);
}

/** Others' flips go to target when β > 0, to the rival when β < 0 (pair.ts's emitFlips). */
function resolveDestinations(ws: Workspace, row: usize, rival: i32, target: i32, count: i32): void {
  for (let k = 0; k < count; k++) {
    const tp = ws.flipTo + (<usize>k << 2);
    if (load<i32>(tp) >= 0) continue;
    store<i32>(tp, candBeta(ws, row, labAt(ws.flipPos, k)) > 0 ? target : rival);
  }
}

/**
 * Per point, before its first attack: ws.trial/trialAbs/trialCount/trialGrp
 * hold the clean labels' values (the scores as rescore() leaves them; a class
 * without nonzero weights scores exactly 0), and ws.order/orderVals the
 * classes by descending key F_j + eps·A_j.
 */
export function initTrial(ws: Workspace): void {
  const classes = ws.classes;
  for (let c = 0; c < classes; c++) {
    const off = <usize>c << 3;
    const empty = load<i32>(ws.classCount + (<usize>c << 2)) == 0;
    const f = empty ? 0 : load<f64>(ws.cleanSum + off) + load<f64>(ws.cleanComp + off);
    const a = empty ? 0 : load<f64>(ws.classAbs + off);
    store<f64>(ws.cleanFinal + off, f);
    store<f64>(ws.trial + off, f);
    store<f64>(ws.trialAbs + off, a);
    store<i32>(ws.trialCount + (<usize>c << 2), load<i32>(ws.classCount + (<usize>c << 2)));
    store<i32>(ws.dirtyMark + (<usize>c << 2), 0);
    store<f64>(ws.orderVals + off, f + CERT_EPS * a);
    store<i32>(ws.order + (<usize>c << 2), c);
  }
  memory.copy(ws.trialGrp, ws.grpTotal, <usize>(2 * classes) << 3);
  sortPairsDesc(ws.orderVals, ws.order, classes);
  ws.dirtyCount = 0;
  ws.trialReady = 1;
}

/** Puts the touched classes back to their clean values. */
function restoreTrial(ws: Workspace): void {
  const classes = ws.classes;
  for (let k = 0; k < ws.dirtyCount; k++) {
    const c = labAt(ws.dirtyCls, k);
    const off = <usize>c << 3;
    const empty = load<i32>(ws.classCount + (<usize>c << 2)) == 0;
    store<f64>(ws.trial + off, load<f64>(ws.cleanFinal + off));
    store<f64>(ws.trialAbs + off, empty ? 0 : load<f64>(ws.classAbs + off));
    store<i32>(ws.trialCount + (<usize>c << 2), load<i32>(ws.classCount + (<usize>c << 2)));
    store<f64>(ws.trialGrp + off, load<f64>(ws.grpTotal + off));
    store<f64>(ws.trialGrp + (<usize>(classes + c) << 3), load<f64>(ws.grpTotal + (<usize>(classes + c) << 3)));
    store<i32>(ws.dirtyMark + (<usize>c << 2), 0);
  }
  ws.dirtyCount = 0;
}

/** Marks class c touched; the first time, its score restarts from rescore()'s unfinished clean state. */
function touchClass(ws: Workspace, c: i32): void {
  if (labAt(ws.dirtyMark, c) != 0) return;
  store<i32>(ws.dirtyMark + (<usize>c << 2), 1);
  store<i32>(ws.dirtyCls + (<usize>ws.dirtyCount << 2), c);
  ws.dirtyCount++;
  const off = <usize>c << 3;
  store<f64>(ws.trial + off, load<f64>(ws.cleanSum + off));
  store<f64>(ws.trialComp + off, load<f64>(ws.cleanComp + off));
  store<f64>(ws.trialAbs + off, load<f64>(ws.classAbs + off));
}

/**
 * Adds the compensation terms of the touched classes: ws.trial then holds the
 * scores, as rescore() leaves them; a class without nonzero weights scores exactly 0.
 */
function finishTrial(ws: Workspace): void {
  for (let k = 0; k < ws.dirtyCount; k++) {
    const c = labAt(ws.dirtyCls, k);
    const off = <usize>c << 3;
    if (load<i32>(ws.trialCount + (<usize>c << 2)) == 0) {
      store<f64>(ws.trial + off, 0);
      store<f64>(ws.trialAbs + off, 0);
    } else {
      store<f64>(ws.trial + off, load<f64>(ws.trial + off) + load<f64>(ws.trialComp + off));
    }
  }
}

/**
 * votesClearly, and every margin also above MOVED_FLOOR·Σ|β| (see the file
 * comment): the touched classes, then the untouched ones by key until the
 * rest are clearly beaten.
 */
function winsClearly(ws: Workspace, target: i32): bool {
  const floor = MOVED_FLOOR * ws.totalAbs;
  const ft = trialOf(ws, target);
  for (let k = 0; k < ws.dirtyCount; k++) {
    const j = labAt(ws.dirtyCls, k);
    if (j != target && !beatsWithFloor(ws, target, j, ft, floor)) return false;
  }
  const cut = ft - CERT_EPS * trialAbsOf(ws, target) - CUT_MARGIN * ws.totalAbs;
  for (let o = 0; o < ws.classes; o++) {
    if (load<f64>(ws.orderVals + (<usize>o << 3)) < cut) break;
    const j = labAt(ws.order, o);
    if (j == target || labAt(ws.dirtyMark, j) != 0) continue;
    if (!beatsWithFloor(ws, target, j, ft, floor)) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline function beatsWithFloor(ws: Workspace, target: i32, j: i32, ft: f64, floor: f64): bool {
  return beatsClearly(ws, target, j, CERT_EPS) && ft - trialOf(ws, j) > floor;
}

/** Moves nonzero weight x from class `from` to `to`: compensated sums, Σ|β|, counts and group totals of the attacked labels. */
function move(ws: Workspace, x: f64, from: i32, to: i32): void {
  touchClass(ws, from);
  touchClass(ws, to);
  addComp(ws, from, -x);
  addComp(ws, to, x);
  const cf = ws.trialCount + (<usize>from << 2);
  const ct = ws.trialCount + (<usize>to << 2);
  store<i32>(cf, load<i32>(cf) - 1);
  store<i32>(ct, load<i32>(ct) + 1);
  const a = Math.abs(x);
  const fp = ws.trialAbs + (<usize>from << 3);
  const tp = ws.trialAbs + (<usize>to << 3);
  store<f64>(fp, load<f64>(fp) - a);
  store<f64>(tp, load<f64>(tp) + a);
  const classes = ws.classes;
  const gf = ws.trialGrp + (<usize>(x > 0 ? from : classes + from) << 3);
  const gt = ws.trialGrp + (<usize>(x > 0 ? to : classes + to) << 3);
  store<f64>(gf, load<f64>(gf) - a);
  store<f64>(gt, load<f64>(gt) + a);
}

/**
 * ws.trial/trialAbs for the clean labels with the recorded first-step flips
 * applied (except those put back, marked by a negative destination).
 */
function applyFlips(ws: Workspace, row: usize, count: i32): void {
  restoreTrial(ws);
  for (let k = 0; k < count; k++) {
    const to = labAt(ws.flipTo, k);
    if (to < 0) continue;
    move(ws, candBeta(ws, row, labAt(ws.flipPos, k)), labAt(ws.flipFrom, k), to);
  }
  finishTrial(ws);
}

// @ts-ignore: decorator
@inline function addComp(ws: Workspace, c: i32, x: f64): void {
  const off = <usize>c << 3;
  const s = load<f64>(ws.trial + off);
  const t = s + x;
  const comp = Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
  store<f64>(ws.trial + off, t);
  store<f64>(ws.trialComp + off, load<f64>(ws.trialComp + off) + comp);
}

/**
 * attack.ts's pruned() on the first step's flips: smallest |β| first
 * (highest candidate position), each put back when the incrementally updated
 * scores still vote target clearly; the result is checked again from the
 * clean state, and if rounding made that fail, every flip is kept.
 */
function prune(ws: Workspace, row: usize, target: i32, count: i32): i32 {
  sortFlipsByPosition(ws, count);
  let moved: f64 = 0;
  for (let k = 0; k < count; k++) moved += Math.abs(candBeta(ws, row, labAt(ws.flipPos, k)));
  closeClasses(ws, target, moved);
  let kept = count;
  for (let k = 0; k < count; k++) {
    const x = candBeta(ws, row, labAt(ws.flipPos, k));
    const now = labAt(ws.flipTo, k);
    const was = labAt(ws.flipFrom, k);
    moveScore(ws, x, now, was);
    if (votesClearlyClose(ws, target)) {
      store<i32>(ws.flipTo + (<usize>k << 2), -1 - now); // put back
      kept--;
    } else {
      moveScore(ws, x, was, now);
    }
  }
  if (kept == count) return count;
  applyFlips(ws, row, count);
  if (winsClearly(ws, target)) return kept;
  return count; // rounding disagreed: the unpruned attack, already verified, stands
}

/**
 * The classes a pruning pass must compare target with: ws.trial holds a
 * winning attack, and putting flips back moves at most `moved` (Σ|β| of the
 * flips) into or out of any class. A class no flip touched whose key is below
 * F_t − eps·A_t − (1 + eps)·moved − CUT_MARGIN·Σ|β| stays clearly beaten
 * throughout, so votesClearly over the rest (votesClearlyClose) gives the
 * same answer. The rest: the touched classes and the untouched ones above that.
 */
function closeClasses(ws: Workspace, target: i32, moved: f64): void {
  const cut = trialOf(ws, target) - CERT_EPS * trialAbsOf(ws, target) - (1 + CERT_EPS) * moved - CUT_MARGIN * ws.totalAbs;
  let count = 0;
  for (let k = 0; k < ws.dirtyCount; k++) {
    const j = labAt(ws.dirtyCls, k);
    if (j == target) continue;
    store<i32>(ws.close + (<usize>count << 2), j);
    count++;
  }
  for (let o = 0; o < ws.classes; o++) {
    if (load<f64>(ws.orderVals + (<usize>o << 3)) < cut) break;
    const j = labAt(ws.order, o);
    if (j == target || labAt(ws.dirtyMark, j) != 0) continue;
    store<i32>(ws.close + (<usize>count << 2), j);
    count++;
  }
  ws.closeCount = count;
}

/** votesClearly(ws, target, CERT_EPS) over the close set (see closeClasses). */
function votesClearlyClose(ws: Workspace, target: i32): bool {
  for (let k = 0; k < ws.closeCount; k++) {
    if (!beatsClearly(ws, target, labAt(ws.close, k), CERT_EPS)) return false;
  }
  return true;
}

/** Orders the recorded flips by candidate position, descending (insertion sort: attacks are short). */
function sortFlipsByPosition(ws: Workspace, count: i32): void {
  for (let k = 1; k < count; k++) {
    const pos = labAt(ws.flipPos, k);
    const from = labAt(ws.flipFrom, k);
    const to = labAt(ws.flipTo, k);
    let j = k - 1;
    while (j >= 0 && labAt(ws.flipPos, j) < pos) {
      store<i32>(ws.flipPos + (<usize>(j + 1) << 2), labAt(ws.flipPos, j));
      store<i32>(ws.flipFrom + (<usize>(j + 1) << 2), labAt(ws.flipFrom, j));
      store<i32>(ws.flipTo + (<usize>(j + 1) << 2), labAt(ws.flipTo, j));
      j--;
    }
    store<i32>(ws.flipPos + (<usize>(j + 1) << 2), pos);
    store<i32>(ws.flipFrom + (<usize>(j + 1) << 2), from);
    store<i32>(ws.flipTo + (<usize>(j + 1) << 2), to);
  }
}
