// Per-test-point sorted gain lists for the certificate (docs/spec.md §4).
//
// Every gain of every pair (base b, target t) is one of 2β⁺ (points labelled b),
// 2β⁻ (points labelled t) or |β| (all other points). So, per point, one sort of
// the nonzero |β_i| suffices; bucketing that sorted list by (class, sign of β)
// keeps each bucket sorted. With prefix sums on the full list and on every
// bucket, "how many / how much of the pair's gains are ≥ v" is a handful of
// binary searches (see pair.ts) instead of a sort per pair.
//
// All buffers live in one JS-reserved scratch block described by Workspace;
// zero weights are left out of every list because they never change a score.

import { RADIX_HIST_BYTES, RADIX_MIN, radixSortPositiveDesc, stableSortDesc } from './select';

/**
 * Scratch layout, stored at the start of the scratch block (an unmanaged
 * struct: JavaScript reserves the bytes, wsInit fills the pointers).
 */
@unmanaged
export class Workspace {
  n: i32;
  classes: i32;
  nz: i32; // number of nonzero |β|
  absVals: usize; // f64[n]   nonzero |β|, descending
  absIdx: usize; // i32[n]    their training indices
  absPre: usize; // f64[n+1]  prefix sums of absVals
  grpVals: usize; // f64[n]   absVals regrouped: group g = class (β > 0), classes + class (β < 0)
  grpIdx: usize; // i32[n]
  grpPre: usize; // f64[n + 2C] prefix sums per group (group g starts at grpStart[g] + g)
  grpStart: usize; // i32[2C + 1]
  grpFill: usize; // i32[2C]  fill cursors while bucketing
  scores: usize; // f64[C]   F_c = Σ_{y_i = c} β_i
  labels: usize; // i32[n]   the labels the buckets were built from (not owned)
  work: usize; // i32[n]     attacked labels (attack.ts)
  backup: usize; // i32[n]   attacked labels before pruning
  hist: usize; // radix-sort histograms (RADIX_HIST_BYTES)
  trial: usize; // f64[C] re-scored class scores of attacked labels, so `scores` stays the clean one
  trialComp: usize; // f64[C] their compensation terms while summing
  trialAbs: usize; // f64[C] Σ |β| per class of the attacked labels (the rounding scale)
  rival: usize; // i32[C] per target class, the rival that maximised its lower bound
  dirty: i32; // 1 when buckets/scores hold attacked labels, not the clean ones
  // Current pair (setPair): list views and the search result.
  pbVals: usize; pbPre: usize; pbLen: i32; // β > 0 of base class b  (gain 2|β|)
  ntVals: usize; ntPre: usize; ntLen: i32; // β < 0 of target class t (gain 2|β|)
  nbVals: usize; nbPre: usize; nbLen: i32; // β < 0 of b  (not a gain: excluded from "others")
  ptVals: usize; ptPre: usize; ptLen: i32; // β > 0 of t  (not a gain: excluded from "others")
  vStar: f64; // smallest gain value used by the minimal flip set
  kStar: i32; // how many gains equal to vStar it uses
  sumStar: f64; // sum of the chosen gains
  voteNear: i32; // set by callers when some pair found the vote's own margin within the band
  pairNear: i32; // last pair: 0 clear, 1 within the rounding band, 2 the vote itself within it (pair.ts)
  // The top of the |β| list only (pair-top.ts, the vote costs' fast path).
  candVals: usize; // f64[n] candidates (|β| ≥ tau/2), descending, ties by training index
  candIdx: usize; // i32[n] their training indices
  candLab: usize; // i32[n] their labels
  candTmpV: usize; // f64[n] merge-sort scratch
  candTmpI: usize; // i32[n]
  cand: i32; // number of candidates
  absCount: i32; // leading candidates with |β| ≥ tau
  complete: i32; // 1 when tau = 0: every nonzero |β| is a candidate
  tau: f64; // every gain ≥ tau of every pair is among the candidates
  cgVals: usize; // f64[n] candidates grouped like grpVals, each group descending
  cgPos: usize; // i32[n] their positions in candidate order
  cgPre: usize; // f64[n + 2C] prefix sums per group (group g starts at cgStart[g] + g)
  cgStart: usize; // i32[2C + 1]
  cgFill: usize; // i32[2C]
  classAbs: usize; // f64[C] Σ|β| per class (clean labels)
  cleanScores: usize; // f64[C] the clean labels' plain scores (ws.scores changes with the full attack)
  grpTotal: usize; // f64[2C] Σ|β| per group (every point, not only candidates)
  cleanSum: usize; // f64[C] compensated clean scores before their final correction (rescore's state)
  cleanComp: usize; // f64[C]
  topHist: usize; // i32[TOP_BINS] counts of |β| by exponent and two mantissa bits
  binLo: i32; // lowest and highest occupied bin
  binHi: i32;
  totalAbs: f64; // Σ|β|
  flipPos: usize; // i32[n] the fast attack's flips: candidate position, old and new label
  flipFrom: usize; // i32[n]
  flipTo: usize; // i32[n]
  walkSum: f64; // gain sum of the last successful walk
  fullReady: i32; // 1 when sortAbs/bucket ran for this point (the attack's slow path)
  curLab: usize; // i32[n] candidates' labels during an attack on the candidates (attack-top.ts)
  touched: usize; // i32[n] candidate positions the attack relabelled, ascending
  touchedBak: usize; // i32[n] their labels before pruning
  touchedCount: i32;
  classCount: usize; // i32[C] nonzero weights per class (clean labels)
  trialCount: usize; // i32[C] the same for the attacked labels
  close: usize; // i32[C] classes a pruning pass must check (attack-top.ts)
  order: usize; // i32[C] classes by descending clean score (vote-costs.ts), then by key (attack-top.ts)
  orderVals: usize; // f64[C] their scores / keys
  cleanFinal: usize; // f64[C] the clean labels' scores as rescore() leaves them
  dirtyCls: usize; // i32[C] classes an attack's moves touched
  dirtyMark: usize; // i32[C] 1 for those
  dirtyCount: i32;
  trialReady: i32; // 1 when ws.trial… hold initTrial's clean state (plus the touched classes)
  closeCount: i32;
  trialGrp: usize; // f64[2C] Σ|β| per (class, sign) group of the attacked labels
  commonT: i32; // cache of vote-costs.ts's commonTop: target class (−1: empty), count, sum
  commonS: i32;
  commonSum: f64;
}

/** Bins of the |β| histogram: the top 13 bits of a positive double (exponent and two mantissa bits). */
export const TOP_BINS: i32 = 8192;

// @ts-ignore: decorator
@inline function align8(x: usize): usize {
  return (x + 7) & ~(<usize>7);
}

/** Bytes of scratch the certificate kernels need for n training points and C classes. */
export function workspaceBytes(n: i32, classes: i32): usize {
  const f64s = <usize>(n + (n + 1) + n + (n + 2 * classes) + 4 * classes) + <usize>(3 * n + (n + 2 * classes) + 10 * classes);
  const i32s = <usize>(n + n + (2 * classes + 1) + 2 * classes + n + n + classes) + <usize>(10 * n + 10 * classes + 1 + TOP_BINS);
  return align8(offsetof<Workspace>()) + (f64s << 3) + (i32s << 2) + RADIX_HIST_BYTES + 16;
}

/** Lays the workspace out in the scratch block at `base` (8-aligned). */
export function wsInit(base: usize, n: i32, classes: i32): Workspace {
  const ws = changetype<Workspace>(base);
  ws.n = n;
  ws.classes = classes;
  ws.nz = 0;
  ws.dirty = 0;
  ws.voteNear = 0;
  ws.pairNear = 0;
  ws.fullReady = 0;
  ws.touchedCount = 0;
  ws.dirtyCount = 0;
  ws.trialReady = 0;
  ws.binLo = TOP_BINS;
  ws.binHi = -1;
  let p = align8(base + offsetof<Workspace>());
  ws.absVals = p; p += <usize>n << 3;
  ws.absPre = p; p += <usize>(n + 1) << 3;
  ws.grpVals = p; p += <usize>n << 3;
  ws.grpPre = p; p += <usize>(n + 2 * classes) << 3;
  ws.scores = p; p += <usize>classes << 3;
  ws.trial = p; p += <usize>classes << 3;
  ws.trialComp = p; p += <usize>classes << 3;
  ws.trialAbs = p; p += <usize>classes << 3;
  ws.absIdx = p; p += <usize>n << 2;
  ws.grpIdx = p; p += <usize>n << 2;
  ws.grpStart = p; p += <usize>(2 * classes + 1) << 2;
  ws.grpFill = p; p += <usize>(2 * classes) << 2;
  ws.work = p; p += <usize>n << 2;
  ws.backup = p; p += <usize>n << 2;
  ws.rival = p; p += <usize>classes << 2;
  ws.candVals = p; p += <usize>n << 3;
  ws.candTmpV = p; p += <usize>n << 3;
  ws.cgVals = p; p += <usize>n << 3;
  ws.cgPre = p; p += <usize>(n + 2 * classes) << 3;
  ws.classAbs = p; p += <usize>classes << 3;
  ws.cleanScores = p; p += <usize>classes << 3;
  ws.trialGrp = p; p += <usize>(2 * classes) << 3;
  ws.orderVals = p; p += <usize>classes << 3;
  ws.cleanFinal = p; p += <usize>classes << 3;
  ws.grpTotal = p; p += <usize>(2 * classes) << 3;
  ws.cleanSum = p; p += <usize>classes << 3;
  ws.cleanComp = p; p += <usize>classes << 3;
  ws.candIdx = p; p += <usize>n << 2;
  ws.candLab = p; p += <usize>n << 2;
  ws.candTmpI = p; p += <usize>n << 2;
  ws.cgPos = p; p += <usize>n << 2;
  ws.cgStart = p; p += <usize>(2 * classes + 1) << 2;
  ws.cgFill = p; p += <usize>(2 * classes) << 2;
  ws.flipPos = p; p += <usize>n << 2;
  ws.flipFrom = p; p += <usize>n << 2;
  ws.flipTo = p; p += <usize>n << 2;
  ws.curLab = p; p += <usize>n << 2;
  ws.classCount = p; p += <usize>classes << 2;
  ws.trialCount = p; p += <usize>classes << 2;
  ws.close = p; p += <usize>classes << 2;
  ws.order = p; p += <usize>classes << 2;
  ws.dirtyCls = p; p += <usize>classes << 2;
  ws.dirtyMark = p; p += <usize>classes << 2;
  ws.touched = p; p += <usize>n << 2;
  ws.touchedBak = p; p += <usize>n << 2;
  ws.topHist = p; p += <usize>TOP_BINS << 2;
  p = align8(p);
  ws.hist = p;
  return ws;
}

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
  for (let k = 0; k < nz; k++) {
    const g = groupOf(ws, beta, labels, load<i32>(ws.absIdx + (<usize>k << 2)));
    const cp = ws.grpStart + (<usize>(g + 1) << 2);
    store<i32>(cp, load<i32>(cp) + 1);
  }
  for (let g = 0; g < groups; g++) {
    const s = load<i32>(ws.grpStart + (<usize>g << 2));
    const cp = ws.grpStart + (<usize>(g + 1) << 2);
    store<i32>(cp, load<i32>(cp) + s);
    store<i32>(ws.grpFill + (<usize>g << 2), s);
  }
  for (let k = 0; k < nz; k++) {
    const i = load<i32>(ws.absIdx + (<usize>k << 2));
    const g = groupOf(ws, beta, labels, i);
    const fp = ws.grpFill + (<usize>g << 2);
    const at = load<i32>(fp);
    store<i32>(fp, at + 1);
    store<f64>(ws.grpVals + (<usize>at << 3), load<f64>(ws.absVals + (<usize>k << 3)));
    store<i32>(ws.grpIdx + (<usize>at << 2), i);
  }
  for (let g = 0; g < groups; g++) {
    const s = load<i32>(ws.grpStart + (<usize>g << 2));
    const e = load<i32>(ws.grpStart + (<usize>(g + 1) << 2));
    prefixSums(ws.grpVals + (<usize>s << 3), ws.grpPre + (<usize>(s + g) << 3), e - s);
  }
}

// @ts-ignore: decorator
@inline function groupOf(ws: Workspace, beta: usize, labels: usize, i: i32): i32 {
  const y = load<i32>(labels + (<usize>i << 2));
  return load<f64>(beta + (<usize>i << 3)) > 0 ? y : ws.classes + y;
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
    const off = <usize>load<i32>(labels + (<usize>i << 2)) << 3;
    const x = load<f64>(beta + (<usize>i << 3));
    const s = load<f64>(ws.trial + off);
    const t = s + x;
    const comp = Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    store<f64>(ws.trial + off, t);
    store<f64>(ws.trialComp + off, load<f64>(ws.trialComp + off) + comp);
    store<f64>(ws.trialAbs + off, load<f64>(ws.trialAbs + off) + Math.abs(x));
  }
  for (let c = 0; c < classes; c++) {
    const off = <usize>c << 3;
    store<f64>(ws.trial + off, load<f64>(ws.trial + off) + load<f64>(ws.trialComp + off));
  }
}

/**
 * Whether class a beats class b in ws.trial by more than the rounding band
 * eps·(A_a + A_b): then a beats b in exact arithmetic, and in any evaluation
 * whose error stays below the band, whatever the tie rule.
 */
// @ts-ignore: decorator
@inline export function beatsClearly(ws: Workspace, a: i32, b: i32, eps: f64): bool {
  const fa = load<f64>(ws.trial + (<usize>a << 3));
  const fb = load<f64>(ws.trial + (<usize>b << 3));
  const scale = load<f64>(ws.trialAbs + (<usize>a << 3)) + load<f64>(ws.trialAbs + (<usize>b << 3));
  return fa - fb > eps * scale;
}

/** Whether ws.trial's scores make `target` the vote by more than the rounding band against every class. */
export function votesClearly(ws: Workspace, target: i32, eps: f64): bool {
  for (let j = 0; j < ws.classes; j++) {
    if (j != target && !beatsClearly(ws, target, j, eps)) return false;
  }
  return true;
}

/** Whether some class beats `vote` in ws.trial by more than the rounding band (the vote surely changed). */
export function voteLostClearly(ws: Workspace, vote: i32, eps: f64): bool {
  for (let j = 0; j < ws.classes; j++) {
    if (j != vote && beatsClearly(ws, j, vote, eps)) return true;
  }
  return false;
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
    if (Math.abs(s) >= Math.abs(x)) comp += s - t + x;
    else comp += x - t + s;
    s = t;
    store<f64>(pre + (<usize>(k + 1) << 3), s + comp);
  }
}
