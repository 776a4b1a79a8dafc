// The attack behind UB(l) (attack.ts, docs/spec.md §5.5) on the candidates of
// pair-top.ts instead of fully sorted lists: the same steps (the strict pair
// against the rival of LB, then rounds against the rival needing the most
// flips, then putting back the flips not needed), with the attacked labels
// kept as a short list of relabelled candidates (ws.curLab, ws.touched) and
// their class scores kept sparse by trial-scores.ts (rescore()'s compensated
// sums of the clean labels continued over the moved weights, compared only
// for the classes near the target).
//
// Every count walks the gains ≥ tau, which the candidates hold whatever the
// labels are; a walk that needs more answers WALK_SHORT, and so does the blunt
// last resort of attack.ts: the caller then runs the full attack.

import { harder } from './attack';
import { CERT_EPS, UNREACHABLE, overtakesAtZero, passes, sumError, thresholdOf } from './band';
import { moveScore } from './lists';
import {
  SHORTCUT_MARGIN, WALK_MORE, WALK_NONE, WALK_SHORT, candBeta, cgStartOf, cleanScale, cleanScoreOf, labAt, nextOther,
  pairTotal, pairTotalOf, walk,
} from './pair-top';
import {
  NEAR_END, NEAR_SKIP, applyFlips, closeClasses, evaluate, initTrial, keyCut, nearClass, trialAbsOf, trialOf,
  votesClearlyClose, winsClearly,
} from './trial-scores';
import { Workspace } from './workspace';

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
  const margin = cleanScoreOf(ws, rival) - cleanScoreOf(ws, target);
  const scale = cleanScale(ws, rival, target);
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
  const cut = keyCut(ws, target);
  // The touched classes, then the untouched ones by key until all later are clearly beaten.
  for (let k = 0; ; k++) {
    const j = nearClass(ws, k, cut);
    if (j == NEAR_END) break;
    if (j == NEAR_SKIP || j == target) continue;
    // strictPair's zero test, inline: a class target already beats clearly
    // has count 0, never the maximum (some class is not beaten: the attack has not won).
    if (overtakesAtZero(j, target, trialOf(ws, j) - ft, trialAbsOf(ws, j) + at, -CERT_EPS)) continue;
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
  const total = pairTotalOf(ws, ws.trialAbs, ws.trialGrp, b, t);
  if (total + SHORTCUT_MARGIN * ws.totalAbs < threshold) return UNREACHABLE;
  const s = walkTouched(ws, row, b, t, threshold, cap, record);
  return s == WALK_NONE ? UNREACHABLE : s;
}

// A doubled source of walkTouched (2β⁺ of b, 2|β⁻| of t) is the entries now
// labelled `cls` with β of one sign, ascending by candidate position: those of
// the clean group still labelled cls (cursor g into ws.cgPos) merged with the
// touched candidates moved into cls (cursor k into ws.touched).

/** First clean-group index ≥ g (below gEnd) whose candidate is still labelled cls. */
// @ts-ignore: decorator
@inline function stillIn(ws: Workspace, g: i32, gEnd: i32, cls: i32): i32 {
  while (g < gEnd && labAt(ws.curLab, labAt(ws.cgPos, g)) != cls) g++;
  return g;
}

/** First touched index ≥ k whose candidate was moved into cls and has β of the given sign. */
// @ts-ignore: decorator
@inline function movedIn(ws: Workspace, row: usize, k: i32, cls: i32, positive: bool): i32 {
  while (k < ws.touchedCount) {
    const pos = labAt(ws.touched, k);
    if (labAt(ws.curLab, pos) == cls && labAt(ws.candLab, pos) != cls && (candBeta(ws, row, pos) > 0) == positive) break;
    k++;
  }
  return k;
}

/** The source's next candidate position: the lower of the two cursors', −1 when both ran out. */
// @ts-ignore: decorator
@inline function doubledAt(ws: Workspace, g: i32, gEnd: i32, k: i32): i32 {
  const pg = g < gEnd ? labAt(ws.cgPos, g) : -1;
  const pt = k < ws.touchedCount ? labAt(ws.touched, k) : -1;
  if (pg < 0) return pt;
  if (pt < 0) return pg;
  return min(pg, pt);
}

/** Whether position `pos`, just taken, came from the clean group (else from the touched list). */
// @ts-ignore: decorator
@inline function fromGroup(ws: Workspace, g: i32, gEnd: i32, pos: i32): bool {
  return g < gEnd && labAt(ws.cgPos, g) == pos;
}

/**
 * pair-top.ts's walk on the attacked labels (ws.curLab): the same three
 * sources, ties and compensated sum, under the strict rule. Not shared with
 * walk, which reads the clean groups directly on the lower bounds' hot path:
 * here each doubled source merges its clean group with the touched list, the
 * others skip by the attacked labels, and the flips' destinations are decided
 * as they are taken.
 */
function walkTouched(ws: Workspace, row: usize, b: i32, t: i32, threshold: f64, cap: i32, record: bool): i32 {
  const classes = ws.classes;
  let g1 = cgStartOf(ws, b);
  const e1 = cgStartOf(ws, b + 1);
  let g2 = cgStartOf(ws, classes + t);
  const e2 = cgStartOf(ws, classes + t + 1);
  let k1 = 0;
  let k2 = 0;
  const absCount = ws.absCount;
  let io = nextOther(ws.curLab, 0, absCount, b, t);
  let sum: f64 = 0;
  let comp: f64 = 0;
  let count = 0;
  while (true) {
    if (count >= cap) return WALK_MORE;
    g1 = stillIn(ws, g1, e1, b);
    k1 = movedIn(ws, row, k1, b, true);
    const p1 = doubledAt(ws, g1, e1, k1);
    g2 = stillIn(ws, g2, e2, t);
    k2 = movedIn(ws, row, k2, t, false);
    const p2 = doubledAt(ws, g2, e2, k2);
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
      if (fromGroup(ws, g1, e1, p1)) g1++;
      else k1++;
    } else if (v2 >= vo) {
      g = v2;
      pos = p2;
      to = b;
      if (fromGroup(ws, g2, e2, p2)) g2++;
      else k2++;
    } else {
      g = vo;
      pos = io;
      to = candBeta(ws, row, io) > 0 ? t : b;
      io = nextOther(ws.curLab, io + 1, absCount, b, t);
    }
    if (record) {
      store<i32>(ws.flipPos + (<usize>count << 2), pos);
      store<i32>(ws.flipTo + (<usize>count << 2), to);
    }
    const u = sum + g;
    comp += sumError(sum, g, u);
    sum = u;
    count++;
    if (passes(sum + comp, threshold, false)) return count;
  }
  return WALK_NONE;
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
  closeClasses(ws, row, target, ws.touched, n);
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
 * attack.ts's pruned() on the first step's flips: smallest |β| first
 * (highest candidate position), each put back when the incrementally updated
 * scores still vote target clearly; the result is checked again from the
 * clean state, and if rounding made that fail, every flip is kept.
 */
function prune(ws: Workspace, row: usize, target: i32, count: i32): i32 {
  sortFlipsByPosition(ws, count);
  closeClasses(ws, row, target, ws.flipPos, count);
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
