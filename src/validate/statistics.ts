// The figures of docs/spec.md §12.4 that are plain statistics over seeds.
import type { Spread } from './result.js';

/** Mean and sample standard deviation (n − 1); sd null for one value, both null for none. */
export function spread(values: number[]): Spread {
  if (values.length === 0) return { mean: null, sd: null };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length === 1) return { mean, sd: null };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}
