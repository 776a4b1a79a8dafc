// The relative error between two sets of numbers (kernels, class scores): the kernel error and
// the score error of docs/spec.md §12.4.
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
