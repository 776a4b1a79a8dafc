import { describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import type { MatrixInput } from '../src/types.js';
import { checkSameColumns, toMatrix } from '../src/checks/matrix.js';
import { integerAtLeast, integerInRange, nonNegative, parseDecimal, parseNumber, positive } from '../src/checks/values.js';
import { resolveClasses, toLabels } from '../src/checks/labels.js';

/** Runs `fn`, which must throw a FlipcertError, and returns it. */
function errorOf(fn: () => unknown): FlipcertError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlipcertError);
    return err as FlipcertError;
  }
  throw new Error('expected a FlipcertError, nothing was thrown');
}

/** Runs `fn`, which must throw a FlipcertError, and returns its message. */
function messageOf(fn: () => unknown): string {
  return errorOf(fn).message;
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
      const m = toMatrix(form, 'options.train.x');
      expect(m.data).toBeInstanceOf(Float64Array);
      expect([m.rows, m.cols]).toEqual([2, 3]);
      expect(Array.from(m.data)).toEqual(expected);
    }
  });

  it('keeps float32 values exactly and copies even a Float64Array (the run owns its data, issue 21 item 10)', () => {
    const f32 = Float32Array.from([0.1, 1 / 3]);
    expect(Array.from(toMatrix({ data: f32, rows: 1, cols: 2 }, 'x').data)).toEqual([f32[0], f32[1]]);
    const f64 = Float64Array.from(expected);
    const taken = toMatrix({ data: f64, rows: 3, cols: 2 }, 'x').data;
    expect(taken).not.toBe(f64);
    expect(taken.buffer).not.toBe(f64.buffer);
    expect(Array.from(taken)).toEqual(Array.from(f64));
  });

  it('names row and column of a non-finite value in every form', () => {
    const data = [1, 2, 3, 4, 5, 6, 7, 8, NaN];
    expect(messageOf(() => toMatrix({ data, shape: [3, 3] }, 'options.train.x'))).toBe('options.train.x: row 2, column 2 is NaN');
    expect(messageOf(() => toMatrix({ data: Float64Array.from([0, Infinity]), rows: 1, cols: 2 }, 'options.test.x'))).toBe(
      'options.test.x: row 0, column 1 is Infinity',
    );
    expect(
      messageOf(() =>
        toMatrix(
          [
            [1, 2],
            [3, -Infinity],
          ],
          'options.train.x',
        ),
      ),
    ).toBe('options.train.x: row 1, column 1 is -Infinity');
    const strings = [[1, '2' as unknown as number]];
    expect(messageOf(() => toMatrix(strings, 'options.train.x'))).toBe('options.train.x: row 0, column 1 is "2" (a string)');
  });

  it('rejects ragged, empty and mis-sized input with the numbers involved', () => {
    expect(messageOf(() => toMatrix([[1, 2], [3]], 'options.train.x'))).toMatch(/options.train.x: row 1 has 1 values but row 0 has 2/);
    expect(messageOf(() => toMatrix([], 'options.train.x'))).toMatch(/options.train.x: no rows/);
    expect(messageOf(() => toMatrix([[]], 'options.train.x'))).toMatch(/row 0 has no values/);
    expect(messageOf(() => toMatrix({ data: [1, 2, 3], shape: [2, 2] }, 'options.train.x'))).toMatch(/data has 3 values but shape 2×2 needs 4/);
    expect(messageOf(() => toMatrix({ data: [], rows: 0, cols: 3 }, 'options.train.x'))).toMatch(/rows must be an integer ≥ 1, got 0/);
    expect(messageOf(() => toMatrix({ data: [1, 2], rows: 1, cols: 1.5 } as MatrixInput, 'options.train.x'))).toMatch(/cols must be an integer ≥ 1, got 1\.5/);
    expect(messageOf(() => toMatrix({ data: [1, 2], shape: [2] } as unknown as MatrixInput, 'options.train.x'))).toMatch(/shape must be \[rows, cols\]/);
    expect(messageOf(() => toMatrix(null as unknown as MatrixInput, 'options.train.x'))).toMatch(/options.train.x: expected/);
  });
});

describe('toLabels', () => {
  it('returns a fresh Int32Array', () => {
    const input = Int32Array.from([0, 2, 1]);
    const y = toLabels(input, 3, 'options.train.y');
    expect(y).toBeInstanceOf(Int32Array);
    expect(y).not.toBe(input);
    expect(Array.from(y)).toEqual([0, 2, 1]);
    expect(Array.from(toLabels([1, 0], 2, 'y'))).toEqual([1, 0]);
  });

  it('shows both lengths when they differ', () => {
    expect(messageOf(() => toLabels([0, 1], 3, 'options.train.y'))).toMatch(/options.train.y: 2 labels for 3 rows/);
  });

  it('names the row of a label that is not an integer ≥ 0', () => {
    expect(messageOf(() => toLabels([0, 1, 0, 1, 0, 2.5], 6, 'options.train.y'))).toBe('options.train.y: row 5 is 2.5, labels must be integers in 0..C-1');
    expect(messageOf(() => toLabels([0, -1], 2, 'options.test.y'))).toMatch(/options.test.y: row 1 is -1/);
    expect(messageOf(() => toLabels([NaN], 1, 'y'))).toMatch(/row 0 is NaN/);
    expect(messageOf(() => toLabels([1e9], 1, 'y'))).toMatch(/row 0 is 1000000000.*at most 65536 classes/);
  });
});

describe('resolveClasses', () => {
  const train = Int32Array.from([0, 1, 1, 0]);

  it('is 1 + the largest training label when options.classes is absent; test labels never change it (docs/spec.md §3)', () => {
    expect(resolveClasses(train, undefined)).toBe(2);
    expect(resolveClasses(Int32Array.from([0, 3]), Int32Array.from([1]))).toBe(4);
    const error = errorOf(() => resolveClasses(train, Int32Array.from([1, 0, 5, 0])));
    expect(error.message).toBe(
      'options.test.y: row 2 is 5, but there are 2 classes (labels must be in 0..1); C is 1 + the largest training label ' +
        '(test labels never change it); set options.classes or fix the label',
    );
    expect([error.code, error.field]).toEqual(['EINPUT', 'test.y']);
  });

  it('uses options.classes when given and names the row of a label at or above it', () => {
    expect(resolveClasses(train, Int32Array.from([1]), 10)).toBe(10);
    expect(messageOf(() => resolveClasses(Int32Array.from([0, 1, 3, 1]), undefined, 3))).toMatch(/options.train.y: row 2 is 3, but there are 3 classes \(labels must be in 0\.\.2\); raise options.classes/);
    expect(messageOf(() => resolveClasses(train, Int32Array.from([0, 0, 2]), 2))).toMatch(/options.test.y: row 2 is 2, but there are 2 classes/);
    const error = errorOf(() => resolveClasses(train, undefined, 1));
    expect(error.message).toBe('options.classes must be an integer in 2..65536, got 1');
    expect([error.code, error.field]).toEqual(['EOPTION', 'classes']);
  });

  it('refuses an inferred C that is mostly empty classes, naming the row; an explicit C insists', () => {
    const typo = Int32Array.from([0, 1, 1, 0, 60000, 1]);
    const error = errorOf(() => resolveClasses(typo, undefined));
    expect(error.message).toBe(
      'options.train.y: row 4 is 60000, which makes 60001 classes, but only 3 of them have a training point ' +
        '(59998 would be empty); fix the label, or set options.classes to 60001 if you mean it',
    );
    expect([error.code, error.field]).toEqual(['EINPUT', 'train.y']);
    expect(resolveClasses(typo, undefined, 60001)).toBe(60001);
  });

  it('allows up to max(16, classes present) empty classes when inferring C', () => {
    // Digits {1, 7} kept unmapped: C = 8 with 6 empty classes.
    expect(resolveClasses(Int32Array.from([1, 7, 7]), undefined)).toBe(8);
    // 2 present: up to 16 empty, so the largest label may be 17 but not 18.
    expect(resolveClasses(Int32Array.from([0, 17]), undefined)).toBe(18);
    expect(messageOf(() => resolveClasses(Int32Array.from([0, 18]), undefined))).toMatch(/row 1 is 18, which makes 19 classes, but only 2/);
    // 40 of 100 present: 60 empty > 40, refused; 50 of 100: 50 empty, allowed.
    const present = (count: number) => Int32Array.from({ length: count }, (_, i) => (i === count - 1 ? 99 : i));
    expect(messageOf(() => resolveClasses(present(40), undefined))).toMatch(/makes 100 classes, but only 40/);
    expect(resolveClasses(present(50), undefined)).toBe(100);
  });

  it('requires two distinct training classes, even when test labels have more', () => {
    expect(messageOf(() => resolveClasses(Int32Array.from([1, 1, 1]), Int32Array.from([0, 1])))).toMatch(
      /options.train.y: the training labels contain only class 1; at least 2 distinct classes are needed/,
    );
    expect(messageOf(() => resolveClasses(Int32Array.from([0]), undefined, 5))).toMatch(/only class 0/);
  });

  it('uses the caller’s names for the label sets', () => {
    const names = { train: 'train.npy', test: 'test.npy' };
    const error = errorOf(() => resolveClasses(train, Int32Array.from([7]), 3, names));
    expect(error.message).toMatch(/^test\.npy: row 0 is 7/);
    expect(error.field).toBeUndefined();
  });
});

describe('checkSameColumns', () => {
  it('shows both shapes on a mismatch', () => {
    const train = { data: new Float64Array(400), rows: 100, cols: 4 };
    const test = { data: new Float64Array(50), rows: 10, cols: 5 };
    expect(() => checkSameColumns(train, { ...test, cols: 4, data: new Float64Array(40) })).not.toThrow();
    expect(messageOf(() => checkSameColumns(train, test))).toMatch(/options.test.x has 5 columns but options.train.x has 4 \(shapes 10×5 and 100×4\)/);
  });
});

describe('option checks', () => {
  it('accept good values and return them', () => {
    expect(positive(0.5, 'options.reg')).toBe(0.5);
    expect(nonNegative(0, 'options.kernel.bVar')).toBe(0);
    expect(integerAtLeast(1, 1, 'options.kernel.depth')).toBe(1);
    expect(integerInRange(3, 1, 3, 'options.x')).toBe(3);
    expect(parseNumber(' 1e-3 ', 'options.reg')).toBe(0.001);
  });

  it('reject bad values naming the option', () => {
    expect(messageOf(() => positive(0, 'options.reg'))).toBe('options.reg must be a positive number, got 0');
    expect(messageOf(() => positive(NaN, 'options.reg'))).toBe('options.reg must be a positive number, got NaN');
    expect(messageOf(() => positive('1', 'options.reg'))).toBe('options.reg must be a positive number, got "1" (a string)');
    expect(messageOf(() => nonNegative(-1e-9, 'options.kernel.bVar'))).toMatch(/options.kernel.bVar must be a number ≥ 0/);
    expect(messageOf(() => integerAtLeast(0, 1, 'options.kernel.depth'))).toBe('options.kernel.depth must be an integer ≥ 1, got 0');
    expect(messageOf(() => integerAtLeast(1.5, 1, 'options.kernel.depth'))).toMatch(/got 1\.5/);
    expect(messageOf(() => integerInRange(4, 1, 3, 'options.x'))).toBe('options.x must be an integer in 1..3, got 4');
    expect(messageOf(() => parseNumber('abc', 'options.reg'))).toBe('options.reg must be a number, got "abc"');
  });

  it('parseDecimal rejects what Number() silently accepts', () => {
    for (const text of ['', ' ', '0x10', '0b1', '1_000', '1e', '.', 'NaN', 'Infinity', '1,5']) expect(parseDecimal(text), text).toBeUndefined();
    for (const [text, value] of [['-2', -2], ['+.5', 0.5], ['3.', 3], ['1E3', 1000]] as const) expect(parseDecimal(text)).toBe(value);
  });
});
