#!/usr/bin/env node
// End-to-end benchmark (issue 4): the same certification tasks run by flipcert's CLI
// (one thread and all cores), the NumPy/SciPy reference and the pure-JS reference,
// one after another on this machine. Measures wall time and peak RSS of each child
// process and counts every point whose prediction, radius or DPA radius differs
// from flipcert's. bench/run.mjs drives it and writes bench/RESULTS.md; standalone:
//   node bench/endtoend.mjs [--quick] [--only id1,id2] [--no-purejs] [--heavy]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGtsrbLike } from './gtsrb-data.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// FLIPCERT_CLI lets a run use a frozen copy of the build while dist/ is being rebuilt.
const CLI = process.env.FLIPCERT_CLI ?? join(ROOT, 'dist', 'cli.js');
const TIME = '/usr/bin/time';
/** Pure JS is skipped where a probe run predicts more than this. */
export const PUREJS_LIMIT_S = 600;
/** Test points in the pure-JS probe run used for that prediction. */
const PUREJS_PROBE = 100;
const CHILD_TIMEOUT_S = 3600;

/**
 * The tasks. mnist17 with k = 1 uses the first 5,000 training rows: one 13,007×13,007
 * Cholesky per run is feasible for flipcert and NumPy but not for the pure-JS baseline,
 * and 5,000 keeps all three comparable. Test sets are the first 2,163 (all of mnist17's)
 * or 10,000 (all of MNIST's) test rows.
 */
export const TASKS = [
  { id: 'mnist17-k1', dataset: 'mnist17', train: 5000, test: 2163, k: 1, quick: false },
  { id: 'mnist17-k10', dataset: 'mnist17', train: 13007, test: 2163, k: 10, quick: false },
  { id: 'mnist17-k50', dataset: 'mnist17', train: 13007, test: 2163, k: 50, quick: false },
  { id: 'mnist10k-k10', dataset: 'mnist', train: 10000, test: 10000, k: 10, quick: false },
  { id: 'mnist10k-k50', dataset: 'mnist', train: 10000, test: 10000, k: 50, quick: false },
  { id: 'mnist60k-k50', dataset: 'mnist', train: 60000, test: 10000, k: 50, quick: false },
  // GTSRB-shaped synthetic data (bench/gtsrb-data.mjs): 43 classes, 39,209 / 12,630, 32×32 grayscale.
  // Heavy: flipcert alone takes 20+ minutes a thread count and NumPy over an hour, so it runs only with --heavy
  // or when --only names it.
  { id: 'gtsrb-k400', dataset: 'gtsrb-like', train: 39209, test: 12630, k: 400, quick: false, heavy: true },
  // Small versions for trying the harness out (`--quick`).
  { id: 'quick-mnist17-k1', dataset: 'mnist17', train: 1000, test: 200, k: 1, quick: true },
  { id: 'quick-mnist17-k10', dataset: 'mnist17', train: 2000, test: 300, k: 10, quick: true },
  { id: 'quick-mnist-k10', dataset: 'mnist', train: 2000, test: 300, k: 10, quick: true },
  { id: 'quick-gtsrb-k400', dataset: 'gtsrb-like', train: 39209, test: 300, k: 400, quick: true },
];

/** Where the synthetic data sets' .npy files are, once written (per run, in its temporary folder). */
let synthetic;

/** The data flags of a task: a built-in dataset, or the synthetic files (written on first use). */
function dataArgs(t, testSize) {
  if (t.dataset !== 'gtsrb-like') {
    return ['--dataset', t.dataset, '--train-size', String(t.train), '--test-size', String(testSize)];
  }
  const f = synthetic.gtsrb ??= writeGtsrbLike(join(synthetic.dir, 'gtsrb-like'));
  return ['--train-x', f.trainX, '--train-y', f.trainY, '--test-x', f.testX, '--test-y', f.testY,
    '--train-size', String(t.train), '--test-size', String(testSize)];
}

export const taskArgs = (t, testSize = t.test) => [
  'certify', ...dataArgs(t, testSize),
  '--partitions', String(t.k), '--partitioning', 'hash', '--model', 'krr', '--reg', '1',
  '--depth', '2', '--w-var', '2', '--b-var', '0',
];

/** NumPy runs without the OpenBLAS overrides that this machine may set for older builds. */
export function numpyEnv() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** The implementations, each a function from (task, out path) to a command. */
export function implementations(threads = availableParallelism()) {
  return [
    { name: 'flipcert (1 thread)', key: 'flipcert1', flipcert: true,
      command: (t, out) => ['node', [CLI, ...taskArgs(t), '--threads', '1', '--out', out, '--quiet', '--profile']] },
    { name: `flipcert (${threads} threads)`, key: 'flipcertN', flipcert: true,
      command: (t, out) => ['node', [CLI, ...taskArgs(t), '--threads', String(threads), '--out', out, '--quiet', '--profile']] },
    { name: 'NumPy/SciPy', key: 'numpy', env: numpyEnv(),
      command: (t, out) => ['python3', [join(ROOT, 'bench', 'reference_numpy.py'), ...taskArgs(t), '--out', out]] },
    { name: 'pure JS (ml-matrix)', key: 'purejs', probe: true,
      command: (t, out, testSize) => ['node', [join(ROOT, 'bench', 'purejs.mjs'), ...taskArgs(t, testSize), '--out', out]] },
  ];
}

/**
 * Runs one child to completion. Peak RSS comes from GNU time's %M (the child's
 * ru_maxrss, in KiB); without /usr/bin/time, from polling VmHWM (a lower bound).
 * CPU time (user + system, all threads) from GNU time's %U and %S; undefined
 * without /usr/bin/time. On a loaded machine it is the steadier figure.
 */
export function measure(cmd, args, { env = process.env, timeoutS = CHILD_TIMEOUT_S } = {}) {
  const timeFile = join(tmpdir(), `flipcert-bench-time-${process.pid}-${Date.now()}`);
  const useTime = existsSync(TIME);
  const [file, argv] = useTime ? [TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let hwm = 0;
    const poll = useTime ? null : setInterval(() => (hwm = Math.max(hwm, readHwm(child.pid))), 50);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('close', (code, signal) => {
      const wallS = (performance.now() - started) / 1000;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let rssKiB = hwm;
      let cpuS;
      if (useTime && existsSync(timeFile)) {
        const [rss, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        rssKiB = rss || 0;
        cpuS = Number.isFinite(user + system) ? user + system : undefined;
        rmSync(timeFile, { force: true });
      }
      resolve({ code: signal ? signal : code, wallS, cpuS, rssMiB: rssKiB / 1024, rssExact: useTime, output });
    });
  });
}

function readHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the child has just exited; keep the last reading
  }
}

/** Per-point disagreements of `other` with `reference` (prediction, radius, dpaRadius). */
export function compare(reference, other) {
  const mismatches = [];
  const n = Math.min(reference.points.length, other.points.length);
  for (let i = 0; i < n; i++) {
    const a = reference.points[i];
    const b = other.points[i];
    const fields = ['prediction', 'radius', 'dpaRadius'].filter((f) => a[f] !== b[f]);
    if (fields.length) mismatches.push({ index: i, fields, reference: pick(a), other: pick(b) });
  }
  if (reference.points.length !== other.points.length) {
    mismatches.push({ index: -1, fields: ['points.length'], reference: reference.points.length, other: other.points.length });
  }
  const count = (f) => mismatches.filter((m) => m.fields.includes(f)).length;
  // Direction matters: the NumPy reference has no exact search (docs/spec.md §5.7), so with many classes its
  // radius is the first-pass lower bound, which flipcert's exact radius may exceed, never undercut.
  const radii = mismatches.filter((m) => m.fields.includes('radius'));
  return { total: mismatches.length, prediction: count('prediction'), radius: count('radius'),
    radiusAbove: radii.filter((m) => m.other.radius > m.reference.radius).length,
    dpaRadius: count('dpaRadius'), examples: mismatches.slice(0, 10) };
}

const pick = (p) => ({ prediction: p.prediction, radius: p.radius, dpaRadius: p.dpaRadius });

/** Runs one implementation on one task; pure JS first runs a probe and may be skipped. */
async function runOne(impl, task, dir, log) {
  const out = join(dir, `${task.id}-${impl.key}.json`);
  if (impl.flipcert && !existsSync(CLI)) return { skipped: 'dist/cli.js missing (run `npm run build`)' };
  if (impl.probe && task.test > PUREJS_PROBE) {
    const estimate = await probeEstimate(impl, task, dir, log);
    if (estimate.error) return { skipped: `probe failed: ${estimate.error}` };
    if (estimate.seconds > PUREJS_LIMIT_S) {
      return { skipped: `estimated ${Math.round(estimate.seconds)} s from a ${PUREJS_PROBE}-point run`, estimateS: estimate.seconds };
    }
  }
  const [cmd, args] = impl.command(task, out, task.test);
  log(`  ${impl.name}: ${cmd} ${args.map((a) => a.replace(ROOT + '/', '')).join(' ')}`);
  const run = await measure(cmd, args, { env: impl.env });
  if (run.code !== 0 || !existsSync(out)) return { ...run, error: tail(run.output) };
  const result = JSON.parse(readFileSync(out, 'utf8'));
  log(`    ${run.wallS.toFixed(1)} s (CPU ${run.cpuS?.toFixed(1) ?? '?'} s), ${run.rssMiB.toFixed(0)} MiB, accuracy ${result.summary.accuracy}`);
  return { ...run, result, ...(impl.flipcert ? { profile: parseProfile(run.output) } : {}) };
}

/** Predicts the pure-JS time: train-only part as measured, the rest scaled by test points. */
async function probeEstimate(impl, task, dir, log) {
  const out = join(dir, `${task.id}-${impl.key}-probe.json`);
  const [cmd, args] = impl.command(task, out, PUREJS_PROBE);
  const run = await measure(cmd, args, { env: impl.env });
  if (run.code !== 0) return { error: tail(run.output) };
  const s = JSON.parse(readFileSync(out, 'utf8')).summary;
  const perPoint = (s.seconds - s.loadSeconds - s.fixedSeconds) / PUREJS_PROBE;
  const seconds = run.wallS - s.seconds + s.loadSeconds + s.fixedSeconds + perPoint * task.test;
  log(`  ${impl.name}: probe with ${PUREJS_PROBE} test points took ${run.wallS.toFixed(1)} s; full task estimated ${seconds.toFixed(0)} s`);
  return { seconds };
}

/** The lines of `certify --profile` (src/cli/profile.ts) as { phase name: seconds }. */
export function parseProfile(output) {
  const profile = {};
  for (const line of output.split('\n')) {
    const match = /^  (\S.*?)\s{2,}([\d.]+)(?:\s+[\d.]+ %)?(?:\s+[\d.]+ GFLOP\/s.*)?\s*$/.exec(line);
    if (match) profile[match[1]] = Number(match[2]);
  }
  return Object.keys(profile).length ? profile : undefined;
}

const tail = (text) => text.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

/**
 * Runs every implementation on every selected task. Returns one record per task:
 * { task, runs: { key: { name, wallS, rssMiB, result?, skipped?, error?, vsFlipcert? } } }.
 */
export async function runEndToEnd({ quick = false, only = null, purejs = true, heavy = false, log = console.log } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'flipcert-bench-'));
  synthetic = { dir };
  const impls = implementations().filter((i) => purejs || i.key !== 'purejs');
  const tasks = TASKS.filter((t) => (only ? only.includes(t.id) : t.quick === quick && (heavy || !t.heavy)));
  const records = [];
  for (const task of tasks) {
    log(`task ${task.id}: ${task.dataset}, ${task.train} train / ${task.test} test, k = ${task.k}`);
    const runs = {};
    for (const impl of impls) runs[impl.key] = { name: impl.name, ...(await runOne(impl, task, dir, log)) };
    const reference = runs.flipcertN?.result ?? runs.flipcert1?.result;
    const numpy = runs.numpy?.result;
    for (const run of Object.values(runs)) {
      if (reference && run.result && run.result !== reference) run.vsFlipcert = compare(reference, run.result);
      if (numpy && run.result && run.result !== numpy) run.vsNumpy = compare(numpy, run.result);
      delete run.output;
    }
    records.push({ task, runs });
  }
  rmSync(dir, { recursive: true, force: true });
  return records;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const records = await runEndToEnd({
    quick: argv.includes('--quick'),
    only: onlyAt >= 0 ? argv[onlyAt + 1].split(',') : null,
    purejs: !argv.includes('--no-purejs'),
    heavy: argv.includes('--heavy'),
  });
  for (const { task, runs } of records) {
    for (const run of Object.values(runs)) {
      const { result, ...rest } = run;
      console.log(task.id, JSON.stringify({ ...rest, accuracy: result?.summary.accuracy, mcr: result?.summary.mcr }));
    }
  }
}
