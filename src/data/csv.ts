/**
 * CSV data files: one header row, then one point per row. The label column is
 * the one named `label` (any case), or else the last column; every other
 * column is a numeric feature. Errors name the file, the line as a text editor
 * shows it, the data row, and the column by its header name.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import { parseDecimal, toLabels } from '../validate.js';

interface Row {
  record: string[];
  info: { lines: number };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FlipcertError(`${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`}`, 'EFILE');
  }
}

/** Splits the text into records, with the (last) file line of each; csv-parse's own errors get the file name. */
function parseRows(path: string, text: string): Row[] {
  try {
    return parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as Row[];
  } catch (err) {
    throw new FlipcertError(`${path}: ${(err as Error).message}`, 'EFILE');
  }
}

/** Index of the label column: the one named `label` (case-insensitive), else the last. */
function labelColumn(path: string, header: string[]): number {
  const named = header.flatMap((name, i) => (name.toLowerCase() === 'label' ? [i] : []));
  if (named.length > 1) throw new FlipcertError(`${path}: ${named.length} columns are named "label" (columns ${named.map((i) => i + 1).join(', ')}); keep one`, 'EFILE');
  return named.length === 1 ? named[0] : header.length - 1;
}

/**
 * Reads a CSV file with a header row into features and labels. Features are
 * float64; labels must be integers ≥ 0 (classes are resolved later). An empty
 * or non-numeric cell is an error naming the file, the line in the file, the
 * 1-based data row (the first row after the header is data row 1) and the
 * column's header name.
 */
export async function readCsv(path: string): Promise<{ x: Matrix; y: Int32Array }> {
  return parseCsv(await readText(path), path);
}

/** {@link readCsv} on text already in memory (the web app's dropped files); `path` names the file in errors. */
export function parseCsv(text: string, path: string): { x: Matrix; y: Int32Array } {
  const rows = parseRows(path, text);
  if (rows.length === 0) throw new FlipcertError(`${path}: empty file; expected a header row, then one row per point`, 'EFILE');
  const header = rows[0].record;
  if (header.length < 2) throw new FlipcertError(`${path}: the header has ${header.length} column; need at least one feature column and a label column`, 'EFILE');
  if (header.every((name) => parseDecimal(name) !== undefined)) {
    throw new FlipcertError(`${path}: line ${rows[0].info.lines} looks like data, not a header; add a header row naming the columns`, 'EFILE');
  }
  const target = labelColumn(path, header);
  const n = rows.length - 1;
  if (n === 0) throw new FlipcertError(`${path}: no data rows after the header`, 'EFILE');
  const cols = header.length - 1;
  const data = new Float64Array(n * cols);
  const labels = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const { record, info } = rows[r + 1];
    for (let c = 0, out = 0; c < record.length; c++) {
      const value = parseDecimal(record[c]);
      if (value === undefined || !Number.isFinite(value)) {
        const cell = record[c] === '' ? 'is empty' : `is ${JSON.stringify(record[c])}, not a finite number`;
        throw new FlipcertError(`${path}: line ${info.lines} (data row ${r + 1}), column "${header[c]}" ${cell}`, 'EFILE');
      }
      if (c === target) labels[r] = value;
      else data[r * cols + out++] = value;
    }
  }
  return { x: { data, rows: n, cols }, y: labelsOf(path, labels, rows, header[target]) };
}

/** Checks labels with validate.ts, then restates a failure in the file's terms (line, data row, column). */
function labelsOf(path: string, labels: Float64Array, rows: Row[], name: string): Int32Array {
  for (let r = 0; r < labels.length; r++) {
    const v = labels[r];
    if (!Number.isInteger(v) || v < 0) {
      throw new FlipcertError(`${path}: line ${rows[r + 1].info.lines} (data row ${r + 1}), column "${name}" is ${v}; labels must be integers in 0..C-1`, 'EFILE');
    }
  }
  return toLabels(labels, labels.length, path);
}
