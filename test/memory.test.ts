// The memory estimate of src/partition/memory.ts against the heap's real
// high-water mark on small problems, and the pre-check's decisions at the
// 4 GiB boundary, computed with the estimate rather than by allocating 4 GiB.
import { describe, expect, it } from 'vitest';
import { resolveAugmentation } from '../src/kernel/augment.js';
import { FlipcertError } from '../src/errors.js';
import { certify } from '../src/index.js';
import {
  certScratchBytes,
  HEAP_CAPACITY,
  largestBlockThatFits,
  largestTrainRowsThatFit,
  partitionBytes,
  planBlockSize,
  STATIC_RESERVE,
  type PartitionShape,
} from '../src/partition/memory.js';
import { runPartition, taskShape } from '../src/partition/run.js';
import type { PartitionTask } from '../src/partition/task.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { Heap, HEAP_LIMIT } from '../src/wasm/heap.js';
import { randomRows, rng } from './reference.js';

interface Case {
  n: number;
  m: number;
  d: number;
  classes: number;
  model: 'krr' | 'svm';
  mode: 'single' | 'costs';
  witness: boolean;
  blockSize: number;
  /** Augmentation (docs/spec.md §10) over images of shape [h, w, 1] with h·w = d. */
  augment?: [string, [number, number, number]];
}

const cases: Case[] = [
  { n: 37, m: 23, d: 5, classes: 2, model: 'krr', mode: 'single', witness: false, blockSize: 7 },
  { n: 37, m: 23, d: 5, classes: 2, model: 'krr', mode: 'single', witness: true, blockSize: 23 },
  { n: 50, m: 9, d: 3, classes: 3, model: 'svm', mode: 'single', witness: false, blockSize: 100 },
  { n: 41, m: 30, d: 11, classes: 5, model: 'krr', mode: 'costs', witness: false, blockSize: 8 },
  { n: 64, m: 1, d: 2, classes: 4, model: 'svm', mode: 'costs', witness: false, blockSize: 1 },
  { n: 3, m: 200, d: 40, classes: 3, model: 'krr', mode: 'costs', witness: false, blockSize: 64 },
  { n: 13, m: 23, d: 6, classes: 2, model: 'krr', mode: 'single', witness: true, blockSize: 7, augment: ['hflip', [2, 3, 1]] },
  { n: 9, m: 30, d: 9, classes: 3, model: 'krr', mode: 'costs', witness: false, blockSize: 30, augment: ['shift:1', [3, 3, 1]] },
  { n: 11, m: 5, d: 12, classes: 2, model: 'svm', mode: 'costs', witness: false, blockSize: 2, augment: ['rotate:10,hflip', [4, 3, 1]] },
];

/** A task of this shape; `scale` multiplies train rows by 2^scale and test rows by 2^-scale (rescaled when far from 1). */
function task(c: Case, scale: number, zeroColumns = false): PartitionTask {
  const random = rng(c.n * 131 + c.m);
  // With zeroColumns, every other column is 0 in every training row, and the model drops them (src/kernel/columns.ts).
  const train = randomRows(random, c.n, c.d).flat().map((v, at) => (zeroColumns && (at % c.d) % 2 === 1 ? 0 : v * 2 ** scale));
  const test = randomRows(random, c.m, c.d).flat().map((v) => v * 2 ** -scale);
  return {
    partition: 0,
    trainX: Float64Array.from(train),
    trainY: Int32Array.from({ length: c.n }, (_, i) => i % c.classes),
    trainRows: c.n,
    testX: Float64Array.from(test),
    testRows: c.m,
    cols: c.d,
    classes: c.classes,
    model: c.model,
    reg: 1,
    svmC: undefined,
    kernel: { depth: 2, wVar: 2, bVar: 0 },
    mode: c.mode,
    witness: c.witness,
    blockSize: c.blockSize,
    ...(c.augment ? { augment: resolveAugmentation(c.augment[0], c.augment[1], c.d) } : {}),
  };
}

/** A core whose heap stops `capacity` bytes above its static data. */
async function coreWithCapacity(capacity: number): Promise<Core> {
  const core = await createCore();
  const base = core.exports.heapBase();
  return { exports: core.exports, heap: new Heap(core.exports.memory as WebAssembly.Memory, base, Math.ceil(base / 16) * 16 + capacity) };
}

describe('partitionBytes is the heap high-water mark of runPartition', () => {
  it.each(cases)('exactly, when rows are rescaled (every scratch array is used): %o', async (c) => {
    const core = await createCore();
    runPartition(core, task(c, 300));
    expect(core.heap.used).toBe(0);
    expect(core.heap.highWater).toBe(partitionBytes(taskShape(task(c, 300)), c.blockSize));
  });

  it.each(cases)('as a bound within 8·(n + block) + 64 bytes on ordinary data: %o', async (c) => {
    const core = await createCore();
    runPartition(core, task(c, 0));
    const estimate = partitionBytes(taskShape(task(c, 0)), c.blockSize);
    expect(core.heap.highWater).toBeLessThanOrEqual(estimate);
    const rows = c.n * (c.augment ? resolveAugmentation(c.augment[0], c.augment[1], c.d).copies : 1);
    expect(estimate - core.heap.highWater).toBeLessThanOrEqual(8 * (rows + Math.min(c.blockSize, c.m)) + 64);
  });

  it.each(cases)('a bound when the model drops zero columns (no memory beyond the plan), rescaled or not: %o', async (c) => {
    for (const scale of [0, 300]) {
      const t = task(c, scale, true);
      const need = partitionBytes(taskShape(t), c.blockSize);
      const core = await coreWithCapacity(need);
      runPartition(core, t);
      expect(core.heap.used).toBe(0);
      expect(core.heap.highWater).toBeLessThanOrEqual(need);
    }
  });

  it.each(cases)('a heap of exactly that capacity suffices and 16 bytes less does not: %o', async (c) => {
    const t = task(c, 300);
    const need = partitionBytes(taskShape(t), c.blockSize);
    const enough = await coreWithCapacity(need);
    expect(() => runPartition(enough, t)).not.toThrow();
    const short = await coreWithCapacity(need - 16);
    expect(() => runPartition(short, t)).toThrow(expect.objectContaining({ code: 'EMEMORY' }));
  });

  it('its certificate scratch is the core’s certScratchBytes', async () => {
    const core = await createCore();
    for (const n of [0, 1, 2, 7, 100, 1001, 22_700, 60_000]) {
      for (const classes of [2, 3, 10, 100, 1000]) expect(certScratchBytes(n, classes)).toBe(core.exports.certScratchBytes(n, classes));
    }
  });

  it('the static data below the heap fit in STATIC_RESERVE', async () => {
    const core = await createCore();
    expect(core.exports.heapBase()).toBeLessThanOrEqual(STATIC_RESERVE);
    expect(HEAP_CAPACITY).toBe(HEAP_LIMIT - STATIC_RESERVE);
  });
});

describe('the pre-check at the 4 GiB boundary (by the estimate, nothing allocated)', () => {
  const mnist = (n: number, m: number): PartitionShape => ({ n, m, d: 784, classes: 10, model: 'krr', mode: 'single', witness: false });

  it('MNIST, 22,700 training rows and 500 test rows (issue 8): fits, with a smaller test block than the default', () => {
    const shape = mnist(22_700, 500);
    const defaultBlock = Math.floor((64 * 2 ** 20) / (8 * 22_700));
    expect(partitionBytes(shape, defaultBlock)).toBeGreaterThan(HEAP_CAPACITY); // what failed after 263 s
    const block = planBlockSize(shape, 1);
    expect(block).toBeGreaterThan(1);
    expect(block).toBeLessThan(defaultBlock);
    expect(partitionBytes(shape, block)).toBeLessThanOrEqual(HEAP_CAPACITY);
    expect(partitionBytes(shape, block + 1)).toBeGreaterThan(HEAP_CAPACITY);
  });

  it('the largest n that fits is accepted and n + 1 refused with EMEMORY naming it and more partitions', () => {
    const most = largestTrainRowsThatFit(mnist(0, 500));
    expect(partitionBytes(mnist(most, 500), 1)).toBeLessThanOrEqual(HEAP_CAPACITY);
    expect(partitionBytes(mnist(most + 1, 500), 1)).toBeGreaterThan(HEAP_CAPACITY);
    expect(planBlockSize(mnist(most, 500), 1)).toBeGreaterThanOrEqual(1);
    let error: unknown;
    try {
      planBlockSize(mnist(most + 1, 500), 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlipcertError);
    expect(error).toMatchObject({ code: 'EMEMORY', field: 'partitions' });
    expect((error as Error).message).toMatch(new RegExp(`at most ${most} training rows fit .*options\\.partitions 2 or more`));
  });

  it('augmented: the kernel is nS × nS, so at most ~22,776 / S images fit, and the refusal names the copies', () => {
    const shape = { ...mnist(0, 500), copies: 9 };
    const most = largestTrainRowsThatFit(shape);
    expect(most * 9).toBeLessThanOrEqual(largestTrainRowsThatFit(mnist(0, 500)));
    expect(most * 9).toBeGreaterThan(largestTrainRowsThatFit(mnist(0, 500)) - 2000); // the originals and G cost a little more
    expect(planBlockSize({ ...shape, n: most }, 1)).toBeGreaterThanOrEqual(1);
    expect(() => planBlockSize({ ...shape, n: most + 1 }, 1)).toThrow(
      expect.objectContaining({
        code: 'EMEMORY',
        message: expect.stringMatching(new RegExp(`${most + 1} training rows × 9 augmented copies .*${(most + 1) * 9}×${(most + 1) * 9} kernel`)),
      }),
    );
  });

  it('a requested block that does not fit is refused naming the largest that does', () => {
    const shape = mnist(22_700, 500);
    const fits = largestBlockThatFits(shape);
    expect(planBlockSize(shape, 1, fits)).toBe(fits);
    expect(() => planBlockSize(shape, 1, fits + 1)).toThrow(
      expect.objectContaining({ code: 'EMEMORY', field: 'blockSize', message: expect.stringMatching(new RegExp(`blockSize ${fits} or less`)) }),
    );
  });

  it('largestBlockThatFits decides at the exact byte', () => {
    const shape = mnist(1000, 300);
    for (const block of [1, 17, 300]) {
      const need = partitionBytes(shape, block);
      expect(largestBlockThatFits(shape, need, block)).toBe(block);
      expect(largestBlockThatFits(shape, need - 1, block)).toBe(0);
      expect(largestBlockThatFits(shape, need)).toBeGreaterThanOrEqual(block);
    }
    expect(largestBlockThatFits(shape, partitionBytes(shape, 17))).toBe(17);
  });

  it('certify refuses a partition that cannot fit before any work (no progress reported)', async () => {
    // d = 1 keeps the JavaScript side tiny; the 8n² kernel alone exceeds 4 GiB.
    const n = largestTrainRowsThatFit({ m: 2, d: 1, classes: 2, model: 'krr', mode: 'single', witness: false }) + 1;
    const progress: unknown[] = [];
    const error = await certify({
      train: { x: { data: Float64Array.from({ length: n }, (_, i) => i), shape: [n, 1] }, y: Int32Array.from({ length: n }, (_, i) => i % 2) },
      test: { x: [[0.5], [1.5]] },
      threads: 1,
      onProgress: (p) => progress.push(p),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EMEMORY', field: 'partitions' });
    expect((error as Error).message).toMatch(new RegExp(`a single model has ${n} training rows .*at most ${n - 1} training rows fit`));
    expect(progress).toEqual([]); // refused up front: not even the first progress report
  });
});
