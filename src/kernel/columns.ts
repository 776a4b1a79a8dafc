/**
 * Columns that are zero in every training row of a model (an image's empty
 * border: about a fifth of MNIST's 784 pixels in each 1,200-row partition) add
 * exactly zero to every dot product with those rows. The model computes its
 * kernel on the other columns only (assembly/kernel/columns.ts moves the data);
 * a test row's squared norm still counts every column. docs/spec.md §2 allows any
 * algebraically equal form: the kernel's values change only by rounding.
 */

/** Compact only when at least this share of the columns can go: below it the extra pass costs about what it saves. */
const MIN_DROPPED_SHARE = 1 / 16;

/**
 * The indices (increasing) of the columns of the rows × d row-major `x` that
 * are nonzero in some row, or undefined when fewer than {@link MIN_DROPPED_SHARE}
 * of the columns are zero in every row (then nothing is gained).
 */
export function keptColumns(x: Float64Array, rows: number, d: number): Int32Array | undefined {
  const used = new Uint8Array(d);
  let count = 0;
  for (let i = 0; i < rows && count < d; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      if (used[j] === 0 && x[row + j] !== 0) {
        used[j] = 1;
        count++;
      }
    }
  }
  if (count === 0 || d - count < d * MIN_DROPPED_SHARE) return undefined;
  const kept = new Int32Array(count);
  for (let j = 0, k = 0; j < d; j++) if (used[j]) kept[k++] = j;
  return kept;
}
