// Reading a .fcshard file (format.ts): verified whole before use (magic,
// version, checksum or key, then every header field against the file size and
// the config, validate.ts), then read block by block, each block's numbers checked.
import type { FileHandle } from 'node:fs/promises';
import { openInputFile } from '../data/input-file.js';
import { FlipcertError } from '../errors.js';
import { shardDigest } from './authenticate.js';
import { checkLittleEndian } from './encode.js';
import {
  blockBytes,
  blockCount,
  blockViews,
  DIGEST_BYTES,
  FORMAT_VERSION,
  MAGIC,
  PREFIX_BYTES,
  rowsOf,
  type ShardBlock,
  type ShardHeader,
} from './format.js';
import { checkBlock, checkHeader } from './validate.js';

const CHUNK = 1 << 20;

function bad(path: string, why: string): never {
  throw new FlipcertError(`${path}: ${why}`, 'EINPUT');
}

/** What a reader expects of every shard: this flipcert's version and, if shards are authenticated, the shared key. */
export interface ShardExpectation {
  version: string;
  key?: Uint8Array;
}

/** An open, verified shard file. Close it when done. */
export class ShardFile {
  private constructor(
    readonly path: string,
    readonly header: ShardHeader,
    private readonly file: FileHandle,
    private readonly offsets: number[],
  ) {}

  /** Opens `path` and checks it end to end; errors name the file and say what is wrong. */
  static async open(path: string, expect: ShardExpectation): Promise<ShardFile> {
    checkLittleEndian();
    // Never waits on a named pipe; a directory or device is refused at once.
    const file = await openInputFile(path);
    try {
      const { header, offsets } = await verify(path, file, expect);
      return new ShardFile(path, header, file, offsets);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** The votes, costs and flags of block j for this shard's partitions, checked (validate.ts). */
  async readBlock(j: number): Promise<ShardBlock> {
    const { header } = this;
    const b = rowsOf(header, j);
    const s = header.partitions.length;
    // A fresh ArrayBuffer: the views need 4-byte alignment.
    const bytes = new Uint8Array(blockBytes(s, b, header.config.classes));
    const { bytesRead } = await this.file.read(bytes, 0, bytes.length, this.offsets[j]);
    if (bytesRead !== bytes.length) bad(this.path, 'changed while being read');
    const block = blockViews(bytes, s, b, header.config.classes);
    checkBlock(this.path, header, block, j * header.blockRows);
    return block;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Checks magic, version, checksum (or key) and header; returns the header and where each block starts. */
async function verify(path: string, file: FileHandle, expect: ShardExpectation): Promise<{ header: ShardHeader; offsets: number[] }> {
  const size = (await file.stat()).size;
  const prefix = new Uint8Array(PREFIX_BYTES);
  await file.read(prefix, 0, PREFIX_BYTES, 0);
  if (size < PREFIX_BYTES + DIGEST_BYTES || !MAGIC.every((byte, i) => prefix[i] === byte)) {
    bad(path, 'not a flipcert shard file (.fcshard written by flipcert certify --shard)');
  }
  const view = new DataView(prefix.buffer);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) bad(path, `shard format version ${version}; this flipcert reads version ${FORMAT_VERSION}`);
  const length = view.getUint32(12, true);
  if (PREFIX_BYTES + length + DIGEST_BYTES > size) bad(path, 'corrupted: its header runs past the end of the file');
  const text = await readText(file, length);
  await checkDigest(path, file, size, expect.key, declared(text));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    bad(path, 'corrupted: its header is not valid JSON');
  }
  const header = checkHeader(path, raw, size, PREFIX_BYTES + length, expect.version);
  return { header, offsets: blockOffsets(header, PREFIX_BYTES + length) };
}

async function readText(file: FileHandle, length: number): Promise<string> {
  const bytes = new Uint8Array(length);
  await file.read(bytes, 0, length, PREFIX_BYTES);
  return new TextDecoder().decode(bytes);
}

/** The checksum the header says it has, read leniently: only to word an error (the bytes are not verified yet). */
function declared(text: string): string | undefined {
  try {
    const value = (JSON.parse(text) as { checksum?: unknown }).checksum;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The last 32 bytes must be the SHA-256 of the rest, or with a key its HMAC.
 * Both are computed in one pass, so that a mismatch says which it is.
 */
async function checkDigest(path: string, file: FileHandle, size: number, key: Uint8Array | undefined, claimed: string | undefined): Promise<void> {
  const plain = shardDigest(undefined);
  const keyed = key === undefined ? undefined : shardDigest(key);
  const chunk = new Uint8Array(CHUNK);
  const body = size - DIGEST_BYTES;
  for (let at = 0; at < body; ) {
    const { bytesRead } = await file.read(chunk, 0, Math.min(CHUNK, body - at), at);
    if (bytesRead === 0) bad(path, 'changed while being read');
    plain.update(chunk.subarray(0, bytesRead));
    keyed?.update(chunk.subarray(0, bytesRead));
    at += bytesRead;
  }
  const stored = new Uint8Array(DIGEST_BYTES);
  await file.read(stored, 0, DIGEST_BYTES, body);
  const equal = (digest: Uint8Array) => stored.every((byte, i) => byte === digest[i]);
  if (keyed !== undefined) {
    if (equal(keyed.digest())) return;
    if (equal(plain.digest())) bad(path, 'not authenticated: written without the shard key (or changed by someone without it); recompute it with the key');
    bad(path, 'not authenticated: its HMAC does not match the shard key (another key, damaged, or changed); recompute it');
  }
  if (equal(plain.digest())) return;
  if (claimed === 'hmac-sha256') bad(path, 'written with a shard key: give the same key (--shard-key-file or FLIPCERT_SHARD_KEY) to check it');
  bad(path, 'corrupted: its SHA-256 checksum does not match (damaged or truncated; rerun this shard)');
}

/** Byte offset of each block, then of the checksum. */
function blockOffsets(header: ShardHeader, first: number): number[] {
  const offsets: number[] = [];
  let at = first;
  const s = header.partitions.length;
  for (let j = 0; j < blockCount(header); j++) {
    offsets.push(at);
    at += blockBytes(s, rowsOf(header, j), header.config.classes);
  }
  offsets.push(at);
  return offsets;
}
