// The label-flip attacks of `validate` (docs/spec.md §12.3), from weights β
// over the training rows, for a model whose class scores are F_c = Σ_{y_i = c} β_i:
// the NTK model's β for the witness-based attack, the trained network's own
// linearisation for the greedy one. Pure arithmetic, no Wasm.
import type { WitnessFlip } from '../types.js';

/**
 * How much relabelling row i from `from` to `to` lowers the margin
 * F_c − F_c2 (negative when it raises it): β_i leaves class `from` and joins class `to`.
 */
export function marginGain(beta: number, from: number, to: number, c: number, c2: number): number {
  const side = (label: number) => (label === c ? 1 : label === c2 ? -1 : 0);
  return beta * (side(from) - side(to));
}

/** The flip of row i (label `from`) with the largest gain against (c, c2); ties to the lowest label. */
export function bestFlip(beta: number, from: number, classes: number, c: number, c2: number): { to: number; gain: number } {
  let best = { to: -1, gain: -Infinity };
  for (let to = 0; to < classes; to++) {
    if (to === from) continue;
    const gain = marginGain(beta, from, to, c, c2);
    if (gain > best.gain) best = { to, gain };
  }
  return best;
}

/**
 * The `count` strongest flips of a witness for the pair (c, c2) — its weakest
 * flip dropped when it has count + 1 — in their original order. Strength is
 * {@link marginGain} under `beta`; among equal gains the flip of the higher
 * training row goes first.
 */
export function strongestFlips(flips: readonly WitnessFlip[], beta: ArrayLike<number>, c: number, c2: number, count: number): WitnessFlip[] {
  const ranked = flips
    .map((f, k) => ({ k, gain: marginGain(beta[f.train], f.from, f.to, c, c2), train: f.train }))
    .sort((a, b) => b.gain - a.gain || b.train - a.train);
  const kept = new Set(ranked.slice(0, count).map((r) => r.k));
  return flips.filter((_, k) => kept.has(k));
}

/**
 * The greedy attack of exactly `radius` flips on one test point, for a model
 * with weights `beta` (over the training rows, labels `labels`) whose clean
 * class scores are `scores`: the prediction c is argmax(scores) (ties to the
 * lowest class); for each other class c2, every row's best flip
 * ({@link bestFlip}) is ranked by gain (ties to the lower row) and the
 * `radius` first are taken; the attack is that of the c2 with the largest
 * (sum of those gains − (F_c − F_c2)), ties to the lowest c2. Flips in
 * ascending training row.
 */
export function greedyAttack(
  beta: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  scores: ArrayLike<number>,
  radius: number,
): WitnessFlip[] {
  const c = argmax(scores);
  let best: { excess: number; flips: WitnessFlip[] } | undefined;
  for (let c2 = 0; c2 < classes; c2++) {
    if (c2 === c) continue;
    const ranked = Array.from({ length: labels.length }, (_, i) => ({ train: i, from: labels[i], ...bestFlip(beta[i], labels[i], classes, c, c2) }))
      .sort((a, b) => b.gain - a.gain || a.train - b.train)
      .slice(0, radius);
    const excess = ranked.reduce((sum, f) => sum + f.gain, 0) - (scores[c] - scores[c2]);
    if (best === undefined || excess > best.excess) {
      best = { excess, flips: ranked.map(({ train, from, to }) => ({ train, from, to })).sort((a, b) => a.train - b.train) };
    }
  }
  return best?.flips ?? [];
}

/** Index of the largest value; ties to the lowest index (docs/spec.md §3). */
export function argmax(values: ArrayLike<number>): number {
  let at = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[at]) at = i;
  return at;
}

/** `labels` with `flips` applied (a new array). */
export function applyFlips(labels: Int32Array, flips: readonly WitnessFlip[]): Int32Array {
  const out = labels.slice();
  for (const f of flips) out[f.train] = f.to;
  return out;
}
