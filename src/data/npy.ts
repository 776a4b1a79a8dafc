/**
 * NumPy .npy files: reading feature matrices and label vectors, writing
 * float64 results. The header is parsed here rather than by npyjs, because
 * flipcert must reject what npyjs silently misreads (big-endian data, Fortran
 * order, truncated or oversized files) and must stream large files in chunks
 * instead of holding the raw bytes and the float64 copy at once.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import type { FileHandle } from 'node:fs/promises';
import { openInputFile } from './input-file.js';
import { writeFileAtomic } from './atomic.js';
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import { checkFinite, toLabels } from '../validate.js';

const MAGIC = '\x93NUMPY';
/** Bytes converted per chunk when the file's dtype is not float64. */
const CHUNK_BYTES = 1 << 22;

/** The dtypes flipcert reads, by NumPy type code (kind + item size). */
const DTYPES = {
  f8: { size: 8, name: 'float64' },
  f4: { size: 4, name: 'float32' },
  u1: { size: 1, name: 'uint8' },
  i4: { size: 4, name: 'int32' },
  i8: { size: 8, name: 'int64' },
} as const;
type Code = keyof typeof DTYPES;

/** What the header of an .npy file says. */
export interface NpyHeader {
  code: Code;
  shape: number[];
  /** Byte offset of the first data value. */
  dataOffset: number;
}

function fail(path: string, problem: string): never {
  throw new FlipcertError(`${path}: ${problem}`, 'EFILE');
}


/** Reads exactly `length` bytes at `position` into `target`, or fails naming the file as truncated. */
async function readExactly(fh: FileHandle, path: string, target: Uint8Array, position: number, what: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await fh.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) fail(path, `truncated ${what}: expected ${target.length} bytes at offset ${position}, file ends after ${done}`);
    done += bytesRead;
  }
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

/** Parses the Python-literal header dict: {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }. */
function parseDict(path: string, text: string): { code: Code; shape: number[] } {
  if (/'descr'\s*:\s*\[/.test(text)) fail(path, 'structured (record) arrays are not supported; save a plain numeric array');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(path, `malformed .npy header ${JSON.stringify(text)}`);
  const code = parseDescr(path, descr);
  if (fortran === 'True') fail(path, 'array is in Fortran (column-major) order; save it with np.ascontiguousarray(arr)');
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const shape = parts.map((s) => {
    const m = /^(\d+)L?$/.exec(s);
    if (!m) fail(path, `malformed shape (${shapeText}) in .npy header`);
    return Number(m[1]);
  });
  return { code, shape };
}

/**
 * Reads and checks the header of an open .npy file: magic, version, dtype
 * (see DTYPES), C order, and that the file size matches shape × item size.
 */
export async function readNpyHeader(fh: FileHandle, path: string): Promise<NpyHeader> {
  const size = (await fh.stat()).size;
  const pre = new Uint8Array(12);
  if (size < 10) fail(path, `not an .npy file (only ${size} bytes)`);
  await readExactly(fh, path, pre.subarray(0, Math.min(12, size)), 0, 'header');
  if (String.fromCharCode(...pre.subarray(0, 6)) !== MAGIC) fail(path, 'not an .npy file (bad magic; expected \\x93NUMPY)');
  const major = pre[6];
  if (major < 1 || major > 3) fail(path, `unsupported .npy format version ${major}.${pre[7]}`);
  const view = new DataView(pre.buffer);
  const start = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerBytes = new Uint8Array(headerLength);
  await readExactly(fh, path, headerBytes, start, 'header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { code, shape } = parseDict(path, text);
  const dataOffset = start + headerLength;
  const expected = shape.reduce((a, b) => a * b, 1) * DTYPES[code].size;
  const actual = size - dataOffset;
  if (actual < expected) fail(path, `truncated data: shape (${shape.join(', ')}) of ${DTYPES[code].name} needs ${expected} bytes, file has ${Math.max(actual, 0)}`);
  if (actual > expected) fail(path, `file has ${actual - expected} unexpected bytes after the data of shape (${shape.join(', ')})`);
  return { code, shape, dataOffset };
}

/** Converts one chunk of raw little-endian values into float64, checking int64 range. */
function convertChunk(code: Code, bytes: Uint8Array, out: Float64Array, at: number, path: string, cols: number): void {
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

/** Reads all values of an .npy file as float64 (row-major), with its shape. */
async function readNpyValues(path: string): Promise<{ shape: number[]; data: Float64Array }> {
  const fh = await openInputFile(path);
  try {
    const { code, shape, dataOffset } = await readNpyHeader(fh, path);
    const count = shape.reduce((a, b) => a * b, 1);
    const cols = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    let data: Float64Array;
    try {
      data = new Float64Array(count);
    } catch {
      throw new FlipcertError(`${path}: not enough memory for ${count} float64 values`, 'EMEMORY');
    }
    // float64 (on little-endian hosts, i.e. every Node platform) goes straight into the result.
    if (code === 'f8') {
      await readExactly(fh, path, new Uint8Array(data.buffer), dataOffset, 'data');
      return { shape, data };
    }
    const size = DTYPES[code].size;
    const perChunk = Math.floor(CHUNK_BYTES / size);
    const chunk = new Uint8Array(perChunk * size); // fresh buffer: aligned for every typed view
    for (let at = 0; at < count; at += perChunk) {
      const n = Math.min(perChunk, count - at);
      const bytes = chunk.subarray(0, n * size);
      await readExactly(fh, path, bytes, dataOffset + at * size, 'data');
      convertChunk(code, bytes, data, at, path, cols);
    }
    return { shape, data };
  } finally {
    await fh.close();
  }
}

/** Options for readNpyMatrix. */
export interface NpyMatrixOptions {
  /**
   * How to read a 1-D array of length n: 'row' (one 1×n point) or 'column'
   * (n×1, one feature per row). Without it a 1-D file is an error, since
   * either reading is a plausible intent.
   */
  vector?: 'row' | 'column';
}

/**
 * Reads a 2-D .npy feature matrix (float64, float32, uint8, int32 or int64;
 * C order, little-endian) into a float64 Matrix. Values must be finite; rows
 * and columns ≥ 1. Every error is a FlipcertError naming the file.
 */
export async function readNpyMatrix(path: string, opts: NpyMatrixOptions = {}): Promise<Matrix> {
  const { shape, data } = await readNpyValues(path);
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

/**
 * Reads a label vector from an .npy file: 1-D, or 2-D with one column; any
 * supported dtype, but every value must be an integer ≥ 0 (the error names
 * the file and row). Returns a new Int32Array.
 */
export async function readNpyLabels(path: string): Promise<Int32Array> {
  const { shape, data } = await readNpyValues(path);
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    fail(path, `labels must be 1-D or one column, got shape (${shape.join(', ')})`);
  }
  if (data.length === 0) fail(path, 'has no labels');
  return toLabels(data, data.length, path);
}

/** Builds a version 1.0 header for a little-endian float64 C-order array, padded so data starts at a multiple of 64. */
function float64Header(shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** The bytes of a little-endian float64 .npy file of `data` (row-major) with the given shape: header, then data. */
export function npyParts(data: Float64Array, shape: readonly number[]): Uint8Array[] {
  if (shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new FlipcertError(`npy: shape must be a list of integers ≥ 0, got ${JSON.stringify(shape)}`, 'EINTERNAL');
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new FlipcertError(`npy: shape (${shape.join(', ')}) needs ${count} values, data has ${data.length}`, 'EINTERNAL');
  }
  return [float64Header(shape), new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/**
 * Writes `data` (row-major) as a little-endian float64 .npy file of the given
 * shape. The file appears atomically: the bytes go to a temporary file in the
 * same folder, which is flushed and renamed over `path`, so readers never see
 * a half-written file and a failure leaves no partial output behind.
 */
export async function writeNpy(path: string, data: Float64Array, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, ...npyParts(data, shape));
}
