// The 32 bytes that end a shard (docs/spec.md §9.4): SHA-256 of every byte before
// them, which finds damage; or, under a key the writers and the merge share,
// HMAC-SHA-256, which also finds a shard written or changed by someone without
// the key. A shard is a result: whoever can write one can change the result.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { FlipcertError } from '../errors.js';

/** Shorter keys are refused: 16 bytes are 128 bits when random. */
export const MIN_KEY_BYTES = 16;

/** A running checksum: the key's HMAC when there is a key, else SHA-256. */
export function shardDigest(key: Uint8Array | undefined): Hash | Hmac {
  return key === undefined ? createHash('sha256') : createHmac('sha256', key);
}

/** The key's bytes: a key file's (without its final newline) or FLIPCERT_SHARD_KEY's text; `from` names it in errors. */
export function shardKey(value: string | Uint8Array | undefined, from: string): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const key = typeof value === 'string' ? new TextEncoder().encode(value) : Uint8Array.from(value);
  if (key.length < MIN_KEY_BYTES) {
    throw new FlipcertError(`${from}: the shard key has ${key.length} bytes; use at least ${MIN_KEY_BYTES} random ones (e.g. openssl rand -hex 32)`, 'EUSAGE');
  }
  return key;
}
