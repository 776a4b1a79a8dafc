// The certificate kernels' workspace (docs/spec.md §4, §5.5): one JS-reserved
// scratch block per call, laid out by wsInit and described by the unmanaged
// Workspace struct at its start. Every file of cert/ reads and writes its
// buffers: the sorted gain lists (lists.ts), the current pair (pair.ts), the
// top candidates (pair-top.ts), the attacked labels and re-scored class scores
// (attack.ts, attack-top.ts, trial-scores.ts) and the vote costs' caches
// (vote-costs.ts). workspaceBytes is the size JavaScript reserves
// (certificate.ts's certScratchBytes; src/partition/memory.ts mirrors it).

import { RADIX_HIST_BYTES } from './select';

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
  close: usize; // i32[C] classes a pruning pass must check (trial-scores.ts's closeClasses)
  order: usize; // i32[C] classes by descending clean score (vote-costs.ts), then by key (trial-scores.ts)
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

/**
 * The (class, sign) group of a point labelled y with weight x: y when x > 0,
 * classes + y otherwise (the groups of grpVals, cgVals, grpTotal and trialGrp).
 */
// @ts-ignore: decorator
@inline export function groupOf(classes: i32, y: i32, x: f64): i32 {
  return x > 0 ? y : classes + y;
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
