/**
 * How much WebAssembly heap one partition needs, counted before any work.
 *
 * A worker's core addresses at most 4 GiB (HEAP_LIMIT). runPartition reserves,
 * in stack order: the model (training rows, their squared norms and output
 * exponents, the n×n kernel that becomes the Cholesky factor, the solves' scratch), the labels, then
 * per test block the β rows with the block's scratch (test rows, norms,
 * exponents), then the certificate's workspace and outputs. partitionBytes
 * mirrors those reservations one by one, each rounded up to the heap's
 * alignment, so the estimate equals the heap's high-water mark whenever rows
 * are rescaled (test/memory.test.ts checks this) and exceeds it by at most
 * 8·(n + blockSize) + 64 bytes otherwise.
 */
import { FlipcertError } from '../errors.js';
import type { Matrix, ModelKind } from '../types.js';
import { alignHeap, HEAP_LIMIT } from '../wasm/heap.js';

/**
 * Bytes below the heap for the core's static data (its heapBase() is 1 KiB
 * today; test/memory.test.ts checks it stays below this).
 */
export const STATIC_RESERVE = 64 * 1024;

/** Heap bytes a partition may use. */
export const HEAP_CAPACITY = HEAP_LIMIT - STATIC_RESERVE;

/** β bytes per test block when memory is plentiful (larger blocks gain little speed). */
export const DEFAULT_BLOCK_BYTES = 64 * 2 ** 20;
/** Test rows per block at most. */
export const MAX_BLOCK = 4096;

export interface PartitionShape {
  /** Training rows of the partition. */
  n: number;
  /** Test rows (all of them go through every partition). */
  m: number;
  /** Feature columns. */
  d: number;
  classes: number;
  model: ModelKind;
  /**
   * 'single' (k = 1: radius per point), 'costs' (k > 1: vote costs per class),
   * 'attacks' or 'exact' (k > 1: the second passes, one attack at a time).
   * Ensembles are planned as 'attacks', the largest of the three, so that
   * every pass runs with the first pass's blocks.
   */
  mode: 'single' | 'costs' | 'attacks' | 'exact';
  witness: boolean;
  /** Augmented copies per training row (docs/spec.md §10); default 1 (none). The kernel is nS × nS. */
  copies?: number;
  /** Threads computing this partition on one shared memory (src/pool/team-protocol.ts); default 1. Each has its own certificate scratch. */
  threads?: number;
}

/**
 * Scratch bytes of the certificate kernels, as assembly/cert/workspace.ts
 * workspaceBytes: (8n + 18C + 1) float64 + (14n + 15C + 2 + 8192) int32 + a
 * fixed part (the Workspace header and the radix histograms; the 8192 int32
 * are the |β| histogram of assembly/cert/pair-top.ts). test/memory.test.ts compares it with
 * the core's certScratchBytes.
 */
export function certScratchBytes(n: number, classes: number): number {
  return CERT_FIXED_BYTES + 8 * (8 * n + 18 * classes + 1) + 4 * (14 * n + 15 * classes + 2 + 8192);
}
const CERT_FIXED_BYTES = 8592;

const f64 = (count: number) => alignHeap(8 * count);
const i32 = (count: number) => alignHeap(4 * count);
const u8 = (count: number) => alignHeap(count);

/** Peak heap bytes of runPartition on this shape with test blocks of `blockSize` rows. */
export function partitionBytes(shape: PartitionShape, blockSize: number): number {
  const { n, d, classes: C } = shape;
  const S = shape.copies ?? 1;
  const N = n * S; // rows of the kernel matrix
  const B = Math.min(blockSize, shape.m);
  // KernelModel.fit: rows (with augmentation: the originals, the copy
  // parameters, then the copies), their norms (logb and the diagonal are
  // scoped scratch, smaller than what follows), output exponents, then K and
  // the scaling scratch of scaledKernelInto; augmented, the groups × N matrix G.
  // (Dropping zero columns, src/kernel/columns.ts, needs no memory beyond these.)
  const rows = (S > 1 ? f64(n * d) + f64(5 * S) : 0) + f64(N * d) + f64(N);
  const kernel = f64(N * N);
  const groupMatrix = S > 1 ? f64(n * N) : 0;
  const fit = rows + i32(N) + kernel + 2 * i32(N);
  const model = rows + i32(N) + (shape.model === 'krr' ? kernel + solveScratch(shape.threads ?? 1) : 0) + groupMatrix;
  const labels = i32(n);
  const beta = f64(B * n);
  // weights(): (augmented: the B × N test kernel first) test rows, their norms,
  // then the largest of logb / shift / the scaling scratch.
  const block = (S > 1 ? f64(B * N) : 0) + f64(B * d) + f64(B) + i32(B) + i32(N);
  const costs = i32(B) + 2 * i32(B * C) + u8(B);
  const scratchCopies = shape.mode === 'single' && !shape.witness ? (shape.threads ?? 1) : 1;
  const certificate =
    scratchCopies * u8(certScratchBytes(n, C)) +
    (shape.mode === 'single'
      ? 3 * i32(B) + u8(B) + i32(B) + (shape.witness ? i32(3 * n) : 0)
      : shape.mode === 'costs'
        ? costs
        : Math.max(costs, i32(n))); // one attack's labels at a time (the second passes)
  return Math.max(fit, model + labels + beta + Math.max(block, certificate));
}

/** The solves' scratch, solveScratchDoubles per thread (assembly/linalg/trsm-inverse.ts: NB·NB + DP·NB, NB = 128, DP = 64). */
function solveScratch(threads: number): number {
  return f64((128 * 128 + 64 * 128) * threads);
}

/**
 * The test block size runPartition will use: the default (64 MiB of β rows, at
 * most 4096 rows and m), shrunk until the partition fits in `capacity`; or
 * `requested` if given and it fits. 0 when not even one row fits.
 */
export function largestBlockThatFits(shape: PartitionShape, capacity = HEAP_CAPACITY, requested?: number): number {
  const cols = shape.n * (shape.copies ?? 1); // the widest per-row buffer of a block: k(X, x) over every copy
  const wanted = requested ?? Math.max(1, Math.min(shape.m, Math.floor(DEFAULT_BLOCK_BYTES / (8 * cols)), MAX_BLOCK));
  if (partitionBytes(shape, wanted) <= capacity) return Math.min(wanted, shape.m);
  if (requested !== undefined || partitionBytes(shape, 1) > capacity) return 0;
  // partitionBytes grows with the block: binary search for the last that fits.
  let lo = 1;
  let hi = wanted;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (partitionBytes(shape, mid) <= capacity) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The most training rows a partition of this shape (n ignored) can have, with test blocks of one row. */
export function largestTrainRowsThatFit(shape: Omit<PartitionShape, 'n'>, capacity = HEAP_CAPACITY): number {
  let lo = 0;
  let hi = Math.ceil(Math.sqrt(capacity / 8) / (shape.copies ?? 1)) + 1; // K alone is 8(nS)² bytes
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (partitionBytes({ ...shape, n: mid }, 1) <= capacity) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The block size for a partition, decided before any work: throws EMEMORY
 * when the partition cannot fit in one WebAssembly core (saying the largest
 * partition that fits and what to do), or when a requested `blockSize` is too
 * large for it.
 */
export function planBlockSize(shape: PartitionShape, partitions: number, requested?: number, capacity = HEAP_CAPACITY): number {
  const block = largestBlockThatFits(shape, capacity, requested);
  if (block > 0) return block;
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (requested !== undefined && partitionBytes(shape, 1) <= capacity) {
    const fits = largestBlockThatFits(shape, capacity);
    throw new FlipcertError(
      `not enough memory: a partition of ${shape.n} training rows with test blocks of ${requested} rows needs ` +
        `${gib(partitionBytes(shape, requested))} of WebAssembly memory, more than the ${gib(capacity)} one core can ` +
        `address; use options.blockSize ${fits} or less`,
      'EMEMORY',
      { field: 'blockSize' },
    );
  }
  const most = largestTrainRowsThatFit(shape, capacity);
  const what = partitions === 1 ? 'a single model' : `the largest of the ${partitions} partitions`;
  const S = shape.copies ?? 1;
  const N = shape.n * S;
  const rows = S > 1 ? `${shape.n} training rows × ${S} augmented copies` : `${shape.n} training rows`;
  throw new FlipcertError(
    `not enough memory: ${what} has ${rows} and needs ${gib(partitionBytes(shape, 1))} of ` +
      `WebAssembly memory (its ${N}×${N} kernel matrix alone is ${gib(8 * N ** 2)}), more than the ` +
      `${gib(capacity)} one core can address; at most ${most} training rows fit in one partition with these ` +
      `${shape.d} features. Use more partitions (options.partitions ${Math.ceil((shape.n * partitions) / most)} or more) ` +
      'or fewer training rows',
    'EMEMORY',
    { field: 'partitions' },
  );
}

/** What {@link planPartitionBlocks} reads of the resolved options. */
export interface PartitionPlanInput {
  trainX: Matrix;
  testX: Matrix;
  groups: readonly Int32Array[];
  classes: number;
  model: ModelKind;
  partitions: number;
  witness: boolean;
  blockSize: number | undefined;
  augment?: { copies: number };
  /** Threads; a single model may run on all of them, each with its own certificate scratch (src/pool/team-protocol.ts). */
  threads?: number;
}

/** The block size of every partition, planned before any work: throws EMEMORY if one does not fit. */
export function planPartitionBlocks(opts: PartitionPlanInput): number[] {
  const k = opts.partitions;
  return opts.groups.map((rows) =>
    planBlockSize(
      {
        n: rows.length,
        m: opts.testX.rows,
        d: opts.trainX.cols,
        classes: opts.classes,
        model: opts.model,
        mode: k === 1 ? 'single' : 'attacks',
        witness: opts.witness,
        copies: opts.augment?.copies ?? 1,
        // Planned for the team even if it falls back to one thread: a block's rows never change their numbers.
        threads: k === 1 ? (opts.threads ?? 1) : 1,
      },
      k,
      opts.blockSize,
    ),
  );
}
