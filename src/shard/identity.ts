// Whether two shard headers belong to the same run (docs/spec.md §9.3).
import type { ShardHeader } from './format.js';

/** What differs between two shards' runs, in words; undefined when they are of the same run. */
export function runDifference(a: ShardHeader, b: ShardHeader): string | undefined {
  const f = a.fingerprints;
  const g = b.fingerprints;
  if (f.trainX !== g.trainX) return 'its training features differ';
  if (f.trainY !== g.trainY) return 'its training labels differ';
  if (f.testX !== g.testX) return 'its test features differ';
  if (f.testY !== g.testY) return 'its test labels differ';
  if (f.assignment !== g.assignment) return 'its partition assignment differs';
  const settings = (h: ShardHeader) => JSON.stringify({ ...h.config, svmCBound: undefined, source: undefined });
  if (settings(a) !== settings(b)) return `its settings differ (${describeConfig(b)} vs ${describeConfig(a)})`;
  if (a.shard.count !== b.shard.count) return `it is one of ${b.shard.count} shards, not ${a.shard.count}`;
  if (a.blockRows !== b.blockRows) return `its test blocks have ${b.blockRows} rows, not ${a.blockRows} (give every shard the same --block-size)`;
  return undefined;
}

function describeConfig(h: ShardHeader): string {
  const c = h.config;
  const represent = c.represent ? `, represent ${c.represent}` : '';
  return `${c.model}, reg ${c.reg}, depth ${c.depth}, wVar ${c.wVar}, bVar ${c.bVar}, ${c.partitions} partitions, ${c.classes} classes${represent}`;
}
