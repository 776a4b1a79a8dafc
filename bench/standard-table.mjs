#!/usr/bin/env node
// The field's standard table (issue 22): full MNIST (60,000 / 10,000, every test
// point), hash partitions, k ∈ {1, 50, 120, 300, 1200, 3000}, on the label-free
// representation scattering+log+pca+spectral; and MNIST 1-vs-7. Each row is one
// `flipcert certify` command, run as written in the README, one after another;
// a row whose JSON is already in --out is not run again (resume after a stop).
//   node bench/standard-table.mjs [--out DIR] [--only id,id] [--test-size M]
// Writes DIR/<id>.json (the certify result), DIR/<id>.time (wall seconds, peak RSS)
// and DIR/table.md (the table, beside the published DPA and SS-DPA figures).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.FLIPCERT_CLI ?? join(ROOT, 'dist', 'cli.js');
export const BEST = 'scattering+log+pca+spectral';

/**
 * The rows. k = 1 is the small-C SVM; ensembles of ≤ 300 use reg 10 (few partitions, many rows each:
 * smoother models vote more stably), larger ones reg 0.1 (the research's settings).
 */
export const ROWS = [
  // A single model on all 60,000 rows needs a 60,000² kernel matrix (26.8 GiB), beyond WebAssembly's 4 GiB:
  // k = 1 runs on the first 23,000 training rows, about the most one model holds (EMEMORY names 23,163).
  { id: 'mnist-k1', dataset: 'mnist', k: 1, args: ['--model', 'svm', '--train-size', '23000'] },
  { id: 'mnist-k50', dataset: 'mnist', k: 50, args: ['--reg', '10'] },
  { id: 'mnist-k120', dataset: 'mnist', k: 120, args: ['--reg', '10'] },
  { id: 'mnist-k300', dataset: 'mnist', k: 300, args: ['--reg', '10'] },
  { id: 'mnist-k1200', dataset: 'mnist', k: 1200, args: ['--reg', '0.1'] },
  { id: 'mnist-k3000', dataset: 'mnist', k: 3000, args: ['--reg', '0.1'] },
  { id: 'mnist17-k1', dataset: 'mnist17', k: 1, args: ['--reg', '10'], represent: `${BEST}:dims=1` },
];

/** Published median certified radii (label flips) at the same k: DPA and SS-DPA (Levine & Feizi, 2021), as quoted in issue 22. */
const PUBLISHED = { 1200: { dpa: 448, ssdpa: 485 }, 3000: { dpa: 509, ssdpa: 647 } };
const RADII = [100, 200, 300, 400, 500, 600, 700];
const FLIPS17 = [500, 1000, 2000, 3000, 4000];

export function commandOf(row, testSize) {
  const args = ['certify', '--dataset', row.dataset, '--represent', row.represent ?? BEST, '--partitions', String(row.k), ...row.args];
  if (testSize !== undefined) args.push('--test-size', String(testSize));
  return args;
}

function runRow(row, out, testSize) {
  const json = join(out, `${row.id}.json`);
  if (existsSync(json)) return;
  const args = [...commandOf(row, testSize), '--quiet', '--out', json];
  console.log(`flipcert ${args.join(' ')}`);
  const started = Date.now();
  const child = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, ...args], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  const seconds = (Date.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`${row.id} failed (exit ${child.status}): ${child.stderr}`);
  const peakKb = Number(child.stderr.trim().split('\n').pop());
  writeFileSync(join(out, `${row.id}.time`), JSON.stringify({ seconds, peakMb: Math.round(peakKb / 1024) }) + '\n');
  console.log(`  ${seconds.toFixed(0)} s, peak ${Math.round(peakKb / 1024)} MB`);
}

const pct = (x) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}`);
const at = (curve, r) => (r < curve.length ? curve[r] : 0);

export function table(out) {
  const lines = [
    '| k | model | accuracy % | MCR EnsembleCert | MCR DPA | published DPA / SS-DPA | CA % at r = ' + RADII.join(', ') + ' (EnsembleCert) | CA % (DPA) | wall s |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of ROWS.filter((r) => r.dataset === 'mnist')) {
    const file = join(out, `${row.id}.json`);
    if (!existsSync(file)) continue;
    const { config, summary } = JSON.parse(readFileSync(file, 'utf8'));
    const time = existsSync(join(out, `${row.id}.time`)) ? JSON.parse(readFileSync(join(out, `${row.id}.time`), 'utf8')) : {};
    const published = PUBLISHED[row.k] ? `${PUBLISHED[row.k].dpa} / ${PUBLISHED[row.k].ssdpa}` : '–';
    const model = (config.model === 'svm' ? 'svm' : `krr reg ${config.reg}`) + (summary.nTrain < 60000 ? `, first ${summary.nTrain} training rows` : '');
    const ca = (curve) => RADII.map((r) => pct(at(curve, r))).join(' / ');
    lines.push(
      `| ${row.k} | ${model} | ${pct(summary.accuracy)} | ${summary.mcr.ensemblecert} | ${summary.mcr.dpa} | ${published} | ` +
        `${ca(summary.certifiedAccuracy.ensemblecert)} | ${ca(summary.certifiedAccuracy.dpa)} | ${time.seconds?.toFixed(0) ?? '–'} |`,
    );
  }
  lines.push('', 'Commands (each row: `node dist/cli.js` + the line, plus `--out result.json`):', '');
  for (const row of ROWS) if (existsSync(join(out, `${row.id}.json`))) lines.push(`    ${commandOf(row).join(' ')}`);
  const seventeen = join(out, 'mnist17-k1.json');
  if (existsSync(seventeen)) {
    const { summary } = JSON.parse(readFileSync(seventeen, 'utf8'));
    lines.push('', `MNIST 1-vs-7 (single model, krr reg 10, ${summary.nTest} test points): accuracy ${pct(summary.accuracy)} %, MCR ${summary.mcr.ensemblecert}; certified accuracy:`);
    lines.push('', '| flips | ' + FLIPS17.join(' | ') + ' |', '|---|' + FLIPS17.map(() => '---|').join(''));
    lines.push('| CA % | ' + FLIPS17.map((r) => pct(at(summary.certifiedAccuracy.ensemblecert, r))).join(' | ') + ' |');
  }
  return lines.join('\n') + '\n';
}

function fail(message) {
  throw new Error(message);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'bench', 'table-out') }, only: { type: 'string' }, 'test-size': { type: 'string' } } });
  const out = values.out;
  mkdirSync(out, { recursive: true });
  const only = values.only?.split(',');
  const testSize = values['test-size'] === undefined ? undefined : Number(values['test-size']);
  // --only also sets the order (the most telling rows first when time is short).
  const rows = only ? only.map((id) => ROWS.find((r) => r.id === id) ?? fail(`no row ${id}`)) : ROWS;
  for (const row of rows) runRow(row, out, testSize);
  writeFileSync(join(out, 'table.md'), table(out));
  console.log(table(out));
}
