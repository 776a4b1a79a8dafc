/**
 * A short stand-alone measurement of the core's Gram kernel (gramDot, the
 * tiled product behind the Gram matrices and, since issue 19, the solves of
 * docs/spec.md §3) on one thread: the ceiling `certify --profile` sets each
 * phase's achieved rate beside. About a quarter of a second.
 */
import { now } from '../host/clock.js';
import type { Core } from '../wasm/core.js';

/** Rows of the two operands and their width: MNIST's 784 features, blocks like a partition's. */
const M = 256;
const N = 512;
const D = 784;
/**
 * Timed calls after one warm-up call: at least MIN_REPEATS and until TIMED_MS
 * have been timed (at most MAX_REPEATS). The engine's optimising tier compiles
 * in the background after first use, so the first few calls may still run the
 * baseline code: a single run of 8 calls once read 12.9 where the kernel runs at 18.7.
 */
const MIN_REPEATS = 8;
const MAX_REPEATS = 40;
const TIMED_MS = 250;

/**
 * GFLOP/s of gramDot (2·M·N·D flops a call) on this thread: the best of a few
 * calls, timed on the wall clock. Not on the phases' CPU clock: on Linux a
 * thread's CPU time advances in scheduler ticks (4 ms at 250 Hz), as coarse as
 * one ~11 ms call, and the best of a few such readings came out up to a third
 * too fast. The best wall time of several calls is the uninterrupted one.
 */
export function gramKernelGflops(core: Core, clock: () => number = now): number {
  const { heap, exports: wasm } = core;
  return heap.scoped(() => {
    const a = heap.f64(M * D);
    const b = heap.f64(N * D);
    const c = heap.f64(M * N);
    // Deterministic values in [0, 1): any finite data runs at the same speed.
    for (const [ptr, rows] of [[a, M], [b, N]]) {
      const v = heap.viewF64(ptr, rows * D);
      for (let i = 0; i < v.length; i++) v[i] = ((i * 7919) % 1000) / 1000;
    }
    wasm.gramDot(a, b, c, M, N, D);
    let best = Infinity;
    let timed = 0;
    for (let r = 0; r < MAX_REPEATS && (r < MIN_REPEATS || timed < TIMED_MS); r++) {
      const started = clock();
      wasm.gramDot(a, b, c, M, N, D);
      const ms = clock() - started;
      best = Math.min(best, ms);
      timed += ms;
    }
    return (2 * M * N * D) / (best / 1000) / 1e9;
  });
}
