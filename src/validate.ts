/**
 * Input validation: everything a user hands flipcert (matrices, labels, class
 * counts, numeric options) is checked here, in TypeScript, before any of it
 * reaches the Wasm core. Every failure is a FlipcertError whose message names
 * the argument (`what`) and, where there is one, the row and column at fault.
 * Row and column numbers in these messages are 0-based array indices.
 */
import { FlipcertError } from './errors.js';
import type { LabelsInput, Matrix, MatrixInput } from './types.js';

/** More classes than this is almost surely a mislabelled column (e.g. raw ids). */
export const MAX_CLASSES = 65_536;

/** Strict decimal number syntax: no hex, no empty string, no trailing junk. */
const NUMBER_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a decimal number written as text (a CSV cell, a CLI option).
 * Returns undefined when the text is not a plain decimal number; unlike
 * `Number()`, '' and '0x10' are rejected rather than read as 0 and 16.
 */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMBER_SYNTAX.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * Parses a numeric option given as text, e.g. `parseNumber('0.5', '--reg')`.
 * Throws naming the option when the text is not a decimal number.
 */
export function parseNumber(text: string, name: string): number {
  const value = parseDecimal(text);
  if (value === undefined) throw new FlipcertError(`${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

/** Describes a bad value for a message: NaN, Infinity, "abc" (a string), … */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  return `${String(value)} (a ${value === null ? 'null' : typeof value})`;
}

function checkDimension(value: unknown, what: string, name: 'rows' | 'cols'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new FlipcertError(`${what}: ${name} must be an integer ≥ 1, got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks that every value of a row-major rows × cols block is a finite number.
 * Throws `what: row r, column c is NaN` at the first bad value.
 */
export function checkFinite(data: ArrayLike<unknown>, cols: number, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const row = Math.floor(i / cols);
      throw new FlipcertError(`${what}: row ${row}, column ${i - row * cols} is ${describe(v)}`);
    }
  }
}

/** Copies a flat array-like into a Float64Array (a Float64Array is used as is). */
function toFloat64(data: ArrayLike<unknown>, cols: number, what: string): Float64Array {
  checkFinite(data, cols, what);
  return data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
}

function fromRows(rows: readonly (readonly number[])[], what: string): Matrix {
  if (rows.length === 0) throw new FlipcertError(`${what}: no rows (need at least one)`);
  const first = rows[0];
  if (!Array.isArray(first)) throw new FlipcertError(`${what}: row 0 is not an array of numbers`);
  const cols = first.length;
  if (cols === 0) throw new FlipcertError(`${what}: row 0 has no values (need at least one column)`);
  const data = new Float64Array(rows.length * cols);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) throw new FlipcertError(`${what}: row ${r} is not an array of numbers`);
    if (row.length !== cols) {
      throw new FlipcertError(`${what}: row ${r} has ${row.length} values but row 0 has ${cols}; rows must all be the same length`);
    }
    for (let c = 0; c < cols; c++) {
      const v: unknown = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new FlipcertError(`${what}: row ${r}, column ${c} is ${describe(v)}`);
      }
      data[r * cols + c] = v;
    }
  }
  return { data, rows: rows.length, cols };
}

/**
 * Turns any accepted matrix form ({data, shape}, {data, rows, cols} or
 * number[][]) into a float64 row-major Matrix, checking that it is
 * rectangular, non-empty and finite. `what` names the argument in messages
 * (e.g. 'train-x'). A Float64Array `data` is used as is, not copied;
 * anything else (Float32Array, number[]) is converted into a new Float64Array.
 */
export function toMatrix(input: MatrixInput, what: string): Matrix {
  if (Array.isArray(input)) return fromRows(input as readonly (readonly number[])[], what);
  if (input === null || typeof input !== 'object' || !('data' in input)) {
    throw new FlipcertError(`${what}: expected {data, shape}, {data, rows, cols} or an array of rows`);
  }
  let rowsValue: unknown;
  let colsValue: unknown;
  if ('shape' in input) {
    const shape: unknown = input.shape;
    if (!Array.isArray(shape) || shape.length !== 2) {
      throw new FlipcertError(`${what}: shape must be [rows, cols], got ${JSON.stringify(shape)}`);
    }
    [rowsValue, colsValue] = shape;
  } else {
    rowsValue = input.rows;
    colsValue = input.cols;
  }
  const rows = checkDimension(rowsValue, what, 'rows');
  const cols = checkDimension(colsValue, what, 'cols');
  const data: unknown = input.data;
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<unknown>).length !== 'number') {
    throw new FlipcertError(`${what}: data must be an array or typed array of numbers`);
  }
  const flat = data as ArrayLike<unknown>;
  if (flat.length !== rows * cols) {
    throw new FlipcertError(`${what}: data has ${flat.length} values but shape ${rows}×${cols} needs ${rows * cols}`);
  }
  return { data: toFloat64(flat, cols, what), rows, cols };
}

/**
 * Checks labels for `rows` feature rows and returns them as a new Int32Array:
 * the lengths must match and every label must be an integer ≥ 0. `what` names
 * the argument in messages (e.g. 'train-y'). The upper bound (< classes) is
 * checked later by resolveClasses, once the class count is known.
 */
export function toLabels(input: LabelsInput, rows: number, what: string): Int32Array {
  if (input === null || typeof input !== 'object' || typeof input.length !== 'number') {
    throw new FlipcertError(`${what}: labels must be an array or typed array of integers`);
  }
  if (input.length !== rows) {
    throw new FlipcertError(`${what}: ${input.length} labels for ${rows} rows of features; there must be one label per row`);
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v: unknown = input[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) {
      const bound = typeof v === 'number' && Number.isInteger(v) && v >= MAX_CLASSES ? ` (at most ${MAX_CLASSES} classes)` : '';
      throw new FlipcertError(`${what}: row ${i} is ${describe(v)}, labels must be integers in 0..C-1${bound}`);
    }
    out[i] = v;
  }
  return out;
}

/** Names used for the two label sets in resolveClasses' messages. */
export interface LabelNames {
  train: string;
  test: string;
}

function maxLabel(labels: Int32Array): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}

function checkBelow(labels: Int32Array, classes: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new FlipcertError(
        `${what}: row ${i} is ${labels[i]}, but there are ${classes} classes (labels must be in 0..${classes - 1}); raise --classes or fix the label`,
      );
    }
  }
}

function checkTwoClasses(labels: Int32Array, what: string): void {
  const first = labels[0];
  for (let i = 1; i < labels.length; i++) if (labels[i] !== first) return;
  const only = labels.length === 0 ? 'no labels' : `only class ${first}`;
  throw new FlipcertError(`${what}: the training labels contain ${only}; at least 2 distinct classes are needed`);
}

/**
 * The number of classes C (SPEC §3): `classes` when given (an integer ≥ 2,
 * and every label must be below it), else 1 + the largest label seen in the
 * training or test labels. Also requires ≥ 2 distinct training classes.
 */
export function resolveClasses(
  trainLabels: Int32Array,
  testLabels: Int32Array | undefined,
  classes?: number,
  names: LabelNames = { train: 'train-y', test: 'test-y' },
): number {
  let resolved: number;
  if (classes === undefined) {
    resolved = 1 + Math.max(maxLabel(trainLabels), testLabels ? maxLabel(testLabels) : -1);
  } else {
    resolved = integerInRange(classes, 2, MAX_CLASSES, '--classes');
    checkBelow(trainLabels, resolved, names.train);
    if (testLabels) checkBelow(testLabels, resolved, names.test);
  }
  checkTwoClasses(trainLabels, names.train);
  return resolved;
}

/** Requires test features to have the training features' column count; both shapes go in the message. */
export function checkSameColumns(train: Matrix, test: Matrix, names: LabelNames = { train: 'train-x', test: 'test-x' }): void {
  if (train.cols !== test.cols) {
    throw new FlipcertError(
      `${names.test} has ${test.cols} columns but ${names.train} has ${train.cols} ` +
        `(shapes ${test.rows}×${test.cols} and ${train.rows}×${train.cols}); features must match column for column`,
    );
  }
}

/** Returns `value` if it is a finite number > 0 (e.g. reg, wVar), else throws naming `name`. */
export function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new FlipcertError(`${name} must be a positive number, got ${describe(value)}`);
  }
  return value;
}

/** Returns `value` if it is a finite number ≥ 0 (e.g. bVar), else throws naming `name`. */
export function nonNegative(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new FlipcertError(`${name} must be a number ≥ 0, got ${describe(value)}`);
  }
  return value;
}

/** Returns `value` if it is an integer ≥ `min` (e.g. depth ≥ 1), else throws naming `name`. */
export function integerAtLeast(value: unknown, min: number, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new FlipcertError(`${name} must be an integer ≥ ${min}, got ${describe(value)}`);
  }
  return value;
}

/** Returns `value` if it is an integer in [min, max], else throws naming `name` and the range. */
export function integerInRange(value: unknown, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new FlipcertError(`${name} must be an integer in ${min}..${max}, got ${describe(value)}`);
  }
  return value;
}
