// An independent re-check of an attack on one base model, in JavaScript: the
// class scores F_c = Σ_{y_i = c} β_i of the attacked labels, summed from
// scratch with Neumaier compensation (no code shared with the Wasm core).
//
// "Retraining" a partition with flipped labels is this re-scoring: both base
// models' weights β (docs/spec.md §3: (K + λ̃I)⁻¹k(X, x) for krr, k(X, x) for svm) do
// not depend on the labels, so the model trained on the attacked labels
// predicts argmax_c of these sums.
import { TIE_TOLERANCE } from '../types.js';

/** Compensated class scores and Σ|β| per class for `labels`. */
export function classScores(beta: ArrayLike<number>, labels: ArrayLike<number>, classes: number): { score: Float64Array; mass: Float64Array } {
  const score = new Float64Array(classes);
  const comp = new Float64Array(classes);
  const mass = new Float64Array(classes);
  for (let i = 0; i < beta.length; i++) {
    const c = labels[i];
    const x = beta[i];
    const s = score[c];
    const t = s + x;
    comp[c] += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    score[c] = t;
    mass[c] += Math.abs(x);
  }
  for (let c = 0; c < classes; c++) score[c] += comp[c];
  return { score, mass };
}

/**
 * Whether the model votes `target` for `labels` by more than the rounding band
 * (docs/spec.md §7.2) against every other class: then it votes `target` in exact
 * arithmetic and in any evaluation whose error stays inside the band. Two
 * classes without any nonzero weight both score exactly 0 in every
 * evaluation, so there the tie rule decides with no rounding at all.
 */
export function votesClearly(beta: ArrayLike<number>, labels: ArrayLike<number>, classes: number, target: number): boolean {
  const { score, mass } = classScores(beta, labels, classes);
  for (let j = 0; j < classes; j++) {
    if (j === target) continue;
    if (mass[target] === 0 && mass[j] === 0 && target < j) continue;
    if (!(score[target] - score[j] > TIE_TOLERANCE * (mass[target] + mass[j]))) return false;
  }
  return true;
}
