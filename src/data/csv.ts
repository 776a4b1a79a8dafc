/**
 * CSV data: one header row, then one point per row. A pure function of the
 * text (no file system), so browsers parse uploads with the same rules as the
 * CLI; reading files lives in csv-file.ts.
 *
 * The training file's label column is the one named `label` (any case), or
 * else its last column; every other column is a numeric feature. A test file
 * is read against the training file's layout: its columns are matched to the
 * training features by header name (any order), and its label column (same
 * name as the training one) is optional. Errors name the file, the line as a
 * text editor shows it, the data row, and the column by its header name.
 */
// The browser build of csv-parse carries its own Buffer shim; the Node build needs Node's Buffer.
import { parse } from 'csv-parse/browser/esm/sync';
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import { parseDecimal } from '../checks/values.js';

/** A CSV text and the name its messages use (a path, or an uploaded file's name). */
export interface CsvText {
  name: string;
  text: string;
}

/** The columns of a training CSV: feature names in matrix order and the label column's name. */
export interface CsvLayout {
  features: string[];
  label: string;
}

export interface CsvData {
  x: Matrix;
  /** Labels, integers ≥ 0; absent when a test file has no label column. */
  y?: Int32Array;
  layout: CsvLayout;
}

interface Row {
  record: string[];
  info: { lines: number };
}

/** Largest label accepted here; the library checks labels against the class count. */
const MAX_LABEL = 2 ** 31 - 1;

function fail(name: string, problem: string): never {
  throw new FlipcertError(`${name}: ${problem}`, 'EFILE');
}

/** Splits the text into records, with the (last) file line of each; csv-parse's own errors get the file name. */
function parseRows(file: CsvText): Row[] {
  try {
    return parse(file.text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as Row[];
  } catch (err) {
    fail(file.name, (err as Error).message);
  }
}

/** The header row, checked: at least `minColumns` columns, not numeric data, no name twice. */
function headerOf(file: CsvText, rows: Row[], minColumns: number): string[] {
  if (rows.length === 0) fail(file.name, 'empty file; expected a header row, then one row per point');
  const header = rows[0].record;
  if (header.length < minColumns) {
    fail(file.name, `the header has ${header.length} column; need at least one feature column and a label column`);
  }
  if (header.every((name) => parseDecimal(name) !== undefined)) {
    fail(file.name, `line ${rows[0].info.lines} looks like data, not a header; add a header row naming the columns`);
  }
  const labels = header.flatMap((name, i) => (isLabelName(name) ? [i] : []));
  if (labels.length > 1) {
    fail(file.name, `${labels.length} columns are named "label" (columns ${labels.map((i) => i + 1).join(', ')}); keep one`);
  }
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) fail(file.name, `columns ${first + 1} and ${i + 1} are both named ${JSON.stringify(name)}; column names must be unique`);
    seen.set(name, i);
  });
  if (rows.length === 1) fail(file.name, 'no data rows after the header');
  return header;
}

function isLabelName(name: string): boolean {
  return name.toLowerCase() === 'label';
}

/**
 * Where each column of a file goes: `features[c]` is the matrix column of
 * file column c (or -1), `label` the label column (or -1).
 */
interface ColumnMap {
  features: Int32Array;
  label: number;
}

/** Parses the data rows into features and labels, following `map`. */
function readRows(file: CsvText, rows: Row[], header: string[], map: ColumnMap, cols: number): { x: Matrix; y?: Int32Array } {
  const n = rows.length - 1;
  const data = new Float64Array(n * cols);
  const y = map.label >= 0 ? new Int32Array(n) : undefined;
  for (let r = 0; r < n; r++) {
    const { record, info } = rows[r + 1];
    const where = `line ${info.lines} (data row ${r + 1}), column`;
    for (let c = 0; c < record.length; c++) {
      const value = parseDecimal(record[c]);
      if (value === undefined || !Number.isFinite(value)) {
        const cell = record[c] === '' ? 'is empty' : `is ${JSON.stringify(record[c])}, not a finite number`;
        fail(file.name, `${where} "${header[c]}" ${cell}`);
      }
      if (c === map.label) {
        if (!Number.isInteger(value) || value < 0 || value > MAX_LABEL) {
          fail(file.name, `${where} "${header[c]}" is ${value}; labels must be integers in 0..C-1`);
        }
        y![r] = value;
      } else if (map.features[c] >= 0) {
        data[r * cols + map.features[c]] = value;
      }
    }
  }
  return { x: { data, rows: n, cols }, y };
}

/**
 * Parses a labelled (training) CSV. Features are float64 in file order; labels
 * must be integers ≥ 0 (classes are resolved by the library). An empty or
 * non-numeric cell is an error naming the file, the line in the file, the
 * 1-based data row (the first row after the header is data row 1) and the
 * column's header name.
 */
export function parseCsv(file: CsvText): CsvData & { y: Int32Array } {
  const rows = parseRows(file);
  const header = headerOf(file, rows, 2);
  const named = header.findIndex(isLabelName);
  const label = named >= 0 ? named : header.length - 1;
  const features = new Int32Array(header.length);
  for (let c = 0, out = 0; c < header.length; c++) features[c] = c === label ? -1 : out++;
  const { x, y } = readRows(file, rows, header, { features, label }, header.length - 1);
  return { x, y: y!, layout: { features: header.filter((_, c) => c !== label), label: header[label] } };
}

/**
 * Parses a test CSV against a training layout: each training feature is taken
 * from the column of the same name, in any order; the label column (named as
 * in the training file) may be left out. Missing or extra columns are an
 * error naming both files and the columns.
 */
export function parseCsvLike(file: CsvText, layout: CsvLayout, trainName = 'the training file'): CsvData {
  const rows = parseRows(file);
  const header = headerOf(file, rows, 1);
  const position = new Map(layout.features.map((name, i) => [name, i]));
  const features = new Int32Array(header.map((name) => position.get(name) ?? -1));
  const label = header.findIndex((name) => name === layout.label || (isLabelName(name) && isLabelName(layout.label)));
  const missing = layout.features.filter((name) => !header.includes(name));
  const extra = header.filter((name, c) => c !== label && !position.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const list = (names: string[]) => names.map((name) => JSON.stringify(name)).join(', ');
    const parts = [
      missing.length > 0 ? `lacks ${missing.length === 1 ? 'column' : 'columns'} ${list(missing)} of ${trainName}` : '',
      extra.length > 0 ? `has ${extra.length === 1 ? 'a column' : 'columns'} ${list(extra)} that ${trainName} lacks` : '',
    ].filter(Boolean);
    fail(file.name, `${parts.join(' and ')}; columns are matched by header name (label column "${layout.label}" optional)`);
  }
  return { ...readRows(file, rows, header, { features, label }, layout.features.length), layout };
}

/** Parses a training and a test CSV, the test columns matched to the training ones by name. */
export function parseCsvPair(train: CsvText, test: CsvText): { train: { x: Matrix; y: Int32Array }; test: { x: Matrix; y?: Int32Array } } {
  const a = parseCsv(train);
  const b = parseCsvLike(test, a.layout, train.name);
  return { train: { x: a.x, y: a.y }, test: { x: b.x, y: b.y } };
}
