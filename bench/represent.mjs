#!/usr/bin/env node
// The whole label-free representation of docs/spec.md §13 on MNIST, side by side in one run (issue 22,
// item 5: all 70,000 images in ≤ 10 minutes on the 2-core machine):
//  (a) `node dist/cli.js represent --dataset mnist --represent scattering+log+pca+spectral` as a whole
//      process (start-up, reading MNIST, every stage, writing the .npy files): wall time and peak RSS
//      from GNU time;
//  (b) bench/represent_numpy.py, the same transform in NumPy/SciPy (test/reference_scattering.py's
//      direct transcription of §13.1, then bench/embedding_numpy.py's PCA and spectral steps) on one
//      BLAS thread, also as a whole process under GNU time, with its own per-step seconds.
// Then the agreement of the two embeddings (max |Δ| per column, signs aligned; both sign by the same rule)
// and both sets of eigenvalues. The load average is printed at start and end: other work slows both.
//   npm run build && node bench/represent.mjs [--train-size 60000] [--test-size 10000]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.FLIPCERT_CLI ?? join(ROOT, 'dist', 'cli.js');
const SPEC = 'scattering+log+pca+spectral';
const { values } = parseArgs({
  options: { 'train-size': { type: 'string', default: '60000' }, 'test-size': { type: 'string', default: '10000' } },
});
const N = Number(values['train-size']);
const M = Number(values['test-size']);
if (!(Number.isInteger(N) && N >= 12 && N <= 60000)) throw new Error('--train-size must be in 12..60000 (spectral needs n > 11)');
if (!(Number.isInteger(M) && M >= 1 && M <= 10000)) throw new Error('--test-size must be in 1..10000');
if (!existsSync(CLI)) {
  console.error(`bench/represent.mjs needs ${CLI}: run \`npm run build\` first`);
  process.exit(1);
}
if (!existsSync('/usr/bin/time')) throw new Error('bench/represent.mjs needs GNU time (/usr/bin/time) for wall time and peak RSS');

/** Runs a command under GNU time; returns its stdout, wall seconds, CPU seconds and peak RSS (KiB). */
function timedProcess(label, command, args, env = process.env) {
  const stats = join(dir, `${label}.time`);
  const run = spawnSync('/usr/bin/time', ['-o', stats, '-f', '%e %U %S %M', command, ...args], {
    encoding: 'utf8', env, maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.status !== 0) throw new Error(`${label} failed (exit ${run.status}):\n${run.stderr}`);
  const [wall, user, sys, rss] = readFileSync(stats, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { stdout: run.stdout, wall, cpu: user + sys, rss };
}

const mib = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const loadStart = load();
console.log(`${SPEC} on MNIST: ${N} train + ${M} test images; load average (1, 5, 15 min) at start ${loadStart}`);
const dir = mkdtempSync(join(tmpdir(), 'flipcert-bench-represent-'));
try {
  const ours = timedProcess('flipcert', process.execPath, [CLI, 'represent', '--dataset', 'mnist', '--represent', SPEC,
    '--train-size', String(N), '--test-size', String(M), '--train-out', join(dir, 'F.npy'), '--test-out', join(dir, 'G.npy'), '--quiet']);
  console.log(`  flipcert CLI done: ${ours.wall.toFixed(1)} s wall`);
  // One BLAS/OpenMP thread: NumPy's FFT is single-threaded anyway, and flipcert computes a representation on one thread.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const numpy = timedProcess('numpy', 'python3', [join(ROOT, 'bench', 'represent_numpy.py'), '--train-size', String(N), '--test-size', String(M),
    '--against-train', join(dir, 'F.npy'), '--against-test', join(dir, 'G.npy')], env);
  const ref = JSON.parse(numpy.stdout.trim().split('\n').pop());
  const a = ref.agreement;

  console.log(`\n                       wall (s)   CPU (s)   peak RSS`);
  console.log(`flipcert CLI (1 thread) ${ours.wall.toFixed(1).padStart(8)} ${ours.cpu.toFixed(1).padStart(9)}   ${mib(ours.rss)}`);
  console.log(`NumPy/SciPy (1 thread)  ${numpy.wall.toFixed(1).padStart(8)} ${numpy.cpu.toFixed(1).padStart(9)}   ${mib(numpy.rss)}   (${ref.numpy})`);
  console.log(`flipcert / NumPy (wall): ${(ours.wall / numpy.wall).toFixed(2)}`);
  console.log(`\nNumPy steps (s): ${Object.entries(ref.times).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; ')}`);
  console.log(`\nagreement (columns aligned by sign: ${a.flipped_columns} of ${a.train_max_abs_diff_per_column.length} flipped):`);
  console.log(`  train embedding max |Δ| ${a.train_max_abs_diff.toExponential(2)} (entries up to ${a.train_max_abs.toFixed(2)}); per column ` +
    a.train_max_abs_diff_per_column.map((v) => v.toExponential(1)).join(' '));
  console.log(`  test embedding  max |Δ| ${a.test_max_abs_diff.toExponential(2)} (entries up to ${a.test_max_abs.toFixed(2)}); per column ` +
    a.test_max_abs_diff_per_column.map((v) => v.toExponential(1)).join(' '));
  console.log(`  eigenvalues λ_1..λ_10, NumPy eigsh (top ${ref.top_value}):`);
  console.log(`    ${ref.spec_values.map((v) => v.toFixed(8)).join(' ')}`);
  console.log(`  flipcert's, as Rayleigh quotients uᵀAu of its training columns on NumPy's graph A (largest residual ‖Au − θu‖ ${a.flipcert_residual_max.toExponential(2)}):`);
  console.log(`    ${a.flipcert_rayleigh.map((v) => v.toFixed(8)).join(' ')}`);
  console.log(`\nload average (1, 5, 15 min) at start ${loadStart}, at end ${load()}: other work slows both columns`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
