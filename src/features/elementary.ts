/**
 * exp and log of the representation stages (docs/spec.md §13.1, §13.3, §13.4),
 * computed by the features module's table-free functions (assembly/features/elementary.ts,
 * within 2 ulp), never by Math.exp/Math.log, whose last bit may differ between
 * JavaScript engines: a representation has the same bits in Node and every browser.
 */
import type { Features } from './module.js';

/** Values per trip through the core's memory: bounded, so a 60,000-row graph never needs one large copy. */
const CHUNK = 1 << 16;

/** values[i] ← exp(values[i]) for every i. */
export function expInPlace(features: Features, values: Float64Array): void {
  inChunks(features, values, (ptr, n) => features.exports.expInPlace(ptr, n));
}

/** values[i] ← log(values[i] + shift) for every i. */
export function logShiftedInPlace(features: Features, values: Float64Array, shift: number): void {
  inChunks(features, values, (ptr, n) => features.exports.logShiftedInPlace(ptr, n, shift));
}

function inChunks(features: Features, values: Float64Array, apply: (ptr: number, n: number) => void): void {
  const { heap } = features;
  heap.scoped(() => {
    const ptr = heap.f64(Math.min(CHUNK, values.length));
    for (let start = 0; start < values.length; start += CHUNK) {
      const part = values.subarray(start, Math.min(values.length, start + CHUNK));
      heap.viewF64(ptr, part.length).set(part);
      apply(ptr, part.length);
      part.set(heap.viewF64(ptr, part.length));
    }
  });
}
