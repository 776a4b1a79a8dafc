/** Shape and value checks shared by the embedding stages (docs/spec.md §13). */
import { FlipcertError } from '../errors.js';

/** Throws unless `x` holds `rows` × `cols` finite numbers; `what` names the matrix in the message. */
export function checkRows(x: Float64Array, rows: number, cols: number, what: string): void {
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(cols) || cols < 1 || x.length !== rows * cols) {
    throw new FlipcertError(`${what}: expected ${rows} × ${cols} values, got ${x.length}`, 'EINPUT', { field: what });
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      const row = Math.floor(i / cols);
      throw new FlipcertError(`${what}: row ${row + 1}, column ${(i % cols) + 1} is ${x[i]}, not a finite number`, 'EINPUT', { field: what });
    }
  }
}

/** Rows per block of the blocked products: bounds the scratch memory, and fixes the summation order. */
export const BLOCK_ROWS = 512;
