// The top of the sorted gain lists (docs/spec.md §5.5, "computing the bounds"):
// vote costs are small next to n (tens of flips out of a thousand rows), so a
// pair's count only ever reads the largest gains. Instead of sorting every |β|
// of a test point (lists.ts), this keeps only the candidates |β| ≥ tau/2,
// with tau chosen so that at least K values are ≥ tau: every gain ≥ tau of
// every pair (|β| ≥ tau of the others, 2|β| ≥ tau of the doubled groups) is
// then a candidate, and a pair whose count is reached within them has the
// same count as on the full lists. A pair that runs past them reports SHORT
// and the caller widens the candidates (ultimately to every |β|).
//
// A pair's count is found by walking its three descending gain sources at
// once (the others, 2β⁺ of the base class, 2|β⁻| of the target class), the
// largest gain first, until the compensated running sum passes the threshold:
// O(count) instead of O(log² n). Ties between sources are taken in the order
// of pair.ts's emitFlips (base class, target class, others), so the flip
// set is the same.

import { addCompensated, passes, sumError } from './band';
import { countInGroup, groupStarts, slotInGroup, stableSortDesc } from './select';
import { TOP_BINS, Workspace, groupOf } from './workspace';

/** Walk outcomes besides a count ≥ 1. */
export const WALK_MORE: i32 = -1; // the count exceeds the cap
export const WALK_SHORT: i32 = -2; // the candidates ran out before the count was reached
export const WALK_NONE: i32 = -3; // every gain together does not pass: unreachable

// @ts-ignore: decorator
@inline function binOf(a: f64): i32 {
  return <i32>(reinterpret<u64>(a) >> 50);
}

/**
 * One pass over the point: plain class scores in training order into
 * ws.cleanScores (the same sums as bucket(), so the vote agrees bit for bit), rescore()'s compensated state
 * of the clean labels, Σ|β| per class and per (class, sign) group, and the
 * histogram of nonzero |β| that selectTop() reads.
 */
export function scanPoint(ws: Workspace, beta: usize, labels: usize): void {
  const n = ws.n;
  const classes = ws.classes;
  for (let c = 0; c < classes; c++) {
    const o = <usize>c << 3;
    store<f64>(ws.cleanScores + o, 0);
    store<f64>(ws.cleanSum + o, 0);
    store<f64>(ws.cleanComp + o, 0);
    store<f64>(ws.classAbs + o, 0);
    store<f64>(ws.grpTotal + o, 0);
    store<f64>(ws.grpTotal + (<usize>(classes + c) << 3), 0);
    store<i32>(ws.classCount + (<usize>c << 2), 0);
  }
  let nz = 0;
  let lo = TOP_BINS;
  let hi = -1;
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const y = load<i32>(labels + (<usize>i << 2));
    const x = load<f64>(beta + (<usize>i << 3));
    const off = <usize>y << 3;
    store<f64>(ws.cleanScores + off, load<f64>(ws.cleanScores + off) + x);
    addCompensated(ws.cleanSum + off, ws.cleanComp + off, x);
    const a = Math.abs(x);
    store<f64>(ws.classAbs + off, load<f64>(ws.classAbs + off) + a);
    if (a > 0) {
      const g = groupOf(classes, y, x);
      const gp = ws.grpTotal + (<usize>g << 3);
      store<f64>(gp, load<f64>(gp) + a);
      const np = ws.classCount + (<usize>y << 2);
      store<i32>(np, load<i32>(np) + 1);
      total += a;
      const bin = binOf(a);
      const hp = ws.topHist + (<usize>bin << 2);
      store<i32>(hp, load<i32>(hp) + 1);
      lo = min(lo, bin);
      hi = max(hi, bin);
      nz++;
    }
  }
  ws.nz = nz;
  ws.binLo = lo;
  ws.binHi = hi;
  ws.totalAbs = total;
}

/** Clears the histogram bins scanPoint() filled. */
export function clearHistogram(ws: Workspace): void {
  if (ws.binHi >= ws.binLo) {
    memory.fill(ws.topHist + (<usize>ws.binLo << 2), 0, <usize>(ws.binHi - ws.binLo + 1) << 2);
  }
  ws.binLo = TOP_BINS;
  ws.binHi = -1;
}

/**
 * Candidates for at least `k` values ≥ tau (every nonzero |β| when k ≥ their
 * count): gathered, sorted descending (ties by training index), and grouped by
 * (class, sign) with prefix sums per group.
 */
export function selectTop(ws: Workspace, beta: usize, labels: usize, k: i32): void {
  let tau: f64 = 0;
  if (k < ws.nz) {
    let count = 0;
    for (let bin = ws.binHi; bin >= ws.binLo; bin--) {
      count += load<i32>(ws.topHist + (<usize>bin << 2));
      if (count >= k) {
        tau = reinterpret<f64>(<u64>bin << 50);
        break;
      }
    }
  }
  ws.tau = tau;
  ws.commonT = -1;
  ws.complete = tau == 0 ? 1 : 0;
  const half = tau * 0.5;
  let c = 0;
  for (let i = 0; i < ws.n; i++) {
    const a = Math.abs(load<f64>(beta + (<usize>i << 3)));
    if (a > 0 && a >= half) {
      store<f64>(ws.candTmpV + (<usize>c << 3), a);
      store<i32>(ws.candTmpI + (<usize>c << 2), i);
      c++;
    }
  }
  ws.cand = c;
  stableSortDesc(ws.candTmpV, ws.candTmpI, ws.candVals, ws.candIdx, c);
  let abs = 0;
  while (abs < c && load<f64>(ws.candVals + (<usize>abs << 3)) >= tau) abs++;
  ws.absCount = abs;
  groupCandidates(ws, beta, labels);
}

/** Labels of the candidates, and the candidates grouped by (class, sign) (stable, so each group descends). */
function groupCandidates(ws: Workspace, beta: usize, labels: usize): void {
  const classes = ws.classes;
  const groups = 2 * classes;
  const c = ws.cand;
  memory.fill(ws.cgStart, 0, <usize>(groups + 1) << 2);
  for (let k = 0; k < c; k++) {
    const i = load<i32>(ws.candIdx + (<usize>k << 2));
    const y = load<i32>(labels + (<usize>i << 2));
    store<i32>(ws.candLab + (<usize>k << 2), y);
    store<i32>(ws.curLab + (<usize>k << 2), y);
    countInGroup(ws.cgStart, groupOf(classes, y, load<f64>(beta + (<usize>i << 3))));
  }
  groupStarts(ws.cgStart, ws.cgFill, groups);
  for (let k = 0; k < c; k++) {
    const i = load<i32>(ws.candIdx + (<usize>k << 2));
    const y = load<i32>(ws.candLab + (<usize>k << 2));
    const at = slotInGroup(ws.cgFill, groupOf(classes, y, load<f64>(beta + (<usize>i << 3))));
    store<f64>(ws.cgVals + (<usize>at << 3), load<f64>(ws.candVals + (<usize>k << 3)));
    store<i32>(ws.cgPos + (<usize>at << 2), k);
  }
  for (let g = 0; g < groups; g++) {
    const s = load<i32>(ws.cgStart + (<usize>g << 2));
    const e = load<i32>(ws.cgStart + (<usize>(g + 1) << 2));
    const pre = ws.cgPre + (<usize>(s + g) << 3);
    let sum: f64 = 0;
    store<f64>(pre, 0);
    for (let k = s; k < e; k++) {
      sum += load<f64>(ws.cgVals + (<usize>k << 3));
      store<f64>(pre + (<usize>(k - s + 1) << 3), sum);
    }
  }
}

// @ts-ignore: decorator
@inline export function cgStartOf(ws: Workspace, g: i32): i32 {
  return load<i32>(ws.cgStart + (<usize>g << 2));
}

/** β of candidate `pos` in the test point's row. */
// @ts-ignore: decorator
@inline export function candBeta(ws: Workspace, row: usize, pos: i32): f64 {
  return load<f64>(row + (<usize>load<i32>(ws.candIdx + (<usize>pos << 2)) << 3));
}

/** Entry `pos` of an i32 buffer (labels, candidate positions, classes). */
// @ts-ignore: decorator
@inline export function labAt(base: usize, pos: i32): i32 {
  return load<i32>(base + (<usize>pos << 2));
}

/**
 * The fewest largest gains of the pair (base b, target t) whose sum passes
 * `threshold` (≥ with orEqual), at most `cap` of them: a count ≥ 1, WALK_MORE
 * (more than cap), WALK_SHORT (the candidates ran out) or WALK_NONE (all gains
 * together do not pass). Leaves the sum in ws.walkSum. With `record` the
 * chosen flips go to ws.flipPos/flipFrom/flipTo (b → t for 2β⁺ of b, t → b for
 * 2|β⁻| of t, others to t when β > 0, to b when β < 0).
 */
export function walk(ws: Workspace, b: i32, t: i32, threshold: f64, orEqual: bool, cap: i32, record: bool): i32 {
  const classes = ws.classes;
  let i1 = cgStartOf(ws, b);
  const e1 = cgStartOf(ws, b + 1);
  let i2 = cgStartOf(ws, classes + t);
  const e2 = cgStartOf(ws, classes + t + 1);
  const absCount = ws.absCount;
  let io = nextOther(ws.candLab, 0, absCount, b, t);
  let sum: f64 = 0;
  let comp: f64 = 0;
  let count = 0;
  while (true) {
    if (count >= cap) return WALK_MORE;
    const g1 = i1 < e1 ? 2 * load<f64>(ws.cgVals + (<usize>i1 << 3)) : -1.0;
    const g2 = i2 < e2 ? 2 * load<f64>(ws.cgVals + (<usize>i2 << 3)) : -1.0;
    const go = io < absCount ? load<f64>(ws.candVals + (<usize>io << 3)) : -1.0;
    let g: f64;
    let pos: i32;
    let from: i32;
    let to: i32;
    if (g1 >= g2 && g1 >= go) {
      if (g1 < 0) return ws.complete != 0 ? WALK_NONE : WALK_SHORT;
      g = g1;
      pos = load<i32>(ws.cgPos + (<usize>i1 << 2));
      from = b;
      to = t;
      i1++;
    } else if (g2 >= go) {
      g = g2;
      pos = load<i32>(ws.cgPos + (<usize>i2 << 2));
      from = t;
      to = b;
      i2++;
    } else {
      g = go;
      pos = io;
      from = load<i32>(ws.candLab + (<usize>io << 2));
      to = -1; // decided from the sign of β when recorded
      io = nextOther(ws.candLab, io + 1, absCount, b, t);
    }
    if (record) {
      store<i32>(ws.flipPos + (<usize>count << 2), pos);
      store<i32>(ws.flipFrom + (<usize>count << 2), from);
      store<i32>(ws.flipTo + (<usize>count << 2), to);
    }
    const u = sum + g;
    comp += sumError(sum, g, u);
    sum = u;
    count++;
    const s = sum + comp;
    if (passes(s, threshold, orEqual)) {
      ws.walkSum = s;
      return count;
    }
  }
  return WALK_NONE;
}

/**
 * First candidate position ≥ k (below end) labelled neither b nor t in
 * `labs`: ws.candLab (clean labels) or ws.curLab (attacked, attack-top.ts).
 */
// @ts-ignore: decorator
@inline export function nextOther(labs: usize, k: i32, end: i32, b: i32, t: i32): i32 {
  while (k < end) {
    const y = load<i32>(labs + (<usize>k << 2));
    if (y != b && y != t) break;
    k++;
  }
  return k;
}

/** Relative margin of the O(1) shortcuts: far above the float error of plain sums of ≤ 10⁶ terms. */
export const SHORTCUT_MARGIN: f64 = 1e-8;

/**
 * Sum of every gain of the pair (b, t), from the per-group totals: Σ|β| of the
 * points labelled neither, plus 2Σβ⁺ of b and 2Σ|β⁻| of t, for the labels
 * whose Σ|β| per class is at `abs` and per (class, sign) group at `grp`.
 * Accurate to a few ulps of Σ|β| (plain sums of at most n terms each):
 * callers keep a margin (SHORTCUT_MARGIN·Σ|β|).
 */
export function pairTotalOf(ws: Workspace, abs: usize, grp: usize, b: i32, t: i32): f64 {
  const classes = ws.classes;
  const others = ws.totalAbs - load<f64>(abs + (<usize>b << 3)) - load<f64>(abs + (<usize>t << 3));
  return (
    Math.max(others, 0) +
    2 * (load<f64>(grp + (<usize>b << 3)) + load<f64>(grp + (<usize>(classes + t) << 3)))
  );
}

/** pairTotalOf for the clean labels (scanPoint's totals). */
// @ts-ignore: decorator
@inline export function pairTotal(ws: Workspace, b: i32, t: i32): f64 {
  return pairTotalOf(ws, ws.classAbs, ws.grpTotal, b, t);
}

/** The clean labels' plain score of class c (scanPoint; ws.scores holds the attacked ones once the full attack has run). */
// @ts-ignore: decorator
@inline export function cleanScoreOf(ws: Workspace, c: i32): f64 {
  return load<f64>(ws.cleanScores + (<usize>c << 3));
}

/** A_b + A_t for the clean labels: the scale of the pair's rounding band. */
// @ts-ignore: decorator
@inline export function cleanScale(ws: Workspace, b: i32, t: i32): f64 {
  return load<f64>(ws.classAbs + (<usize>b << 3)) + load<f64>(ws.classAbs + (<usize>t << 3));
}
