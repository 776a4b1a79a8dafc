// The shard file (.fcshard, docs/spec.md §9.2): what one shard of a run computed,
// in test blocks that a merge reads in lockstep across shards.
//
//   magic (8 bytes) · format version (u32 LE) · header length H (u32 LE)
//   header: UTF-8 JSON, space-padded to a multiple of 8 bytes
//   blocks: test points [jB, min(m, (j+1)B)), b of them, s = the shard's partitions:
//           votes i32[s][b] · lower i32[s][b][C] · upper i32[s][b][C] · nearTie u8[s][b], zero-padded to 4
//   SHA-256 of every byte before it, or its HMAC under a shared key (32 bytes, authenticate.ts)
//
// Integers are little-endian.
import type { PartitionResult } from '../partition/task.js';
import type { ResultConfig } from '../certify/result.js';
import type { Fingerprints } from './fingerprint.js';
import type { ShardId } from './assignment.js';

export const MAGIC = Uint8Array.from([0x89, 0x46, 0x43, 0x53, 0x48, 0x52, 0x44, 0x0a]); // \x89 F C S H R D \n
export const FORMAT_VERSION = 1;
export const PREFIX_BYTES = 16;
export const DIGEST_BYTES = 32;
/** Target size of one merged block (all k partitions): what bounds a merge's memory. */
const BLOCK_BYTES = 16 << 20;

export interface ShardHeader {
  format: 'flipcert-shard';
  shard: ShardId;
  /** The partitions this shard holds, ascending: p mod count = index. */
  partitions: number[];
  /** The run's docs/spec.md §6.1 config; `svmCBound` is over this shard's partitions only. */
  config: ResultConfig;
  nTrain: number;
  nTest: number;
  /** Test points per block (certify --block-size, else the 16 MiB rule), the same for every shard of a run. */
  blockRows: number;
  fingerprints: Fingerprints;
  /** Test labels (for the merged summary); null without. */
  testY: number[] | null;
  /** 1 / max_i Σ_j |K_ij| per partition of this shard (docs/spec.md §3), for config.svmCBound. */
  svmBounds: number[];
  /** Run metadata: seconds and threads of this shard's computation, the data's source, flipcert's version. */
  seconds: number;
  threads: number;
  source: Record<string, unknown> | null;
  flipcert: string;
  /** What the last 32 bytes are: SHA-256 (absent in older files), or HMAC-SHA-256 under a shared key (docs/spec.md §9.4). */
  checksum?: 'sha256' | 'hmac-sha256';
}

/** Test points per block for k partitions and C classes: k × B × (8C + 5) bytes ≈ 16 MiB at most. */
export function blockRowsFor(partitions: number, classes: number, nTest: number): number {
  return Math.max(1, Math.min(nTest, Math.floor(BLOCK_BYTES / (partitions * (8 * classes + 5)))));
}

export function blockCount(header: Pick<ShardHeader, 'nTest' | 'blockRows'>): number {
  return Math.ceil(header.nTest / header.blockRows);
}

/** Rows of block j. */
export function rowsOf(header: Pick<ShardHeader, 'nTest' | 'blockRows'>, j: number): number {
  return Math.min(header.blockRows, header.nTest - j * header.blockRows);
}

/** Bytes of a block of b rows for s partitions and C classes. */
export function blockBytes(s: number, b: number, classes: number): number {
  return s * b * 4 * (1 + 2 * classes) + Math.ceil((s * b) / 4) * 4;
}

/** One block's arrays, per partition of the shard: views into one buffer. */
export interface ShardBlock {
  votes: Int32Array[];
  lower: Int32Array[];
  upper: Int32Array[];
  nearTie: Uint8Array[];
}

/** Views of a block's bytes (`bytes` must start 4-aligned in its buffer). */
export function blockViews(bytes: Uint8Array, s: number, b: number, classes: number): ShardBlock {
  const ints = (offset: number, length: number) => new Int32Array(bytes.buffer, bytes.byteOffset + offset, length);
  const costs = b * classes * 4;
  const lowerAt = s * b * 4;
  const upperAt = lowerAt + s * costs;
  const tieAt = upperAt + s * costs;
  const each = Array.from({ length: s }, (_, q) => q);
  return {
    votes: each.map((q) => ints(q * b * 4, b)),
    lower: each.map((q) => ints(lowerAt + q * costs, b * classes)),
    upper: each.map((q) => ints(upperAt + q * costs, b * classes)),
    nearTie: each.map((q) => new Uint8Array(bytes.buffer, bytes.byteOffset + tieAt + q * b, b)),
  };
}

/** The header's bytes with the magic, version and length in front. */
export function encodePrefix(header: ShardHeader): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(PREFIX_BYTES + padded).fill(0x20);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, padded, true);
  bytes.set(json, PREFIX_BYTES);
  return bytes;
}

/** Block j of the shard's results (in the header's partition order), as bytes. */
export function encodeBlock(header: ShardHeader, results: PartitionResult[], j: number): Uint8Array {
  const C = header.config.classes;
  const s = results.length;
  const b = rowsOf(header, j);
  const first = j * header.blockRows;
  const bytes = new Uint8Array(blockBytes(s, b, C));
  const block = blockViews(bytes, s, b, C);
  results.forEach((r, q) => {
    block.votes[q].set(r.votes.subarray(first, first + b));
    block.lower[q].set(r.lower!.subarray(first * C, (first + b) * C));
    block.upper[q].set(r.upper!.subarray(first * C, (first + b) * C));
    block.nearTie[q].set(r.nearTie.subarray(first, first + b));
  });
  return bytes;
}
