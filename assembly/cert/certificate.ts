// Block entry points of the certificate (docs/spec.md §4): the single-model
// certificate with its witnesses, pair counts for tests and diagnostics, and
// one vote-cost attack (docs/spec.md §5.5) for tests; the vote costs' blocks
// are vote-costs.ts's. Their TypeScript front is src/partition/certificate.ts.
// Pointer-based and allocation-free: JavaScript reserves
// `certScratchBytes(n, C)` bytes of scratch and the outputs, and has already
// validated sizes, labels (0 ≤ y < C) and weights (finite).
//
// β is row-major, m rows of n weights; labels are i32[n].

import { attackVote } from './attack';
import { CERT_EPS, UNREACHABLE, voteLostClearly } from './band';
import { argmaxScore, bucket, rescore, sortAbs } from './lists';
import { emitFlips, pairFlips } from './pair';
import { lowerBound } from './vote-costs';
import { Workspace, workspaceBytes, wsInit } from './workspace';

/** Scratch bytes needed by every entry point below for n training points and C classes. */
export function certScratchBytes(n: i32, classes: i32): i32 {
  return <i32>workspaceBytes(n, classes);
}

/**
 * ScaLabelCert for m test points: prediction, radius (min_c' s(c') − 1, n when
 * nothing flips it), near-tie flag, an upper bound on the true radius (equal
 * to the radius unless flagged), and the class c' attaining the minimum (−1
 * when none). Returns 0.
 */
export function certifyBlock(
  beta: usize, labels: usize, m: i32, n: i32, classes: i32, scratch: usize,
  outPred: usize, outRadius: usize, outNear: usize, outUpper: usize, outTarget: usize,
): i32 {
  const ws = wsInit(scratch, n, classes);
  for (let p = 0; p < m; p++) {
    const row = beta + ((<usize>p * <usize>n) << 3);
    const target = certifyPoint(ws, row, labels, p, outPred, outRadius, outNear, outUpper);
    store<i32>(outTarget + (<usize>p << 2), target);
  }
  return 0;
}

/**
 * certifyBlock for one point plus its witness: the flips that change the
 * prediction, as (train, from, to) triples in `outFlips` (room for n triples;
 * none when the radius is n). Returns the number of flips.
 *
 * Every witness is re-scored from scratch (compensated sums) before it is
 * reported and must beat the prediction by more than the rounding band. One
 * that does not is never reported: the point is flagged near-tie and the
 * witness replaced by the smallest single-pair flip set that does clear the
 * band (strict rule; more than radius + 1 flips, the flips behind `upper`), or
 * dropped (0 flips) when none re-scores clearly. An unflagged witness has
 * exactly radius + 1 flips.
 */
export function certifyWitness(
  betaRow: usize, labels: usize, n: i32, classes: i32, scratch: usize,
  outPred: usize, outRadius: usize, outNear: usize, outUpper: usize, outFlips: usize,
): i32 {
  const ws = wsInit(scratch, n, classes);
  const target = certifyPoint(ws, betaRow, labels, 0, outPred, outRadius, outNear, outUpper);
  if (target < 0) return 0;
  const c = load<i32>(outPred);
  if (load<u8>(outNear) == 0) {
    pairFlips(ws, c, target, CERT_EPS, 1); // sets vStar/kStar for the minimising pair
    const count = emitFlips(ws, betaRow, labels, c, target, outFlips, false);
    if (count > 0 && flipsChangeVote(ws, betaRow, labels, outFlips, count, c)) return count;
    // Clear by the pair's sums but not when re-scored (a last-bit coincidence): flag it.
    store<u8>(outNear, 1);
    setUpper(ws, betaRow, labels, c, outUpper);
  }
  const strict = strictTarget(ws, betaRow, labels, c);
  if (strict < 0) return 0;
  pairFlips(ws, c, strict, -CERT_EPS, 1);
  return emitFlips(ws, betaRow, labels, c, strict, outFlips, false);
}

/** Applies `count` flip triples to a copy of the labels and re-scores: is `vote` clearly beaten? */
function flipsChangeVote(ws: Workspace, beta: usize, labels: usize, flips: usize, count: i32, vote: i32): bool {
  memory.copy(ws.work, labels, <usize>ws.n << 2);
  for (let k = 0; k < count; k++) {
    const p = flips + (<usize>(3 * k) << 2);
    store<i32>(ws.work + (<usize>load<i32>(p) << 2), load<i32>(p + 8));
  }
  rescore(ws, beta, ws.work);
  return voteLostClearly(ws, vote, CERT_EPS);
}

/**
 * The class t whose single-pair flip set against c is the smallest that
 * overtakes c by more than the rounding band (strict rule), checked by
 * re-scoring; −1 when none re-scores clearly. The buckets hold the clean labels.
 */
function strictTarget(ws: Workspace, beta: usize, labels: usize, c: i32): i32 {
  let best = UNREACHABLE;
  let target = -1;
  for (let t = 0; t < ws.classes; t++) {
    if (t == c) continue;
    const s = pairFlips(ws, c, t, -CERT_EPS, 1);
    if (s < best) {
      best = s;
      target = t;
    }
  }
  if (target < 0) return -1;
  pairFlips(ws, c, target, -CERT_EPS, 1);
  memory.copy(ws.work, labels, <usize>ws.n << 2);
  emitFlips(ws, beta, ws.work, c, target, 0, true);
  rescore(ws, beta, ws.work);
  return voteLostClearly(ws, c, CERT_EPS) ? target : -1;
}

/** Upper bound on the radius of a flagged point: the strict, re-scored attack's size − 1 (n when none). */
function setUpper(ws: Workspace, beta: usize, labels: usize, c: i32, outUpper: usize): void {
  const t = strictTarget(ws, beta, labels, c);
  const flips = t < 0 ? UNREACHABLE : pairFlips(ws, c, t, -CERT_EPS, 1);
  store<i32>(outUpper, flips == UNREACHABLE ? ws.n : min(flips - 1, ws.n));
}

/**
 * Certifies the point at `row` into slot p of the outputs; returns the
 * minimising class (−1 when none). The radius is exact unless flagged: among
 * equally minimal rivals a clean one is preferred (its count is exact, and the
 * others' true counts are no smaller), and a prediction whose margin to any
 * class lies within the rounding band is always flagged. A flagged point's
 * upper bound comes from the strict attack.
 */
function certifyPoint(
  ws: Workspace, row: usize, labels: usize, p: i32, outPred: usize, outRadius: usize, outNear: usize, outUpper: usize,
): i32 {
  sortAbs(ws, row);
  bucket(ws, row, labels);
  const c = argmaxScore(ws);
  let best = UNREACHABLE;
  let target = -1;
  let near = 0;
  let voteNear = 0;
  for (let t = 0; t < ws.classes; t++) {
    if (t == c) continue;
    const s = pairFlips(ws, c, t, CERT_EPS, 1);
    const pairNear = ws.pairNear;
    voteNear |= pairNear >> 1;
    if (s < best || (s == best && s != UNREACHABLE && near != 0 && pairNear == 0)) {
      best = s;
      target = t;
      near = pairNear != 0 ? 1 : 0;
    }
  }
  near |= voteNear;
  const radius = best == UNREACHABLE ? ws.n : min(best - 1, ws.n);
  store<i32>(outPred + (<usize>p << 2), c);
  store<i32>(outRadius + (<usize>p << 2), radius);
  store<u8>(outNear + <usize>p, <u8>near);
  if (near != 0) setUpper(ws, row, labels, c, outUpper + (<usize>p << 2));
  else store<i32>(outUpper + (<usize>p << 2), radius);
  return target;
}

/**
 * pair(l over j) for one point and every ordered pair: out[l·C + j] (diagonal 0),
 * with the certificate's tolerance and minimum 1 against the point's own vote.
 * For tests and diagnostics.
 */
export function pairCountsRow(betaRow: usize, labels: usize, n: i32, classes: i32, scratch: usize, out: usize): i32 {
  const ws = wsInit(scratch, n, classes);
  sortAbs(ws, betaRow);
  bucket(ws, betaRow, labels);
  const vote = argmaxScore(ws);
  for (let l = 0; l < classes; l++) {
    for (let j = 0; j < classes; j++) {
      const s = l == j ? 0 : pairFlips(ws, j, l, CERT_EPS, j == vote ? 1 : 0);
      store<i32>(out + (<usize>(l * classes + j) << 2), s);
    }
  }
  return vote;
}

/**
 * One attack (upper bound) for tests: the attack voteCostsBlock runs for this
 * point and `target`, with the attacked labels written to outLabels. Returns
 * the number of changed labels or UNREACHABLE (outLabels then holds the last
 * attempt, or the clean labels when the lower bound already says unreachable).
 */
export function voteAttack(
  betaRow: usize, labels: usize, n: i32, classes: i32, target: i32, scratch: usize, outLabels: usize,
): i32 {
  const ws = wsInit(scratch, n, classes);
  sortAbs(ws, betaRow);
  bucket(ws, betaRow, labels);
  const vote = argmaxScore(ws);
  if (target == vote) {
    memory.copy(outLabels, labels, <usize>n << 2);
    return 0;
  }
  // The same attack as voteCostsBlock: first against the rival of the lower bound.
  if (lowerBound(ws, vote, target) == UNREACHABLE) {
    memory.copy(outLabels, labels, <usize>n << 2);
    return UNREACHABLE;
  }
  const flips = attackVote(ws, betaRow, labels, target, load<i32>(ws.rival + (<usize>target << 2)));
  memory.copy(outLabels, ws.work, <usize>n << 2);
  return flips;
}
