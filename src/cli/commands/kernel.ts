// `flipcert kernel`: the NTK Gram matrix K(X, Y) of docs/spec.md §2, saved as .npy.
import type { Command } from 'commander';
import { npyParts, readNpyMatrix } from '../../data/npy.js';
import type { ArgumentParsers } from '../arguments.js';
import { ntkOnEngine } from '../engine.js';
import { flagMap } from '../flags.js';
import { addKernelFlags, fromFlag, type KernelFlags } from '../inputs.js';
import { checkOutputs, checkRoom, writeOutputs } from '../outputs.js';
import type { ErrorContext } from '../report-error.js';

interface Flags extends KernelFlags {
  x: string;
  y?: string;
  out: string;
}

export function kernelCommand(program: Command, arg: ArgumentParsers, context: ErrorContext): void {
  const command = program
    .command('kernel')
    .description('compute the NTK Gram matrix K(X, Y) and save it as .npy')
    .requiredOption('--x <file>', 'rows X (.npy)', arg.text('--x'))
    .option('--y <file>', 'rows Y (.npy); default X', arg.text('--y'));
  addKernelFlags(command, arg)
    .requiredOption('--out <file>', 'output .npy (float64, rows(X) × rows(Y))', arg.text('--out'))
    .action(async (flags: Flags) => runKernel(flags, context));
}

async function runKernel(flags: Flags, context: ErrorContext): Promise<void> {
  checkOutputs([{ flag: '--out', path: flags.out }], [{ flag: '--x', path: flags.x }, { flag: '--y', path: flags.y }]);
  context.flags = flagMap();
  context.words = { x1: `--x ${flags.x}`, x2: `--y ${flags.y ?? flags.x}` };
  const x = await fromFlag('--x', flags.x, readNpyMatrix);
  const y = flags.y === undefined ? undefined : await fromFlag('--y', flags.y, readNpyMatrix);
  checkRoom('--out', flags.out, 8 * x.rows * (y ?? x).rows + 128); // float64 values and the header
  const K = await ntkOnEngine({ kind: 'ntk', x, y, kernel: { depth: flags.depth, wVar: flags.wVar, bVar: flags.bVar } });
  await writeOutputs([{ path: flags.out, parts: npyParts(K.data, [K.rows, K.cols]) }]);
}
