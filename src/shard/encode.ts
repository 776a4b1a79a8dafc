// A shard's computed partitions → the bytes of its .fcshard file (format.ts).
import { endianness } from 'node:os';
import { resultConfig } from '../certify/coordinator.js';
import { FlipcertError } from '../errors.js';
import type { Resolved } from '../certify/options.js';
import type { PartitionResult } from '../partition/task.js';
import type { ShardId } from './assignment.js';
import { shardDigest } from './authenticate.js';
import { fingerprints } from './fingerprint.js';
import { blockCount, blockRowsFor, encodeBlock, encodePrefix, type ShardHeader } from './format.js';

/** The file is little-endian and written from typed arrays as they lie in memory. */
export function checkLittleEndian(): void {
  if (endianness() !== 'LE') throw new FlipcertError('shard files are little-endian; this machine is big-endian', 'EUNSUPPORTED');
}

/** What a shard of this run records, before it is computed (resume compares it with a file's header). */
export function shardHeader(opts: Resolved, shard: ShardId, partitions: number[], extra: Pick<ShardHeader, 'source' | 'flipcert'>): ShardHeader {
  return {
    format: 'flipcert-shard',
    shard,
    partitions,
    config: resultConfig(opts, []),
    nTrain: opts.trainX.rows,
    nTest: opts.testX.rows,
    blockRows: opts.blockSize ?? blockRowsFor(opts.partitions, opts.classes, opts.testX.rows),
    fingerprints: fingerprints(opts),
    testY: opts.testY === undefined ? null : Array.from(opts.testY),
    svmBounds: [],
    seconds: 0,
    threads: 0,
    ...extra,
  };
}

/** The whole file: prefix and header, blocks, SHA-256 of all that (with a shared key, its HMAC-SHA-256). */
export function encodeShard(header: ShardHeader, results: PartitionResult[], seconds: number, threads: number, key?: Uint8Array): Uint8Array[] {
  checkLittleEndian();
  const svmBounds = results.map((r) => r.svmBound);
  const config = { ...header.config, svmCBound: header.config.model === 'svm' ? Math.min(...svmBounds) : null };
  const checksum = key === undefined ? 'sha256' : 'hmac-sha256';
  const full: ShardHeader = { ...header, config, svmBounds, seconds, threads, checksum };
  const parts = [encodePrefix(full)];
  for (let j = 0; j < blockCount(full); j++) parts.push(encodeBlock(full, results, j));
  const hash = shardDigest(key);
  for (const part of parts) hash.update(part);
  parts.push(new Uint8Array(hash.digest()));
  return parts;
}
