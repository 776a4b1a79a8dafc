// Merging the shards of a run (docs/spec.md §9.3): every file verified first,
// then the shards are read block by block in lockstep, and each block of k
// partitions goes through the same aggregation as a single-machine run.
import { FlipcertError } from '../errors.js';
import { ensembleBlockPoints } from '../certify/points.js';
import { summarize } from '../certify/summary.js';
import type { CertifyResult, PointResult } from '../certify/result.js';
import { blockCount, rowsOf, type ShardHeader } from './format.js';
import { runDifference } from './identity.js';
import { ShardFile } from './read.js';
import { now } from '../host/clock.js';

export interface Merged {
  result: CertifyResult;
  /** `config.source` of shard 0: where its data came from. */
  source: Record<string, unknown> | undefined;
}

/** Merges shard files given in any order; refuses a set that is not exactly one run's shards. */
export async function mergeShards(paths: string[]): Promise<Merged> {
  if (paths.length === 0) throw new FlipcertError('merge needs the shard files of a run (flipcert merge shard-*.fcshard --out result.json)', 'EUSAGE');
  const started = now();
  const shards: ShardFile[] = [];
  try {
    for (const path of paths) shards.push(await ShardFile.open(path));
    const ordered = checkSet(shards);
    const points = await mergePoints(ordered);
    return { result: assemble(ordered.map((s) => s.header), points, (now() - started) / 1000), source: ordered[0].header.source ?? undefined };
  } finally {
    await Promise.all(shards.map((s) => s.close()));
  }
}

/** Same run, each index once, none missing; returns the shards by index. */
function checkSet(shards: ShardFile[]): ShardFile[] {
  const first = shards[0];
  const count = first.header.shard.count;
  const byIndex = Array.from<ShardFile | undefined>({ length: count });
  for (const shard of shards) {
    const difference = runDifference(first.header, shard.header);
    if (difference !== undefined) {
      throw new FlipcertError(`${shard.path}: from another run than ${first.path}: ${difference}`, 'EINPUT');
    }
    const { index } = shard.header.shard;
    const twin = byIndex[index];
    if (twin !== undefined) throw new FlipcertError(`${shard.path}: shard ${index}/${count} is also given as ${twin.path}; give each shard once`, 'EINPUT');
    byIndex[index] = shard;
  }
  // (flatMap would skip an array's holes; `byIndex` has none.)
  const missing = byIndex.flatMap((s, i) => (s === undefined ? [i] : []));
  if (missing.length > 0) {
    const which = missing.length === 1 ? `shard ${missing[0]}/${count} is` : `shards ${missing.join(', ')} of ${count} are`;
    throw new FlipcertError(`${which} missing: the run of ${first.path} has ${count} shards and ${shards.length} were given`, 'EINPUT');
  }
  return byIndex as ShardFile[];
}

/** Reads block j of every shard, puts its k partitions in order and aggregates it. */
async function mergePoints(shards: ShardFile[]): Promise<PointResult[]> {
  const h = shards[0].header;
  const k = h.config.partitions;
  const count = h.shard.count;
  const points: PointResult[] = [];
  for (let j = 0; j < blockCount(h); j++) {
    const blocks = await Promise.all(shards.map((s) => s.readBlock(j)));
    // Partition p is the (p div N)-th of shard p mod N (assignment.ts).
    const pick = <T>(field: (b: (typeof blocks)[number]) => T[]) => Array.from({ length: k }, (_, p) => field(blocks[p % count])[Math.floor(p / count)]);
    const block = {
      votes: pick((b) => b.votes),
      lower: pick((b) => b.lower),
      upper: pick((b) => b.upper),
      nearTie: pick((b) => b.nearTie),
      first: j * h.blockRows,
      m: rowsOf(h, j),
    };
    for (const point of ensembleBlockPoints(block, h.config.classes, h.nTrain, h.testY ?? undefined)) points.push(point);
  }
  return points;
}

/**
 * The docs/spec.md §6 result. Run metadata: `seconds` adds up the shards' computation
 * and the merge, `threads` is the most any shard used.
 */
function assemble(headers: ShardHeader[], points: PointResult[], mergeSeconds: number): CertifyResult {
  const h = headers[0];
  const bounds = headers.flatMap((s) => s.svmBounds);
  const config = { ...h.config, svmCBound: h.config.model === 'svm' ? Math.min(...bounds) : null };
  const facts = {
    nTrain: h.nTrain,
    nTest: h.nTest,
    classes: h.config.classes,
    partitions: h.config.partitions,
    labelled: h.testY !== null,
    threads: Math.max(...headers.map((s) => s.threads)),
  };
  const seconds = headers.reduce((sum, s) => sum + s.seconds, mergeSeconds);
  return { version: 1, config, summary: summarize(points, facts, seconds), points };
}
