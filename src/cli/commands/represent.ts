// `flipcert represent`: the rows in a label-free representation (docs/spec.md §13),
// saved as .npy, so that certify on those files gives the certificates of
// `certify --represent` (with --ids-out: the same hash partitions as well).
import type { Command } from 'commander';
import { npyParts } from '../../data/npy.js';
import { FlipcertError } from '../../errors.js';
import type { ArgumentParsers } from '../arguments.js';
import { representOnEngine } from '../engine.js';
import { flagMap } from '../flags.js';
import { addDataFlags, dataFields, inputPaths, loadRows, type DataFlags } from '../inputs.js';
import { checkOutputs, checkRoom, writeOutputs, type OutputSpec } from '../outputs.js';
import { representBar } from '../progress.js';
import type { ErrorContext } from '../report-error.js';
import { writeLines } from '../terminal-text.js';

interface RepresentFlags extends DataFlags {
  represent: string;
  imageShape?: [number, number, number];
  trainOut?: string;
  testOut?: string;
  partitions?: number;
  idsOut?: string;
  quiet?: boolean;
}

export function representCommand(program: Command, arg: ArgumentParsers, context: ErrorContext): void {
  const command = program
    .command('represent')
    .description('write the rows in a label-free representation as .npy (certify on them = certify --represent)');
  addDataFlags(command, arg, { trainY: 'not accepted: represent never reads labels', testY: 'not accepted: represent never reads labels' })
    .requiredOption('--represent <spec>', "stages joined by '+', e.g. scattering+log+pca+spectral (docs/spec.md §13)", arg.text('--represent'))
    .option('--image-shape <HxWxC>', 'image shape of the features for scattering (default 28x28x1 for 784 features)', arg.imageShape('--image-shape'))
    .option('--train-out <file.npy>', "the training rows' representation (float64, rows × dims)", arg.text('--train-out'))
    .option('--test-out <file.npy>', "the test rows' representation (float64, rows × dims)", arg.text('--test-out'))
    .option('--partitions <k>', 'with --ids-out: the number of hash partitions', arg.integer('--partitions', 1))
    .option('--ids-out <file.npy>', "each training row's hash partition (int32), for certify --partitioning", arg.text('--ids-out'))
    .option('--quiet', 'no progress bar and no summary line')
    .action(async (flags: RepresentFlags) => runRepresent(flags, context));
}

async function runRepresent(flags: RepresentFlags, context: ErrorContext): Promise<void> {
  if (flags.trainOut === undefined && flags.testOut === undefined) throw new FlipcertError('represent needs --train-out and/or --test-out', 'EUSAGE');
  if ((flags.idsOut === undefined) !== (flags.partitions === undefined)) throw new FlipcertError('--ids-out and --partitions go together', 'EUSAGE');
  const outputs: OutputSpec[] = (
    [
      ['--train-out', flags.trainOut],
      ['--test-out', flags.testOut],
      ['--ids-out', flags.idsOut],
    ] as const
  ).flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path, extension: '.npy' }]));
  checkOutputs(outputs, inputPaths(flags));
  context.flags = flagMap(rowFields(flags));
  const rows = await loadRows(flags);
  if (flags.testOut !== undefined && rows.test === undefined) throw new FlipcertError('--test-out needs test rows (--test-x)', 'EUSAGE');
  const quiet = flags.quiet === true;
  const bar = representBar(!quiet);
  let result;
  try {
    result = await representOnEngine(
      {
        kind: 'represent',
        options: {
          train: { x: rows.train },
          test: rows.test && flags.testOut !== undefined ? { x: rows.test } : undefined,
          represent: flags.represent,
          imageShape: flags.imageShape,
          partitions: flags.partitions,
        },
      },
      bar.update,
    );
  } finally {
    bar.stop();
  }
  const files = [];
  if (flags.trainOut !== undefined) files.push({ path: flags.trainOut, parts: npyParts(result.train.data, [result.train.rows, result.train.cols]) });
  if (flags.testOut !== undefined && result.test) files.push({ path: flags.testOut, parts: npyParts(result.test.data, [result.test.rows, result.test.cols]) });
  if (flags.idsOut !== undefined && result.partitionIds) files.push({ path: flags.idsOut, parts: npyParts(result.partitionIds, [result.partitionIds.length]) });
  for (const file of files) checkRoom(outputs.find((o) => o.path === file.path)!.flag, file.path, file.parts.reduce((sum, p) => sum + p.length, 0));
  await writeOutputs(files);
  if (!quiet) {
    writeLines(
      process.stdout,
      `flipcert: ${result.spec}: ${result.train.rows} training${result.test ? ` and ${result.test.rows} test` : ''} rows → ` +
        `${result.train.cols} dimensions in ${result.seconds.toFixed(1)} s`,
    );
  }
}

/** How the user gave each API field, with the rows' names (represent's options have no labels). */
function rowFields(flags: RepresentFlags): Record<string, string> {
  const fields = dataFields(flags);
  return { ...fields, 'train.x': fields['train.x'] ?? fields.train ?? '--train-x', 'test.x': fields['test.x'] ?? fields.test ?? '--test-x' };
}
