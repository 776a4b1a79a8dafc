// Upper bound on the flips that make one base model vote a given class
// (docs/spec.md §5): a real attack, applied to a copy of the labels and re-checked by
// re-scoring from scratch with compensated sums.
//
// Strategy: first apply the minimal flip set against the rival that set the
// lower bound (from the clean lists: no re-bucketing); while the model does not
// clearly vote `target`, re-bucket the attacked labels, take the rival that
// needs the most flips and apply that pair's minimal flip set. Each round beats
// one rival; flips that move a point onto a rival can lift a third class, hence
// the loop and its round cap; if it gets stuck, a blunt attack (all positive
// weights to target) takes over. Finally, flips the attack turned out not to
// need are put back one at a time.
//
// Rounding: pair counts use the strict rule (−CERT_EPS, pair.ts) and an
// attack only counts when, re-scored, `target` beats every class by more than
// the rounding band (votesClearly), so the count is a true upper bound in exact
// arithmetic and in any plain float evaluation.

import { CERT_EPS, UNREACHABLE, votesClearly } from './band';
import { argmaxScore, bucket, moveScore, rescore } from './lists';
import { emitFlips, pairFlips } from './pair';
import { Workspace } from './workspace';

/**
 * Attacks the point whose |β| lists are sorted (sortAbs) so that it votes
 * `target`. `firstRival` ≥ 0 means the buckets hold the clean labels and names
 * the rival to beat first. On success returns the number of training labels
 * changed, with the attacked labels in ws.work; otherwise UNREACHABLE.
 * Sets ws.dirty when it re-bucketed (the clean buckets are then gone).
 */
export function attackVote(ws: Workspace, beta: usize, labels: usize, target: i32, firstRival: i32): i32 {
  const n = ws.n;
  memory.copy(ws.work, labels, <usize>n << 2);
  if (firstRival >= 0 && pairFlips(ws, firstRival, target, -CERT_EPS, 0) != UNREACHABLE) {
    emitFlips(ws, beta, ws.work, firstRival, target, 0, true);
    if (wins(ws, beta, ws.work, target)) return pruned(ws, beta, labels, target);
  }
  const rounds = 2 * ws.classes + 8;
  for (let round = 0; round < rounds; round++) {
    bucket(ws, beta, ws.work);
    ws.dirty = 1;
    // The bucketed (plain) scores must already vote target before the re-score can.
    if (argmaxScore(ws) == target && wins(ws, beta, ws.work, target)) return pruned(ws, beta, labels, target);
    const rival = hardestRival(ws, target);
    // Recompute the pair so that vStar/kStar describe its flip set.
    if (rival < 0 || pairFlips(ws, rival, target, -CERT_EPS, 0) == 0) break;
    emitFlips(ws, beta, ws.work, rival, target, 0, true);
  }
  return bluntAttack(ws, beta, labels, target);
}

/** Re-scores `work` from scratch: does it vote `target` by more than the rounding band? */
function wins(ws: Workspace, beta: usize, work: usize, target: i32): bool {
  rescore(ws, beta, work);
  return votesClearly(ws, target, CERT_EPS);
}

/**
 * Fallback when the rival-by-rival attack gets stuck: every positive weight
 * votes for `target` and every negative one leaves it, then pruning removes
 * what is not needed. Then F_target = Σβ⁺ > 0 ≥ F_j for every other class, so
 * it succeeds whenever some weight is positive.
 */
function bluntAttack(ws: Workspace, beta: usize, labels: usize, target: i32): i32 {
  const n = ws.n;
  const away = target == 0 ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const b = load<f64>(beta + (<usize>i << 3));
    const y = load<i32>(labels + (<usize>i << 2));
    const to = b > 0 ? target : b < 0 && y == target ? away : y;
    store<i32>(ws.work + (<usize>i << 2), to);
  }
  return wins(ws, beta, ws.work, target) ? pruned(ws, beta, labels, target) : UNREACHABLE;
}

/**
 * Drops flips the successful attack in ws.work does not need: each changed
 * label is put back when, by incrementally updated scores, the vote stays
 * clearly `target`. The result is re-scored from scratch; if rounding made that
 * check fail, the unpruned attack (already verified) is kept. Returns the flip
 * count. Expects ws.trial/ws.trialAbs to hold the re-scored attack.
 */
function pruned(ws: Workspace, beta: usize, labels: usize, target: i32): i32 {
  const n = ws.n;
  memory.copy(ws.backup, ws.work, <usize>n << 2);
  let putBack = false;
  // Smallest |β| first: those flips are the likeliest to be superfluous.
  for (let k = ws.nz - 1; k >= 0; k--) {
    const i = load<i32>(ws.absIdx + (<usize>k << 2));
    const now = load<i32>(ws.work + (<usize>i << 2));
    const was = load<i32>(labels + (<usize>i << 2));
    if (now == was) continue;
    const b = load<f64>(beta + (<usize>i << 3));
    moveScore(ws, b, now, was);
    if (votesClearly(ws, target, CERT_EPS)) {
      store<i32>(ws.work + (<usize>i << 2), was);
      putBack = true;
    } else {
      moveScore(ws, b, was, now);
    }
  }
  // Nothing put back: the attack is the one the caller just re-scored.
  if (putBack && !wins(ws, beta, ws.work, target)) memory.copy(ws.work, ws.backup, <usize>n << 2);
  return changedLabels(ws.work, labels, n);
}

/** The class j ≠ target needing the most flips for target to clearly overtake it; −1 if one is unreachable. */
function hardestRival(ws: Workspace, target: i32): i32 {
  let rival = -1;
  let most = -1;
  for (let j = 0; j < ws.classes; j++) {
    if (j == target) continue;
    const s = pairFlips(ws, j, target, -CERT_EPS, 0);
    if (s == UNREACHABLE) return -1;
    if (harder(s, j, most, rival)) {
      most = s;
      rival = j;
    }
  }
  return rival;
}

/**
 * Whether a rival j whose strict pair needs s flips replaces the current
 * choice (`most` flips, class `rival`): more flips, then the lower index.
 * hardestRival above visits the classes in index order, so equal counts keep
 * the first; attack-top.ts's hardestRival visits them in another order and
 * relies on this rule to pick the same class.
 */
// @ts-ignore: decorator
@inline export function harder(s: i32, j: i32, most: i32, rival: i32): bool {
  return s > most || (s == most && j < rival);
}

function changedLabels(work: usize, labels: usize, n: i32): i32 {
  let changed = 0;
  for (let i = 0; i < n; i++) {
    if (load<i32>(work + (<usize>i << 2)) != load<i32>(labels + (<usize>i << 2))) changed++;
  }
  return changed;
}
