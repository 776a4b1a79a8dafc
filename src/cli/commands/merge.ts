// `flipcert merge`: the shards of a run (certify --shard) → the single-machine run's outputs (docs/spec.md §9).
// With the run's data flags, the points that one machine closes by the exact search
// (§5.7) are closed here too: merge retrains the partitions they need, on the engine.
import type { Command } from 'commander';
import { readNpyLabels } from '../../data/npy.js';
import { FlipcertError } from '../../errors.js';
import { resultJsonPieces } from '../../report/json.js';
import { formatSummaryTable } from '../../report/table.js';
import { mergeShards, type Merged } from '../../shard/merge.js';
import type { ShardExpectation } from '../../shard/read.js';
import type { ArgumentParsers } from '../arguments.js';
import { mergeOnEngine } from '../engine.js';
import { flagMap } from '../flags.js';
import { addDataFlags, dataFields, fromFlag, inputPaths, loadData, type DataFlags } from '../inputs.js';
import { certificatePlot, checkOutputs, resultOutputs, summaryStream, writeOutputs, type ResultFlags } from '../outputs.js';
import type { ErrorContext } from '../report-error.js';
import { writeLines } from '../terminal-text.js';
import { readShardKey } from '../shard-key.js';
import { packageVersion } from '../version.js';

interface MergeFlags extends ResultFlags, DataFlags {
  partitioning?: string;
  shardKeyFile?: string;
  threads?: number;
}

export function mergeCommand(program: Command, arg: ArgumentParsers, context: ErrorContext): void {
  const command = program
    .command('merge')
    .description('merge the shard files of a run (certify --shard) into the result of a single-machine run')
    .argument('<shards...>', 'the .fcshard files, in any order');
  addDataFlags(command, arg, {
    testY: 'test labels (.npy); with the run\'s data flags, merge retrains the partitions that more than two classes need (docs/spec.md §9.3)',
  })
    .option('--partitioning <file.npy>', 'with the data flags: the run\'s partition ids, if it gave them as a file', arg.text('--partitioning'))
    .option('--threads <n>', 'with the data flags: worker threads for the retraining (default: all cores)', arg.integer('--threads', 1))
    .option('--shard-key-file <file>', 'accept only shards authenticated with this shared key (or FLIPCERT_SHARD_KEY)', arg.text('--shard-key-file'))
    .option('--out <file>', 'write the JSON result here; - for standard output (the table then goes to stderr)', arg.text('--out'))
    .option('--plot <file.svg>', 'draw certified accuracy against the number of flips (SVG)', arg.text('--plot'))
    .option('--quiet', 'no notes, no summary table')
    .action(async (shards: string[], flags: MergeFlags) => runMerge(shards, flags, context));
}

/** True when a data flag names the run's data. */
function hasData(flags: DataFlags): boolean {
  return [flags.trainX, flags.trainY, flags.testX, flags.testY, flags.train, flags.test, flags.dataset].some((v) => v !== undefined);
}

async function runMerge(shards: string[], flags: MergeFlags, context: ErrorContext): Promise<void> {
  const withData = hasData(flags);
  if (!withData) {
    const stray = (['trainSize', 'testSize', 'partitioning', 'threads'] as const).find((f) => flags[f] !== undefined);
    if (stray !== undefined) {
      const flag = `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new FlipcertError(`${flag} applies with the run's data flags (--train-x …, --train/--test or --dataset)`, 'EUSAGE');
    }
  }
  checkOutputs(resultOutputs(flags), [
    ...shards.map((path) => ({ flag: 'shard', path })),
    { flag: '--shard-key-file', path: flags.shardKeyFile },
    ...(withData ? [...inputPaths(flags), { flag: '--partitioning', path: flags.partitioning }] : []),
  ]);
  const expect = { version: packageVersion(), key: await readShardKey(flags.shardKeyFile, process.env) };
  const merged = withData ? await mergeWithData(shards, expect, flags, context) : await mergeShards(shards, expect);
  const { result, source } = merged;
  const outputs = [];
  if (flags.plot !== undefined) outputs.push({ path: flags.plot, parts: [certificatePlot(result)] });
  if (flags.out !== undefined) outputs.push({ path: flags.out, parts: resultJsonPieces(result, source) });
  await writeOutputs(outputs);
  if (flags.quiet === true) return;
  if (merged.unrefined > 0) {
    const points = merged.unrefined === 1 ? '1 point is' : `${merged.unrefined} points are`;
    writeLines(process.stderr, `flipcert: note: ${points} open only because shards hold no weights (openReason "unrefined"); give merge the run's data flags to close them as one machine does`);
  }
  summaryStream(flags).write(formatSummaryTable(result) + '\n');
}

/** Reads the run's data and merges on the engine thread, retraining where the exact search needs it. */
async function mergeWithData(shards: string[], expect: ShardExpectation, flags: MergeFlags, context: ErrorContext): Promise<Merged> {
  context.flags = flagMap(dataFields(flags));
  const data = await loadData(flags);
  const partitioning = flags.partitioning === undefined ? undefined : await fromFlag('--partitioning', flags.partitioning, readNpyLabels);
  return mergeOnEngine({ kind: 'merge', paths: shards, expect, data: { train: data.train, test: data.test, partitioning, threads: flags.threads } });
}
