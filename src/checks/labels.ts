/**
 * Checks of labels and the class count C (docs/spec.md §3): integers ≥ 0, one
 * per row, below C; C given or inferred from the training labels, never from
 * the test labels. Row numbers in messages are 0-based array indices.
 */
import type { LabelsInput } from '../types.js';
import { describe, integerInRange, invalid } from './values.js';

/** More classes than this is almost surely a mislabelled column (e.g. raw ids). */
export const MAX_CLASSES = 65_536;

/**
 * Empty classes an inferred class count may have beyond the number of
 * classes present, so that an unmapped subset such as digits {1, 7} (C = 8)
 * still works; see {@link resolveClasses}.
 */
export const EMPTY_CLASS_SLACK = 16;

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
