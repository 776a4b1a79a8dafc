#!/usr/bin/env node
// Issue 19, item 1: the KRR weights β = (K + λ̃I)⁻¹ k for m test rows, three ways,
// side by side in one process, on one thread, CPU time (process.cpuUsage, so other
// work on a shared machine does not count):
//   substitution  trsmRightLowerT + trsmRightLower (assembly/linalg/trisolve.ts; the path before issue 19),
//   inverse+GEMM  K⁻¹ once (both solves on the identity), then one gramDot k·K⁻¹ per block,
//   solveFactored diagonal blocks inverted in place, every flop in the tiled product (what KernelModel runs).
// Also the largest relative error (per row, 2-norm) of each β against substitution's.
// K is an NTK-like Gram of rectified random rows (784 features) with the relative ridge 1e-3.
//   node bench/solve-variants.mjs [--n 1200] [--m 2000,10000] [--repeat 3]
import { parseArgs } from 'node:util';

const { createCore } = await import('../dist/lowlevel.js').catch(() => {
  console.error('bench/solve-variants.mjs needs the bundle: run `npm run build` first');
  process.exit(1);
});
const { values } = parseArgs({ options: { n: { type: 'string', default: '1200' }, m: { type: 'string', default: '2000,10000' }, repeat: { type: 'string', default: '3' } } });
const n = Number(values.n);
const D = 784;
const core = await createCore();
const { heap, exports: w } = core;
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
const cpuMs = (body) => {
  const t = process.cpuUsage();
  body();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};
/** Largest over rows of |x_r − y_r| / |y_r| (2-norms). */
function maxRowError(x, y, m) {
  let worst = 0;
  for (let r = 0; r < m; r++) {
    let e = 0;
    let s = 0;
    for (let j = 0; j < n; j++) {
      e += (x[r * n + j] - y[r * n + j]) ** 2;
      s += y[r * n + j] ** 2;
    }
    worst = Math.max(worst, Math.sqrt(e / s));
  }
  return worst;
}

const a = heap.f64(n * D);
heap.viewF64(a, n * D).forEach((_, i, v) => (v[i] = Math.max(0, random())));
const k = heap.f64(n * n);
w.gramSym(a, k, n, D);
w.addDiagonal(k, n, (1e-3 * w.traceOf(k, n)) / n);
const factor = heap.f64(n * n);
heap.viewF64(factor, n * n).set(heap.viewF64(k, n * n));
if (w.cholesky(factor, n) !== 0) throw new Error('not positive definite');
// The factored form solveFactored reads: Lᵀ mirrored above the diagonal, diagonal blocks inverted.
const inverted = heap.f64(n * n);
heap.viewF64(inverted, n * n).set(heap.viewF64(factor, n * n));
const scratch = heap.f64(w.solveScratchDoubles());
w.mirrorLowerRows(inverted, n, 0, n);
const invertMs = cpuMs(() => w.invertDiagonalBlocks(inverted, n, scratch));
const kinv = heap.f64(n * n);
const inverseMs = cpuMs(() => {
  const v = heap.viewF64(kinv, n * n);
  v.fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  w.solveFactored(inverted, kinv, n, n, scratch);
});
console.log(`n = ${n}, one thread, CPU ms (best of ${values.repeat}); once per factor: diagonal-block inverses ${invertMs.toFixed(1)} ms, K⁻¹ ${inverseMs.toFixed(0)} ms`);

for (const m of values.m.split(',').map(Number)) {
  heap.scoped(() => {
    const t = heap.f64(m * D);
    heap.viewF64(t, m * D).forEach((_, i, v) => (v[i] = Math.max(0, random())));
    const kt = heap.f64(m * n);
    w.gramDot(t, a, kt, m, n, D);
    const [b1, b2, b3] = [heap.f64(m * n), heap.f64(m * n), heap.f64(m * n)];
    const reset = (b) => heap.viewF64(b, m * n).set(heap.viewF64(kt, m * n));
    const best = { substitution: Infinity, inverse: Infinity, factored: Infinity };
    for (let r = 0; r < Number(values.repeat); r++) {
      reset(b1);
      best.substitution = Math.min(best.substitution, cpuMs(() => { w.trsmRightLowerT(factor, b1, n, m); w.trsmRightLower(factor, b1, n, m); }));
      best.inverse = Math.min(best.inverse, cpuMs(() => w.gramDot(kt, kinv, b2, m, n, n)));
      reset(b3);
      best.factored = Math.min(best.factored, cpuMs(() => w.solveFactored(inverted, b3, n, m, scratch)));
    }
    const flops = 2 * m * n * n;
    const ref = heap.viewF64(b1, m * n);
    const gf = (ms) => (flops / ms / 1e6).toFixed(2);
    console.log(`m = ${m}: substitution ${best.substitution.toFixed(0)} ms (${gf(best.substitution)} GFLOP/s)` +
      ` | inverse+GEMM ${best.inverse.toFixed(0)} ms (${gf(best.inverse)} GFLOP/s), with K⁻¹ ${(best.inverse + inverseMs).toFixed(0)} ms, β error ${maxRowError(heap.viewF64(b2, m * n), ref, m).toExponential(1)}` +
      ` | solveFactored ${best.factored.toFixed(0)} ms (${gf(best.factored)} GFLOP/s), β error ${maxRowError(heap.viewF64(b3, m * n), ref, m).toExponential(1)}` +
      ` | solveFactored ÷ substitution ${(best.factored / best.substitution).toFixed(2)}`);
  });
}
