#!/usr/bin/env node
// A straightforward pure-JavaScript implementation of flipcert's pipeline (docs/spec.md §2–§5):
// plain loops for the kernel, ml-matrix for Cholesky/solve, Array/TypedArray sorts.
// Same options as `flipcert certify`; writes per-point prediction/radius/dpaRadius as JSON.
//   node bench/purejs.mjs --dataset mnist17 --train-size 2000 --test-size 300 --partitions 10 --out r.json
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadMnist, npyRows, partitionIds, readNpy } from './purejs/data.mjs';
import { baseModelBetas, dpaRadius, ensembleRadius, singleModel, voteCosts } from './purejs/certify.mjs';

const OPTIONS = {
  dataset: { type: 'string', default: 'mnist17' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  'train-x': { type: 'string' },
  'train-y': { type: 'string' },
  'test-x': { type: 'string' },
  'test-y': { type: 'string' },
  partitions: { type: 'string', default: '1' },
  partitioning: { type: 'string', default: 'hash' },
  model: { type: 'string', default: 'krr' },
  classes: { type: 'string' },
  reg: { type: 'string', default: '1' },
  depth: { type: 'string', default: '2' },
  'w-var': { type: 'string', default: '2' },
  'b-var': { type: 'string', default: '0' },
  threads: { type: 'string' }, // accepted for CLI compatibility; this implementation is single-threaded
  out: { type: 'string' },
  quiet: { type: 'boolean', default: false },
};

function loadData(o) {
  const trainSize = o['train-size'] ? Number(o['train-size']) : undefined;
  const testSize = o['test-size'] ? Number(o['test-size']) : undefined;
  if (o['train-x']) {
    const cut = (a, n) => (n === undefined ? a : a.slice(0, n));
    const labels = (p) => Int32Array.from(readNpy(p).values);
    return {
      train: { rows: cut(npyRows(o['train-x']), trainSize), labels: cut(labels(o['train-y']), trainSize) },
      test: { rows: cut(npyRows(o['test-x']), testSize), labels: o['test-y'] ? cut(labels(o['test-y']), testSize) : null },
    };
  }
  const digits = { mnist17: [1, 7], mnist: null }[o.dataset];
  if (digits === undefined) throw new Error(`--dataset must be mnist17 or mnist, got ${o.dataset}`);
  return { train: loadMnist('train', digits, trainSize), test: loadMnist('t10k', digits, testSize) };
}

/** Runs the configured certificate; returns per-point arrays and the fixed (train-only) seconds. */
function certify(train, test, classes, opts) {
  const m = test.rows.length;
  if (opts.partitions === 1) {
    const { betas, fixedSeconds } = baseModelBetas(train.rows, test.rows, opts);
    const points = betas.map((beta) => {
      const { prediction, radius } = singleModel(beta, train.labels, classes);
      const counts = new Array(classes).fill(0);
      counts[prediction] = 1;
      return { prediction, radius, dpaRadius: dpaRadius(counts, prediction), votes: counts };
    });
    return { points, fixedSeconds };
  }
  const ids = partitionIds(train.rows, opts.partitions);
  const votes = Array.from({ length: m }, () => []);
  const rhos = Array.from({ length: m }, () => []);
  let fixedSeconds = 0;
  for (let p = 0; p < opts.partitions; p++) {
    const members = ids.flatMap((id, i) => (id === p ? [i] : []));
    const labels = Int32Array.from(members, (i) => train.labels[i]);
    const model = baseModelBetas(members.map((i) => train.rows[i]), test.rows, opts);
    fixedSeconds += model.fixedSeconds;
    model.betas.forEach((beta, j) => {
      const { vote, rho } = voteCosts(beta, labels, classes);
      votes[j].push(vote);
      rhos[j].push(rho);
    });
  }
  const points = votes.map((v, j) => {
    const { prediction, counts, radius } = ensembleRadius(v, rhos[j], classes, train.rows.length);
    return { prediction, radius, dpaRadius: dpaRadius(counts, prediction), votes: counts };
  });
  return { points, fixedSeconds };
}

/** MCR: ⌈m/2⌉-th largest value with misclassified points counted as −1. */
function medianRadius(values) {
  const sorted = [...values].sort((a, b) => b - a);
  return sorted[Math.ceil(sorted.length / 2) - 1];
}

function main() {
  const started = performance.now();
  const { values: o } = parseArgs({ options: OPTIONS, allowPositionals: true });
  if (!o.out) throw new Error('--out is required');
  const { train, test } = loadData(o);
  const loadSeconds = (performance.now() - started) / 1000;
  const maxLabel = Math.max(...train.labels, ...(test.labels ?? []));
  const classes = o.classes ? Number(o.classes) : maxLabel + 1;
  const opts = {
    model: o.model,
    reg: Number(o.reg),
    partitions: Number(o.partitions),
    kernel: { depth: Number(o.depth), wVar: Number(o['w-var']), bVar: Number(o['b-var']) },
  };
  const { points, fixedSeconds } = certify(train, test, classes, opts);
  const seconds = (performance.now() - started) / 1000;
  const label = (j) => (test.labels ? test.labels[j] : null);
  const correct = points.map((p, j) => p.prediction === label(j));
  const result = {
    version: 1,
    implementation: 'purejs',
    config: { model: opts.model, reg: opts.reg, ...opts.kernel, partitions: opts.partitions, partitioning: 'hash', classes },
    summary: {
      nTrain: train.rows.length,
      nTest: test.rows.length,
      classes,
      partitions: opts.partitions,
      accuracy: test.labels ? correct.filter(Boolean).length / points.length : null,
      mcr: {
        ensemblecert: medianRadius(points.map((p, j) => (correct[j] ? p.radius : -1))),
        dpa: medianRadius(points.map((p, j) => (correct[j] ? p.dpaRadius : -1))),
      },
      seconds,
      loadSeconds,
      fixedSeconds,
    },
    points: points.map((p, j) => ({ index: j, label: label(j), ...p })),
  };
  writeFileSync(o.out, JSON.stringify(result));
  console.log(`purejs wall seconds: ${seconds.toFixed(3)} (loading ${loadSeconds.toFixed(3)}, train-only ${fixedSeconds.toFixed(3)})`);
}

main();
