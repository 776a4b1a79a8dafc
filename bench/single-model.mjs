#!/usr/bin/env node
// A single model (k = 1) on every core (issue 14): mnist17-k1 (5,000 train / 2,163 test) certified by
// the CLI with --threads 1, 2, … up to the cores (powers of two, then all of them), and the NumPy
// reference in the same run. Each row is one child process: wall time (spawn to exit) and CPU time
// (user + system over all threads, GNU time), speed-up over one thread, time over NumPy's, and whether
// the certificates are identical to the one-thread run's (they must be, bit for bit in β, see
// test/team.test.ts). On a loaded machine wall times stretch; the CPU column shows what the threads
// really used. bench/run.mjs adds the table to RESULTS.md; standalone:
//   node bench/single-model.mjs [--repeat R] [--threads 1,2,4]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, measure, numpyEnv, taskArgs, TASKS } from './endtoend.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.FLIPCERT_CLI ?? join(ROOT, 'dist', 'cli.js');
const TASK = TASKS.find((t) => t.id === 'mnist17-k1');

/** 1, 2, 4, … below `cores`, then `cores`. */
export function threadCounts(cores = availableParallelism()) {
  const out = [];
  for (let t = 1; t < cores; t *= 2) out.push(t);
  out.push(cores);
  return out;
}

/**
 * Runs the scaling: for each repetition, every thread count then NumPy, interleaved so that
 * load changes hit them alike; keeps each one's fastest repetition. Returns
 * { rows: [{ threads, wallS, cpuS, identical }], numpy: { wallS, cpuS, identical }, loads }.
 */
export async function runSingleModelScaling({ threads = threadCounts(), repeat = 1, log = console.log } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'flipcert-single-'));
  const best = new Map();
  const loads = [loadavg()[0]];
  const keep = (key, run, result) => {
    const prev = best.get(key);
    if (!prev || run.wallS < prev.wallS) best.set(key, { wallS: run.wallS, cpuS: run.cpuS, result });
  };
  try {
    for (let r = 0; r < repeat; r++) {
      for (const t of threads) {
        const out = join(dir, `t${t}.json`);
        const run = await measure('node', [CLI, ...taskArgs(TASK), '--threads', String(t), '--out', out, '--quiet']);
        if (run.code !== 0) throw new Error(`flipcert --threads ${t} failed: ${run.output.trim().split('\n').slice(-2).join(' | ')}`);
        const result = JSON.parse(readFileSync(out, 'utf8'));
        log(`  single model, ${t} thread(s): ${run.wallS.toFixed(1)} s wall, ${run.cpuS?.toFixed(1) ?? '?'} s CPU (summary.threads ${result.summary.threads})`);
        keep(t, run, result);
      }
      const out = join(dir, 'numpy.json');
      const run = await measure('python3', [join(ROOT, 'bench', 'reference_numpy.py'), ...taskArgs(TASK), '--out', out], { env: numpyEnv() });
      if (run.code === 0) {
        log(`  single model, NumPy: ${run.wallS.toFixed(1)} s wall, ${run.cpuS?.toFixed(1) ?? '?'} s CPU`);
        keep('numpy', run, JSON.parse(readFileSync(out, 'utf8')));
      } else {
        log(`  single model, NumPy failed: ${run.output.trim().split('\n').slice(-2).join(' | ')}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  loads.push(loadavg()[0]);
  const reference = best.get(threads[0]).result;
  const same = (result) => compare(reference, result).total === 0 && JSON.stringify(reference.points.map((p) => p.upper)) === JSON.stringify(result.points.map((p) => p.upper));
  const rows = threads.map((t) => {
    const { wallS, cpuS, result } = best.get(t);
    return { threads: t, used: result.summary.threads, wallS, cpuS, identical: same(result) };
  });
  const np = best.get('numpy');
  const numpy = np ? { wallS: np.wallS, cpuS: np.cpuS, identical: compare(reference, np.result).total === 0 } : undefined;
  return { rows, numpy, loads, repeat };
}

const fmt = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(digits));

/** The Markdown table of {@link runSingleModelScaling}'s result. */
export function renderSingleModel({ rows, numpy, loads, repeat }) {
  const one = rows[0];
  const lines = [
    `mnist17-k1 (${TASK.train} train / ${TASK.test} test, KRR, NTK depth 2), CLI \`--threads t\`; ` +
      `${repeat > 1 ? `fastest of ${repeat} interleaved runs each` : 'one run each'}, NumPy in the same run. ` +
      `Load average (1 min) at start / end: ${fmt(loads[0], 2)} / ${fmt(loads[1], 2)}.`,
    '',
    '| threads asked (used) | wall s | CPU s | speed-up vs 1 thread | wall ÷ NumPy | certificates vs 1 thread |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.threads} (${r.used}) | ${fmt(r.wallS)} | ${fmt(r.cpuS)} | ${fmt(one.wallS / r.wallS, 2)}× | ` +
        `${numpy ? fmt(r.wallS / numpy.wallS, 2) : '–'} | ${r.identical ? 'identical' : '**differ**'} |`,
    );
  }
  if (numpy) {
    lines.push(`| NumPy/SciPy (its BLAS threads) | ${fmt(numpy.wallS)} | ${fmt(numpy.cpuS)} | – | 1.00 | ${numpy.identical ? 'identical' : '**differ**'} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const result = await runSingleModelScaling({
    repeat: Number(at('--repeat') ?? 1),
    threads: at('--threads') ? at('--threads').split(',').map(Number) : threadCounts(),
  });
  console.log(`\n${renderSingleModel(result)}`);
}
