/**
 * Input validation: the checks that options.ts (the API boundary) and the
 * file readers apply to what a user hands flipcert (matrices, labels, class
 * counts, numeric options) before any of it reaches the Wasm core. Every
 * failure is a FlipcertError whose message names the argument (`what`) and,
 * where there is one, the row and column at fault. Row and column numbers in
 * these messages are 0-based array indices.
 *
 * `what` is how the message names the argument: an API path such as
 * `options.train.x` (then the error's `field` is that path without
 * `options.`, e.g. `train.x`, for the CLI to translate into its flag), or a
 * file name. Data problems carry code EINPUT, option values EOPTION.
 */
import { FlipcertError, type ErrorCode } from '../errors.js';
import { closest } from './suggest.js';
import type { LabelsInput, Matrix, MatrixInput } from '../types.js';

/** More classes than this is almost surely a mislabelled column (e.g. raw ids). */
export const MAX_CLASSES = 65_536;

/**
 * Empty classes an inferred class count may have beyond the number of
 * classes present, so that an unmapped subset such as digits {1, 7} (C = 8)
 * still works; see {@link resolveClasses}.
 */
export const EMPTY_CLASS_SLACK = 16;

/** The API field named by `what` ('options.kernel.depth' → 'kernel.depth'); undefined for a file name or flag. */
export function fieldOf(what: string): string | undefined {
  return what.startsWith('options.') ? what.slice('options.'.length) : undefined;
}

/** A FlipcertError about `what`, with `field` derived from it. */
export function invalid(what: string, message: string, code: ErrorCode): FlipcertError {
  return new FlipcertError(message, code, { field: fieldOf(what) });
}

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
  if (value === undefined) throw invalid(name, `${name} must be a number, got ${JSON.stringify(text)}`, 'EOPTION');
  return value;
}

/** Describes a bad value for a message: NaN, Infinity, "abc" (a string), [1,2] (an array), … */
export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (a ${typeof value})`;
}

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

/** Copies a flat array-like into a Float64Array (a Float64Array is used as is). */
function toFloat64(data: ArrayLike<unknown>, cols: number, what: string): Float64Array {
  checkFinite(data, cols, what);
  return data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
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

/**
 * Checks labels for `rows` feature rows and returns them as a new Int32Array:
 * the lengths must match and every label must be an integer ≥ 0. `what` names
 * the argument in messages (e.g. 'train-y'). The upper bound (< classes) is
 * checked later by resolveClasses, once the class count is known.
 */
export function toLabels(input: LabelsInput, rows: number, what: string): Int32Array {
  if (input === null || typeof input !== 'object' || typeof input.length !== 'number') {
    throw invalid(what, `${what}: labels must be an array or typed array of integers`, 'EINPUT');
  }
  if (input.length !== rows) {
    throw invalid(what, `${what}: ${input.length} labels for ${rows} rows of features; there must be one label per row`, 'EINPUT');
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v: unknown = input[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) {
      const bound = typeof v === 'number' && Number.isInteger(v) && v >= MAX_CLASSES ? ` (at most ${MAX_CLASSES} classes)` : '';
      throw invalid(what, `${what}: row ${i} is ${describe(v)}, labels must be integers in 0..C-1${bound}`, 'EINPUT');
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

const API_LABELS: LabelNames = { train: 'options.train.y', test: 'options.test.y' };

/** Row of the first largest label (-1 for none). */
function argMax(labels: Int32Array): number {
  let at = -1;
  for (let i = 0; i < labels.length; i++) if (at < 0 || labels[i] > labels[at]) at = i;
  return at;
}

function distinctCount(labels: Int32Array): number {
  return new Set(labels).size;
}

function checkBelow(labels: Int32Array, classes: number, what: string, hint: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw invalid(
        what,
        `${what}: row ${i} is ${labels[i]}, but there are ${classes} classes (labels must be in 0..${classes - 1}); ${hint}`,
        'EINPUT',
      );
    }
  }
}

function checkTwoClasses(labels: Int32Array, what: string): void {
  const first = labels[0];
  for (let i = 1; i < labels.length; i++) if (labels[i] !== first) return;
  const only = labels.length === 0 ? 'no labels' : `only class ${first}`;
  throw invalid(what, `${what}: the training labels contain ${only}; at least 2 distinct classes are needed`, 'EINPUT');
}

/**
 * Refuses an inferred class count that is mostly empty classes: more empty
 * classes than max(EMPTY_CLASS_SLACK, classes present). One stray label (a
 * typo 60000 among 0/1) would otherwise make C = 60001, and the ensemble's
 * per-partition costs grow with C². An explicit `options.classes` insists.
 */
function checkPlausibleClasses(labels: Int32Array, classes: number, names: LabelNames): void {
  const present = distinctCount(labels);
  const empty = classes - present;
  if (empty <= Math.max(EMPTY_CLASS_SLACK, present)) return;
  const row = argMax(labels);
  throw invalid(
    names.train,
    `${names.train}: row ${row} is ${labels[row]}, which makes ${classes} classes, but only ${present} of them have a ` +
      `training point (${empty} would be empty); fix the label, or set options.classes to ${classes} if you mean it`,
    'EINPUT',
  );
}

/**
 * The number of classes C (docs/spec.md §3): `classes` when given (an integer in
 * 2..MAX_CLASSES, above every training label), else 1 + the largest
 * training label, refused when most of those classes would have no
 * training point (see checkPlausibleClasses). Test labels never change C;
 * a test label ≥ C is an error that suggests `options.classes`. Also
 * requires ≥ 2 distinct training classes.
 */
export function resolveClasses(
  trainLabels: Int32Array,
  testLabels: Int32Array | undefined,
  classes?: unknown,
  names: LabelNames = API_LABELS,
): number {
  checkTwoClasses(trainLabels, names.train);
  let resolved: number;
  if (classes === undefined) {
    resolved = 1 + trainLabels[argMax(trainLabels)];
    checkPlausibleClasses(trainLabels, resolved, names);
  } else {
    resolved = integerInRange(classes, 2, MAX_CLASSES, 'options.classes');
    checkBelow(trainLabels, resolved, names.train, 'raise options.classes or fix the label');
  }
  const hint =
    classes === undefined
      ? `C is 1 + the largest training label (test labels never change it); set options.classes or fix the label`
      : 'raise options.classes or fix the label';
  if (testLabels) checkBelow(testLabels, resolved, names.test, hint);
  return resolved;
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

/** Returns `value` if it is a finite number > 0 (e.g. reg, wVar), else throws naming `name`. */
export function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(name, `${name} must be a positive number, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is a finite number ≥ 0 (e.g. bVar), else throws naming `name`. */
export function nonNegative(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(name, `${name} must be a number ≥ 0, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is an integer ≥ `min` (e.g. depth ≥ 1), else throws naming `name`. */
export function integerAtLeast(value: unknown, min: number, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(name, `${name} must be an integer ≥ ${min}, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is an integer in [min, max], else throws naming `name` and the range. */
export function integerInRange(value: unknown, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(name, `${name} must be an integer in ${min}..${max}, got ${describe(value)}`, 'EOPTION');
  }
  return value;
}

/** Returns `value` if it is true or false, else throws naming `name`. */
export function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalid(name, `${name} must be true or false, got ${describe(value)}`, 'EOPTION');
  return value;
}

/** Returns `value` if it is one of `choices` (strings), else throws naming `name`, with a "did you mean" hint. */
export function oneOf<T extends string>(value: unknown, choices: readonly T[], name: string): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const listed = choices.map((c) => `'${c}'`).join(' or ');
  const near = typeof value === 'string' ? closest(value, choices) : undefined;
  const hint = near === undefined ? '' : `; did you mean '${near}'?`;
  throw invalid(name, `${name} must be ${listed}, got ${describe(value)}${hint}`, 'EOPTION');
}

/** True for `{...}` objects (not arrays, typed arrays or null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/**
 * Requires `value` to be a plain object whose own keys are all in `known`;
 * an unknown key is an error with a "did you mean" hint:
 * `options.partition is not an option; did you mean options.partitions?`.
 * `name` is the object's path ('options', 'options.kernel').
 */
export function knownKeys(value: unknown, known: readonly string[], name: string, shape: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(name, `${name} must be an object ${shape}, got ${describe(value)}`, 'EOPTION');
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = near === undefined ? `; the options here are ${known.join(', ')}` : `; did you mean ${name}.${near}?`;
    throw invalid(`${name}.${key}`, `${name}.${key} is not an option${hint}`, 'EOPTION');
  }
  return value;
}
