#!/usr/bin/env node
// MNIST, k = 1,200 hash partitions (~50 images each, as in the DPA paper), with
// and without training-set augmentation (issue 13, docs/spec.md §10): one CLI
// run per configuration, then the section "MNIST k = 1,200 with augmentation"
// of bench/RESULTS.md is (re)written with base accuracy (the mean accuracy of
// the 1,200 base models, from the vote counts), ensemble accuracy, MCR and time.
//   npm run build && node bench/augment.mjs [--test-size 1000] [--threads 2] [--only reg1,shift1] [--dir DIR]
// A configuration whose DIR/<name>.json and DIR/<name>.wall exist is not rerun.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'test-size': { type: 'string', default: '1000' },
    threads: { type: 'string', default: String(availableParallelism()) },
    only: { type: 'string' },
    dir: { type: 'string', default: 'test-output/augment-bench' },
  },
});
const CONFIGS = [
  { name: 'reg1', flags: ['--reg', '1'] },
  { name: 'reg01', flags: ['--reg', '0.1'] },
  { name: 'reg01-shift1', flags: ['--reg', '0.1', '--augment', 'shift:1'] },
  { name: 'reg01-shift2', flags: ['--reg', '0.1', '--augment', 'shift:2'] },
].filter((c) => !values.only || values.only.split(',').includes(c.name));

const base = ['certify', '--dataset', 'mnist', '--partitions', '1200', '--test-size', values['test-size'], '--threads', values.threads, '--quiet'];
mkdirSync(values.dir, { recursive: true });
const rows = [];
for (const config of CONFIGS) {
  const json = join(values.dir, `${config.name}.json`);
  const wallFile = join(values.dir, `${config.name}.wall`);
  const args = [...base, ...config.flags, '--out', json];
  if (!existsSync(json) || !existsSync(wallFile)) {
    console.error(`running: node dist/cli.js ${args.join(' ')}`);
    const started = process.hrtime.bigint();
    execFileSync('node', ['dist/cli.js', ...args], { stdio: 'inherit' });
    writeFileSync(wallFile, String(Number(process.hrtime.bigint() - started) / 1e9));
  }
  const result = JSON.parse(readFileSync(json, 'utf8'));
  rows.push({ config, args, result, wall: Number(readFileSync(wallFile, 'utf8')) });
}

/** Mean accuracy of the base models: each point's votes for its true label, over k·m votes. */
function baseAccuracy(result) {
  const k = result.config.partitions;
  let correct = 0;
  for (const p of result.points) correct += p.votes[p.label];
  return correct / (k * result.points.length);
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;
const m = rows[0]?.result.summary.nTest;
const table = [
  '| configuration | S | base accuracy | ensemble accuracy | MCR EnsembleCert | MCR DPA | exact | wall time |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(({ config, result, wall }) => {
    const s = result.summary;
    const copies = result.config.augment ? result.config.augment : 'none';
    const S = { none: 1, 'shift:1': 9, 'shift:2': 25 }[copies] ?? '?';
    return `| reg ${result.config.reg}, augment ${copies} | ${S} | ${pct(baseAccuracy(result))} | ${pct(s.accuracy)} | ${s.mcr.ensemblecert} | ${s.mcr.dpa} | ${pct(s.exactFraction)} | ${wall.toFixed(0)} s |`;
  }),
];
const section = [
  '## MNIST k = 1,200 with augmentation',
  '',
  `Written by \`node bench/augment.mjs --test-size ${values['test-size']} --threads ${values.threads}\` (${new Date().toISOString().slice(0, 10)}; ` +
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores shared with other jobs (load average ${loadavg()[0].toFixed(1)} when this table was written), so ` +
    'times are only indicative). Full 60,000-image training set, 1,200 hash partitions of the original images (~50 each), depth 2, ' +
    `the first ${m} of the 10,000 test points — **not the full 10,000-point test set**. Each row is one run of`,
  '',
  `    node dist/cli.js ${base.join(' ').replace(/ --out \S+/, '')} <flags>`,
  '',
  ...table,
  '',
  'Base accuracy is the mean accuracy of the 1,200 base models (votes for the true label over k·m votes); MCR is the',
  'median certified radius (flipped training labels); "exact" the share of points whose EnsembleCert radius is exact',
  '(radius = upper). DPA\'s published figure for this setting (small CNNs trained with augmentation) is an MCR of 448.',
  ...bestLine(),
  '',
].join('\n');

function bestLine() {
  const best = rows.reduce((a, b) => (b.result.summary.mcr.ensemblecert > a.result.summary.mcr.ensemblecert ? b : a), rows[0]);
  if (!best) return [];
  const mcr = best.result.summary.mcr.ensemblecert;
  return [
    `Best here: reg ${best.result.config.reg}, augment ${best.result.config.augment ?? 'none'}, MCR ${mcr}: ${448 - mcr} short of 448 ` +
      `(${((100 * mcr) / 448).toFixed(0)} % of it), on ${m} test points.`,
  ];
}

const file = 'bench/RESULTS.md';
const old = readFileSync(file, 'utf8');
const at = old.indexOf('\n## MNIST k = 1,200 with augmentation');
writeFileSync(file, (at < 0 ? old.trimEnd() + '\n' : old.slice(0, at + 1)) + '\n' + section);
console.log(section);
