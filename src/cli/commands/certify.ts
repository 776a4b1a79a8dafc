// `flipcert certify`: train NTK models (one per partition) and certify every test
// point (docs/spec.md §4–§6); with --shard, only some partitions, into a shard file (§9).
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import type { CertifyOptions } from '../../certify/options.js';
import type { CertifyResult } from '../../certify/result.js';
import { readNpyLabels } from '../../data/npy.js';
import { FlipcertError } from '../../errors.js';
import { resultJsonPieces } from '../../report/json.js';
import { formatSummaryTable } from '../../report/table.js';
import { resolveShard } from '../../shard/assignment.js';
import type { ShardOutcome } from '../../shard/compute.js';
import type { Partitioning } from '../../types.js';
import type { ArgumentParsers } from '../arguments.js';
import { certifyOnEngine, shardOnEngine } from '../engine.js';
import { flagMap } from '../flags.js';
import { addDataFlags, addKernelFlags, dataFields, fromFlag, inputPaths, loadData, REPRESENT_HELP, type DataFlags, type KernelFlags, type LoadedData, type RepresentFlags } from '../inputs.js';
import { certificatePlot, checkOutputs, NEEDS_TEST_LABELS, resultOutputs, summaryStream, writeOutputs, type OutputSpec, type ResultFlags } from '../outputs.js';
import { formatProfile } from '../profile.js';
import { gramKernelGflops } from '../../kernel/calibrate.js';
import { createCore } from '../../wasm/core.js';
import { progressBar } from '../progress.js';
import type { ErrorContext } from '../report-error.js';
import { writeLines } from '../terminal-text.js';
import { packageVersion } from '../version.js';
import { readShardKey } from '../shard-key.js';

interface CertifyFlags extends DataFlags, KernelFlags, ResultFlags, RepresentFlags {
  model: 'krr' | 'svm';
  reg: number;
  svmC?: number;
  classes?: number;
  partitions: number;
  partitioning: string;
  threads: number;
  blockSize?: number;
  witness?: boolean;
  augment?: string;
  shard?: string;
  shardCount?: number;
  resume?: boolean;
  shardKeyFile?: string;
  profile?: boolean;
}

type RunFlags = CertifyFlags & { threadsGiven: boolean };

export function certifyCommand(program: Command, arg: ArgumentParsers, context: ErrorContext): void {
  const command = addDataFlags(program.command('certify').description('train NTK models (one per partition) and certify every test point'), arg)
    .option('--model <kind>', 'base model, krr or svm', arg.choice('--model', ['krr', 'svm']), 'krr')
    .option('--reg <number>', 'relative ridge: λ̃ = reg · trace(K)/n (krr)', arg.number('--reg'), 1)
    .option('--svm-c <C>', 'SVM C, checked against the small-C bound (svm)', arg.number('--svm-c'));
  addKernelFlags(command, arg)
    .option('--classes <C>', 'number of classes (default: 1 + largest training label)', arg.integer('--classes', 2))
    .option('--partitions <k>', 'number of partitions (ensemble size)', arg.integer('--partitions', 1), 1)
    .option('--partitioning <rule>', 'hash, sorted, or a .npy file of partition ids per training row', partitioningRule(arg), 'hash')
    .addOption(new Option('--threads <n>', 'worker threads').argParser(arg.integer('--threads', 1)).default(availableParallelism(), 'all cores'))
    .option('--block-size <n>', 'test rows per block (memory bound)', arg.integer('--block-size', 1))
    .option('--witness', 'add each point\'s witness flips to the JSON (ensembles: with partitions, re-voted)')
    .option('--augment <list>', 'train on augmented images: shift:R, hflip, rotate:DEG, comma-separated (docs/spec.md §10)', arg.text('--augment'))
    .option('--represent <spec>', REPRESENT_HELP, arg.text('--represent'))
    .option('--image-shape <HxWxC>', 'image shape of the features for --augment and scattering (default 28x28x1 for 784 features)', arg.imageShape('--image-shape'))
    .option('--out <file>', 'write the JSON result here; - for standard output (the table then goes to stderr)', arg.text('--out'))
    .option('--plot <file.svg>', 'draw certified accuracy against the number of flips (SVG)', arg.text('--plot'))
    .option('--quiet', 'no progress bar, no notes and no summary table')
    .option('--profile', 'print where the time went (CPU seconds per phase, wall time) on stderr')
    .option('--shard <I/N|auto>', 'compute only shard I of N (partitions p with p mod N = I) into --out file.fcshard; auto: from Slurm or Kubernetes', arg.text('--shard'))
    .option('--shard-count <N>', 'with --shard auto on Kubernetes: the number of shards (or FLIPCERT_SHARD_COUNT)', arg.integer('--shard-count', 1))
    .option('--resume', 'with --shard: skip the shard if --out already holds it, complete and verified')
    .option('--shard-key-file <file>', 'with --shard: authenticate the shard with this shared key (HMAC-SHA-256; or FLIPCERT_SHARD_KEY)', arg.text('--shard-key-file'))
    .action(async (flags: CertifyFlags, cmd: Command) => {
      await runCertify({ ...flags, threadsGiven: cmd.getOptionValueSource('threads') === 'cli' }, context);
    });
}

async function runCertify(flags: RunFlags, context: ErrorContext): Promise<void> {
  if (flags.shard !== undefined) return runShard({ ...flags, shard: flags.shard }, context);
  if (flags.resume) throw new FlipcertError('--resume applies to --shard runs only', 'EUSAGE');
  if (flags.shardCount !== undefined) throw new FlipcertError('--shard-count applies to --shard auto only', 'EUSAGE');
  if (flags.shardKeyFile !== undefined) throw new FlipcertError('--shard-key-file applies to --shard runs only', 'EUSAGE');
  const cpuAtStart = process.cpuUsage();
  const reading = performance.now();
  const { data, partitioning } = await readInputs(flags, resultOutputs(flags), context);
  const ioSeconds = (performance.now() - reading) / 1000;
  if (flags.plot !== undefined && data.test.y === undefined) throw new FlipcertError(NEEDS_TEST_LABELS, 'EUSAGE');
  const quiet = flags.quiet === true;
  const bar = progressBar(!quiet);
  let result: CertifyResult;
  try {
    result = await certifyOnEngine({ kind: 'certify', options: { ...certifyOptions(flags, data, partitioning), profile: flags.profile === true } }, bar.update);
  } finally {
    bar.stop();
  }
  const profile = result.profile;
  delete result.profile; // not part of the JSON file
  const used = result.summary.threads;
  if (!quiet && flags.threadsGiven && used < flags.threads) {
    const most = result.summary.partitions === 1 ? 'one per core' : 'one per partition and per core';
    writeLines(process.stderr, `flipcert: note: --threads ${flags.threads}: ran ${used} (at most ${most})`);
  }
  const outputs = [];
  if (flags.plot !== undefined) outputs.push({ path: flags.plot, parts: [certificatePlot(result)] });
  if (flags.out !== undefined) outputs.push({ path: flags.out, parts: resultJsonPieces(result, data.source) });
  await writeOutputs(outputs);
  if (!quiet) summaryStream(flags).write(formatSummaryTable(result) + '\n');
  if (profile) {
    // After the table, so that the two come in this order on a terminal.
    const cpu = process.cpuUsage(cpuAtStart);
    // After the run and outside its CPU time: the ceiling the phases' rates are compared with.
    const gram = gramKernelGflops(await createCore());
    process.stderr.write(formatProfile(profile, ioSeconds, (cpu.user + cpu.system) / 1e6, gram) + '\n');
  }
}

/** `certify --shard`: the shard's partitions only, into a .fcshard file (docs/spec.md §9). */
async function runShard(flags: RunFlags & { shard: string }, context: ErrorContext): Promise<void> {
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
  const key = await readShardKey(flags.shardKeyFile, process.env);
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
        key,
      },
      bar.update,
    );
  } finally {
    bar.stop();
  }
  if (!quiet && outcome.note !== undefined) writeLines(process.stderr, `flipcert: note: ${outcome.note}`);
  if (outcome.skipped) return;
  await writeOutputs([{ path: flags.out, parts: outcome.parts }]);
  if (!quiet) {
    const bytes = outcome.parts.reduce((sum, part) => sum + part.length, 0);
    writeLines(
      process.stdout,
      `flipcert: shard ${shard.index}/${shard.count}: ${outcome.partitions.length} of ${flags.partitions} partitions, ` +
        `${outcome.seconds.toFixed(1)} s → ${flags.out} (${bytes} bytes)`,
    );
  }
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
    represent: flags.represent,
    imageShape: flags.imageShape,
  };
}

function partitioningRule(arg: ArgumentParsers): (text: string) => string {
  const text = arg.text('--partitioning');
  return (value) => {
    const rule = text(value);
    if (rule === 'hash' || rule === 'sorted' || rule.endsWith('.npy')) return rule;
    throw new FlipcertError(`--partitioning must be hash, sorted or a .npy file of partition ids, got ${JSON.stringify(rule)}`, 'EUSAGE');
  };
}
