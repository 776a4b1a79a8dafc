#!/usr/bin/env node
// How long does EnsembleCert's aggregation take at k partitions × m test points × C classes?
// Times aggregateBlock (two knapsacks per point: lower and upper costs, plus DPA) on synthetic
// votes that look like a trained ensemble (most partitions agree) and compares one point's
// knapsack with the plain O(k·G) DP on the same data.
//   node bench/knapsack.mjs [--k 1000] [--m 2000] [--classes 10] [--agree 0.8]
import { build } from 'esbuild';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '1000' },
    m: { type: 'string', default: '2000' },
    classes: { type: 'string', default: '10' },
    agree: { type: 'string', default: '0.8' },
  },
});
const k = Number(values.k);
const m = Number(values.m);
const C = Number(values.classes);
const agree = Number(values.agree);

// Bundle the TypeScript sources in memory so the bench always measures the current code.
const bundled = await build({
  stdin: {
    contents: `export { aggregateBlock } from './src/ensemble/aggregate.ts';
               export { minFlipCost } from './src/ensemble/knapsack.ts';
               export { minFlipCostDp } from './test/reference-knapsack.ts';`,
    resolveDir: new URL('..', import.meta.url).pathname,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
});
const mod = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

const votes = [];
const lower = [];
const upper = [];
const truth = Int32Array.from({ length: m }, () => Math.floor(random() * C));
for (let p = 0; p < k; p++) {
  const v = new Int32Array(m);
  const lo = new Int32Array(m * C);
  const up = new Int32Array(m * C);
  for (let j = 0; j < m; j++) {
    v[j] = random() < agree ? truth[j] : Math.floor(random() * C);
    for (let l = 0; l < C; l++) {
      if (l === v[j]) continue;
      const cost = 1 + Math.floor(random() * random() * 30);
      lo[j * C + l] = cost;
      up[j * C + l] = random() < 0.9 ? cost : cost + 1 + Math.floor(random() * 5);
    }
  }
  votes.push(v);
  lower.push(lo);
  upper.push(up);
}

const started = performance.now();
const out = mod.aggregateBlock({ votes, lower, upper, classes: C, nTrain: 60000, m });
const seconds = (performance.now() - started) / 1000;
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}`);
console.log(`k = ${k}, m = ${m}, C = ${C}, agreement ${agree}`);
console.log(`aggregateBlock: ${seconds.toFixed(3)} s total, ${((1e6 * seconds) / m).toFixed(1)} µs per point`);
console.log(`mean radius ${mean(out.radius).toFixed(2)}, mean upper ${mean(out.upper).toFixed(2)}, mean DPA ${mean(out.dpaRadius).toFixed(2)}`);

// One point, every rival: the fast knapsack against the O(k·G) DP.
const j = 0;
const pv = Int32Array.from(votes, (v) => v[j]);
const pc = new Int32Array(k * C);
lower.forEach((t, p) => pc.set(t.subarray(j * C, (j + 1) * C), p * C));
const c = out.prediction[j];
const time = (f) => {
  const t = performance.now();
  for (let r = 0; r < C; r++) if (r !== c) f(r);
  return (performance.now() - t) * 1000;
};
const fastUs = time((r) => mod.minFlipCost(pv, pc, C, c, r));
const dpUs = time((r) => mod.minFlipCostDp(pv, pc, C, c, r));
console.log(`point 0, all ${C - 1} rivals: fast ${fastUs.toFixed(0)} µs, DP ${dpUs.toFixed(0)} µs`);
