// Summary metrics of docs/spec.md §1 over a set of test points.
import { FlipcertError } from '../errors.js';

/** Fraction of points classified correctly. */
export function accuracy(correct: ArrayLike<boolean>): number {
  if (correct.length === 0) throw new FlipcertError('accuracy: no test points');
  let hits = 0;
  for (let i = 0; i < correct.length; i++) if (correct[i]) hits++;
  return hits / correct.length;
}

/**
 * Certified accuracy CA(r) for r = 0..R: the fraction of points that are
 * correct AND have radius ≥ r. R is `maxRadius` when given, else the largest
 * radius of a correct point (CA is 0 beyond it), so the curve ends where it
 * reaches its last non-zero value; [0] when no point is correct.
 */
export function certifiedAccuracy(
  radii: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  maxRadius?: number,
): number[] {
  checkPair(radii, correct);
  if (maxRadius !== undefined && (!Number.isInteger(maxRadius) || maxRadius < 0)) {
    throw new FlipcertError(`certifiedAccuracy: maxRadius must be a non-negative integer, got ${maxRadius}`);
  }
  let top = 0;
  for (let i = 0; i < radii.length; i++) if (correct[i]) top = Math.max(top, radii[i]);
  const last = maxRadius ?? top;
  // Histogram of correct radii (clamped to `last`), then suffix sums: O(m + R).
  const atLeast = new Float64Array(last + 2);
  for (let i = 0; i < radii.length; i++) if (correct[i]) atLeast[Math.min(radii[i], last)]++;
  for (let r = last - 1; r >= 0; r--) atLeast[r] += atLeast[r + 1];
  return Array.from(atLeast.subarray(0, last + 1), (count) => count / radii.length);
}

/**
 * Median certified radius (docs/spec.md §1): with misclassified points counted as −1,
 * the ⌈m/2⌉-th largest radius; equivalently the largest r with CA(r) ≥ 0.5,
 * and −1 when accuracy < 0.5. For radii [1, 2, 3, 4], all correct, it is 3.
 */
export function medianCertifiedRadius(radii: ArrayLike<number>, correct: ArrayLike<boolean>): number {
  checkPair(radii, correct);
  const m = radii.length;
  const values = new Float64Array(m);
  for (let i = 0; i < m; i++) values[i] = correct[i] ? radii[i] : -1;
  values.sort(); // ascending: the ⌈m/2⌉-th largest sits at m − ⌈m/2⌉
  return values[m - Math.ceil(m / 2)];
}

/** Same length, at least one point, and every correct point has an integer radius ≥ 0. */
function checkPair(radii: ArrayLike<number>, correct: ArrayLike<boolean>): void {
  if (radii.length !== correct.length) {
    throw new FlipcertError(`metrics: ${radii.length} radii but ${correct.length} correctness flags`);
  }
  if (radii.length === 0) throw new FlipcertError('metrics: no test points');
  for (let i = 0; i < radii.length; i++) {
    if (correct[i] && (!Number.isInteger(radii[i]) || radii[i] < 0)) {
      throw new FlipcertError(`metrics: point ${i} has radius ${radii[i]}, expected an integer ≥ 0`);
    }
  }
}
