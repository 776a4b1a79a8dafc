/**
 * IDX files (the raw MNIST format, http://yann.lecun.com/exdb/mnist/): a
 * big-endian header of magic number and dimension sizes, then unsigned bytes.
 * Rows are read selectively in chunks, so taking the first N of 60,000 images
 * touches only the bytes it needs and never holds the whole file twice.
 */
import type { FileHandle } from 'node:fs/promises';
import { openInputFile } from './input-file.js';
import { FlipcertError } from '../errors.js';

/** Magic numbers of unsigned-byte IDX files: 0x0801 (1-D, labels) and 0x0803 (3-D, images). */
export const IDX_LABELS = 2049;
export const IDX_IMAGES = 2051;

/** Bytes read per chunk when picking image rows. */
const CHUNK_BYTES = 1 << 22;

/** What an IDX header says: dimension sizes and where the data starts. */
export interface IdxHeader {
  path: string;
  dims: number[];
  dataOffset: number;
}

function fail(path: string, problem: string): never {
  throw new FlipcertError(`${path}: ${problem}`, 'EFILE');
}


async function readAt(fh: FileHandle, path: string, target: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await fh.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) fail(path, `truncated: expected ${target.length} bytes at offset ${position}, file ends after ${done}`);
    done += bytesRead;
  }
}

/** Reads the header of an open IDX file and checks its magic number and that the size matches its dimensions. */
async function header(fh: FileHandle, path: string, magic: number): Promise<IdxHeader> {
  const size = (await fh.stat()).size;
  const pre = new Uint8Array(4);
  await readAt(fh, path, pre, 0);
  const found = new DataView(pre.buffer).getUint32(0, false);
  if (found !== magic) fail(path, `bad magic number ${found}, expected ${magic} (an IDX ${magic === IDX_IMAGES ? 'image' : 'label'} file)`);
  const ndim = pre[3];
  const dimBytes = new Uint8Array(4 * ndim);
  await readAt(fh, path, dimBytes, 4);
  const view = new DataView(dimBytes.buffer);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 * i, false));
  const dataOffset = 4 + 4 * ndim;
  const expected = dataOffset + dims.reduce((a, b) => a * b, 1);
  if (size !== expected) fail(path, `size is ${size} bytes but its header (${dims.join('×')}) implies ${expected}`);
  return { path, dims, dataOffset };
}

/** Reads and checks an IDX header (magic number, dimensions, file size). */
export async function readIdxHeader(path: string, magic: number): Promise<IdxHeader> {
  const fh = await openInputFile(path);
  try {
    return await header(fh, path, magic);
  } finally {
    await fh.close();
  }
}

/** Reads a whole 1-D IDX label file (magic 2049) as bytes. */
export async function readIdxLabels(path: string): Promise<Uint8Array> {
  const fh = await openInputFile(path);
  try {
    const h = await header(fh, path, IDX_LABELS);
    const out = new Uint8Array(h.dims[0]);
    await readAt(fh, path, out, h.dataOffset);
    return out;
  } finally {
    await fh.close();
  }
}

/**
 * Reads the image rows listed in `rows` (strictly ascending indices) of an
 * IDX image file, as float64 pixel / 255, into a rows.length × (h·w) array.
 * Only the chunks up to the last requested row are read.
 */
export async function readIdxImageRows(h: IdxHeader, rows: Int32Array): Promise<Float64Array> {
  const cols = h.dims.slice(1).reduce((a, b) => a * b, 1);
  const scale = Float64Array.from({ length: 256 }, (_, v) => v / 255);
  const out = new Float64Array(rows.length * cols);
  if (rows.length === 0) return out;
  const fh = await openInputFile(h.path);
  try {
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / cols));
    const chunk = new Uint8Array(perChunk * cols);
    const last = rows[rows.length - 1];
    let k = 0; // next entry of `rows` to fill
    for (let first = 0; first <= last; first += perChunk) {
      const n = Math.min(perChunk, last + 1 - first);
      // Skip chunks that contain no requested row (sparse selections).
      if (rows[k] >= first + n) continue;
      await readAt(fh, h.path, chunk.subarray(0, n * cols), h.dataOffset + first * cols);
      for (; k < rows.length && rows[k] < first + n; k++) {
        const src = (rows[k] - first) * cols;
        const dst = k * cols;
        for (let j = 0; j < cols; j++) out[dst + j] = scale[chunk[src + j]];
      }
    }
    return out;
  } finally {
    await fh.close();
  }
}
