/**
 * The NumPy .npy format, byte level and without I/O, so that browsers can
 * parse dropped files and Node can stream large ones (npy.ts) with the same
 * checks. The header is parsed here (its dict by npy-header.ts) rather than by
 * npyjs, because flipcert must reject what npyjs silently misreads (big-endian
 * data, Fortran order, truncated or oversized files, a header with extra keys).
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import { checkFinite } from '../checks/matrix.js';
import { toLabels } from '../checks/labels.js';
import { HeaderError, parseHeaderDict, type HeaderDict } from './npy-header.js';

const MAGIC = '\x93NUMPY';

/** The dtypes flipcert reads, by NumPy type code (kind + item size). */
export const DTYPES = {
  f8: { size: 8, name: 'float64' },
  f4: { size: 4, name: 'float32' },
  u1: { size: 1, name: 'uint8' },
  i4: { size: 4, name: 'int32' },
  i8: { size: 8, name: 'int64' },
} as const;
export type Code = keyof typeof DTYPES;

/** What the header of an .npy file says. */
export interface NpyHeader {
  code: Code;
  shape: number[];
  /** Byte offset of the first data value. */
  dataOffset: number;
}

/** An .npy file's values as float64 (row-major), with its shape. */
export interface NpyValues {
  shape: number[];
  data: Float64Array;
}

export function fail(path: string, problem: string): never {
  throw new FlipcertError(`${path}: ${problem}`, 'EFILE');
}

/** Parses the descr string ('<f8', '|u1', …) into a supported type code. */
function parseDescr(path: string, descr: string): Code {
  const order = descr[0];
  const code = descr.slice(1);
  if (!(code in DTYPES)) {
    fail(path, `dtype '${descr}' is not supported; use float64, float32, uint8, int32 or int64 (e.g. arr.astype(np.float64))`);
  }
  const single = DTYPES[code as Code].size === 1;
  if (order === '>' && !single) fail(path, `dtype '${descr}' is big-endian; save it little-endian (arr.astype('<${code}'))`);
  if (order !== '<' && order !== '|' && !(single && order === '>')) fail(path, `dtype '${descr}' has an unknown byte order`);
  return code as Code;
}

/** The dtype code and shape a header names, read as NumPy reads it (npy-header.ts). */
function parseDict(path: string, text: string, python2: boolean): { code: Code; shape: number[] } {
  let dict: HeaderDict;
  try {
    dict = parseHeaderDict(text, python2);
  } catch (error) {
    if (error instanceof HeaderError) fail(path, error.message);
    throw error;
  }
  if (typeof dict.descr !== 'string') fail(path, 'structured (record) arrays are not supported; save a plain numeric array');
  const code = parseDescr(path, dict.descr);
  if (dict.fortranOrder) fail(path, 'array is in Fortran (column-major) order; save it with np.ascontiguousarray(arr)');
  const tooLarge = dict.shape.find((d) => d > BigInt(Number.MAX_SAFE_INTEGER));
  if (tooLarge !== undefined) fail(path, `shape (${dict.shape.join(', ')}) has a dimension above 2^53`);
  return { code, shape: dict.shape.map(Number) };
}

/**
 * Checks the fixed preamble (the first ≤ 12 bytes of a file of `size` bytes):
 * magic and version. Returns where the header text starts and how long it is.
 */
export function parsePreamble(path: string, pre: Uint8Array, size: number): { start: number; headerLength: number; major: number } {
  if (size < 10) fail(path, `not an .npy file (only ${size} bytes)`);
  if (String.fromCharCode(...pre.subarray(0, 6)) !== MAGIC) fail(path, 'not an .npy file (bad magic; expected \\x93NUMPY)');
  const major = pre[6];
  // NumPy reads exactly versions 1.0, 2.0 and 3.0.
  if (major < 1 || major > 3 || pre[7] !== 0) fail(path, `unsupported .npy format version ${major}.${pre[7]}`);
  const view = new DataView(pre.buffer, pre.byteOffset, pre.byteLength);
  const start = major === 1 ? 10 : 12;
  if (pre.length < start) fail(path, `truncated header: expected ${start} bytes at offset 0, file ends after ${pre.length}`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  // Before anything is allocated for it: a flipped bit can make the length 4 GB.
  if (headerLength > size - start) {
    fail(path, `truncated header: expected ${headerLength} bytes at offset ${start}, file ends after ${Math.max(0, size - start)}`);
  }
  return { start, headerLength, major };
}

/**
 * Parses the header text and checks dtype (see DTYPES), C order, and that the
 * file size matches shape × item size.
 */
export function parseHeader(path: string, headerBytes: Uint8Array, major: number, start: number, size: number): NpyHeader {
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { code, shape } = parseDict(path, text, major < 3);
  const dataOffset = start + headerBytes.length;
  // Exact in BigInt: a crafted shape's product may pass 2^53.
  const expected = shape.reduce((a, b) => a * BigInt(b), 1n) * BigInt(DTYPES[code].size);
  const actual = BigInt(size - dataOffset);
  if (actual < expected) fail(path, `truncated data: shape (${shape.join(', ')}) of ${DTYPES[code].name} needs ${expected} bytes, file has ${actual < 0n ? 0 : actual}`);
  if (actual > expected) fail(path, `file has ${actual - expected} unexpected bytes after the data of shape (${shape.join(', ')})`);
  return { code, shape, dataOffset };
}

/** Converts one chunk of raw little-endian values into float64, checking int64 range. */
export function convertChunk(code: Code, bytes: Uint8Array, out: Float64Array, at: number, path: string, cols: number): void {
  const buf = bytes.buffer;
  const n = bytes.byteLength / DTYPES[code].size;
  if (code === 'f4') out.set(new Float32Array(buf, bytes.byteOffset, n), at);
  else if (code === 'u1') out.set(bytes, at);
  else if (code === 'i4') out.set(new Int32Array(buf, bytes.byteOffset, n), at);
  else if (code === 'i8') {
    const values = new BigInt64Array(buf, bytes.byteOffset, n);
    const limit = 2n ** 53n;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v > limit || v < -limit) {
        const row = Math.floor((at + i) / cols);
        fail(path, `row ${row}, column ${at + i - row * cols} is ${v}, outside ±2^53 where int64 converts exactly to float64`);
      }
      out[at + i] = Number(v);
    }
  } else out.set(new Float64Array(buf, bytes.byteOffset, n), at);
}

/** Allocates the float64 result, as a FlipcertError when memory runs out. */
export function allocateValues(path: string, count: number): Float64Array {
  try {
    return new Float64Array(count);
  } catch {
    throw new FlipcertError(`${path}: not enough memory for ${count} float64 values`, 'EMEMORY');
  }
}

/** Columns per row of a shape (1 for a vector), for error messages. */
export function rowWidth(shape: number[]): number {
  return shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
}

/** Parses a whole .npy file held in memory; `name` labels the errors. */
export function parseNpy(bytes: Uint8Array, name: string): NpyValues {
  const { start, headerLength, major } = parsePreamble(name, bytes.subarray(0, 12), bytes.length);
  const { code, shape, dataOffset } = parseHeader(name, bytes.subarray(start, start + headerLength), major, start, bytes.length);
  const data = allocateValues(name, shape.reduce((a, b) => a * b, 1));
  // A copy: the typed views below need the data aligned to its item size.
  convertChunk(code, bytes.slice(dataOffset), data, 0, name, rowWidth(shape));
  return { shape, data };
}

/** Options for matrices read from .npy. */
export interface NpyMatrixOptions {
  /**
   * How to read a 1-D array of length n: 'row' (one 1×n point) or 'column'
   * (n×1, one feature per row). Without it a 1-D file is an error, since
   * either reading is a plausible intent.
   */
  vector?: 'row' | 'column';
}

/** A 2-D feature matrix from parsed values: rows and columns ≥ 1, every value finite. */
export function npyMatrix({ shape, data }: NpyValues, path: string, opts: NpyMatrixOptions = {}): Matrix {
  let rows: number;
  let cols: number;
  if (shape.length === 2) [rows, cols] = shape;
  else if (shape.length === 1 && opts.vector === 'row') [rows, cols] = [1, shape[0]];
  else if (shape.length === 1 && opts.vector === 'column') [rows, cols] = [shape[0], 1];
  else if (shape.length === 1) fail(path, `is 1-D (shape (${shape[0]},)); a feature matrix must be 2-D: reshape to (1, ${shape[0]}) for one point or (${shape[0]}, 1) for one feature`);
  else fail(path, `has ${shape.length} dimensions (shape (${shape.join(', ')})); a feature matrix must be 2-D, e.g. arr.reshape(len(arr), -1)`);
  if (rows < 1 || cols < 1) fail(path, `is empty (shape ${rows}×${cols}); need at least one row and one column`);
  checkFinite(data, cols, path);
  return { data, rows, cols };
}

/** A label vector from parsed values: 1-D or one column, integers ≥ 0. */
export function npyLabels({ shape, data }: NpyValues, path: string): Int32Array {
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    fail(path, `labels must be 1-D or one column, got shape (${shape.join(', ')})`);
  }
  if (data.length === 0) fail(path, 'has no labels');
  return toLabels(data, data.length, path);
}
