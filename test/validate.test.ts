import { describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import type { MatrixInput } from '../src/types.js';
import {
  checkSameColumns,
  integerAtLeast,
  integerInRange,
  nonNegative,
  parseDecimal,
  parseNumber,
  positive,
  resolveClasses,
  toLabels,
  toMatrix,
} from '../src/validate.js';

/** Runs `fn`, which must throw a FlipcertError, and returns its message. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlipcertError);
    return (err as Error).message;
  }
  throw new Error('expected a FlipcertError, nothing was thrown');
}

describe('toMatrix', () => {
  const expected = [1, 2, 3, 4, 5, 6];

  it('accepts {data, shape}, {data, rows, cols} and number[][] alike, as float64', () => {
    const forms: MatrixInput[] = [
      { data: expected, shape: [2, 3] },
      { data: Float32Array.from(expected), rows: 2, cols: 3 },
      { data: Float64Array.from(expected), shape: [2, 3] },
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ];
    for (const form of forms) {
      const m = toMatrix(form, 'train-x');
      expect(m.data).toBeInstanceOf(Float64Array);
      expect([m.rows, m.cols]).toEqual([2, 3]);
      expect(Array.from(m.data)).toEqual(expected);
    }
  });

  it('keeps float32 values exactly and does not copy a Float64Array', () => {
    const f32 = Float32Array.from([0.1, 1 / 3]);
    expect(Array.from(toMatrix({ data: f32, rows: 1, cols: 2 }, 'x').data)).toEqual([f32[0], f32[1]]);
    const f64 = Float64Array.from(expected);
    expect(toMatrix({ data: f64, rows: 3, cols: 2 }, 'x').data).toBe(f64);
  });

  it('names row and column of a non-finite value in every form', () => {
    const data = [1, 2, 3, 4, 5, 6, 7, 8, NaN];
    expect(messageOf(() => toMatrix({ data, shape: [3, 3] }, 'train-x'))).toBe('train-x: row 2, column 2 is NaN');
    expect(messageOf(() => toMatrix({ data: Float64Array.from([0, Infinity]), rows: 1, cols: 2 }, 'test-x'))).toBe(
      'test-x: row 0, column 1 is Infinity',
    );
    expect(
      messageOf(() =>
        toMatrix(
          [
            [1, 2],
            [3, -Infinity],
          ],
          'train-x',
        ),
      ),
    ).toBe('train-x: row 1, column 1 is -Infinity');
    const strings = [[1, '2' as unknown as number]];
    expect(messageOf(() => toMatrix(strings, 'train-x'))).toBe('train-x: row 0, column 1 is "2" (a string)');
  });

  it('rejects ragged, empty and mis-sized input with the numbers involved', () => {
    expect(messageOf(() => toMatrix([[1, 2], [3]], 'train-x'))).toMatch(/train-x: row 1 has 1 values but row 0 has 2/);
    expect(messageOf(() => toMatrix([], 'train-x'))).toMatch(/train-x: no rows/);
    expect(messageOf(() => toMatrix([[]], 'train-x'))).toMatch(/row 0 has no values/);
    expect(messageOf(() => toMatrix({ data: [1, 2, 3], shape: [2, 2] }, 'train-x'))).toMatch(/data has 3 values but shape 2×2 needs 4/);
    expect(messageOf(() => toMatrix({ data: [], rows: 0, cols: 3 }, 'train-x'))).toMatch(/rows must be an integer ≥ 1, got 0/);
    expect(messageOf(() => toMatrix({ data: [1, 2], rows: 1, cols: 1.5 } as MatrixInput, 'train-x'))).toMatch(/cols must be an integer ≥ 1, got 1\.5/);
    expect(messageOf(() => toMatrix({ data: [1, 2], shape: [2] } as unknown as MatrixInput, 'train-x'))).toMatch(/shape must be \[rows, cols\]/);
    expect(messageOf(() => toMatrix(null as unknown as MatrixInput, 'train-x'))).toMatch(/train-x: expected/);
  });
});

describe('toLabels', () => {
  it('returns a fresh Int32Array', () => {
    const input = Int32Array.from([0, 2, 1]);
    const y = toLabels(input, 3, 'train-y');
    expect(y).toBeInstanceOf(Int32Array);
    expect(y).not.toBe(input);
    expect(Array.from(y)).toEqual([0, 2, 1]);
    expect(Array.from(toLabels([1, 0], 2, 'y'))).toEqual([1, 0]);
  });

  it('shows both lengths when they differ', () => {
    expect(messageOf(() => toLabels([0, 1], 3, 'train-y'))).toMatch(/train-y: 2 labels for 3 rows/);
  });

  it('names the row of a label that is not an integer ≥ 0', () => {
    expect(messageOf(() => toLabels([0, 1, 0, 1, 0, 2.5], 6, 'train-y'))).toBe('train-y: row 5 is 2.5, labels must be integers in 0..C-1');
    expect(messageOf(() => toLabels([0, -1], 2, 'test-y'))).toMatch(/test-y: row 1 is -1/);
    expect(messageOf(() => toLabels([NaN], 1, 'y'))).toMatch(/row 0 is NaN/);
    expect(messageOf(() => toLabels([1e9], 1, 'y'))).toMatch(/row 0 is 1000000000.*at most 65536 classes/);
  });
});

describe('resolveClasses', () => {
  const train = Int32Array.from([0, 1, 1, 0]);

  it('is 1 + the largest label in train or test when --classes is absent (SPEC §3)', () => {
    expect(resolveClasses(train, undefined)).toBe(2);
    expect(resolveClasses(train, Int32Array.from([4, 0]))).toBe(5);
    expect(resolveClasses(Int32Array.from([0, 3]), Int32Array.from([1]))).toBe(4);
  });

  it('uses --classes when given and names the row of a label at or above it', () => {
    expect(resolveClasses(train, Int32Array.from([1]), 10)).toBe(10);
    expect(messageOf(() => resolveClasses(Int32Array.from([0, 1, 3, 1]), undefined, 3))).toMatch(/train-y: row 2 is 3, but there are 3 classes \(labels must be in 0\.\.2\)/);
    expect(messageOf(() => resolveClasses(train, Int32Array.from([0, 0, 2]), 2))).toMatch(/test-y: row 2 is 2, but there are 2 classes/);
    expect(messageOf(() => resolveClasses(train, undefined, 1))).toMatch(/--classes must be an integer in 2\.\.65536, got 1/);
  });

  it('requires two distinct training classes, even when test labels have more', () => {
    expect(messageOf(() => resolveClasses(Int32Array.from([1, 1, 1]), Int32Array.from([0, 1])))).toMatch(
      /train-y: the training labels contain only class 1; at least 2 distinct classes are needed/,
    );
    expect(messageOf(() => resolveClasses(Int32Array.from([0]), undefined, 5))).toMatch(/only class 0/);
  });

  it('uses the caller’s names for the label sets', () => {
    const names = { train: 'train.npy', test: 'test.npy' };
    expect(messageOf(() => resolveClasses(train, Int32Array.from([7]), 3, names))).toMatch(/^test\.npy: row 0 is 7/);
  });
});

describe('checkSameColumns', () => {
  it('shows both shapes on a mismatch', () => {
    const train = { data: new Float64Array(400), rows: 100, cols: 4 };
    const test = { data: new Float64Array(50), rows: 10, cols: 5 };
    expect(() => checkSameColumns(train, { ...test, cols: 4, data: new Float64Array(40) })).not.toThrow();
    expect(messageOf(() => checkSameColumns(train, test))).toMatch(/test-x has 5 columns but train-x has 4 \(shapes 10×5 and 100×4\)/);
  });
});

describe('option checks', () => {
  it('accept good values and return them', () => {
    expect(positive(0.5, '--reg')).toBe(0.5);
    expect(nonNegative(0, '--b-var')).toBe(0);
    expect(integerAtLeast(1, 1, '--depth')).toBe(1);
    expect(integerInRange(3, 1, 3, '--x')).toBe(3);
    expect(parseNumber(' 1e-3 ', '--reg')).toBe(0.001);
  });

  it('reject bad values naming the option', () => {
    expect(messageOf(() => positive(0, '--reg'))).toBe('--reg must be a positive number, got 0');
    expect(messageOf(() => positive(NaN, '--reg'))).toBe('--reg must be a positive number, got NaN');
    expect(messageOf(() => positive('1', '--reg'))).toBe('--reg must be a positive number, got "1" (a string)');
    expect(messageOf(() => nonNegative(-1e-9, '--b-var'))).toMatch(/--b-var must be a number ≥ 0/);
    expect(messageOf(() => integerAtLeast(0, 1, '--depth'))).toBe('--depth must be an integer ≥ 1, got 0');
    expect(messageOf(() => integerAtLeast(1.5, 1, '--depth'))).toMatch(/got 1\.5/);
    expect(messageOf(() => integerInRange(4, 1, 3, '--x'))).toBe('--x must be an integer in 1..3, got 4');
    expect(messageOf(() => parseNumber('abc', '--reg'))).toBe('--reg must be a number, got "abc"');
  });

  it('parseDecimal rejects what Number() silently accepts', () => {
    for (const text of ['', ' ', '0x10', '0b1', '1_000', '1e', '.', 'NaN', 'Infinity', '1,5']) expect(parseDecimal(text), text).toBeUndefined();
    for (const [text, value] of [['-2', -2], ['+.5', 0.5], ['3.', 3], ['1E3', 1000]] as const) expect(parseDecimal(text)).toBe(value);
  });
});
