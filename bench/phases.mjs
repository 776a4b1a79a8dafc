#!/usr/bin/env node
// Before and after, side by side in one run (issue 19): the same certify tasks run
// by this checkout's CLI and by a baseline build (another checkout's dist/cli.js,
// e.g. the commit before a change, built aside), alternating which goes first.
// Prints per task the `--profile` phase table of both, as seconds and as the
// ratio after ÷ before, the children's wall and CPU time (GNU time), and checks
// that every point of the two JSON results is identical (prediction, radius,
// upper, exact, votes, near-tie flag, …), counting the points that differ.
//   node bench/phases.mjs --baseline /path/to/old/checkout [--tasks id1,id2] [--threads N] [--repeat R] [--write]
// --write puts the tables into bench/RESULTS.md as the section "Before and after"
// (replacing that section only); `node bench/run.mjs --baseline DIR` runs this too.
// Tasks (ids): the MNIST-k50 partition shape on a subset (mnist-n1200-k10: 12,000
// training rows in 10 partitions of ~1,200, 2,000 test rows), full MNIST training
// with 2,000 test rows (mnist60k-k50-t2000), a single model on a thread team
// (mnist17-n3000-k1: 3,000 training and 1,000 test rows), mnist17-k10 and mnist10k-k10 from
// bench/endtoend.mjs, and mnist60k-k50 (full MNIST, 10,000 test rows: minutes).
// With --repeat R each side runs R times and the best wall time's profile counts.
// The machine's load (uptime) is printed before and after: ratios taken side by
// side hold on a shared machine, absolute seconds do not.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measure, parseProfile, TASKS, taskArgs } from './endtoend.mjs';

const ROOT = join(import.meta.dirname, '..');

export const PHASE_TASKS = [
  { id: 'mnist-n1200-k10', dataset: 'mnist', train: 12000, test: 2000, k: 10 },
  { id: 'mnist60k-k50-t2000', dataset: 'mnist', train: 60000, test: 2000, k: 50 },
  { id: 'mnist17-n3000-k1', dataset: 'mnist17', train: 3000, test: 1000, k: 1 },
  ...TASKS.filter((t) => ['mnist17-k10', 'mnist10k-k10', 'mnist60k-k50'].includes(t.id)),
];

/** Fields of a result's point compared between the two builds: every certificate output. */
const POINT_FIELDS = ['prediction', 'radius', 'upper', 'exact', 'dpaRadius', 'votes', 'nearTie', 'openReason', 'witness'];

/** Per field, how many points differ between the two results (and the first few indices). */
export function comparePoints(before, after) {
  const counts = {};
  const examples = [];
  if (before.points.length !== after.points.length) return { lengths: [before.points.length, after.points.length] };
  before.points.forEach((p, i) => {
    const q = after.points[i];
    let differs = false;
    for (const f of POINT_FIELDS) {
      if (JSON.stringify(p[f]) !== JSON.stringify(q[f])) {
        counts[f] = (counts[f] ?? 0) + 1;
        differs = true;
      }
    }
    if (differs && examples.length < 5) examples.push(i);
  });
  return { counts, examples, points: before.points.length };
}

const uptime = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;

async function runSide(cli, task, threads, out) {
  const args = [cli, ...taskArgs(task), '--threads', String(threads), '--out', out, '--quiet', '--profile'];
  const run = await measure('node', args);
  if (run.code !== 0 || !existsSync(out)) throw new Error(`${cli} failed on ${task.id}: ${run.output.trim().split('\n').slice(-3).join(' | ')}`);
  return { ...run, profile: parseProfile(run.output), result: JSON.parse(readFileSync(out, 'utf8')), rates: parseRates(run.output) };
}

/** The GFLOP/s column of a profile (src/cli/profile.ts), where the build prints one: { phase: GFLOP/s }. */
function parseRates(output) {
  const rates = {};
  for (const line of output.split('\n')) {
    const m = /^ {2}(\S.*?)\s{2,}[\d.]+\s+[\d.]+ %\s+([\d.]+) GFLOP\/s/.exec(line);
    if (m) rates[m[1]] = Number(m[2]);
  }
  const cal = /Gram kernel alone.*?([\d.]+) GFLOP\/s/.exec(output);
  if (cal) rates.calibration = Number(cal[1]);
  return rates;
}

const f2 = (x) => (x === undefined ? '–' : x.toFixed(2));

/** Markdown table of the two profiles: seconds and after ÷ before per phase. */
export function phaseTable(before, after) {
  const names = Object.keys(after.profile ?? {}).filter((k) => k in (before.profile ?? {}));
  const lines = ['| phase | before (s) | after (s) | after ÷ before |', '|---|---:|---:|---:|'];
  for (const name of names) {
    const b = before.profile[name];
    const a = after.profile[name];
    lines.push(`| ${name} | ${f2(b)} | ${f2(a)} | ${b > 0 ? (a / b).toFixed(2) : '–'} |`);
  }
  lines.push(`| child wall | ${f2(before.wallS)} | ${f2(after.wallS)} | ${(after.wallS / before.wallS).toFixed(2)} |`);
  if (before.cpuS !== undefined && after.cpuS !== undefined) {
    lines.push(`| child CPU (user+sys) | ${f2(before.cpuS)} | ${f2(after.cpuS)} | ${(after.cpuS / before.cpuS).toFixed(2)} |`);
  }
  return lines.join('\n');
}

/** Runs every task with both builds; returns one record per task. */
export async function runPhases({ baseline, tasks, threads, repeat = 1, log = console.log }) {
  const baseCli = join(baseline, 'dist', 'cli.js');
  const cli = join(ROOT, 'dist', 'cli.js');
  for (const c of [baseCli, cli]) if (!existsSync(c)) throw new Error(`${c} is missing: build that checkout first (npm run build)`);
  const dir = mkdtempSync(join(tmpdir(), 'flipcert-phases-'));
  const records = [];
  try {
    for (const task of tasks) {
      log(`task ${task.id}: ${task.dataset}, ${task.train} train / ${task.test} test, k = ${task.k}, ${threads} thread(s); ${uptime()}`);
      let before;
      let after;
      for (let r = 0; r < repeat; r++) {
        // Alternate which build goes first, so that a change in load does not favour one side.
        const order = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
        for (const side of order) {
          const run = await runSide(side === 'before' ? baseCli : cli, task, threads, join(dir, `${task.id}-${side}-${r}.json`));
          log(`  ${side}: wall ${run.wallS.toFixed(1)} s, CPU ${run.cpuS?.toFixed(1) ?? '?'} s`);
          if (side === 'before' && (!before || run.wallS < before.wallS)) before = run;
          if (side === 'after' && (!after || run.wallS < after.wallS)) after = run;
        }
      }
      const same = comparePoints(before.result, after.result);
      records.push({ task, before, after, same, load: uptime() });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return records;
}

/** The records as Markdown: per task, the phase table, the GFLOP/s of the new build and the certificate check. */
export function renderPhases(records, baseline) {
  const out = [`Baseline: \`${baseline}\` (before) against this checkout (after), run alternately in one process tree.`, ''];
  for (const { task, before, after, same, load } of records) {
    out.push(`### ${task.id} (${task.dataset}, ${task.train} / ${task.test}, k = ${task.k}); ${load}`, '', phaseTable(before, after), '');
    const rates = Object.entries(after.rates).filter(([k]) => k !== 'calibration');
    if (rates.length) {
      out.push(`After, achieved GFLOP/s per thread: ${rates.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}` +
        (after.rates.calibration ? `; the Gram kernel alone in the same process: ${after.rates.calibration.toFixed(2)}` : ''), '');
    }
    const diffs = Object.entries(same.counts ?? {});
    out.push(same.lengths ? `Certificates: point counts differ (${same.lengths.join(' vs ')})` :
      diffs.length === 0 ? `Certificates: all ${same.points} points identical (${POINT_FIELDS.join(', ')}).` :
        `Certificates: differences in ${diffs.map(([k, v]) => `${k}: ${v}`).join(', ')} (first points ${same.examples.join(', ')}).`, '');
  }
  return out.join('\n');
}

const HEADING = '## Before and after (`node bench/phases.mjs`)';

/** Replaces (or appends) the "Before and after" section of bench/RESULTS.md with `body`. */
export function writePhasesSection(body, command, file = join(ROOT, 'bench', 'RESULTS.md')) {
  const section = `${HEADING}\nCommand: \`${command}\`, ${new Date().toISOString()}.\n\n${body.trim()}\n`;
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '# flipcert benchmark results\n';
  const at = previous.indexOf(HEADING);
  const rest = at < 0 ? '' : previous.slice(at + HEADING.length);
  const next = rest.search(/\n## /);
  const kept = at < 0 ? previous : previous.slice(0, at) + (next < 0 ? '' : rest.slice(next + 1));
  writeFileSync(file, `${kept.trimEnd()}\n\n${section}`);
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({
    options: {
      baseline: { type: 'string' },
      tasks: { type: 'string', default: 'mnist-n1200-k10' },
      threads: { type: 'string', default: String(availableParallelism()) },
      repeat: { type: 'string', default: '1' },
      write: { type: 'boolean', default: false },
    },
  });
  if (!values.baseline) {
    console.error('usage: node bench/phases.mjs --baseline /path/to/other/checkout [--tasks id1,id2] [--threads N] [--repeat R]');
    process.exit(2);
  }
  const ids = values.tasks.split(',');
  const tasks = PHASE_TASKS.filter((t) => ids.includes(t.id));
  if (tasks.length !== ids.length) {
    console.error(`unknown task in ${values.tasks}; known: ${PHASE_TASKS.map((t) => t.id).join(', ')}`);
    process.exit(2);
  }
  console.log(uptime());
  const records = await runPhases({ baseline: values.baseline, tasks, threads: Number(values.threads), repeat: Number(values.repeat) });
  const text = `${renderPhases(records, values.baseline)}\n${uptime()} at the end.\n`;
  console.log('\n' + text);
  if (values.write) writePhasesSection(text, ['node bench/phases.mjs', ...process.argv.slice(2)].join(' '));
}
