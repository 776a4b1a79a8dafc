// Reading a .fcshard file (format.ts): verified whole before use (magic,
// version, size, SHA-256), then read block by block.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { FlipcertError } from '../errors.js';
import { checkLittleEndian } from './encode.js';
import { shardPartitions } from './assignment.js';
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

const CHUNK = 1 << 20;

function bad(path: string, why: string): never {
  throw new FlipcertError(`${path}: ${why}`, 'EINPUT');
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
  static async open(path: string): Promise<ShardFile> {
    checkLittleEndian();
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
      throw new FlipcertError(`${path}: ${why}`, 'EFILE');
    }
    try {
      if ((await file.stat()).isDirectory()) throw new FlipcertError(`${path}: is a directory`, 'EFILE');
      const { header, offsets } = await verify(path, file);
      return new ShardFile(path, header, file, offsets);
    } catch (error) {
      await file.close();
      if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw new FlipcertError(`${path}: is a directory`, 'EFILE');
      throw error;
    }
  }

  /** The votes, costs and flags of block j for this shard's partitions. */
  async readBlock(j: number): Promise<ShardBlock> {
    const { header } = this;
    const b = rowsOf(header, j);
    const s = header.partitions.length;
    // A fresh ArrayBuffer: the views need 4-byte alignment.
    const bytes = new Uint8Array(blockBytes(s, b, header.config.classes));
    const { bytesRead } = await this.file.read(bytes, 0, bytes.length, this.offsets[j]);
    if (bytesRead !== bytes.length) bad(this.path, 'changed while being read');
    return blockViews(bytes, s, b, header.config.classes);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Checks magic, version, checksum and size; returns the header and where each block starts. */
async function verify(path: string, file: FileHandle): Promise<{ header: ShardHeader; offsets: number[] }> {
  const size = (await file.stat()).size;
  const prefix = new Uint8Array(PREFIX_BYTES);
  await file.read(prefix, 0, PREFIX_BYTES, 0);
  if (size < PREFIX_BYTES + DIGEST_BYTES || !MAGIC.every((byte, i) => prefix[i] === byte)) {
    bad(path, 'not a flipcert shard file (.fcshard written by flipcert certify --shard)');
  }
  const view = new DataView(prefix.buffer);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) bad(path, `shard format version ${version}; this flipcert reads version ${FORMAT_VERSION}`);
  await checkDigest(path, file, size);
  const length = view.getUint32(12, true);
  const header = await parseHeader(path, file, length, size);
  const offsets = blockOffsets(header, PREFIX_BYTES + length);
  if (offsets.at(-1)! + DIGEST_BYTES !== size) bad(path, `corrupted: ${size} bytes where its header describes ${offsets.at(-1)! + DIGEST_BYTES}`);
  return { header, offsets };
}

async function checkDigest(path: string, file: FileHandle, size: number): Promise<void> {
  const hash = createHash('sha256');
  const chunk = new Uint8Array(CHUNK);
  const body = size - DIGEST_BYTES;
  for (let at = 0; at < body; ) {
    const { bytesRead } = await file.read(chunk, 0, Math.min(CHUNK, body - at), at);
    if (bytesRead === 0) bad(path, 'changed while being read');
    hash.update(chunk.subarray(0, bytesRead));
    at += bytesRead;
  }
  const stored = new Uint8Array(DIGEST_BYTES);
  await file.read(stored, 0, DIGEST_BYTES, body);
  const actual = hash.digest();
  if (!stored.every((byte, i) => byte === actual[i])) {
    bad(path, 'corrupted: its SHA-256 checksum does not match (damaged or truncated; rerun this shard)');
  }
}

async function parseHeader(path: string, file: FileHandle, length: number, size: number): Promise<ShardHeader> {
  if (PREFIX_BYTES + length + DIGEST_BYTES > size) bad(path, 'corrupted: its header runs past the end of the file');
  const bytes = new Uint8Array(length);
  await file.read(bytes, 0, length, PREFIX_BYTES);
  let header: ShardHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes)) as ShardHeader;
  } catch {
    bad(path, 'corrupted: its header is not valid JSON');
  }
  checkHeader(path, header);
  return header;
}

/** What the rest of the code relies on; a checksum only proves the bytes are the ones written. */
function checkHeader(path: string, h: ShardHeader): void {
  const int = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
  const ok =
    h !== null && typeof h === 'object' && h.format === 'flipcert-shard' &&
    typeof h.shard === 'object' && int(h.shard.count, 1) && int(h.shard.index, 0) && h.shard.index < h.shard.count &&
    typeof h.config === 'object' && int(h.config.partitions, 2) && int(h.config.classes, 2) &&
    int(h.nTrain, 1) && int(h.nTest, 1) && int(h.blockRows, 1) &&
    Array.isArray(h.partitions) && Array.isArray(h.svmBounds) && h.svmBounds.length === h.partitions.length &&
    JSON.stringify(h.partitions) === JSON.stringify(shardPartitions(h.config.partitions, h.shard)) &&
    (h.testY === null || (Array.isArray(h.testY) && h.testY.length === h.nTest)) &&
    typeof h.fingerprints === 'object' && h.fingerprints !== null;
  if (!ok) bad(path, 'corrupted: its header is incomplete or inconsistent');
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
