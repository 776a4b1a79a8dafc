// Columns of a training set that are zero in every row (an image's empty border,
// say) add exactly zero to every dot product with those rows, so a partition's
// kernel can be computed on the other columns alone (docs/spec.md §2 allows any
// algebraically equal form). The TypeScript side (src/kernel/columns.ts) decides
// which columns to keep; this moves the data.

/**
 * In place, for the rows×d row-major x: keeps the `kept` columns whose indices
 * (i32, increasing) are at `keep`, so that x becomes rows×kept, row-major. When
 * `rest` is not 0, rest[i] = Σ x[i][j]² over the other columns, in increasing j
 * (the part of |x_i|² the kept columns do not hold).
 */
export function compactColumns(x: usize, rows: i32, d: i32, keep: usize, kept: i32, rest: usize): void {
  for (let i = 0; i < rows; i++) {
    // Row i moves to i·kept ≤ i·d and each kept column j to k ≤ j: nothing unread is overwritten.
    const src = x + ((<usize>i * <usize>d) << 3);
    const dst = x + ((<usize>i * <usize>kept) << 3);
    if (rest != 0) {
      let total: f64 = 0;
      let k = 0;
      for (let j = 0; j < d; j++) {
        if (k < kept && load<i32>(keep + (<usize>k << 2)) == j) {
          k++;
          continue;
        }
        const v = load<f64>(src + (<usize>j << 3));
        total += v * v;
      }
      store<f64>(rest + (<usize>i << 3), total);
    }
    for (let k = 0; k < kept; k++) {
      store<f64>(dst + (<usize>k << 3), load<f64>(src + (<usize>load<i32>(keep + (<usize>k << 2)) << 3)));
    }
  }
}
