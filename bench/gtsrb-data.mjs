// Synthetic data shaped like GTSRB (the German Traffic Sign Recognition
// Benchmark): 43 classes, 39,209 training and 12,630 test images, here 32×32
// grayscale (1,024 features in [0, 1], a common GTSRB preprocessing), with
// GTSRB-like class imbalance (the largest class about 10× the smallest).
// Each class is a random "template" image plus per-pixel Gaussian noise,
// clipped to [0, 1]; deterministic (a fixed seed). Written as float32 .npy
// (exact in float64) so flipcert and bench/reference_numpy.py read the same values.
//   node bench/gtsrb-data.mjs <folder> [--train 39209] [--test 12630] [--d 1024]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const GTSRB = { classes: 43, train: 39209, test: 12630, d: 1024 };
/** Noise standard deviation per pixel: k = 400 ensembles then reach ≈ 77 % accuracy (first 100 test points). */
const NOISE = 1;

/** Writes train-x/train-y/test-x/test-y .npy files into `dir`; returns their paths. */
export function writeGtsrbLike(dir, { train = GTSRB.train, test = GTSRB.test, d = GTSRB.d, classes = GTSRB.classes, noise = NOISE } = {}) {
  let seed = 20261126;
  const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const templates = Array.from({ length: classes }, () => Float32Array.from({ length: d }, uniform));
  // Class weights 1 … 10 spread over the classes: imbalanced like GTSRB (210 to 2,250 images per class).
  const weights = Array.from({ length: classes }, (_, c) => 1 + (9 * ((c * 17) % classes)) / (classes - 1));
  const cumulative = weights.map(((sum) => (w) => (sum += w))(0));
  const total = cumulative[classes - 1];
  const drawClass = () => {
    const u = uniform() * total;
    let c = 0;
    while (cumulative[c] < u) c++;
    return c;
  };
  const sample = (rows) => {
    const x = new Float32Array(rows * d);
    const y = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      const c = drawClass();
      y[i] = c;
      for (let j = 0; j < d; j++) x[i * d + j] = Math.min(1, Math.max(0, templates[c][j] + noise * gauss()));
    }
    return { x, y };
  };
  mkdirSync(dir, { recursive: true });
  const files = {
    trainX: join(dir, 'gtsrb-train-x.npy'),
    trainY: join(dir, 'gtsrb-train-y.npy'),
    testX: join(dir, 'gtsrb-test-x.npy'),
    testY: join(dir, 'gtsrb-test-y.npy'),
  };
  const tr = sample(train);
  const te = sample(test);
  writeFileSync(files.trainX, npy(tr.x, '<f4', [train, d]));
  writeFileSync(files.trainY, npy(tr.y, '<i4', [train]));
  writeFileSync(files.testX, npy(te.x, '<f4', [test, d]));
  writeFileSync(files.testY, npy(te.y, '<i4', [test]));
  return files;
}

/** An .npy (version 1.0) file of a C-order array. */
function npy(array, descr, shape) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n'; // total header a multiple of 64 bytes
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(array.buffer, array.byteOffset, array.byteLength)]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { train: { type: "string" }, test: { type: "string" }, d: { type: "string" }, noise: { type: "string" } },
  });
  const opts = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)]));
  console.log(JSON.stringify(writeGtsrbLike(positionals[0] ?? 'gtsrb-like', opts)));
}
