/**
 * Checks of feature matrices: any accepted form becomes a float64 row-major
 * Matrix, rectangular, non-empty and finite; test features must match the
 * training ones column for column. Row and column numbers in messages are
 * 0-based array indices.
 */
import type { Matrix, MatrixInput } from '../types.js';
import type { LabelNames } from './labels.js';
import { describe, invalid } from './values.js';

function checkDimension(value: unknown, what: string, name: 'rows' | 'cols'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(what, `${what}: ${name} must be an integer ≥ 1, got ${describe(value)}`, 'EINPUT');
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
      throw invalid(what, `${what}: row ${row}, column ${i - row * cols} is ${describe(v)}`, 'EINPUT');
    }
  }
}

/**
 * Copies a flat array-like into a Float64Array that the run owns, always: a
 * caller may reuse its buffers as soon as certify/validate/ntk return their
 * promise, and a shared buffer may change under another thread. Typed arrays
 * of numbers are copied first and the copy checked; anything else is checked
 * first (a string or a BigInt in it must be refused, not converted).
 */
function toFloat64(data: ArrayLike<unknown>, cols: number, what: string): Float64Array {
  if (ArrayBuffer.isView(data) && !(data instanceof BigInt64Array || data instanceof BigUint64Array)) {
    const copy = Float64Array.from(data as ArrayLike<number>);
    checkFinite(copy, cols, what);
    return copy;
  }
  checkFinite(data, cols, what);
  return Float64Array.from(data as ArrayLike<number>);
}

function fromRows(rows: readonly (readonly number[])[], what: string): Matrix {
  if (rows.length === 0) throw invalid(what, `${what}: no rows (need at least one)`, 'EINPUT');
  const first = rows[0];
  if (!Array.isArray(first)) throw invalid(what, `${what}: row 0 is not an array of numbers`, 'EINPUT');
  const cols = first.length;
  if (cols === 0) throw invalid(what, `${what}: row 0 has no values (need at least one column)`, 'EINPUT');
  const data = new Float64Array(rows.length * cols);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) throw invalid(what, `${what}: row ${r} is not an array of numbers`, 'EINPUT');
    if (row.length !== cols) {
      throw invalid(what, `${what}: row ${r} has ${row.length} values but row 0 has ${cols}; rows must all be the same length`, 'EINPUT');
    }
    for (let c = 0; c < cols; c++) {
      const v: unknown = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw invalid(what, `${what}: row ${r}, column ${c} is ${describe(v)}`, 'EINPUT');
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
    throw invalid(what, `${what}: expected {data, shape}, {data, rows, cols} or an array of rows`, 'EINPUT');
  }
  let rowsValue: unknown;
  let colsValue: unknown;
  if ('shape' in input) {
    const shape: unknown = input.shape;
    if (!Array.isArray(shape) || shape.length !== 2) {
      throw invalid(what, `${what}: shape must be [rows, cols], got ${JSON.stringify(shape)}`, 'EINPUT');
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
    throw invalid(what, `${what}: data must be an array or typed array of numbers`, 'EINPUT');
  }
  const flat = data as ArrayLike<unknown>;
  if (flat.length !== rows * cols) {
    throw invalid(what, `${what}: data has ${flat.length} values but shape ${rows}×${cols} needs ${rows * cols}`, 'EINPUT');
  }
  return { data: toFloat64(flat, cols, what), rows, cols };
}

/** Requires test features to have the training features' column count; both shapes go in the message. */
export function checkSameColumns(
  train: Matrix,
  test: Matrix,
  names: LabelNames = { train: 'options.train.x', test: 'options.test.x' },
): void {
  if (train.cols !== test.cols) {
    throw invalid(
      names.test,
      `${names.test} has ${test.cols} columns but ${names.train} has ${train.cols} ` +
        `(shapes ${test.rows}×${test.cols} and ${train.rows}×${train.cols}); features must match column for column`,
      'EINPUT',
    );
  }
}
