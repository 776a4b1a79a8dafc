#!/usr/bin/env node
// flipcert command line: a thin layer over the library API (src/index.ts).
import { Command, InvalidArgumentError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { certify, ntk } from './index.js';
import { FlipcertError } from './errors.js';
import { writeFileAtomic } from './data/atomic.js';
import { readNpyLabels, readNpyMatrix, writeNpy } from './data/npy.js';
import { loadData, type DataFlags } from './cli/inputs.js';
import { progressBar } from './cli/progress.js';
import { startServer } from './cli/serve.js';
import { resultJson } from './report/json.js';
import { resultPlotSvg } from './report/plot.js';
import { formatSummaryTable } from './report/table.js';
import type { Partitioning } from './types.js';

interface CertifyFlags extends DataFlags {
  model: 'krr' | 'svm';
  reg: number;
  svmC?: number;
  depth: number;
  wVar: number;
  bVar: number;
  classes?: number;
  partitions: number;
  partitioning: string;
  threads: number;
  blockSize?: number;
  witness?: boolean;
  out?: string;
  plot?: string;
  quiet?: boolean;
}

const program = new Command('flipcert')
  .description('Exact certificates against label-flipping poisoning for wide neural networks (NTK) and partition ensembles.')
  .showHelpAfterError();

program
  .command('certify')
  .description('train NTK models (one per partition) and certify every test point')
  .option('--train-x <file>', 'training features (.npy, rows × features)')
  .option('--train-y <file>', 'training labels (.npy, integers 0..C-1)')
  .option('--test-x <file>', 'test features (.npy)')
  .option('--test-y <file>', 'test labels (.npy), for accuracy and certified accuracy')
  .option('--train <file>', 'training CSV with a header; label column "label" or else the last one')
  .option('--test <file>', 'test CSV, same layout')
  .addOption(new Option('--dataset <name>', 'built-in data (used when no files are given)').choices(['mnist', 'mnist17']))
  .option('--train-size <n>', 'use the first N training rows', integer('--train-size', 1))
  .option('--test-size <m>', 'use the first M test rows', integer('--test-size', 1))
  .addOption(new Option('--model <kind>', 'base model').choices(['krr', 'svm']).default('krr'))
  .option('--reg <number>', 'relative ridge: λ̃ = reg · trace(K)/n (krr)', number('--reg'), 1)
  .option('--svm-c <C>', 'SVM C, checked against the small-C bound (svm)', number('--svm-c'))
  .option('--depth <n>', 'hidden ReLU layers of the network', integer('--depth', 1), 2)
  .option('--w-var <number>', 'weight variance W_std²', number('--w-var'), 2)
  .option('--b-var <number>', 'bias variance b_std²', number('--b-var'), 0)
  .option('--classes <C>', 'number of classes (default: 1 + largest label)', integer('--classes', 2))
  .option('--partitions <k>', 'number of partitions (ensemble size)', integer('--partitions', 1), 1)
  .option('--partitioning <rule>', 'hash, sorted, or a .npy file of partition ids per training row', 'hash')
  .option('--threads <n>', 'worker threads', integer('--threads', 1), availableParallelism())
  .option('--block-size <n>', 'test rows per block (memory bound)', integer('--block-size', 1))
  .option('--witness', 'add each point\'s witness flips to the JSON (single model)')
  .option('--out <file>', 'write the JSON result here')
  .option('--plot <file.svg>', 'draw certified accuracy against the number of flips')
  .option('--quiet', 'no progress bar and no summary table')
  .action(async (flags: CertifyFlags) => runCertify(flags));

program
  .command('kernel')
  .description('compute the NTK Gram matrix K(X, Y) and save it as .npy')
  .requiredOption('--x <file>', 'rows X (.npy)')
  .option('--y <file>', 'rows Y (.npy); default X')
  .option('--depth <n>', 'hidden ReLU layers', integer('--depth', 1), 2)
  .option('--w-var <number>', 'weight variance', number('--w-var'), 2)
  .option('--b-var <number>', 'bias variance', number('--b-var'), 0)
  .requiredOption('--out <file>', 'output .npy (float64, rows(X) × rows(Y))')
  .action(async (flags: { x: string; y?: string; depth: number; wVar: number; bVar: number; out: string }) => {
    const x = await readNpyMatrix(flags.x);
    const y = flags.y === undefined ? undefined : await readNpyMatrix(flags.y);
    const K = await ntk(x, y, { depth: flags.depth, wVar: flags.wVar, bVar: flags.bVar });
    await writeNpy(flags.out, K.data, [K.rows, K.cols]);
  });

program
  .command('serve')
  .description('serve the web app (dist/app/) on local HTTP; everything runs in the browser')
  .option('--port <n>', 'TCP port', integer('--port', 0), 8080)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .action(async (flags: { port: number; host: string }) => {
    const { url } = await startServer({ port: flags.port, host: flags.host });
    process.stdout.write(`flipcert: serving the web app at ${url} (Ctrl+C to stop)\n`);
  });

async function runCertify(flags: CertifyFlags): Promise<void> {
  const data = await loadData(flags);
  const partitioning = await resolvePartitioning(flags.partitioning);
  const quiet = flags.quiet === true;
  const bar = progressBar(!quiet);
  let result;
  try {
    result = await certify({
      train: data.train,
      test: data.test,
      model: flags.model,
      reg: flags.reg,
      svmC: flags.svmC,
      kernel: { depth: flags.depth, wVar: flags.wVar, bVar: flags.bVar },
      classes: flags.classes,
      partitions: flags.partitions,
      partitioning,
      threads: flags.threads,
      witness: flags.witness,
      blockSize: flags.blockSize,
      onProgress: bar.update,
    });
  } finally {
    bar.stop();
  }
  const json = resultJson(result, data.source);
  const svg = flags.plot === undefined ? undefined : plotOf(result);
  if (svg !== undefined) await writeFileAtomic(flags.plot!, svg);
  if (flags.out !== undefined) await writeFileAtomic(flags.out, json);
  if (!quiet) process.stdout.write(formatSummaryTable(result) + '\n');
}

function plotOf(result: Awaited<ReturnType<typeof certify>>): string {
  const svg = resultPlotSvg(result);
  if (svg === undefined) throw new FlipcertError('--plot needs test labels (--test-y, a CSV label column, or a built-in dataset)', 'EOPTION');
  return svg;
}

async function resolvePartitioning(rule: string): Promise<Partitioning> {
  if (rule === 'hash' || rule === 'sorted') return rule;
  if (rule.endsWith('.npy')) return readNpyLabels(rule);
  throw new FlipcertError(`--partitioning must be hash, sorted or a .npy file of ids, got ${rule}`, 'EOPTION');
}

function number(flag: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`${flag} must be a number, got "${text}"`);
    return value;
  };
}

function integer(flag: string, min: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\s*-?\d+\s*$/.test(text) || value < min) {
      throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}, got "${text}"`);
    }
    return value;
  };
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof FlipcertError) {
    process.stderr.write(`flipcert: error: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`flipcert: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(70);
});
