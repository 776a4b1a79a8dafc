/**
 * NumPy .npy files on disk: reading feature matrices and label vectors
 * (streamed in chunks, so that a large file's raw bytes and its float64 copy
 * are not held at once), writing float64 results. The format itself, and its
 * checks, are in npy-format.ts.
 */
import type { FileHandle } from 'node:fs/promises';
import { openInputFile } from './input-file.js';
import { writeFileAtomic } from './atomic.js';
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import {
  DTYPES,
  allocateValues,
  convertChunk,
  fail,
  npyLabels,
  npyMatrix,
  parseHeader,
  parsePreamble,
  rowWidth,
  type NpyHeader,
  type NpyMatrixOptions,
  type NpyValues,
} from './npy-format.js';

export { parseNpy, npyLabels, npyMatrix, type NpyHeader, type NpyMatrixOptions } from './npy-format.js';

/** Bytes converted per chunk when the file's dtype is not float64. */
const CHUNK_BYTES = 1 << 22;

/** Reads exactly `length` bytes at `position` into `target`, or fails naming the file as truncated. */
async function readExactly(fh: FileHandle, path: string, target: Uint8Array, position: number, what: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await fh.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) fail(path, `truncated ${what}: expected ${target.length} bytes at offset ${position}, file ends after ${done}`);
    done += bytesRead;
  }
}

/**
 * Reads and checks the header of an open .npy file: magic, version, dtype,
 * C order, and that the file size matches shape × item size.
 */
export async function readNpyHeader(fh: FileHandle, path: string): Promise<NpyHeader> {
  const size = (await fh.stat()).size;
  const pre = new Uint8Array(Math.max(0, Math.min(12, size)));
  if (size >= 10) await readExactly(fh, path, pre, 0, 'header');
  const { start, headerLength, major } = parsePreamble(path, pre, size);
  const headerBytes = new Uint8Array(headerLength);
  await readExactly(fh, path, headerBytes, start, 'header');
  return parseHeader(path, headerBytes, major, start, size);
}

/** Reads all values of an .npy file as float64 (row-major), with its shape. */
async function readNpyValues(path: string): Promise<NpyValues> {
  const fh = await openInputFile(path);
  try {
    const { code, shape, dataOffset } = await readNpyHeader(fh, path);
    const count = shape.reduce((a, b) => a * b, 1);
    const data = allocateValues(path, count);
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
      convertChunk(code, bytes, data, at, path, rowWidth(shape));
    }
    return { shape, data };
  } finally {
    await fh.close();
  }
}

/**
 * Reads a 2-D .npy feature matrix (float64, float32, uint8, int32 or int64;
 * C order, little-endian) into a float64 Matrix. Values must be finite; rows
 * and columns ≥ 1. Every error is a FlipcertError naming the file.
 */
export async function readNpyMatrix(path: string, opts: NpyMatrixOptions = {}): Promise<Matrix> {
  return npyMatrix(await readNpyValues(path), path, opts);
}

/**
 * Reads a label vector from an .npy file: 1-D, or 2-D with one column; any
 * supported dtype, but every value must be an integer ≥ 0 (the error names
 * the file and row). Returns a new Int32Array.
 */
export async function readNpyLabels(path: string): Promise<Int32Array> {
  return npyLabels(await readNpyValues(path), path);
}

/** Builds a version 1.0 header for a little-endian C-order array of `descr` ('<f8', '<i4'), padded so data starts at a multiple of 64. */
function npyHeader(shape: readonly number[], descr: '<f8' | '<i4'): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** The bytes of a little-endian .npy file of `data` (row-major; float64 or int32) with the given shape: header, then data. */
export function npyParts(data: Float64Array | Int32Array, shape: readonly number[]): Uint8Array[] {
  if (shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new FlipcertError(`npy: shape must be a list of integers ≥ 0, got ${JSON.stringify(shape)}`, 'EINTERNAL');
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new FlipcertError(`npy: shape (${shape.join(', ')}) needs ${count} values, data has ${data.length}`, 'EINTERNAL');
  }
  const header = npyHeader(shape, data instanceof Int32Array ? '<i4' : '<f8');
  return [header, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
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
