import { throwIfAborted } from '../host/abort.js';
import { coordinate, runPartitions } from './coordinator.js';
import { planPartitionBlocks } from '../partition/memory.js';
import { ntkGram } from '../kernel/ntk.js';
import { resolveKernel, resolveOptions, type CertifyOptions, type Resolved } from './options.js';
import type { PartitionResult } from '../partition/task.js';
import type { PartitionPool } from '../pool/pool.js';
import type { CertifyResult } from './result.js';
import type { KernelOptions, Matrix, MatrixInput } from '../types.js';
import { checkSameColumns, toMatrix } from '../checks/values.js';
import { compileCore, createCore } from '../wasm/core.js';

/** What a pool is opened with. */
export interface PoolSetup {
  /** The compiled core, to post to workers (or instantiate on the calling thread). */
  module: WebAssembly.Module;
  /** Tasks run at once, already capped, ≥ 1. */
  threads: number;
  /** The caller asked for `threads: 1`: run on the calling thread. */
  inThread: boolean;
  /** Browsers: the Web Worker's URL (options.workerUrl); undefined: the inlined worker. */
  workerUrl: string | undefined;
}

/** Opens a pool; the environment decides what a pool is. */
export type PoolFactory = (setup: PoolSetup) => Promise<PartitionPool>;

/**
 * {@link certify} with an explicit pool factory (shared by the Node and
 * browser fronts) and the host's core count. Options are resolved first, so
 * that bad input fails before any worker starts.
 */
export async function certifyWith(options: CertifyOptions, openPool: PoolFactory, cores: number): Promise<CertifyResult> {
  const started = now();
  return withPool(resolveOptions(options, cores), openPool, (resolved, pool, blockSizes) =>
    coordinate(resolved, pool, blockSizes, undefined, (now() - started) / 1000),
  );
}

/** Some partitions' results, before aggregation (shards, docs/spec.md §9). */
export interface PartitionsRun {
  resolved: Resolved;
  /** The partitions run, ascending, and their results in the same order. */
  partitions: number[];
  results: PartitionResult[];
  /** Wall-clock seconds of the computation. */
  seconds: number;
}

/**
 * Resolves the options like {@link certifyWith}, then runs only the partitions
 * `choose` returns for them (ascending ids); `undefined` runs nothing (resolves to
 * undefined): the caller found the work already done.
 */
export async function runPartitionsWith(
  options: CertifyOptions,
  openPool: PoolFactory,
  cores: number,
  choose: (resolved: Resolved) => Promise<number[] | undefined>,
): Promise<PartitionsRun | undefined> {
  const all = resolveOptions(options, cores);
  const partitions = await choose(all);
  if (partitions === undefined) return undefined;
  const resolved = { ...all, threads: Math.max(1, Math.min(all.threads, partitions.length)) };
  return withPool(resolved, openPool, async (_, pool, blockSizes) => {
    const started = now();
    const results = await runPartitions(resolved, pool, partitions, blockSizes);
    return { resolved, partitions, results, seconds: (now() - started) / 1000 };
  });
}

/** Opens a pool for resolved options, runs `body` on it and closes it. */
async function withPool<T>(
  resolved: Resolved,
  openPool: PoolFactory,
  body: (resolved: Resolved, pool: PartitionPool, blockSizes: number[]) => Promise<T>,
): Promise<T> {
  // Memory is counted before any worker starts: EMEMORY here, not after minutes of work.
  const blockSizes = planPartitionBlocks(resolved);
  throwIfAborted(resolved.signal);
  const module = await compileCore(resolved.wasmModule);
  throwIfAborted(resolved.signal);
  const pool = await openPool({ module, threads: resolved.threads, inThread: resolved.inThread, workerUrl: resolved.workerUrl });
  try {
    throwIfAborted(resolved.signal);
    return await body(resolved, pool, blockSizes);
  } finally {
    await pool.close();
  }
}

const now = (): number => globalThis.performance?.now() ?? Date.now();

/** Options of {@link ntk} beyond the kernel's. */
export interface NtkOptions {
  /** The compiled core (`flipcert/wasm`), for runtimes that cannot compile WebAssembly from bytes. */
  wasmModule?: WebAssembly.Module;
}

/**
 * The NTK Gram matrix K(x1, x2) of docs/spec.md §2 (x2 defaults to x1), as a row-major
 * `x1.rows × x2.rows` matrix. `kernel` takes the options of
 * {@link CertifyOptions.kernel} (unknown keys are an error).
 *
 * @example
 * const K = await ntk([[0, 1], [1, 1]], undefined, { depth: 2 });
 * K.data[0]; // K(x₁, x₁) = 2·(depth+1)·|x₁|²/d = 3
 */
export async function ntk(x1: MatrixInput, x2?: MatrixInput, kernel?: KernelOptions, options: NtkOptions = {}): Promise<Matrix> {
  const a = toMatrix(x1, 'x1');
  const b = x2 === undefined ? undefined : toMatrix(x2, 'x2');
  if (b) checkSameColumns(a, b, { train: 'x1', test: 'x2' });
  const resolvedKernel = resolveKernel(kernel);
  const core = await createCore(await compileCore(options.wasmModule));
  const data = ntkGram(core, a, b, resolvedKernel);
  return { data, rows: a.rows, cols: b ? b.rows : a.rows };
}
