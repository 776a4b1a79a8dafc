#!/usr/bin/env node
// How exact are multi-class ensembles, and what does closing them cost?
// Certifies a synthetic 43-class task (Gaussian clusters, the class count of
// GTSRB) and optionally MNIST-10, printing the exact fraction, the open
// points' reasons and the CPU time of the whole process (worker threads
// included; the machine may be shared, so wall times are noisy).
//   node bench/multiclass.mjs [--dist dist] [--train 12900] [--test 1000] [--k 50] [--d 64] [--noise 1.6]
// --dist points at another build's dist/ folder (e.g. a copy of an older
// build) to compare before and after on the same data.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    train: { type: 'string', default: '12900' },
    test: { type: 'string', default: '1000' },
    k: { type: 'string', default: '50' },
    d: { type: 'string', default: '64' },
    classes: { type: 'string', default: '43' },
    noise: { type: 'string', default: '1.6' },
    threads: { type: 'string' },
  },
});
const { certify } = await import(resolve(values.dist, 'index.js'));
const [n, m, k, d, C, noise] = ['train', 'test', 'k', 'd', 'classes', 'noise'].map((key) => Number(values[key]));

let seed = 20261126;
const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const centers = Array.from({ length: C }, () => Float64Array.from({ length: d }, gauss));
function sample(rows) {
  const x = new Float64Array(rows * d);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    y[i] = i % C;
    for (let j = 0; j < d; j++) x[i * d + j] = centers[y[i]][j] + noise * gauss();
  }
  return { x: { data: x, shape: [rows, d] }, y };
}
const train = sample(n);
const test = sample(m);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await certify({ train, test, partitions: k, ...(values.threads ? { threads: Number(values.threads) } : {}) });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const reasons = {};
for (const p of result.points) if (!p.exact) reasons[p.openReason ?? 'unknown'] = (reasons[p.openReason ?? 'unknown'] ?? 0) + 1;
const gaps = result.points.filter((p) => !p.exact).map((p) => p.upper - p.radius);
console.log(
  JSON.stringify({
    task: `synthetic ${C}-class, d = ${d}, ${n} train / ${m} test, k = ${k}`,
    dist: values.dist,
    accuracy: result.summary.accuracy,
    exactFraction: result.summary.exactFraction,
    mcr: result.summary.mcr,
    open: gaps.length,
    maxGap: gaps.length ? Math.max(...gaps) : 0,
    reasons,
    userSeconds: +(cpu.user / 1e6).toFixed(2),
    systemSeconds: +(cpu.system / 1e6).toFixed(2),
    wallSeconds: +wall.toFixed(2),
  }),
);
