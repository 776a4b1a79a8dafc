// The figures of docs/spec.md §12.4 that are plain statistics.
import type { Spread } from '../validate/result.js';

/** Mean and sample standard deviation (n − 1); sd null for one value, both null for none. */
export function spread(values: number[]): Spread {
  if (values.length === 0) return { mean: null, sd: null };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length === 1) return { mean, sd: null };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

/** ‖a − b‖ / ‖b‖ over all entries (the class scores of every test point); 0 when both are 0. */
export function relativeFrobenius(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  if (norm === 0) return diff === 0 ? 0 : Infinity;
  return Math.sqrt(diff / norm);
}
