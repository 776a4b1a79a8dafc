// The class scores of the attacked labels while attack-top.ts attacks the
// candidates (docs/spec.md §5.5, §7.2): ws.trial/trialAbs hold rescore()'s
// compensated sums of the clean labels continued over the moved weights, with
// ws.trialCount (nonzero weights) and ws.trialGrp (Σ|β| per (class, sign)
// group) beside them. Those sums hold the same terms as a fresh rescore() plus
// the moved ones twice (in and out), so their error is a few ulps of the score
// plus about N·u² of the magnitudes that went through them. Two things make
// the check as safe as a fresh rescore(): a class left with no nonzero weight
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

import { CERT_EPS, beatsClearly } from './band';
import { addToTrial } from './lists';
import { candBeta, labAt } from './pair-top';
import { sortPairsDesc } from './select';
import { Workspace, groupOf } from './workspace';

/** Absolute floor of a win, relative to Σ|β| (2⁻⁸⁰ ≈ 8·10⁻²⁵ > 3·10⁷·u²). */
const MOVED_FLOOR: f64 = 8.271806125530277e-25;

/** Margin of the key-order cut, relative to Σ|β| (far above a few ulps of it, and above MOVED_FLOOR). */
const CUT_MARGIN: f64 = 1e-13;

/** nearClass's answers besides a class. */
export const NEAR_END: i32 = -1; // no class left to compare
export const NEAR_SKIP: i32 = -2; // a touched class, met again in the key order

/**
 * The k-th class to compare with target in the sparse order: the touched
 * classes first (k < ws.dirtyCount), then the untouched ones by descending
 * key F_j + eps·A_j while the key is ≥ `cut`. Every class never visited is
 * untouched with a key below the cut. Used by winsClearly, closeClasses and
 * attack-top.ts's hardestRival.
 */
// @ts-ignore: decorator
@inline export function nearClass(ws: Workspace, k: i32, cut: f64): i32 {
  const dirty = ws.dirtyCount;
  if (k < dirty) return labAt(ws.dirtyCls, k);
  const o = k - dirty;
  if (o >= ws.classes || load<f64>(ws.orderVals + (<usize>o << 3)) < cut) return NEAR_END;
  const j = labAt(ws.order, o);
  return labAt(ws.dirtyMark, j) != 0 ? NEAR_SKIP : j;
}

/**
 * F_t − eps·A_t − CUT_MARGIN·Σ|β| for the attacked scores: an untouched class
 * whose key is below it is clearly beaten by target (winsClearly, and
 * attack-top.ts's hardestRival: its count is 0).
 */
// @ts-ignore: decorator
@inline export function keyCut(ws: Workspace, target: i32): f64 {
  return trialOf(ws, target) - CERT_EPS * trialAbsOf(ws, target) - CUT_MARGIN * ws.totalAbs;
}

// @ts-ignore: decorator
@inline export function trialOf(ws: Workspace, c: i32): f64 {
  return load<f64>(ws.trial + (<usize>c << 3));
}

// @ts-ignore: decorator
@inline export function trialAbsOf(ws: Workspace, c: i32): f64 {
  return load<f64>(ws.trialAbs + (<usize>c << 3));
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
    cleanClass(ws, c);
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
    cleanClass(ws, c);
    const off = <usize>c << 3;
    store<f64>(ws.trialGrp + off, load<f64>(ws.grpTotal + off));
    store<f64>(ws.trialGrp + (<usize>(classes + c) << 3), load<f64>(ws.grpTotal + (<usize>(classes + c) << 3)));
  }
  ws.dirtyCount = 0;
}

/**
 * Class c's clean values (initTrial stored its score in ws.cleanFinal):
 * ws.trial, ws.trialAbs (0 for a class without nonzero weights), ws.trialCount,
 * and not touched.
 */
function cleanClass(ws: Workspace, c: i32): void {
  const off = <usize>c << 3;
  const empty = load<i32>(ws.classCount + (<usize>c << 2)) == 0;
  store<f64>(ws.trial + off, load<f64>(ws.cleanFinal + off));
  store<f64>(ws.trialAbs + off, empty ? 0 : load<f64>(ws.classAbs + off));
  store<i32>(ws.trialCount + (<usize>c << 2), load<i32>(ws.classCount + (<usize>c << 2)));
  store<i32>(ws.dirtyMark + (<usize>c << 2), 0);
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

/** Moves nonzero weight x from class `from` to `to`: compensated sums, Σ|β|, counts and group totals of the attacked labels. */
function move(ws: Workspace, x: f64, from: i32, to: i32): void {
  touchClass(ws, from);
  touchClass(ws, to);
  addToTrial(ws, from, -x);
  addToTrial(ws, to, x);
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
  const gf = ws.trialGrp + (<usize>groupOf(classes, from, x) << 3);
  const gt = ws.trialGrp + (<usize>groupOf(classes, to, x) << 3);
  store<f64>(gf, load<f64>(gf) - a);
  store<f64>(gt, load<f64>(gt) + a);
}

/** Scores of the attacked labels into ws.trial/trialAbs/trialCount/trialGrp (rescore()'s sums, continued). */
export function evaluate(ws: Workspace, row: usize): void {
  restoreTrial(ws);
  for (let k = 0; k < ws.touchedCount; k++) {
    const pos = labAt(ws.touched, k);
    const to = labAt(ws.curLab, pos);
    const from = labAt(ws.candLab, pos);
    if (to != from) move(ws, candBeta(ws, row, pos), from, to);
  }
  finishTrial(ws);
}

/**
 * ws.trial/trialAbs for the clean labels with the recorded first-step flips
 * applied (except those put back, marked by a negative destination).
 */
export function applyFlips(ws: Workspace, row: usize, count: i32): void {
  restoreTrial(ws);
  for (let k = 0; k < count; k++) {
    const to = labAt(ws.flipTo, k);
    if (to < 0) continue;
    move(ws, candBeta(ws, row, labAt(ws.flipPos, k)), labAt(ws.flipFrom, k), to);
  }
  finishTrial(ws);
}

/**
 * votesClearly, and every margin also above MOVED_FLOOR·Σ|β| (see the file
 * comment): the touched classes, then the untouched ones by key until the
 * rest are clearly beaten.
 */
export function winsClearly(ws: Workspace, target: i32): bool {
  const floor = MOVED_FLOOR * ws.totalAbs;
  const ft = trialOf(ws, target);
  const cut = keyCut(ws, target);
  for (let k = 0; ; k++) {
    const j = nearClass(ws, k, cut);
    if (j == NEAR_END) return true;
    if (j != NEAR_SKIP && j != target && !beatsWithFloor(ws, target, j, ft, floor)) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline function beatsWithFloor(ws: Workspace, target: i32, j: i32, ft: f64, floor: f64): bool {
  return beatsClearly(ws, target, j, CERT_EPS) && ft - trialOf(ws, j) > floor;
}

/**
 * The classes a pruning pass must compare target with: ws.trial holds a
 * winning attack, and putting its `count` flips (the candidates at
 * `positions`) back moves at most `moved` (their Σ|β|) into or out of any class. A class no flip touched whose key is below
 * F_t − eps·A_t − (1 + eps)·moved − CUT_MARGIN·Σ|β| stays clearly beaten
 * throughout, so votesClearly over the rest (votesClearlyClose) gives the
 * same answer. The rest: the touched classes and the untouched ones above that.
 */
export function closeClasses(ws: Workspace, row: usize, target: i32, positions: usize, count: i32): void {
  let moved: f64 = 0;
  for (let k = 0; k < count; k++) moved += Math.abs(candBeta(ws, row, labAt(positions, k)));
  const cut = trialOf(ws, target) - CERT_EPS * trialAbsOf(ws, target) - (1 + CERT_EPS) * moved - CUT_MARGIN * ws.totalAbs;
  let close = 0;
  for (let k = 0; ; k++) {
    const j = nearClass(ws, k, cut);
    if (j == NEAR_END) break;
    if (j == NEAR_SKIP || j == target) continue;
    store<i32>(ws.close + (<usize>close << 2), j);
    close++;
  }
  ws.closeCount = close;
}

/** votesClearly(ws, target, CERT_EPS) over the close set (see closeClasses). */
export function votesClearlyClose(ws: Workspace, target: i32): bool {
  for (let k = 0; k < ws.closeCount; k++) {
    if (!beatsClearly(ws, target, labAt(ws.close, k), CERT_EPS)) return false;
  }
  return true;
}
