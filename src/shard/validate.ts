// What a shard's header and blocks must hold before anything uses them
// (docs/spec.md §9.2, §9.4). A checksum proves only that the bytes are the ones
// some writer wrote: a crafted shard with a recomputed checksum must be refused
// in one line naming the file and the field, never reach the aggregation with a
// vote that is not a class, nor size an allocation by a number nobody checked.
import { parseRepresentation, type Representation } from '../represent/spec.js';
import { FlipcertError } from '../errors.js';
import { TIE_TOLERANCE, UNREACHABLE } from '../types.js';
import { shardPartitions } from './assignment.js';
import { blockBytes, DIGEST_BYTES, type ShardBlock, type ShardHeader } from './format.js';

/** The most classes flipcert takes (checks/labels.ts). */
const MAX_CLASSES = 65_536;
const HEX64 = /^[0-9a-f]{64}$/;

function corrupted(path: string, field: string, why: string): never {
  throw new FlipcertError(`${path}: corrupted: header field ${field} ${why}`, 'EINPUT');
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * Checks every field of a parsed header against the others, against the file's
 * `size` (with the header ending at `dataStart`) and against this flipcert's
 * `version`; returns it typed. Errors: EINPUT, one line naming file and field.
 */
export function checkHeader(path: string, raw: unknown, size: number, dataStart: number, version: string): ShardHeader {
  if (!isObject(raw)) corrupted(path, '(the whole header)', 'is not a JSON object');
  if (raw.format !== 'flipcert-shard') corrupted(path, 'format', 'is not "flipcert-shard"');
  if (typeof raw.flipcert !== 'string') corrupted(path, 'flipcert', 'is not a version string');
  if (raw.flipcert !== version) {
    throw new FlipcertError(
      `${path}: written by flipcert ${JSON.stringify(raw.flipcert)}, this is flipcert ${JSON.stringify(version)}: compute every shard and merge them with one version`,
      'EINPUT',
    );
  }
  const c = checkConfig(path, raw.config);
  const shard = raw.shard;
  if (!isObject(shard) || !isInt(shard.count, 1, c.partitions) || !isInt(shard.index, 0, (shard.count as number) - 1)) {
    corrupted(path, 'shard', `is not { index, count } with 0 ≤ index < count ≤ ${c.partitions} partitions`);
  }
  const ids = shardPartitions(c.partitions, shard as { index: number; count: number });
  if (!Array.isArray(raw.partitions) || raw.partitions.length !== ids.length || ids.some((p, i) => (raw.partitions as unknown[])[i] !== p)) {
    corrupted(path, 'partitions', `is not this shard's partitions (p mod ${shard.count} = ${shard.index})`);
  }
  if (!isInt(raw.nTrain, c.partitions, UNREACHABLE - 1)) corrupted(path, 'nTrain', `is not an integer from ${c.partitions} (the partitions) to ${UNREACHABLE - 1}`);
  if (!isInt(raw.nTest, 1)) corrupted(path, 'nTest', 'is not a positive integer');
  if (!isInt(raw.blockRows, 1, raw.nTest)) corrupted(path, 'blockRows', `is not an integer from 1 to nTest (${raw.nTest})`);
  // Before anything is sized by nTest: the blocks it describes must be the bytes the file has.
  const described = dataStart + dataBytes(ids.length, raw.nTest, raw.blockRows, c.classes) + DIGEST_BYTES;
  if (described !== size) {
    throw new FlipcertError(`${path}: corrupted: ${size} bytes where its header (nTest ${raw.nTest}, blockRows ${raw.blockRows}, ${c.classes} classes) describes ${described}`, 'EINPUT');
  }
  checkFingerprints(path, raw.fingerprints, raw.testY === null);
  if (raw.testY !== null && (!Array.isArray(raw.testY) || raw.testY.length !== raw.nTest || !raw.testY.every((y) => isInt(y, 0, c.classes - 1)))) {
    corrupted(path, 'testY', `is neither null nor nTest (${raw.nTest}) labels in 0..${c.classes - 1}`);
  }
  // null: a partition whose kernel sums to 0 (bound ∞, which JSON writes as null).
  if (!Array.isArray(raw.svmBounds) || raw.svmBounds.length !== ids.length || !raw.svmBounds.every((b) => b === null || isPositive(b))) {
    corrupted(path, 'svmBounds', `is not ${ids.length} positive numbers (one per partition of the shard)`);
  }
  if (typeof raw.seconds !== 'number' || !Number.isFinite(raw.seconds) || raw.seconds < 0) corrupted(path, 'seconds', 'is not a number ≥ 0');
  if (!isInt(raw.threads, 1)) corrupted(path, 'threads', 'is not a positive integer');
  if (raw.source !== null && !isObject(raw.source)) corrupted(path, 'source', 'is neither null nor an object');
  if (raw.checksum !== undefined && raw.checksum !== 'sha256' && raw.checksum !== 'hmac-sha256') corrupted(path, 'checksum', 'is neither "sha256" nor "hmac-sha256"');
  return raw as unknown as ShardHeader;
}

/** Bytes of the blocks of nTest points in blocks of B, without a loop over them (nTest may be anything). */
function dataBytes(s: number, nTest: number, B: number, classes: number): number {
  const full = Math.floor(nTest / B);
  const rest = nTest - full * B;
  return full * blockBytes(s, B, classes) + (rest > 0 ? blockBytes(s, rest, classes) : 0);
}

function checkConfig(path: string, raw: unknown): ShardHeader['config'] {
  if (!isObject(raw)) corrupted(path, 'config', 'is not an object');
  const bad = (key: string, why: string): never => corrupted(path, `config.${key}`, why);
  if (raw.model !== 'krr' && raw.model !== 'svm') bad('model', 'is neither "krr" nor "svm"');
  if (!isPositive(raw.reg)) bad('reg', 'is not a positive number');
  if (raw.svmC !== null && !isPositive(raw.svmC)) bad('svmC', 'is neither null nor a positive number');
  if (raw.svmCBound !== null && !isPositive(raw.svmCBound)) bad('svmCBound', 'is neither null nor a positive number');
  if (!isInt(raw.depth, 1, 1000)) bad('depth', 'is not an integer 1..1000');
  if (!isPositive(raw.wVar)) bad('wVar', 'is not a positive number');
  if (typeof raw.bVar !== 'number' || !Number.isFinite(raw.bVar) || raw.bVar < 0) bad('bVar', 'is not a number ≥ 0');
  if (!isInt(raw.partitions, 2, UNREACHABLE - 1)) bad('partitions', 'is not an integer ≥ 2');
  if (raw.partitioning !== 'hash' && raw.partitioning !== 'sorted' && raw.partitioning !== 'ids') bad('partitioning', 'is not "hash", "sorted" or "ids"');
  if (!isInt(raw.classes, 2, MAX_CLASSES)) bad('classes', `is not an integer 2..${MAX_CLASSES}`);
  if (raw.augment !== null && typeof raw.augment !== 'string') bad('augment', 'is neither null nor a string');
  const readsImages = raw.augment !== null || checkRepresent(raw.represent, bad);
  const shape = raw.imageShape;
  if (shape !== null && !(Array.isArray(shape) && shape.length === 3 && shape.every((v) => isInt(v, 1)))) bad('imageShape', 'is neither null nor [height, width, channels]');
  if (readsImages !== (shape !== null)) bad('imageShape', 'is given without config.augment or a scattering stage, or missing with one');
  if (raw.tieTolerance !== TIE_TOLERANCE) bad('tieTolerance', `is not this flipcert's ${TIE_TOLERANCE}`);
  return raw as unknown as ShardHeader['config'];
}

/** config.represent: null, or a spec in its own canonical spelling; whether it reads images (a scattering stage). */
function checkRepresent(value: unknown, bad: (key: string, why: string) => never): boolean {
  if (value === null) return false;
  let parsed: Representation | undefined;
  try {
    parsed = typeof value === 'string' ? parseRepresentation(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.spec !== value) bad('represent', 'is neither null nor a representation in its canonical spelling');
  return parsed!.stages[0].kind === 'scattering';
}

function checkFingerprints(path: string, raw: unknown, noTestLabels: boolean): void {
  if (!isObject(raw)) corrupted(path, 'fingerprints', 'is not an object');
  for (const key of ['trainX', 'trainY', 'testX', 'assignment']) {
    if (typeof raw[key] !== 'string' || !HEX64.test(raw[key] as string)) corrupted(path, `fingerprints.${key}`, 'is not a SHA-256 in hex');
  }
  if (noTestLabels ? raw.testY !== null : typeof raw.testY !== 'string' || !HEX64.test(raw.testY)) {
    corrupted(path, 'fingerprints.testY', noTestLabels ? 'is not null although testY is' : 'is not a SHA-256 in hex');
  }
}

/**
 * Checks block j's numbers: each vote a class, each cost 0 … nTrain or
 * "impossible" (UNREACHABLE), lower ≤ upper, a partition's own vote costing
 * nothing, near-tie flags 0 or 1. `first` is the block's first test point.
 */
export function checkBlock(path: string, header: ShardHeader, block: ShardBlock, first: number): void {
  const C = header.config.classes;
  const nTrain = header.nTrain;
  const cost = (v: number) => (v >= 0 && v <= nTrain) || v === UNREACHABLE;
  header.partitions.forEach((p, q) => {
    const votes = block.votes[q];
    const lower = block.lower[q];
    const upper = block.upper[q];
    const where = (i: number) => `${path}: corrupted: partition ${p}, test point ${first + i}:`;
    for (let i = 0; i < votes.length; i++) {
      const vote = votes[i];
      if (!(vote >= 0 && vote < C)) throw new FlipcertError(`${where(i)} vote ${vote} is not a class (0..${C - 1})`, 'EINPUT');
      if (block.nearTie[q][i] > 1) throw new FlipcertError(`${where(i)} near-tie flag ${block.nearTie[q][i]} is neither 0 nor 1`, 'EINPUT');
      for (let l = 0; l < C; l++) {
        const lo = lower[i * C + l];
        const up = upper[i * C + l];
        if (!cost(lo) || !cost(up)) {
          throw new FlipcertError(`${where(i)} cost of class ${l} (lower ${lo}, upper ${up}) is not a number of flips 0..${nTrain}`, 'EINPUT');
        }
        if (lo > up) throw new FlipcertError(`${where(i)} cost of class ${l}: lower bound ${lo} above upper bound ${up}`, 'EINPUT');
        if (l === vote && up !== 0) throw new FlipcertError(`${where(i)} cost of its own vote ${l} is ${up}, not 0`, 'EINPUT');
      }
    }
  });
}
