#!/usr/bin/env node
// flipcert command line: a thin layer over the library API (src/index.ts).
// Usage errors exit 2 with one error line and one hint line; library errors are
// restated with flags instead of API fields (src/cli/report-error.ts).
import { Command, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { FlipcertError } from './errors.js';
import { npyParts, readNpyLabels, readNpyMatrix } from './data/npy.js';
import { ArgumentParsers } from './cli/arguments.js';
import { certifyOnEngine, isEngineWorker, ntkOnEngine, runEngineWorker, shardOnEngine, validateOnEngine } from './cli/engine.js';
import { flagMap } from './cli/flags.js';
import { dataFields, fromFlag, inputPaths, loadData, type DataFlags, type LoadedData } from './cli/inputs.js';
import type { CertifyOptions } from './options.js';
import { checkOutputs, STDOUT, writeOutputs, type OutputSpec } from './cli/outputs.js';
import { formatProfile } from './cli/profile.js';
import { progressBar, trainingBar } from './cli/progress.js';
import { reportError, type ErrorContext } from './cli/report-error.js';
import { installExitHandlers } from './cli/signals.js';
import { packageVersion } from './cli/version.js';
import { startServer } from './cli/serve.js';
import { resultJson } from './report/json.js';
import { resultPlotSvg } from './report/plot.js';
import { formatSummaryTable } from './report/table.js';
import { validatePlotSvg } from './report/validate-plot.js';
import { formatValidateTable } from './report/validate-table.js';
import type { ValidateResult } from './finite/validate-result.js';
import type { CertifyResult } from './result.js';
import { resolveShard } from './shard/assignment.js';
import type { ShardOutcome } from './shard/compute.js';
import { mergeShards } from './shard/merge.js';
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
  augment?: string;
  imageShape?: [number, number, number];
  out?: string;
  plot?: string;
  quiet?: boolean;
  shard?: string;
  shardCount?: number;
  resume?: boolean;
  profile?: boolean;
}

/** `validate` on the built-in data without sizes: the README example's (the full data set would not fit). */
const VALIDATE_TRAIN_SIZE = 200;
const VALIDATE_TEST_SIZE = 20;

interface ValidateFlags extends DataFlags {
  model: 'krr' | 'svm';
  reg: number;
  depth: number;
  wVar: number;
  bVar: number;
  classes?: number;
  partitions: number;
  threads: number;
  widths?: number[];
  seeds?: number;
  seed?: number;
  gradTol?: number;
  stepTol?: number;
  maxIterations?: number;
  out?: string;
  plot?: string;
  quiet?: boolean;
}

interface MergeFlags {
  out?: string;
  plot?: string;
  quiet?: boolean;
}

interface KernelFlags {
  x: string;
  y?: string;
  depth: number;
  wVar: number;
  bVar: number;
  out: string;
}

function buildProgram(context: ErrorContext): Command {
  const arg = new ArgumentParsers();
  const program = new Command('flipcert')
    .description('Exact certificates against label-flipping poisoning for wide neural networks (NTK) and partition ensembles.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Errors are printed by reportError as one line plus a hint, not by commander with the whole help.
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .hook('preSubcommand', (_, sub) => {
      context.command = sub.name();
    });

  program
    .command('certify')
    .description('train NTK models (one per partition) and certify every test point')
    .option('--train-x <file>', 'training features (.npy, rows × features)', arg.text('--train-x'))
    .option('--train-y <file>', 'training labels (.npy, integers 0..C-1)', arg.text('--train-y'))
    .option('--test-x <file>', 'test features (.npy)', arg.text('--test-x'))
    .option('--test-y <file>', 'test labels (.npy), for accuracy and certified accuracy', arg.text('--test-y'))
    .option('--train <file>', 'training CSV with a header; label column "label" or else the last one', arg.text('--train'))
    .option('--test <file>', 'test CSV; columns matched to the training ones by name, label column optional', arg.text('--test'))
    .option('--dataset <name>', 'built-in data, mnist or mnist17 (used when no files are given)', arg.choice('--dataset', ['mnist', 'mnist17']))
    .option('--train-size <n>', 'use the first N training rows', arg.integer('--train-size', 1))
    .option('--test-size <m>', 'use the first M test rows', arg.integer('--test-size', 1))
    .option('--model <kind>', 'base model, krr or svm', arg.choice('--model', ['krr', 'svm']), 'krr')
    .option('--reg <number>', 'relative ridge: λ̃ = reg · trace(K)/n (krr)', arg.number('--reg'), 1)
    .option('--svm-c <C>', 'SVM C, checked against the small-C bound (svm)', arg.number('--svm-c'))
    .option('--depth <n>', 'hidden ReLU layers of the network', arg.integer('--depth', 1), 2)
    .option('--w-var <number>', 'weight variance W_std²', arg.number('--w-var'), 2)
    .option('--b-var <number>', 'bias variance b_std²', arg.number('--b-var'), 0)
    .option('--classes <C>', 'number of classes (default: 1 + largest training label)', arg.integer('--classes', 2))
    .option('--partitions <k>', 'number of partitions (ensemble size)', arg.integer('--partitions', 1), 1)
    .option('--partitioning <rule>', 'hash, sorted, or a .npy file of partition ids per training row', partitioningRule(arg), 'hash')
    .addOption(new Option('--threads <n>', 'worker threads').argParser(arg.integer('--threads', 1)).default(availableParallelism(), 'all cores'))
    .option('--block-size <n>', 'test rows per block (memory bound)', arg.integer('--block-size', 1))
    .option('--witness', 'add each point\'s witness flips to the JSON (ensembles: with partitions, re-voted)')
    .option('--augment <list>', 'train on augmented images: shift:R, hflip, rotate:DEG, comma-separated (docs/spec.md §10)', arg.text('--augment'))
    .option('--image-shape <HxWxC>', 'image shape of the features for --augment (default 28x28x1 for 784 features)', arg.imageShape('--image-shape'))
    .option('--out <file>', 'write the JSON result here; - for standard output (the table then goes to stderr)', arg.text('--out'))
    .option('--plot <file.svg>', 'draw certified accuracy against the number of flips (SVG)', arg.text('--plot'))
    .option('--quiet', 'no progress bar, no notes and no summary table')
    .option('--profile', 'print where the time went (CPU seconds per phase, wall time) on stderr')
    .option('--shard <I/N|auto>', 'compute only shard I of N (partitions p with p mod N = I) into --out file.fcshard; auto: from Slurm or Kubernetes', arg.text('--shard'))
    .option('--shard-count <N>', 'with --shard auto on Kubernetes: the number of shards (or FLIPCERT_SHARD_COUNT)', arg.integer('--shard-count', 1))
    .option('--resume', 'with --shard: skip the shard if --out already holds it, complete and verified')
    .action(async (flags: CertifyFlags, command: Command) => {
      await runCertify({ ...flags, threadsGiven: command.getOptionValueSource('threads') === 'cli' }, context);
    });

  program
    .command('validate')
    .description('train finite ReLU networks whose NTK is the kernel, and check the certificate on them (docs/spec.md §12)')
    .option('--train-x <file>', 'training features (.npy, rows × features)', arg.text('--train-x'))
    .option('--train-y <file>', 'training labels (.npy, integers 0..C-1)', arg.text('--train-y'))
    .option('--test-x <file>', 'test features (.npy)', arg.text('--test-x'))
    .option('--test-y <file>', 'test labels (.npy), for the NTK model\'s accuracy', arg.text('--test-y'))
    .option('--train <file>', 'training CSV with a header; label column "label" or else the last one', arg.text('--train'))
    .option('--test <file>', 'test CSV; columns matched to the training ones by name, label column optional', arg.text('--test'))
    .option('--dataset <name>', 'built-in data, mnist or mnist17 (used when no files are given)', arg.choice('--dataset', ['mnist', 'mnist17']))
    .option('--train-size <n>', `use the first N training rows (default with --dataset: ${VALIDATE_TRAIN_SIZE}; files: all)`, arg.integer('--train-size', 1))
    .option('--test-size <m>', `use the first M test rows (default with --dataset: ${VALIDATE_TEST_SIZE}; files: all)`, arg.integer('--test-size', 1))
    .option('--model <kind>', 'base model; only krr (the network trained on squared loss)', arg.choice('--model', ['krr', 'svm']), 'krr')
    .option('--reg <number>', 'relative ridge: λ̃ = reg · trace(K)/n, for the NTK model and the networks', arg.number('--reg'), 1)
    .option('--depth <n>', 'hidden ReLU layers of the network', arg.integer('--depth', 1), 2)
    .option('--w-var <number>', 'weight variance W_std²', arg.number('--w-var'), 2)
    .option('--b-var <number>', 'bias variance b_std²', arg.number('--b-var'), 0)
    .option('--classes <C>', 'number of classes (default: 1 + largest training label)', arg.integer('--classes', 2))
    .option('--partitions <k>', 'only 1: the single model\'s certificate is checked', arg.integer('--partitions', 1), 1)
    .option('--widths <list>', 'hidden widths, comma-separated (default 256,1024,4096)', arg.integers('--widths', 1))
    .option('--seeds <n>', 'initialisations per width (default 2)', arg.integer('--seeds', 1))
    .option('--seed <n>', 'first seed (default 0)', arg.integer('--seed', 0))
    .option('--grad-tol <number>', 'stop training when the gradient norm falls below this fraction of its initial value (default 1e-6)', arg.number('--grad-tol'))
    .option('--step-tol <number>', 'also stop when a step moves the training outputs by at most this fraction of ‖Y‖ (default 1e-2; 0: never)', arg.number('--step-tol'))
    .option('--max-iterations <n>', 'most Gauss–Newton iterations per training (default 50)', arg.integer('--max-iterations', 1))
    .addOption(new Option('--threads <n>', 'worker threads for the trainings').argParser(arg.integer('--threads', 1)).default(availableParallelism(), 'all cores'))
    .option('--out <file>', 'write the JSON result here; - for standard output (the table then goes to stderr)', arg.text('--out'))
    .option('--plot <file.svg>', 'draw agreement, tightness and violations against the width (SVG)', arg.text('--plot'))
    .option('--quiet', 'no progress bar and no table')
    .action(async (flags: ValidateFlags) => runValidate(flags, context));

  program
    .command('merge')
    .description('merge the shard files of a run (certify --shard) into the result of a single-machine run')
    .argument('<shards...>', 'the .fcshard files, in any order')
    .option('--out <file>', 'write the JSON result here; - for standard output (the table then goes to stderr)', arg.text('--out'))
    .option('--plot <file.svg>', 'draw certified accuracy against the number of flips (SVG)', arg.text('--plot'))
    .option('--quiet', 'no summary table')
    .action(async (shards: string[], flags: MergeFlags) => runMerge(shards, flags));

  program
    .command('kernel')
    .description('compute the NTK Gram matrix K(X, Y) and save it as .npy')
    .requiredOption('--x <file>', 'rows X (.npy)', arg.text('--x'))
    .option('--y <file>', 'rows Y (.npy); default X', arg.text('--y'))
    .option('--depth <n>', 'hidden ReLU layers', arg.integer('--depth', 1), 2)
    .option('--w-var <number>', 'weight variance', arg.number('--w-var'), 2)
    .option('--b-var <number>', 'bias variance', arg.number('--b-var'), 0)
    .requiredOption('--out <file>', 'output .npy (float64, rows(X) × rows(Y))', arg.text('--out'))
    .action(async (flags: KernelFlags) => runKernel(flags, context));

  program
    .command('serve')
    .description('serve the web app (dist/app/) on local HTTP; everything runs in the browser')
    .option('--port <n>', 'TCP port (0: any free port)', arg.integer('--port', 0), 8080)
    .option('--host <address>', 'address to listen on', arg.text('--host'), '127.0.0.1')
    .action(async (flags: { port: number; host: string }) => {
      const { url } = await startServer({ port: flags.port, host: flags.host });
      process.stdout.write(`flipcert: serving the web app at ${url} (Ctrl+C to stop)\n`);
    });

  return program;
}

async function runKernel(flags: KernelFlags, context: ErrorContext): Promise<void> {
  checkOutputs([{ flag: '--out', path: flags.out }], [{ flag: '--x', path: flags.x }, { flag: '--y', path: flags.y }]);
  context.flags = flagMap();
  context.words = { x1: `--x ${flags.x}`, x2: `--y ${flags.y ?? flags.x}` };
  const x = await fromFlag('--x', flags.x, readNpyMatrix);
  const y = flags.y === undefined ? undefined : await fromFlag('--y', flags.y, readNpyMatrix);
  const K = await ntkOnEngine({ kind: 'ntk', x, y, kernel: { depth: flags.depth, wVar: flags.wVar, bVar: flags.bVar } });
  await writeOutputs([{ path: flags.out, parts: npyParts(K.data, [K.rows, K.cols]) }]);
}

async function runCertify(flags: CertifyFlags & { threadsGiven: boolean }, context: ErrorContext): Promise<void> {
  if (flags.shard !== undefined) return runShard({ ...flags, shard: flags.shard }, context);
  if (flags.resume) throw new FlipcertError('--resume applies to --shard runs only', 'EUSAGE');
  if (flags.shardCount !== undefined) throw new FlipcertError('--shard-count applies to --shard auto only', 'EUSAGE');
  const outputSpecs: OutputSpec[] = [
    { flag: '--out', path: flags.out, stdout: true },
    { flag: '--plot', path: flags.plot, extension: '.svg' },
  ];
  const cpuAtStart = process.cpuUsage();
  const reading = performance.now();
  const { data, partitioning } = await readInputs(flags, outputSpecs, context);
  const ioSeconds = (performance.now() - reading) / 1000;
  if (flags.plot !== undefined && data.test.y === undefined) {
    throw new FlipcertError('--plot needs test labels (--test-y, a label column in the test CSV, or a built-in dataset)', 'EUSAGE');
  }
  const quiet = flags.quiet === true;
  // With the JSON on standard output, everything else a person reads goes to stderr.
  const console = flags.out === STDOUT ? process.stderr : process.stdout;
  const bar = progressBar(!quiet);
  let result: CertifyResult;
  try {
    result = await certifyOnEngine(
      {
        kind: 'certify',
        options: { ...certifyOptions(flags, data, partitioning), profile: flags.profile === true },
      },
      bar.update,
    );
  } finally {
    bar.stop();
  }
  const profile = result.profile;
  delete result.profile; // not part of the JSON file
  const used = result.summary.threads;
  if (!quiet && flags.threadsGiven && used < flags.threads) {
    const most = result.summary.partitions === 1 ? 'one per core' : 'one per partition and per core';
    process.stderr.write(`flipcert: note: --threads ${flags.threads}: ran ${used} (at most ${most})\n`);
  }
  const outputs = [];
  if (flags.plot !== undefined) outputs.push({ path: flags.plot, parts: [plotOf(result)] });
  if (flags.out !== undefined) outputs.push({ path: flags.out, parts: [resultJson(result, data.source)] });
  await writeOutputs(outputs);
  if (!quiet) console.write(formatSummaryTable(result) + '\n');
  if (profile) {
    // After the table, so that the two come in this order on a terminal.
    const cpu = process.cpuUsage(cpuAtStart);
    process.stderr.write(formatProfile(profile, ioSeconds, (cpu.user + cpu.system) / 1e6) + '\n');
  }
}

/** `certify --shard`: the shard's partitions only, into a .fcshard file (docs/spec.md §9). */
async function runShard(flags: CertifyFlags & { threadsGiven: boolean; shard: string }, context: ErrorContext): Promise<void> {
  const shard = resolveShard(flags.shard, process.env, flags.shardCount);
  if (flags.partitions < 2) {
    throw new FlipcertError('--shard needs an ensemble (--partitions k ≥ 2): a single model is one task and cannot be split', 'EUSAGE');
  }
  if (shard.count > flags.partitions) {
    throw new FlipcertError(`--shard ${flags.shard}: ${shard.count} shards for ${flags.partitions} partitions would leave some empty; use at most ${flags.partitions} shards`, 'EUSAGE');
  }
  if (flags.profile) throw new FlipcertError('--profile applies to whole runs, not to --shard', 'EUSAGE');
  if (flags.plot !== undefined) throw new FlipcertError('--plot applies to whole runs; with --shard, plot at the merge (flipcert merge … --plot)', 'EUSAGE');
  if (flags.out === undefined) throw new FlipcertError('--shard needs --out file.fcshard', 'EUSAGE');
  const { data, partitioning } = await readInputs(flags, [{ flag: '--out', path: flags.out, extension: '.fcshard' }], context);
  const quiet = flags.quiet === true;
  const bar = progressBar(!quiet);
  let outcome: ShardOutcome;
  try {
    outcome = await shardOnEngine(
      {
        kind: 'shard',
        options: certifyOptions(flags, data, partitioning),
        shard,
        out: flags.out,
        resume: flags.resume === true,
        source: data.source,
        version: packageVersion(),
      },
      bar.update,
    );
  } finally {
    bar.stop();
  }
  if (!quiet && outcome.note !== undefined) process.stderr.write(`flipcert: note: ${outcome.note}\n`);
  if (outcome.skipped) return;
  await writeOutputs([{ path: flags.out, parts: outcome.parts }]);
  if (!quiet) {
    const bytes = outcome.parts.reduce((sum, part) => sum + part.length, 0);
    process.stdout.write(
      `flipcert: shard ${shard.index}/${shard.count}: ${outcome.partitions.length} of ${flags.partitions} partitions, ` +
        `${outcome.seconds.toFixed(1)} s → ${flags.out} (${bytes} bytes)\n`,
    );
  }
}

/** `validate`: the finite networks against the certificate (docs/spec.md §12). */
async function runValidate(flags: ValidateFlags, context: ErrorContext): Promise<void> {
  const outputSpecs: OutputSpec[] = [
    { flag: '--out', path: flags.out, stdout: true },
    { flag: '--plot', path: flags.plot, extension: '.svg' },
  ];
  checkOutputs(outputSpecs, inputPaths(flags));
  context.flags = flagMap(dataFields(flags));
  const data = await loadData(withValidateSizes(flags));
  const quiet = flags.quiet === true;
  const console = flags.out === STDOUT ? process.stderr : process.stdout;
  const bar = trainingBar(!quiet);
  let result: ValidateResult;
  try {
    result = await validateOnEngine(
      {
        kind: 'validate',
        options: {
          train: data.train,
          test: data.test,
          model: flags.model,
          reg: flags.reg,
          kernel: { depth: flags.depth, wVar: flags.wVar, bVar: flags.bVar },
          classes: flags.classes,
          partitions: flags.partitions,
          widths: flags.widths,
          seeds: flags.seeds,
          seed: flags.seed,
          gradTol: flags.gradTol,
          stepTol: flags.stepTol,
          maxIterations: flags.maxIterations,
          threads: flags.threads,
        },
      },
      bar.update,
    );
  } finally {
    bar.stop();
  }
  const outputs = [];
  if (flags.plot !== undefined) outputs.push({ path: flags.plot, parts: [validatePlotSvg(result)] });
  if (flags.out !== undefined) {
    outputs.push({ path: flags.out, parts: [JSON.stringify({ ...result, config: { ...result.config, source: data.source } }, null, 1) + '\n'] });
  }
  await writeOutputs(outputs);
  if (!quiet) console.write(formatValidateTable(result) + '\n');
}

/**
 * The built-in data (no files given) defaults to the README example's sizes:
 * every network training costs O(n²·C²) memory and more, so all of MNIST would
 * not fit. Files keep all their rows unless sized.
 */
function withValidateSizes(flags: ValidateFlags): ValidateFlags {
  const files = [flags.trainX, flags.trainY, flags.testX, flags.testY, flags.train, flags.test].some((f) => f !== undefined);
  if (files) return flags;
  return { ...flags, trainSize: flags.trainSize ?? VALIDATE_TRAIN_SIZE, testSize: flags.testSize ?? VALIDATE_TEST_SIZE };
}

/** `merge`: the shards of a run → the single-machine run's outputs. */
async function runMerge(shards: string[], flags: MergeFlags): Promise<void> {
  checkOutputs(
    [
      { flag: '--out', path: flags.out, stdout: true },
      { flag: '--plot', path: flags.plot, extension: '.svg' },
    ],
    shards.map((path) => ({ flag: 'shard', path })),
  );
  const { result, source } = await mergeShards(shards);
  const outputs = [];
  if (flags.plot !== undefined) outputs.push({ path: flags.plot, parts: [plotOf(result)] });
  if (flags.out !== undefined) outputs.push({ path: flags.out, parts: [resultJson(result, source)] });
  await writeOutputs(outputs);
  if (flags.quiet !== true) (flags.out === STDOUT ? process.stderr : process.stdout).write(formatSummaryTable(result) + '\n');
}

/**
 * Checks the outputs against the inputs (before any work), then reads the data
 * and the partitioning; library errors will name the files as flags.
 */
async function readInputs(flags: CertifyFlags, outputs: OutputSpec[], context: ErrorContext): Promise<{ data: LoadedData; partitioning: Partitioning }> {
  const partitioningFile = flags.partitioning.endsWith('.npy') ? flags.partitioning : undefined;
  checkOutputs(outputs, [...inputPaths(flags), { flag: '--partitioning', path: partitioningFile }]);
  context.flags = flagMap({ ...dataFields(flags), ...(partitioningFile ? { partitioning: `--partitioning ${partitioningFile}` } : {}) });
  const data = await loadData(flags);
  const partitioning: Partitioning =
    partitioningFile === undefined ? (flags.partitioning as 'hash' | 'sorted') : await fromFlag('--partitioning', partitioningFile, readNpyLabels);
  return { data, partitioning };
}

/** The library's options for the flags and the data read. */
function certifyOptions(flags: CertifyFlags, data: LoadedData, partitioning: Partitioning): Omit<CertifyOptions, 'onProgress'> {
  return {
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
    augment: flags.augment,
    imageShape: flags.imageShape,
  };
}

function plotOf(result: CertifyResult): string {
  const svg = resultPlotSvg(result);
  if (svg === undefined) throw new FlipcertError('--plot needs test labels (--test-y, a label column in the test CSV, or a built-in dataset)', 'EUSAGE');
  return svg;
}

function partitioningRule(arg: ArgumentParsers): (text: string) => string {
  const text = arg.text('--partitioning');
  return (value) => {
    const rule = text(value);
    if (rule === 'hash' || rule === 'sorted' || rule.endsWith('.npy')) return rule;
    throw new FlipcertError(`--partitioning must be hash, sorted or a .npy file of partition ids, got ${JSON.stringify(rule)}`, 'EUSAGE');
  };
}

async function main(): Promise<void> {
  installExitHandlers();
  const context: ErrorContext = { flags: flagMap() };
  try {
    await buildProgram(context).parseAsync(process.argv);
  } catch (error) {
    process.exit(reportError(error, context));
  }
}

if (isEngineWorker()) void runEngineWorker();
else void main();
