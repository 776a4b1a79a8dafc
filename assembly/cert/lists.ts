// Per-test-point sorted gain lists for the certificate (docs/spec.md §4).
//
// Every gain of every pair (base b, target t) is one of 2β⁺ (points labelled b),
// 2β⁻ (points labelled t) or |β| (all other points). So, per point, one sort of
// the nonzero |β_i| suffices; bucketing that sorted list by (class, sign of β)
// keeps each bucket sorted. With prefix sums on the full list and on every
// bucket, "how many / how much of the pair's gains are ≥ v" is a handful of
// binary searches (see pair.ts) instead of a sort per pair.
//
// All buffers live in the scratch block described by Workspace (workspace.ts);
// zero weights are left out of every list because they never change a score.

import { addCompensated, sumError } from './band';
import { RADIX_MIN, countInGroup, groupStarts, radixSortPositiveDesc, slotInGroup, stableSortDesc } from './select';
import { Workspace, groupOf } from './workspace';

/** Fills the |β| list of one test point (nonzero entries only), sorted descending, with prefix sums. */
export function sortAbs(ws: Workspace, beta: usize): void {
  const n = ws.n;
  let nz = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(load<f64>(beta + (<usize>i << 3)));
    if (a > 0) {
      store<f64>(ws.absVals + (<usize>nz << 3), a);
      store<i32>(ws.absIdx + (<usize>nz << 2), i);
      nz++;
    }
  }
  ws.nz = nz;
  // grpVals/grpIdx are free until bucket(): the sorts' second buffer. Both sorts
  // are stable, so equal |β| stay in training-index order whatever n is (the
  // order in which equal gains are taken, here and in vote-costs.ts).
  if (nz >= RADIX_MIN) {
    radixSortPositiveDesc(ws.absVals, ws.absIdx, ws.grpVals, ws.grpIdx, ws.hist, nz);
  } else {
    memory.copy(ws.grpVals, ws.absVals, <usize>nz << 3);
    memory.copy(ws.grpIdx, ws.absIdx, <usize>nz << 2);
    stableSortDesc(ws.grpVals, ws.grpIdx, ws.absVals, ws.absIdx, nz);
  }
  prefixSums(ws.absVals, ws.absPre, nz);
}

/**
 * Buckets the sorted |β| list by (class, sign) for the labels at `labels`
 * and computes the class scores. Scores are summed in training-index order,
 * exactly like a plain evaluation of the model, so the prediction agrees
 * bit for bit with any reference that does the same.
 */
export function bucket(ws: Workspace, beta: usize, labels: usize): void {
  const n = ws.n;
  ws.labels = labels;
  const classes = ws.classes;
  const groups = 2 * classes;
  for (let c = 0; c < classes; c++) store<f64>(ws.scores + (<usize>c << 3), 0);
  for (let g = 0; g <= groups; g++) store<i32>(ws.grpStart + (<usize>g << 2), 0);
  for (let i = 0; i < n; i++) {
    const y = load<i32>(labels + (<usize>i << 2));
    const b = load<f64>(beta + (<usize>i << 3));
    const sp = ws.scores + (<usize>y << 3);
    store<f64>(sp, load<f64>(sp) + b);
  }
  const nz = ws.nz;
  // Counting sort by group, stable, so every group stays descending.
  for (let k = 0; k < nz; k++) countInGroup(ws.grpStart, pointGroup(ws, beta, labels, load<i32>(ws.absIdx + (<usize>k << 2))));
  groupStarts(ws.grpStart, ws.grpFill, groups);
  for (let k = 0; k < nz; k++) {
    const i = load<i32>(ws.absIdx + (<usize>k << 2));
    const at = slotInGroup(ws.grpFill, pointGroup(ws, beta, labels, i));
    store<f64>(ws.grpVals + (<usize>at << 3), load<f64>(ws.absVals + (<usize>k << 3)));
    store<i32>(ws.grpIdx + (<usize>at << 2), i);
  }
  for (let g = 0; g < groups; g++) {
    const s = load<i32>(ws.grpStart + (<usize>g << 2));
    const e = load<i32>(ws.grpStart + (<usize>(g + 1) << 2));
    prefixSums(ws.grpVals + (<usize>s << 3), ws.grpPre + (<usize>(s + g) << 3), e - s);
  }
}

/** The (class, sign) group of training point i. */
// @ts-ignore: decorator
@inline function pointGroup(ws: Workspace, beta: usize, labels: usize, i: i32): i32 {
  return groupOf(ws.classes, load<i32>(labels + (<usize>i << 2)), load<f64>(beta + (<usize>i << 3)));
}

/** Start of group g in grpVals. */
// @ts-ignore: decorator
@inline export function groupStart(ws: Workspace, g: i32): i32 {
  return load<i32>(ws.grpStart + (<usize>g << 2));
}

// @ts-ignore: decorator
@inline export function groupLen(ws: Workspace, g: i32): i32 {
  return load<i32>(ws.grpStart + (<usize>(g + 1) << 2)) - load<i32>(ws.grpStart + (<usize>g << 2));
}

// @ts-ignore: decorator
@inline export function groupVals(ws: Workspace, g: i32): usize {
  return ws.grpVals + (<usize>groupStart(ws, g) << 3);
}

// @ts-ignore: decorator
@inline export function groupPre(ws: Workspace, g: i32): usize {
  return ws.grpPre + (<usize>(groupStart(ws, g) + g) << 3);
}

// @ts-ignore: decorator
@inline export function scoreOf(ws: Workspace, c: i32): f64 {
  return load<f64>(ws.scores + (<usize>c << 3));
}

/**
 * Re-scores the model for the labels at `labels` from scratch, into ws.trial
 * (class scores, Neumaier-compensated sums, so accurate to a few ulps of the
 * class's Σ|β|) and ws.trialAbs (Σ|β| per class), leaving the buckets untouched.
 * This is the independent check behind every witness and every attack.
 */
export function rescore(ws: Workspace, beta: usize, labels: usize): void {
  const classes = ws.classes;
  for (let c = 0; c < classes; c++) {
    store<f64>(ws.trial + (<usize>c << 3), 0);
    store<f64>(ws.trialComp + (<usize>c << 3), 0);
    store<f64>(ws.trialAbs + (<usize>c << 3), 0);
  }
  for (let i = 0; i < ws.n; i++) {
    const c = load<i32>(labels + (<usize>i << 2));
    const x = load<f64>(beta + (<usize>i << 3));
    addToTrial(ws, c, x);
    const ap = ws.trialAbs + (<usize>c << 3);
    store<f64>(ap, load<f64>(ap) + Math.abs(x));
  }
  for (let c = 0; c < classes; c++) {
    const off = <usize>c << 3;
    store<f64>(ws.trial + off, load<f64>(ws.trial + off) + load<f64>(ws.trialComp + off));
  }
}

/**
 * One term of rescore()'s sums: x into class c's compensated score (ws.trial,
 * ws.trialComp; the compensation is added at the end). trial-scores.ts
 * continues the clean labels' sums with it.
 */
// @ts-ignore: decorator
@inline export function addToTrial(ws: Workspace, c: i32, x: f64): void {
  const off = <usize>c << 3;
  addCompensated(ws.trial + off, ws.trialComp + off, x);
}

/**
 * Moves weight x from class `from` to class `to` in ws.trial and ws.trialAbs:
 * rescore()'s scores updated for one relabelled point, as the attacks' pruning
 * passes try putting each flip back (attack.ts, attack-top.ts).
 */
export function moveScore(ws: Workspace, x: f64, from: i32, to: i32): void {
  const pf = <usize>from << 3;
  const pt = <usize>to << 3;
  store<f64>(ws.trial + pf, load<f64>(ws.trial + pf) - x);
  store<f64>(ws.trial + pt, load<f64>(ws.trial + pt) + x);
  store<f64>(ws.trialAbs + pf, load<f64>(ws.trialAbs + pf) - Math.abs(x));
  store<f64>(ws.trialAbs + pt, load<f64>(ws.trialAbs + pt) + Math.abs(x));
}

/** The clean labels' vote: class with the highest score, ties to the lowest index (docs/spec.md §3). */
export function argmaxScore(ws: Workspace): i32 {
  return argmaxAt(ws.scores, ws.classes);
}

/** Index of the largest of `classes` scores at `scores`, ties to the lowest index. */
export function argmaxAt(scores: usize, classes: i32): i32 {
  let best = 0;
  for (let c = 1; c < classes; c++) {
    if (load<f64>(scores + (<usize>c << 3)) > load<f64>(scores + (<usize>best << 3))) best = c;
  }
  return best;
}

/**
 * pre[k] = sum of the first k values, with Neumaier compensation so that a
 * difference of two prefix sums is accurate to a few ulps of the total; the
 * certificate's tolerance (pair.ts) relies on that.
 */
function prefixSums(vals: usize, pre: usize, len: i32): void {
  let s: f64 = 0;
  let comp: f64 = 0;
  store<f64>(pre, 0);
  for (let k = 0; k < len; k++) {
    const x = load<f64>(vals + (<usize>k << 3));
    const t = s + x;
    comp += sumError(s, x, t);
    s = t;
    store<f64>(pre + (<usize>(k + 1) << 3), s + comp);
  }
}
