#!/usr/bin/env node
// The cheaper form of augmented KRR (docs/spec.md §10): the group weights of m
// test points are β_g = G·k(X, x) with G = P(K + λ̃I)⁻¹ (n × nS) solved once per
// partition, instead of two triangular solves of each test point's nS-vector
// followed by group sums. Times both on one thread, best of 3, m = 1000.
//   npm run build && node bench/augment-solve.mjs
const { createCore } = await import('../dist/lowlevel.js');
const core = await createCore();
const { heap, exports: wasm } = core;
const M = 1000;
const N_IMAGES = 50;

let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
const best = (f) => Math.min(...[0, 1, 2].map(() => { const t = performance.now(); f(); return performance.now() - t; }));

for (const S of [9, 25]) {
  const N = N_IMAGES * S;
  heap.scoped(() => {
    // A positive definite K + λI: A·Aᵀ + N·I, factored.
    const a = heap.putF64(Float64Array.from({ length: N * 64 }, random));
    const k = heap.f64(N * N);
    wasm.gramSym(a, k, N, 64);
    wasm.addDiagonal(k, N, N);
    wasm.cholesky(k, N);
    const block = Float64Array.from({ length: M * N }, random);
    const b = heap.f64(M * N);
    const g = heap.f64(N_IMAGES * N);
    const out = heap.f64(M * N_IMAGES);
    const solve = best(() => {
      heap.viewF64(b, M * N).set(block);
      wasm.trsmRightLowerT(k, b, N, M);
      wasm.trsmRightLower(k, b, N, M);
    });
    const setup = best(() => {
      const view = heap.viewF64(g, N_IMAGES * N).fill(0);
      for (let i = 0; i < N_IMAGES; i++) view.fill(1, i * N + i * S, i * N + (i + 1) * S);
      wasm.trsmRightLowerT(k, g, N, N_IMAGES);
      wasm.trsmRightLower(k, g, N, N_IMAGES);
    });
    const product = best(() => {
      heap.viewF64(b, M * N).set(block);
      wasm.gramDot(b, g, out, M, N_IMAGES, N);
    });
    console.log(
      `n = ${N_IMAGES} images × S = ${S} (nS = ${N}), m = ${M}: per-test solves ${solve.toFixed(1)} ms; ` +
        `G once ${setup.toFixed(1)} ms + G·k ${product.toFixed(1)} ms (${(solve / (setup + product)).toFixed(1)}× less)`,
    );
  });
}
