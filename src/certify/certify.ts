// certify (docs/spec.md §4–§6) for any host: the Node and browser fronts
// (src/index.ts, src/browser.ts) pass their pool factory and core count.
import { now } from '../host/clock.js';
import { planPartitionBlocks } from '../partition/memory.js';
import type { PartitionResult } from '../partition/task.js';
import { withPool, type PartitionPool, type PoolFactory } from '../pool/pool.js';
import { coordinate, runPartitions } from './coordinator.js';
import { resolveOptions, type CertifyOptions, type Resolved } from './options.js';
import { representRun } from '../represent/apply.js';
import type { CertifyResult } from './result.js';

/**
 * {@link certify} with an explicit pool factory (shared by the Node and
 * browser fronts) and the host's core count. Options are resolved first, so
 * that bad input fails before any worker starts.
 */
export async function certifyWith(options: CertifyOptions, openPool: PoolFactory, cores: number): Promise<CertifyResult> {
  const started = now();
  const resolved = await represented(resolveOptions(options, cores));
  return withPlannedPool(resolved, openPool, (pool, blockSizes) =>
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
  const resolved = await represented({ ...all, threads: Math.max(1, Math.min(all.threads, partitions.length)) });
  return withPlannedPool(resolved, openPool, async (pool, blockSizes) => {
    const started = now();
    const results = await runPartitions(resolved, pool, partitions, blockSizes);
    return { resolved, partitions, results, seconds: (now() - started) / 1000 };
  });
}

/** The run on its representation (docs/spec.md §13), its progress reported as onProgress's `represent` field. */
function represented(resolved: Resolved): Promise<Resolved> {
  const { onProgress, partitions } = resolved;
  return representRun(resolved, onProgress && ((step) => onProgress({ partitionsDone: 0, partitions, blocksDone: 0, blocks: 0, represent: step })));
}

/** {@link withPool}, with the partitions' memory counted first: EMEMORY before any worker starts, not after minutes of work. */
function withPlannedPool<T>(resolved: Resolved, openPool: PoolFactory, body: (pool: PartitionPool, blockSizes: number[]) => Promise<T>): Promise<T> {
  const blockSizes = planPartitionBlocks(resolved);
  return withPool(resolved, openPool, (pool) => body(pool, blockSizes));
}
