// Cancellation through options.signal in Node: on the worker-thread pool and on the
// calling thread, a run aborted part-way rejects with EABORTED before its work
// is done, stops its workers, and leaves nothing running; a later run is fine.
import { describe, expect, it } from 'vitest';
import * as source from '../src/index.js';
import { FlipcertError, type CertifyOptions, type Progress } from '../src/index.js';
import { rng } from './reference.js';

// The threaded runs go through the built library, as users get it (rebuilt
// from src/ by the global setup when stale).
const built = (await import('../dist/index.js' as string)) as typeof source;
const certify = (options: CertifyOptions) => (options.threads === 1 ? source.certify(options) : built.certify(options));

/** A problem with many test blocks, so a run has plenty left to do when cancelled. */
function problem(n: number, m: number, d = 20): CertifyOptions {
  const random = rng(7);
  const rows = (count: number) => ({ data: Float64Array.from({ length: count * d }, random), shape: [count, d] as const });
  return {
    train: { x: rows(n), y: Int32Array.from({ length: n }, (_, i) => (i * 7) % 3) },
    test: { x: rows(m), y: Int32Array.from({ length: m }, (_, i) => i % 3) },
    blockSize: 10,
  };
}

/** Worker threads alive in this process (each holds a MessagePort handle). */
function liveWorkerPorts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;
}

async function expectAborted(run: Promise<unknown>): Promise<FlipcertError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  // dist/ and src/ each have their own FlipcertError class: compare by name.
  expect((error as Error).name).toBe('FlipcertError');
  expect((error as FlipcertError).code).toBe('EABORTED');
  expect((error as FlipcertError).message).toMatch(/cancelled/);
  return error as FlipcertError;
}

describe('options.signal', () => {
  it('an already-aborted signal rejects at once, before any work or progress', async () => {
    const progress: Progress[] = [];
    for (const threads of [1, 2]) {
      await expectAborted(
        certify({ ...problem(30, 5), threads, signal: AbortSignal.abort(), onProgress: (p) => progress.push(p) }),
      );
    }
    expect(progress).toEqual([]);
  });

  it('a single model on the worker pool stops after the first finished block', async () => {
    const before = liveWorkerPorts();
    const controller = new AbortController();
    const seen: Progress[] = [];
    await expectAborted(
      certify({
        ...problem(1500, 400),
        threads: 2,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.blocksDone >= 1) controller.abort();
        },
      }),
    );
    const blocks = seen.find((p) => p.blocks > 0)!.blocks;
    expect(blocks).toBe(40);
    // The worker was terminated: far fewer blocks were reported than the run has.
    expect(Math.max(...seen.map((p) => p.blocksDone))).toBeLessThan(blocks / 2);
    expect(liveWorkerPorts()).toBe(before);
  });

  it('a single model on a thread team stops mid-training (most likely in the Cholesky), every worker ends, and the next run completes', async () => {
    const before = liveWorkerPorts();
    const controller = new AbortController();
    const seen: Progress[] = [];
    // n = 4,000: training (Gram, recursion, a 21-GFLOP Cholesky) takes well over the 100 ms before the abort
    // even on two quiet cores (≈ 40 GFLOP/s together), so the abort lands in it.
    const options = { ...problem(4000, 40), blockSize: 20 };
    await expectAborted(
      certify({
        ...options,
        threads: 2,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (seen.length === 1) setTimeout(() => controller.abort(), 100);
        },
      }),
    );
    // Aborted while training: no test block was finished.
    expect(Math.max(...seen.map((p) => p.blocksDone))).toBe(0);
    expect(liveWorkerPorts()).toBe(before);
    const small = { ...problem(300, 30), blockSize: 10 };
    const plain = await certify({ ...small, threads: 1 });
    const again = await certify({ ...small, threads: 2, signal: new AbortController().signal });
    expect(again.points).toEqual(plain.points);
  });

  it('an ensemble on the worker pool stops after the first finished partition, and the next run completes', async () => {
    const before = liveWorkerPorts();
    const controller = new AbortController();
    const seen: Progress[] = [];
    const options = { ...problem(1200, 200), partitions: 12 };
    await expectAborted(
      certify({
        ...options,
        threads: 2,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.partitionsDone >= 1) controller.abort();
        },
      }),
    );
    expect(Math.max(...seen.map((p) => p.partitionsDone))).toBeLessThan(12);
    expect(liveWorkerPorts()).toBe(before);
    const unsignalled = await certify({ ...options, threads: 1 });
    const again = await certify({ ...options, threads: 2, signal: new AbortController().signal });
    expect(again.points).toEqual(unsignalled.points);
  });

  it('on the calling thread, an abort from a timer lands between test blocks', async () => {
    const controller = new AbortController();
    const seen: Progress[] = [];
    const run = certify({ ...problem(800, 400), threads: 1, signal: controller.signal, onProgress: (p) => seen.push(p) });
    setTimeout(() => controller.abort(), 0);
    await expectAborted(run);
    const last = seen[seen.length - 1];
    expect(last.blocks).toBe(40);
    expect(last.blocksDone).toBeLessThan(last.blocks);
  });

  it('on the calling thread, a run with a signal that never fires gives the unsignalled result', async () => {
    const options = { ...problem(200, 60), partitions: 3 };
    const plain = await certify({ ...options, threads: 1 });
    const signalled = await certify({ ...options, threads: 1, signal: new AbortController().signal });
    expect(signalled.points).toEqual(plain.points);
  });
});
