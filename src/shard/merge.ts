// Merging the shards of a run (docs/spec.md §9.3): every file verified first,
// then the shards are read block by block in lockstep, and each block of k
// partitions goes through the same aggregation as a single-machine run — with
// the run's data, also its exact refinement (retrain.ts).
import { FlipcertError } from '../errors.js';
import { ensembleBlockPoints, pointsOf, type EnsembleBlock } from '../certify/points.js';
import { openReason, refineCosts } from '../ensemble/refine.js';
import type { PartitionResult } from '../partition/task.js';
import type { PoolFactory } from '../pool/pool.js';
import { withRetraining, type BlockSettle, type MergeData } from './retrain.js';
import { summarize } from '../certify/summary.js';
import type { CertifyResult, PointResult } from '../certify/result.js';
import { blockCount, rowsOf, type ShardHeader } from './format.js';
import { runDifference } from './identity.js';
import { ShardFile, type ShardExpectation } from './read.js';
import { now } from '../host/clock.js';

export interface Merged {
  result: CertifyResult;
  /** `config.source` of shard 0: where its data came from. */
  source: Record<string, unknown> | undefined;
  /** Points left open only because the merge had no data to refine them (`openReason: 'unrefined'`). */
  unrefined: number;
}

/** The run's data and where to retrain: merge then closes what one machine closes (retrain.ts). */
export interface Retraining {
  data: MergeData;
  openPool: PoolFactory;
  cores: number;
}

/** Merges shard files given in any order; refuses a set that is not exactly one run's shards. */
export async function mergeShards(paths: string[], expect: ShardExpectation, retraining?: Retraining): Promise<Merged> {
  if (paths.length === 0) throw new FlipcertError('merge needs the shard files of a run (flipcert merge shard-*.fcshard --out result.json)', 'EUSAGE');
  const started = now();
  const shards: ShardFile[] = [];
  try {
    for (const path of paths) shards.push(await ShardFile.open(path, expect));
    const ordered = checkSet(shards);
    const first = ordered[0];
    // Two classes never leave a point open (docs/spec.md §5.7): no data needed.
    const points =
      retraining === undefined || first.header.config.classes === 2
        ? await mergePoints(ordered)
        : await withRetraining(first.header, first.path, retraining.data, retraining.openPool, retraining.cores, (settle) => mergePoints(ordered, settle));
    const unrefined = points.filter((p) => p.openReason === 'unrefined').length;
    return { result: assemble(ordered.map((s) => s.header), points, (now() - started) / 1000), source: first.header.source ?? undefined, unrefined };
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

/** Reads block j of every shard, puts its k partitions in order and aggregates it (refined when `settle` is given). */
async function mergePoints(shards: ShardFile[], settle?: BlockSettle): Promise<PointResult[]> {
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
    const blockPoints = settle
      ? await refinedBlockPoints(block, h.config.classes, h.nTrain, h.testY ?? undefined, settle(block.first, block.m))
      : ensembleBlockPoints(block, h.config.classes, h.nTrain, h.testY ?? undefined);
    for (const point of blockPoints) points.push(point);
  }
  return points;
}

/** A block's points as the coordinator makes them (ensemblePoints): aggregated, refined, aggregated again. */
async function refinedBlockPoints(
  block: EnsembleBlock,
  classes: number,
  nTrain: number,
  testY: ArrayLike<number> | undefined,
  settle: (requests: Int32Array[]) => Promise<(PartitionResult | undefined)[]>,
): Promise<PointResult[]> {
  // Only what refineCosts reads of a first pass's results; it writes the refined costs into these arrays.
  const results = block.votes.map((votes, p) => ({ votes, lower: block.lower[p], upper: block.upper[p], nearTie: block.nearTie[p] }) as PartitionResult);
  const { agg, unsettled } = await refineCosts(results, classes, nTrain, settle);
  const near = (i: number) => results.some((r) => r.nearTie[i] === 1);
  return pointsOf(agg, block.first, classes, testY, near, (i) => openReason(results, unsettled, i, classes));
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
