// Closing a merge's open points exactly (docs/spec.md §9.3, §5.7). Shards carry
// costs, not the partitions' weights that the exact search needs; given the run's
// data, `merge` retrains only the partitions that the open points' cheapest
// choices pick, for only those test rows — the single machine's own second pass
// (certify/coordinator.ts secondPass), so every number is the one it computes.
import { secondPass, sliceOf } from '../certify/coordinator.js';
import { resolveOptions, type CertifyOptions, type Resolved } from '../certify/options.js';
import { representRun } from '../represent/apply.js';
import { ProfileTotals } from '../certify/profile.js';
import type { Settle } from '../ensemble/refine.js';
import { FlipcertError } from '../errors.js';
import { planPartitionBlocks } from '../partition/memory.js';
import { withPool, type PoolFactory } from '../pool/pool.js';
import { fingerprints, type Fingerprints } from './fingerprint.js';
import type { ShardHeader } from './format.js';

/** The run's data as merge was given it (the settings come from the shards). */
export interface MergeData {
  train: CertifyOptions['train'];
  test: CertifyOptions['test'];
  /** Partition ids per training row: needed when the run's partitioning is `ids`. */
  partitioning?: Int32Array;
  threads?: number;
}

/** Second passes for the test rows first … first + rows − 1 of the run. */
export type BlockSettle = (first: number, rows: number) => Settle;

const FIELDS: [keyof Fingerprints, string][] = [
  ['trainX', 'the training features differ'],
  ['trainY', 'the training labels differ'],
  ['testX', 'the test features differ'],
  ['testY', 'the test labels differ'],
  ['assignment', 'the partition assignment differs'],
];

/**
 * Resolves the run from the shards' settings and `data`, checks that the data
 * are the run's (the shards' fingerprints), and runs `body` with a pool open.
 * `shardPath` names the shard whose header is `header`, for the errors.
 */
export async function withRetraining<T>(
  header: ShardHeader,
  shardPath: string,
  data: MergeData,
  openPool: PoolFactory,
  cores: number,
  body: (settle: BlockSettle) => Promise<T>,
): Promise<T> {
  const given = resolveRun(header, data, cores);
  const actual = fingerprints(given);
  for (const [field, words] of FIELDS) {
    if (actual[field] !== header.fingerprints[field]) {
      throw new FlipcertError(`the data given to merge are not the run of ${shardPath}: ${words} from the data given`, 'EINPUT');
    }
  }
  // Fingerprints are of the rows as given; the partitions train on their representation (docs/spec.md §13).
  const opts = await representRun(given);
  const blockSizes = planPartitionBlocks(opts);
  const totals = new ProfileTotals();
  return withPool(opts, openPool, (pool) =>
    body((first, rows) => (requests) => secondPass(sliceOf(opts, first, rows), pool, blockSizes, 'exact', requests, totals)),
  );
}

/** The certify options of the shards' run: its settings (§6.1 config) over the data given. */
function resolveRun(header: ShardHeader, data: MergeData, cores: number): Resolved {
  const c = header.config;
  if (c.partitioning === 'ids' && data.partitioning === undefined) {
    throw new FlipcertError('the run partitioned its training rows by ids: give merge the same --partitioning file.npy', 'EUSAGE');
  }
  if (c.partitioning !== 'ids' && data.partitioning !== undefined) {
    throw new FlipcertError(`the run partitioned its training rows by ${c.partitioning}, not by ids: leave out --partitioning`, 'EUSAGE');
  }
  const options: CertifyOptions = {
    train: data.train,
    test: data.test,
    model: c.model,
    reg: c.reg,
    ...(c.svmC === null ? {} : { svmC: c.svmC }),
    kernel: { depth: c.depth, wVar: c.wVar, bVar: c.bVar },
    classes: c.classes,
    partitions: c.partitions,
    partitioning: c.partitioning === 'ids' ? data.partitioning : c.partitioning,
    ...(c.augment === null ? {} : { augment: c.augment }),
    ...(c.represent === null ? {} : { represent: c.represent }),
    ...(c.imageShape === null ? {} : { imageShape: c.imageShape }),
    ...(data.threads === undefined ? {} : { threads: data.threads }),
  };
  return resolveOptions(options, cores);
}
