// `flipcert merge`: the shards of a run (certify --shard) → the single-machine run's outputs (docs/spec.md §9).
import type { Command } from 'commander';
import { resultJsonPieces } from '../../report/json.js';
import { formatSummaryTable } from '../../report/table.js';
import { mergeShards } from '../../shard/merge.js';
import type { ArgumentParsers } from '../arguments.js';
import { certificatePlot, checkOutputs, resultOutputs, summaryStream, writeOutputs, type ResultFlags } from '../outputs.js';
import type { ErrorContext } from '../report-error.js';

export function mergeCommand(program: Command, arg: ArgumentParsers, _context: ErrorContext): void {
  program
    .command('merge')
    .description('merge the shard files of a run (certify --shard) into the result of a single-machine run')
    .argument('<shards...>', 'the .fcshard files, in any order')
    .option('--out <file>', 'write the JSON result here; - for standard output (the table then goes to stderr)', arg.text('--out'))
    .option('--plot <file.svg>', 'draw certified accuracy against the number of flips (SVG)', arg.text('--plot'))
    .option('--quiet', 'no summary table')
    .action(async (shards: string[], flags: ResultFlags) => runMerge(shards, flags));
}

async function runMerge(shards: string[], flags: ResultFlags): Promise<void> {
  checkOutputs(resultOutputs(flags), shards.map((path) => ({ flag: 'shard', path })));
  const { result, source } = await mergeShards(shards);
  const outputs = [];
  if (flags.plot !== undefined) outputs.push({ path: flags.plot, parts: [certificatePlot(result)] });
  if (flags.out !== undefined) outputs.push({ path: flags.out, parts: resultJsonPieces(result, source) });
  await writeOutputs(outputs);
  if (flags.quiet !== true) summaryStream(flags).write(formatSummaryTable(result) + '\n');
}
