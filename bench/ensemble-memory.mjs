#!/usr/bin/env node
// The coordinator's memory for a large ensemble (issue 14: k = 1,000 partitions,
// m = 10,000 test points, C = 10 classes): every partition's votes and cost
// tables come back to it, so before test slices it held k × m × (8C + 5) bytes
// (850 MB here) at once. Only the coordinator is measured: a stand-in pool
// answers each task at once with random votes and costs (lower = upper, so no
// second passes), so no model is trained; the workers' memory does not grow
// with k × m × C (one task at a time). Prints the process's peak RSS.
//   node bench/ensemble-memory.mjs [--k 1000] [--m 10000] [--classes 10] [--src src]
// --src points at another checkout's src/ (e.g. `git archive main src | tar -x -C /tmp/old`, with build/ beside it).
import { build } from 'esbuild';
import { coreBytesPlugin } from '../scripts/core-bytes.mjs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { k: { type: 'string', default: '1000' }, m: { type: 'string', default: '10000' }, classes: { type: 'string', default: '10' }, src: { type: 'string', default: 'src' } },
});
const [k, m, C] = ['k', 'm', 'classes'].map((key) => Number(values[key]));
const src = resolve(values.src);

// Bundle the coordinator and the option resolver of that src/ (TypeScript) into one module.
const dir = mkdtempSync(join(tmpdir(), 'flipcert-ensemble-memory-'));
const entry = join(dir, 'entry.ts');
// Trees from before the relayout kept both files at the top of src/.
const at = (name) => (existsSync(join(src, 'certify', name)) ? join(src, 'certify', name) : join(src, name));
writeFileSync(entry, `export { coordinate } from ${JSON.stringify(at('coordinator.ts'))};\nexport { resolveOptions } from ${JSON.stringify(at('options.ts'))};\n`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'esm', outfile: join(dir, 'bundle.mjs'), plugins: [coreBytesPlugin()], logLevel: 'warning' });
const { coordinate, resolveOptions } = await import(join(dir, 'bundle.mjs'));
rmSync(dir, { recursive: true, force: true });

// Tiny features (2 columns): 60 training rows per partition (as MNIST k = 1,000), m test rows.
let seed = 12345;
const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
const n = 60 * k;
const train = { x: { data: Float64Array.from({ length: n * 2 }, uniform), shape: [n, 2] }, y: Int32Array.from({ length: n }, (_, i) => i % C) };
const test = { x: { data: Float64Array.from({ length: m * 2 }, uniform), shape: [m, 2] }, y: Int32Array.from({ length: m }, (_, i) => i % C) };
const resolved = resolveOptions({ train, test, partitions: k, classes: C }, 2);

/** Answers a first-pass task with random votes (mostly class 0) and equal random lower/upper costs. */
const pool = {
  threads: 2,
  async run(task) {
    const rows = task.testRows;
    const votes = Int32Array.from({ length: rows }, () => (uniform() < 0.6 ? 0 : Math.floor(uniform() * C)));
    const lower = Int32Array.from({ length: rows * C }, () => 1 + Math.floor(uniform() * 40));
    votes.forEach((v, i) => (lower[i * C + v] = 0));
    return { partition: task.partition, svmBound: 1, votes, lower, upper: lower.slice(), nearTie: new Uint8Array(rows) };
  },
  async close() {},
};

const started = performance.now();
const result = await coordinate(resolved, pool, new Array(k).fill(Math.min(m, 4096)));
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  src: values.src, k, m, classes: C,
  tablesMB: +((k * m * (8 * C + 5)) / 1e6).toFixed(1),
  peakRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(0),
  seconds: +seconds.toFixed(1),
  accuracy: result.summary.accuracy, mcr: result.summary.mcr, exactFraction: result.summary.exactFraction,
}));
