import { describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { fnv1a32, groupByPartition, hashRow, partitionIds } from '../src/ensemble/partitioning.js';
import type { Matrix } from '../src/types.js';

function matrix(rows: number[][]): Matrix {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length };
}

describe('hashing', () => {
  it('implements FNV-1a-32 (published vectors)', () => {
    expect(fnv1a32(new Uint8Array(0))).toBe(0x811c9dc5);
    expect(fnv1a32(new TextEncoder().encode('a'))).toBe(0xe40c292c);
    expect(fnv1a32(new TextEncoder().encode('foobar'))).toBe(0xbf9cf968);
  });

  it('matches the docs/spec.md §5 row vectors', () => {
    const x = matrix([
      [9, 9, 9],
      [0.5, -1.0, 3.25],
    ]);
    expect(hashRow(x, 1)).toBe(0xf8be05ff);
    expect(hashRow(matrix([[1.0, 2.0]]), 0)).toBe(0x45ca9438);
  });

  it("assigns 'hash' partitions as hash mod k", () => {
    // Hashes worked out with an independent Python FNV-1a over struct.pack('<2d', ...):
    // [1, 2] → 0x45ca9438 (mod 3 = 1), [0.5, −1] → 0x88137215 (mod 3 = 2),
    // [0, 0] → 0x69691905 (mod 3 = 0), [−0, 0] → 0x0dc99285 (mod 3 = 1: −0 has its own bytes).
    const x = matrix([
      [1, 2],
      [0.5, -1],
      [0, 0],
      [-0, 0],
    ]);
    expect([...partitionIds(x, 3, 'hash')]).toEqual([1, 2, 0, 1]);
    expect(hashRow(x, 3)).toBe(0x0dc99285);
    // 0x45ca9438 mod 2 = 0 while the other three are odd; k = 4 rows cannot fill 5 partitions.
    expect([...partitionIds(x, 2, 'hash')]).toEqual([0, 1, 1, 1]);
    expect(() => partitionIds(x, 5, 'hash')).toThrow(/is empty/);
  });

  it('rejects a row out of range', () => {
    expect(() => hashRow(matrix([[1, 2]]), 1)).toThrow(FlipcertError);
  });
});

describe("'sorted' partitioning", () => {
  it('sorts lexicographically, breaks ties by row index, and deals round-robin', () => {
    const x = matrix([
      [2, 1], // row 0
      [1, 5], // row 1
      [2, 0], // row 2
      [1, 5], // row 3 (same as row 1: comes after it)
      [-3, 9], // row 4
      [2, 1], // row 5 (same as row 0)
    ]);
    // Sorted order: 4, 1, 3, 2, 0, 5.
    // k = 2: positions 0..5 → 0,1,0,1,0,1 → row4:0 row1:1 row3:0 row2:1 row0:0 row5:1.
    expect([...partitionIds(x, 2, 'sorted')]).toEqual([0, 1, 1, 0, 0, 1]);
    // k = 3: row4:0 row1:1 row3:2 row2:0 row0:1 row5:2.
    expect([...partitionIds(x, 3, 'sorted')]).toEqual([1, 1, 0, 2, 0, 2]);
  });

  it('orders infinities correctly', () => {
    // Sorted: row 2 (-∞), row 1 (∞, −1), row 0 (∞, 0). k = 3 → row2:0 row1:1 row0:2.
    const x = matrix([
      [Infinity, 0],
      [Infinity, -1],
      [-Infinity, 5],
    ]);
    expect([...partitionIds(x, 3, 'sorted')]).toEqual([2, 1, 0]);
  });

  it('refuses NaN features, naming the row', () => {
    expect(() => partitionIds(matrix([[1], [NaN]]), 1, 'sorted')).toThrow(/row 1 has a NaN/);
  });
});

describe('explicit partition ids', () => {
  const x = matrix([[0], [1], [2], [3]]);

  it('accepts valid ids and groups rows ascending', () => {
    const ids = partitionIds(x, 2, [1, 0, 1, 0]);
    expect([...ids]).toEqual([1, 0, 1, 0]);
    expect(groupByPartition(ids, 2).map((g) => [...g])).toEqual([
      [1, 3],
      [0, 2],
    ]);
  });

  it('names the bad row or the length mismatch', () => {
    expect(() => partitionIds(x, 2, [0, 1, 0])).toThrow(/got 3 partition ids for 4 training rows/);
    expect(() => partitionIds(x, 2, [0, 1, 1.5, 0])).toThrow(/options.partitioning: row 2 has partition id 1.5/);
    expect(() => partitionIds(x, 2, [0, 2, 1, 0])).toThrow(/row 1 has partition id 2, expected an integer in 0..1/);
    expect(() => partitionIds(x, 2, [0, 1, 1, -1])).toThrow(/row 3 has partition id -1/);
  });

  it('reports an empty partition and suggests fewer partitions', () => {
    let error: unknown;
    try {
      partitionIds(x, 3, [0, 0, 2, 2]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlipcertError);
    expect((error as Error).message).toMatch(/partition 1 of 3 is empty/);
    expect((error as Error).message).toMatch(/fewer partitions/);
  });

  it('rejects a bad k or rule', () => {
    expect(() => partitionIds(x, 0, 'hash')).toThrow(/positive integer/);
    expect(() => partitionIds(x, 2, 'random' as 'hash')).toThrow(/options.partitioning must be 'hash', 'sorted' or explicit ids, got 'random'/);
  });
});

describe('groupByPartition', () => {
  it('returns every row exactly once, ascending within each partition', () => {
    const ids = Int32Array.from([2, 0, 2, 1, 0, 2]);
    expect(groupByPartition(ids, 3).map((g) => [...g])).toEqual([[1, 4], [3], [0, 2, 5]]);
  });
});
