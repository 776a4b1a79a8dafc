// The rounding band of the certificate's comparisons (docs/spec.md §4, §7.2,
// §7.3), defined once for every file of cert/. Scores and gain sums are float64
// sums, so "the gain sum S of the chosen flips passes the margin M" is only
// decided outside the band |S − M| ≤ eps·X, X the magnitudes the sums add up
// (CERT_EPS = TIE_TOLERANCE of src/types.ts). The tolerant rule (eps > 0)
// serves certificates and lower bounds, the strict rule (eps < 0) the attacks
// behind upper bounds; pair.ts's file comment spells both out.
//
// Here: the constants imported from JavaScript (CERT_EPS, UNREACHABLE); the
// comparisons of a pair's gain sum with its threshold (thresholdOf, passes,
// clears) and the near-tie set-up of a count (countStart, flagUnclear); the
// same band for re-scored class scores (beatsClearly, votesClearly,
// voteLostClearly on ws.trial, which lists.ts's rescore fills); and the
// compensated (Neumaier) sums that keep every sum within a few ulps, which the
// band's width relies on (sumError, addCompensated).

import { Workspace } from './workspace';

/**
 * Relative tolerance of the certificate's comparisons (see the file comment)
 * and the sentinel for "no number of flips reaches it". Both are defined once,
 * in src/types.ts (TIE_TOLERANCE, UNREACHABLE), and imported when the core is
 * instantiated (src/wasm/core.ts).
 */
// @ts-ignore: decorator
@external("env", "tieTolerance") export declare const CERT_EPS: f64;
// @ts-ignore: decorator
@external("env", "unreachable") export declare const UNREACHABLE: i32;

/**
 * The rounding error of t = s + x (Neumaier): a compensated sum adds these
 * terms up beside the plain sum and adds them to it at the end.
 */
// @ts-ignore: decorator
@inline export function sumError(s: f64, x: f64, t: f64): f64 {
  return Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
}

/** Adds x to the compensated sum whose plain part is at `sum` and whose error terms are at `comp`. */
// @ts-ignore: decorator
@inline export function addCompensated(sum: usize, comp: usize, x: f64): void {
  const s = load<f64>(sum);
  const t = s + x;
  store<f64>(sum, t);
  store<f64>(comp, load<f64>(comp) + sumError(s, x, t));
}

/** Whether a gain sum passes the threshold: strictly, or also when equal (a rival of lower index). */
// @ts-ignore: decorator
@inline export function passes(sum: f64, threshold: f64, orEqual: bool): bool {
  return sum > threshold || (orEqual && sum == threshold);
}

/**
 * Whether t overtakes b when level (the gain sum equals the threshold): ties
 * go to the lower class index (docs/spec.md §7.1), so for t < b, except under
 * the strict rule (eps < 0), which must really win.
 */
// @ts-ignore: decorator
@inline export function tiesPass(b: i32, t: i32, eps: f64): bool {
  return t < b && eps >= 0;
}

/** Whether t already overtakes b with zero flips (margin M = F_b − F_t, scale = A_b + A_t). */
// @ts-ignore: decorator
@inline export function overtakesAtZero(b: i32, t: i32, margin: f64, scale: f64, eps: f64): bool {
  return passes(0, thresholdOf(margin, scale, eps), tiesPass(b, t, eps));
}

/** S > M − eps·(scale + S)  ⇔  S > (M − eps·scale) / (1 + eps). */
// @ts-ignore: decorator
@inline export function thresholdOf(margin: f64, scale: f64, eps: f64): f64 {
  return (margin - eps * scale) / (1 + eps);
}

/** Whether gain sum S beats margin M by more than the rounding band band·(scale + S). */
// @ts-ignore: decorator
@inline export function clears(sum: f64, margin: f64, band: f64, scale: f64): bool {
  return sum - margin > band * (scale + sum);
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

// The goal of the last countStart that did not settle the count.
let goal: f64 = 0;
let goalOrEqual: bool = false;

/**
 * The near-tie band set-up of a pair's count (t overtakes b; M = F_b − F_t,
 * scale = A_b + A_t), shared by pair.ts's pairFlips (full lists) and
 * vote-costs.ts's pairCount (top candidates): their counts and ws.pairNear
 * flags must agree, and soundness depends on it, so it is written once.
 * Sets ws.pairNear = 0, then:
 * - zero flips pass (0 > threshold, or = for t < b under the tolerant rule)
 *   and zero are allowed (minFlips = 0): returns true, the count is 0, flagged
 *   (ws.pairNear = 1) unless 0 > M + |eps|·scale;
 * - zero flips pass but b is the vote (minFlips = 1): its margin lies within
 *   the band, a near tie of the prediction itself (ws.pairNear = 2); the goal
 *   becomes the smallest s ≥ 1 with a really positive gain (threshold 0,
 *   strictly); returns false;
 * - otherwise returns false with the goal the pair's threshold.
 * The caller searches for the fewest gains that pass countGoal() (≥ when
 * countGoalOrEqual()), then calls flagUnclear with their sum.
 */
export function countStart(ws: Workspace, b: i32, t: i32, margin: f64, scale: f64, eps: f64, minFlips: i32): bool {
  const orEqual = tiesPass(b, t, eps);
  const threshold = thresholdOf(margin, scale, eps);
  ws.pairNear = 0;
  goal = threshold;
  goalOrEqual = orEqual;
  if (!passes(0, threshold, orEqual)) return false;
  if (minFlips == 0) {
    if (!clears(0, margin, Math.abs(eps), scale)) ws.pairNear = 1;
    return true;
  }
  // b is the vote and its margin lies within the band: a near tie of the prediction.
  ws.pairNear = 2;
  goal = 0; // the smallest s ≥ 1 with a really positive gain
  goalOrEqual = false;
  return false;
}

/** The threshold the gain sum must pass, as the last countStart left it. */
// @ts-ignore: decorator
@inline export function countGoal(): f64 {
  return goal;
}

/** Whether a gain sum equal to countGoal() passes too. */
// @ts-ignore: decorator
@inline export function countGoalOrEqual(): bool {
  return goalOrEqual;
}

/**
 * The end of the set-up above, once a count of at least one flip is found:
 * flags it (ws.pairNear = 1) unless its gain sum clears the band on the
 * defender's side too, sum > M + |eps|·(scale + sum); a flag already set stays.
 */
export function flagUnclear(ws: Workspace, sum: f64, margin: f64, scale: f64, eps: f64): void {
  if (ws.pairNear == 0 && !clears(sum, margin, Math.abs(eps), scale)) ws.pairNear = 1;
}
