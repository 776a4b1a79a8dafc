#!/usr/bin/env node
// How fast is the Wasm linear-algebra core? GFLOP/s of the NTK's Gram product,
// the Cholesky factorisation and the two triangular solves of KRR on one
// thread, each next to a naive scalar JavaScript loop doing the same flops;
// then the same kernels on every core at once (one independent problem per
// worker thread, as partitions run), as aggregate GFLOP/s.
//   node scripts/build.mjs --no-types && node bench/kernels.mjs [--quick] [--finite]
// Flop counts: gram 2·m·n·d (gramSym reported at the same count, though it
// computes one triangle), cholesky n³/3, each trsm m·n², solveFactored (both solves) 2·m·n²,
// gemmNN/gemmTN 2·m·n·k.
// Last, one Gauss–Newton step of the finite network (src/network/train.ts),
// counted as the flops of its matrix products (see stepFlops), beside gramDot.
import { availableParallelism, cpus, platform, release } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const { createCore, initialParameters, trainNetwork } = await import('../dist/lowlevel.js').catch(() => {
  console.error('bench/kernels.mjs needs the bundle: run `node scripts/build.mjs --no-types` first');
  process.exit(1);
});

const { values } = isMainThread
  ? parseArgs({ options: { quick: { type: 'boolean', default: false }, finite: { type: 'boolean', default: false } } })
  : { values: { quick: true } };
const SIZES = values.quick ? [500, 1000] : [500, 1000, 2000, 4000, 8000];
const NAIVE_SIZES = new Set([500, 1000]);
const D = 784;
const M = 1000;

const cpu = cpus()[0];
if (isMainThread) console.log(`machine: ${cpu?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${platform()} ${release()}, node ${process.version}`);
if (isMainThread) console.log('one thread; GFLOP/s = counted flops / best wall time of the repetitions\n');

const core = await createCore();
const { heap, exports: wasm } = core;

let seed = 2024;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
const fillRandom = (a) => {
  for (let i = 0; i < a.length; i++) a[i] = random();
  return a;
};

/** Best time (s) of `body` over enough repetitions to run ~0.5 s (at least 1, at most 5). */
function time(body, setup = () => {}) {
  let best = Infinity;
  let spent = 0;
  for (let rep = 0; rep < 5 && (rep === 0 || spent < 0.5); rep++) {
    setup();
    const t0 = performance.now();
    body();
    const s = (performance.now() - t0) / 1000;
    best = Math.min(best, s);
    spent += s;
  }
  return best;
}

const gflops = (flops, seconds) => flops / seconds / 1e9;
function row(name, n, flops, wasmSeconds, naiveSeconds) {
  const g = gflops(flops, wasmSeconds).toFixed(2).padStart(7);
  const naive = naiveSeconds === undefined ? '' : `   naive JS ${gflops(flops, naiveSeconds).toFixed(2).padStart(5)} GFLOP/s   ratio ${(naiveSeconds / wasmSeconds).toFixed(1).padStart(5)}×`;
  console.log(`${name.padEnd(16)} n=${String(n).padStart(4)}  ${(wasmSeconds * 1000).toFixed(1).padStart(8)} ms  ${g} GFLOP/s${naive}`);
}

// ---- naive scalar versions (plain typed arrays, same flops) ----
function naiveGram(a, c, n, d) {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += a[i * d + k] * a[j * d + k];
      c[i * n + j] = s;
    }
}
function naiveCholesky(a, n) {
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = i === j ? Math.sqrt(s) : s / a[j * n + j];
    }
  }
}
function naiveForward(l, b, n, m) {
  for (let r = 0; r < m; r++)
    for (let j = 0; j < n; j++) {
      let s = b[r * n + j];
      for (let k = 0; k < j; k++) s -= l[j * n + k] * b[r * n + k];
      b[r * n + j] = s / l[j * n + j];
    }
}
function naiveBackward(l, b, n, m) {
  for (let r = 0; r < m; r++)
    for (let j = n - 1; j >= 0; j--) {
      let s = b[r * n + j];
      for (let k = j + 1; k < n; k++) s -= l[k * n + j] * b[r * n + k];
      b[r * n + j] = s / l[j * n + j];
    }
}

/** A well-conditioned SPD matrix: X Xᵀ/d + I for random X (n×d). */
function spdInto(ptr, n) {
  heap.scoped(() => {
    const x = heap.putF64(fillRandom(new Float64Array(n * 64)));
    wasm.gramSym(x, ptr, n, 64);
    wasm.addDiagonal(ptr, n, 64);
  });
}

/** The one-thread tables, each kernel beside its naive loop. */
function singleThread() {
  console.log(`gram C = A·Aᵀ, A n×${D}`);
  for (const n of SIZES) {
    heap.scoped(() => {
      const a = heap.putF64(fillRandom(new Float64Array(n * D)));
      const c = heap.f64(n * n);
      const flops = 2 * n * n * D;
      row('gramDot', n, flops, time(() => wasm.gramDot(a, a, c, n, n, D)));
      let naive;
      if (NAIVE_SIZES.has(n)) {
        const av = heap.viewF64(a, n * D).slice();
        const cv = new Float64Array(n * n);
        naive = time(() => naiveGram(av, cv, n, D));
      }
      row('gramSym', n, flops, time(() => wasm.gramSym(a, c, n, D)), naive);
    });
  }

  console.log('\ncholesky (n³/3 flops)');
  for (const n of SIZES) {
    heap.scoped(() => {
      const a = heap.f64(n * n);
      const work = heap.f64(n * n);
      spdInto(a, n);
      const copy = () => heap.viewF64(work, n * n).set(heap.viewF64(a, n * n));
      const seconds = time(() => {
        if (wasm.cholesky(work, n) !== 0) throw new Error('not positive definite');
      }, copy);
      let naive;
      if (NAIVE_SIZES.has(n)) {
        const src = heap.viewF64(a, n * n).slice();
        const w = new Float64Array(n * n);
        naive = time(() => naiveCholesky(w, n), () => w.set(src));
      }
      row('cholesky', n, n ** 3 / 3, seconds, naive);
    });
  }

  console.log(`\ntriangular solves, m = ${M} right-hand sides (m·n² flops each)`);
  for (const n of SIZES) {
    heap.scoped(() => {
      const l = heap.f64(n * n);
      spdInto(l, n);
      if (wasm.cholesky(l, n) !== 0) throw new Error('not positive definite');
      const b0 = fillRandom(new Float64Array(M * n));
      const b = heap.f64(M * n);
      const reset = () => heap.viewF64(b, M * n).set(b0);
      const flops = M * n * n;
      const lower = time(() => wasm.trsmRightLowerT(l, b, n, M), reset);
      const upper = time(() => wasm.trsmRightLower(l, b, n, M), reset);
      let naiveLower;
      let naiveUpper;
      if (NAIVE_SIZES.has(n)) {
        const lv = heap.viewF64(l, n * n).slice();
        const bv = new Float64Array(M * n);
        naiveLower = time(() => naiveForward(lv, bv, n, M), () => bv.set(b0));
        naiveUpper = time(() => naiveBackward(lv, bv, n, M), () => bv.set(b0));
      }
      row('trsmRightLowerT', n, flops, lower, naiveLower);
      row('trsmRightLower', n, flops, upper, naiveUpper);
      // Both solves as KernelModel runs them since issue 19: diagonal blocks inverted once, every flop in the tiled product.
      const scratch = heap.f64(wasm.solveScratchDoubles());
      wasm.mirrorLowerRows(l, n, 0, n);
      wasm.invertDiagonalBlocks(l, n, scratch);
      const both = time(() => wasm.solveFactored(l, b, n, M, scratch), reset);
      row('solveFactored', n, 2 * flops, both);
      console.log(`${''.padEnd(16)}         both solves: solveFactored ÷ the two trsm = ${(both / (lower + upper)).toFixed(2)} in time`);
    });
  }

  console.log('\nNTK recursion on a Gram matrix (entries per second, depth 2)');
  for (const n of SIZES.slice(0, 3)) {
    heap.scoped(() => {
      const a = heap.putF64(fillRandom(new Float64Array(n * D)));
      const q = heap.f64(n);
      const c = heap.f64(n * n);
      wasm.rowSquaredNorms(a, q, n, D);
      const sym = time(() => wasm.ntkFromDotSym(c, q, n, D, 2, 2, 0), () => wasm.gramSym(a, c, n, D));
      const full = time(() => wasm.ntkFromDot(c, q, q, n, n, D, 2, 2, 0), () => wasm.gramSym(a, c, n, D));
      const rate = (s) => ((n * n) / s / 1e6).toFixed(1).padStart(6);
      console.log(`ntkFromDotSym    n=${String(n).padStart(4)}  ${(sym * 1000).toFixed(1).padStart(8)} ms  ${rate(sym)} M entries/s (n² counted)   ntkFromDot ${rate(full)} M entries/s`);
    });
  }
}

// ---- the finite network (docs/spec.md §11): its products and one training step ----

/**
 * Flops of one Gauss–Newton step's matrix products (src/network/train.ts), as performed: the forward pass at
 * the new point, J·u and Jᵀα (2·n·fanIn·fanOut per layer each), the per-unit backward pass (2·n·C·w² per
 * hidden-to-hidden layer), and the kernel's Gram products (gramSym: n(n+1)·k for n rows of length k).
 * Element-wise work (masks, biases, vector updates) takes time but is not counted.
 */
function stepFlops({ inputDim: d, width: w, depth, classes: C }, n) {
  const dense = d * w + (depth - 1) * w * w + w * C;
  const sym = (rows, k) => rows * (rows + 1) * k;
  const grams = sym(n, d) + depth * sym(n, w) + depth * sym(n * C, w);
  return 3 * 2 * n * dense + 2 * n * C * (depth - 1) * w * w + grams;
}

function finiteNetwork() {
  const n = 200;
  const C = 2;
  console.log(`\nfinite network (docs/spec.md §11): the packed products its backward pass uses, beside gramDot`);
  for (const w of values.quick ? [1024] : [1024, 4096]) {
    heap.scoped(() => {
      const deltas = heap.putF64(fillRandom(new Float64Array(n * C * w)));
      const weights = heap.putF64(fillRandom(new Float64Array(w * w)));
      const acts = heap.putF64(fillRandom(new Float64Array(n * w)));
      const out = heap.f64(Math.max(n * C * w, w * w));
      const scratch = heap.f64(wasm.packedScratchDoubles());
      const nn = time(() => wasm.gemmNN(deltas, w, weights, w, out, w, n * C, w, w, 1, scratch));
      const tn = time(() => wasm.gemmTN(deltas, w, acts, w, out, w, w, w, n, 1, scratch));
      const gram = time(() => wasm.gramDot(deltas, deltas, out, n * C, n * C, w));
      row('gemmNN', w, 2 * n * C * w * w, nn);
      console.log(`                 (${n * C}×${w})·(${w}×${w}): deltas times a weight matrix`);
      row('gemmTN', w, 2 * n * w * w, tn);
      console.log(`                 (${n}×${w})ᵀ·(${n}×${w}): a weight gradient`);
      row('gramDot', w, 2 * (n * C) ** 2 * w, gram);
      console.log(`                 (${n * C}×${w})·(${n * C}×${w})ᵀ: the reference Gram kernel`);
    });
  }

  console.log(`\none Gauss–Newton step, ${n} rows × ${D}, C = ${C}, depth 2 (time of trainNetwork with 1 step − with 0 steps)`);
  const x = { data: fillRandom(new Float64Array(n * D)).map((v) => (v + 1) / 2), rows: n, cols: D };
  const targets = new Float64Array(n * C);
  for (let i = 0; i < n; i++) targets[i * C + (i % C)] = 1;
  const gramRate = heap.scoped(() => {
    const a = heap.putF64(fillRandom(new Float64Array(1000 * D)));
    const c = heap.f64(1000 * 1000);
    return gflops(2 * 1000 * 1000 * D, time(() => wasm.gramDot(a, a, c, 1000, 1000, D)));
  });
  console.log(`gramDot          n=1000  ${gramRate.toFixed(2).padStart(7)} GFLOP/s   (the Gram kernel, d = ${D}, measured now)`);
  for (const width of values.quick ? [512] : [1024, 4096]) {
    const shape = { inputDim: D, width, depth: 2, classes: C, wVar: 2, bVar: 0 };
    const theta0 = initialParameters(shape, 1);
    const train = (steps) => trainNetwork(core, shape, theta0, x, targets, { reg: 1, gradTol: 0, stepTol: 0, maxIterations: steps });
    let one;
    const t0 = time(() => train(0));
    const t1 = time(() => (one = train(1)));
    const step = t1 - t0;
    const rate = gflops(stepFlops(shape, n), step);
    const note = one.lineSearchTrials === 1 ? '' : ` (${one.lineSearchTrials} line-search points)`;
    console.log(
      `training step    w=${String(width).padStart(4)}  ${(step * 1000).toFixed(1).padStart(8)} ms  ${rate.toFixed(2).padStart(7)} GFLOP/s   ` +
        `${((100 * rate) / gramRate).toFixed(0)} % of gramDot${note}`,
    );
  }
}

// ---- all threads: one independent problem per worker, started together ----
const KERNELS = {
  gramSym: { flops: (n) => 2 * n * n * D, setup: (n) => [heap.putF64(fillRandom(new Float64Array(n * D))), heap.f64(n * n)], run: (n, [a, c]) => wasm.gramSym(a, c, n, D) },
  cholesky: { flops: (n) => n ** 3 / 3, setup: (n) => { const a = heap.f64(n * n); spdInto(a, n); return [a]; }, run: (n, [a]) => wasm.cholesky(a, n) },
  trsm: {
    flops: (n) => 2 * M * n * n,
    setup: (n) => { const l = heap.f64(n * n); spdInto(l, n); wasm.cholesky(l, n); return [l, heap.putF64(fillRandom(new Float64Array(M * n)))]; },
    run: (n, [l, b]) => { wasm.trsmRightLowerT(l, b, n, M); wasm.trsmRightLower(l, b, n, M); },
  },
  solveFactored: {
    flops: (n) => 2 * M * n * n,
    setup: (n) => {
      const l = heap.f64(n * n);
      spdInto(l, n);
      wasm.cholesky(l, n);
      const scratch = heap.f64(wasm.solveScratchDoubles());
      wasm.mirrorLowerRows(l, n, 0, n);
      wasm.invertDiagonalBlocks(l, n, scratch);
      return [l, heap.putF64(fillRandom(new Float64Array(M * n))), scratch];
    },
    run: (n, [l, b, scratch]) => wasm.solveFactored(l, b, n, M, scratch),
  },
};

/** Worker side: set the problem up, wait for the start signal, run once, report. */
async function parallelWorker() {
  const { kernel, n } = workerData;
  const buffers = KERNELS[kernel].setup(n);
  parentPort.postMessage('ready');
  await new Promise((resolve) => parentPort.once('message', resolve));
  KERNELS[kernel].run(n, buffers);
  parentPort.postMessage('done');
  await new Promise(() => {}); // the main thread terminates us
}

async function parallelRun(kernel, n, threads) {
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: { kernel, n } }));
  const next = (w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await Promise.all(workers.map(next));
  const t0 = performance.now();
  const done = workers.map(next);
  workers.forEach((w) => w.postMessage('go'));
  await Promise.all(done);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return seconds;
}

async function allThreads() {
  const threads = availableParallelism();
  console.log(`\nall ${threads} threads at once, one independent problem each (aggregate GFLOP/s; trsm = both solves, m = ${M})`);
  for (const kernel of Object.keys(KERNELS)) {
    for (const n of values.quick ? [1000] : [2000, 4000]) {
      const one = await parallelRun(kernel, n, 1);
      const all = await parallelRun(kernel, n, threads);
      const flops = KERNELS[kernel].flops(n);
      console.log(
        `${kernel.padEnd(16)} n=${String(n).padStart(4)}  1 thread ${gflops(flops, one).toFixed(2).padStart(6)} GFLOP/s   ` +
          `${threads} threads ${gflops(threads * flops, all).toFixed(2).padStart(6)} GFLOP/s   scaling ${((threads * one) / all).toFixed(2)}×`,
      );
    }
  }
}

if (isMainThread && values.finite) {
  finiteNetwork(); // --finite: the finite network's section alone
} else if (isMainThread) {
  singleThread();
  finiteNetwork();
  await allThreads();
} else {
  await parallelWorker();
}
