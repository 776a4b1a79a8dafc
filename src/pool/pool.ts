import { throwIfAborted } from '../host/abort.js';
import type { NetworkResult, NetworkTask } from '../network/task.js';
import type { PartitionResult, PartitionTask } from '../partition/task.js';
import { compileCore } from '../wasm/core.js';
import type { TeamSetup } from './team-setup.js';

/** How a run executes, whatever it computes: the settings certify and validate resolve alike. */
export interface RunSettings {
  /** Tasks run at once, already capped, ≥ 1. */
  threads: number;
  /** `threads: 1` was asked for: run on the calling thread, no workers. */
  inThread: boolean;
  signal: AbortSignal | undefined;
  /** Checked to be flipcert's core; undefined: compile the inlined bytes. */
  wasmModule: WebAssembly.Module | undefined;
  /** Browsers: the Web Worker's URL (options.workerUrl); undefined: the inlined worker. */
  workerUrl: string | undefined;
}

/** What a pool is opened with. */
export interface PoolSetup extends Pick<RunSettings, 'threads' | 'inThread' | 'workerUrl'> {
  /** The compiled core, to post to workers (or instantiate on the calling thread). */
  module: WebAssembly.Module;
}

/** Opens a pool; the environment (src/index.ts, src/browser.ts) decides what a pool is. */
export type PoolFactory = (setup: PoolSetup) => Promise<PartitionPool>;

/**
 * Compiles the core, opens a pool for `settings`, runs `body` on it and closes
 * it, whatever happens; a fired signal stops it between the steps.
 */
export async function withPool<T>(
  settings: RunSettings,
  openPool: PoolFactory,
  body: (pool: PartitionPool, module: WebAssembly.Module) => Promise<T>,
): Promise<T> {
  throwIfAborted(settings.signal);
  const module = await compileCore(settings.wasmModule);
  throwIfAborted(settings.signal);
  const pool = await openPool({ module, threads: settings.threads, inThread: settings.inThread, workerUrl: settings.workerUrl });
  try {
    throwIfAborted(settings.signal);
    return await body(pool, module);
  } finally {
    await pool.close();
  }
}

/**
 * Where partitions are trained and certified. The coordinator only sees this
 * interface: WorkerPool over worker threads (Node) or Web Workers (browsers),
 * or InlinePool on the calling thread.
 */
export interface PartitionPool {
  /** How many tasks run at once. */
  readonly threads: number;
  /**
   * Trains and certifies one partition; rejects with FlipcertError (the
   * worker's code and field kept, see errors.ts), and with code EABORTED soon
   * after `signal` fires (stopping the work). `onBlock` may throw: a task on
   * the calling thread aborts with it; a pool that calls it from a message
   * handler drops it (the caller has recorded it and closes the pool).
   */
  run(task: PartitionTask, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult>;
  /**
   * Trains and certifies one partition (a single model) on `team.size`
   * workers sharing one memory (src/pool/team-protocol.ts), with the same result as
   * {@link run}. Only for a pool that runs nothing else meanwhile; pools
   * without workers do not have it.
   */
  runTeam?(task: PartitionTask, team: TeamSetup, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult>;
  /**
   * Runs one network task of `validate` (src/network/task.ts): its
   * results, one per training, in order; `onTrained` after each training.
   * Rejects like {@link run}.
   */
  train(task: NetworkTask, onTrained?: () => void, signal?: AbortSignal): Promise<NetworkResult[]>;
  close(): Promise<void>;
}
