// Label-independent partitioning of the training rows (docs/spec.md §5). The rule only
// ever looks at features, so one label flip touches exactly one base model.
import { FlipcertError } from '../errors.js';
import type { Matrix, Partitioning } from '../types.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32-bit, over raw bytes (offset 0x811c9dc5, prime 0x01000193). */
export function fnv1a32(bytes: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * FNV-1a-32 of row `row` of `x`, over the little-endian float64 bytes of its
 * values. DataView fixes the byte order, so big-endian hosts agree too.
 */
export function hashRow(x: Matrix, row: number): number {
  checkRow(x, row);
  const bytes = new Uint8Array(x.cols * 8);
  return hashRowInto(x, row, bytes, new DataView(bytes.buffer));
}

/** {@link hashRow} writing into caller-owned scratch (`x.cols * 8` bytes). */
function hashRowInto(x: Matrix, row: number, bytes: Uint8Array, view: DataView): number {
  const base = row * x.cols;
  for (let j = 0; j < x.cols; j++) view.setFloat64(j * 8, x.data[base + j], true);
  return fnv1a32(bytes);
}

/**
 * Partition id (0..k-1) of every row of `x` under `rule`:
 * - 'hash': FNV-1a-32 of the row's bytes mod k;
 * - 'sorted': rows sorted lexicographically by feature values (ties by row
 *   index), then dealt round-robin: the i-th row in that order goes to i mod k;
 * - explicit ids: one integer in 0..k-1 per row.
 * Throws FlipcertError for a bad k, bad explicit ids, or any empty partition.
 */
export function partitionIds(x: Matrix, k: number, rule: Partitioning): Int32Array {
  if (!Number.isInteger(k) || k < 1) {
    throw new FlipcertError(`options.partitions must be a positive integer, got ${k}`, 'EOPTION', { field: 'partitions' });
  }
  let ids: Int32Array;
  // One partition: every hash mod 1 is 0, so skip hashing the whole set.
  if (rule === 'hash') ids = k === 1 ? new Int32Array(x.rows) : hashIds(x, k);
  else if (rule === 'sorted') ids = sortedIds(x, k);
  else if (typeof rule === 'string') {
    throw new FlipcertError(`options.partitioning must be 'hash', 'sorted' or explicit ids, got '${rule}'`, 'EOPTION', {
      field: 'partitioning',
    });
  } else ids = explicitIds(rule, x.rows, k);
  checkNonEmpty(ids, k, typeof rule === 'string' ? rule : undefined);
  return ids;
}

/**
 * Row indices of each partition, ascending: result[p] lists the rows with
 * ids[row] === p. Ids must already be valid (see {@link partitionIds}).
 */
export function groupByPartition(ids: Int32Array, k: number): Int32Array[] {
  const sizes = new Int32Array(k);
  for (let i = 0; i < ids.length; i++) sizes[ids[i]]++;
  const groups = Array.from(sizes, (size) => new Int32Array(size));
  const fill = new Int32Array(k);
  for (let i = 0; i < ids.length; i++) groups[ids[i]][fill[ids[i]]++] = i;
  return groups;
}

function hashIds(x: Matrix, k: number): Int32Array {
  const ids = new Int32Array(x.rows);
  const bytes = new Uint8Array(x.cols * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < x.rows; i++) ids[i] = hashRowInto(x, i, bytes, view) % k;
  return ids;
}

function sortedIds(x: Matrix, k: number): Int32Array {
  const { data, cols } = x;
  for (let i = 0; i < data.length; i++) {
    if (Number.isNaN(data[i])) {
      // NaN has no place in a lexicographic order; refuse rather than guess.
      throw new FlipcertError(`'sorted' partitioning: row ${Math.floor(i / cols)} has a NaN feature (column ${i % cols})`, 'EINPUT', {
        field: 'train.x',
      });
    }
  }
  const order = Array.from({ length: x.rows }, (_, i) => i);
  order.sort((a, b) => {
    const ra = a * cols;
    const rb = b * cols;
    for (let j = 0; j < cols; j++) {
      const va = data[ra + j];
      const vb = data[rb + j];
      if (va !== vb) return va < vb ? -1 : 1;
    }
    return a - b;
  });
  const ids = new Int32Array(x.rows);
  for (let i = 0; i < order.length; i++) ids[order[i]] = i % k;
  return ids;
}

function explicitIds(given: ArrayLike<number>, rows: number, k: number): Int32Array {
  if (given.length !== rows) {
    throw new FlipcertError(`options.partitioning: got ${given.length} partition ids for ${rows} training rows; give one per row`, 'EOPTION', {
      field: 'partitioning',
    });
  }
  const ids = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const id = given[i];
    if (!Number.isInteger(id) || id < 0 || id >= k) {
      throw new FlipcertError(
        `options.partitioning: row ${i} has partition id ${id}, expected an integer in 0..${k - 1} (partitions: ${k})`,
        'EOPTION',
        { field: 'partitioning' },
      );
    }
    ids[i] = id;
  }
  return ids;
}

/** docs/spec.md §5: an empty partition is an error naming it and suggesting fewer partitions. */
function checkNonEmpty(ids: Int32Array, k: number, rule: string | undefined): void {
  const sizes = new Int32Array(k);
  for (let i = 0; i < ids.length; i++) sizes[ids[i]]++;
  const empty = sizes.indexOf(0);
  if (empty >= 0) {
    const how = rule === undefined ? 'the explicit ids in options.partitioning' : `'${rule}' partitioning`;
    throw new FlipcertError(
      `partition ${empty} of ${k} is empty (${how} assigned no training row to it); use fewer partitions (options.partitions)`,
      'EOPTION',
      { field: rule === undefined ? 'partitioning' : 'partitions' },
    );
  }
}

function checkRow(x: Matrix, row: number): void {
  if (!Number.isInteger(row) || row < 0 || row >= x.rows) {
    throw new FlipcertError(`row ${row} is out of range 0..${x.rows - 1}`, 'EOPTION');
  }
}
