// One shard of a run, on the CLI's engine thread: resolve the options, skip a
// finished shard (--resume), run the shard's partitions, encode the file.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runPartitionsWith } from '../certify/certify.js';
import { FlipcertError } from '../errors.js';
import type { CertifyOptions } from '../certify/options.js';
import { openNodePool } from '../pool/open-node.js';
import { shardPartitions, type ShardId } from './assignment.js';
import { encodeShard, shardHeader } from './encode.js';
import type { ShardHeader } from './format.js';
import { runDifference } from './identity.js';
import { ShardFile } from './read.js';

export interface ShardJob {
  options: CertifyOptions;
  shard: ShardId;
  out: string;
  resume: boolean;
  source: Record<string, unknown> | null;
  version: string;
  /** The shared key of authenticated shards (docs/spec.md §9.4); undefined: SHA-256 only. */
  key?: Uint8Array;
}

export type ShardOutcome =
  | { skipped: true; note: string }
  | { skipped: false; parts: Uint8Array[]; partitions: number[]; seconds: number; note?: string };

export async function computeShard(job: ShardJob): Promise<ShardOutcome> {
  let header: ShardHeader | undefined;
  let note: string | undefined;
  const run = await runPartitionsWith(job.options, openNodePool, availableParallelism(), async (resolved) => {
    const partitions = shardPartitions(resolved.partitions, job.shard);
    header = shardHeader(resolved, job.shard, partitions, { source: job.source, flipcert: job.version });
    if (job.resume) {
      const verdict = await finished(job.out, header, job);
      if (verdict === true) return undefined;
      note = verdict;
    }
    return partitions;
  });
  if (run === undefined) return { skipped: true, note: `--resume: ${job.out} is this shard, complete and verified; not computed again` };
  return {
    skipped: false,
    parts: encodeShard(header!, run.results, run.seconds, run.resolved.threads, job.key),
    partitions: run.partitions,
    seconds: run.seconds,
    note,
  };
}

/** True when `path` holds this very shard, verified; else why it is computed again (undefined: no file). */
async function finished(path: string, header: ShardHeader, job: ShardJob): Promise<true | string | undefined> {
  if (!existsSync(path)) return undefined;
  let file: ShardFile;
  try {
    file = await ShardFile.open(path, { version: job.version, key: job.key });
  } catch (error) {
    if (!(error instanceof FlipcertError)) throw error;
    return `--resume: ${error.message}; computing it again`;
  }
  try {
    const difference = runDifference(header, file.header);
    if (difference !== undefined) return `--resume: ${path} is a shard of another run (${difference}); computing it again`;
    if (file.header.shard.index !== header.shard.index) {
      return `--resume: ${path} is shard ${file.header.shard.index}/${file.header.shard.count}, not ${header.shard.index}/${header.shard.count}; computing it again`;
    }
    return true;
  } finally {
    await file.close();
  }
}
