// `flipcert validate`: train finite ReLU networks whose NTK is the kernel and check
// the certificate on them (docs/spec.md §12).
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { jsonText } from '../../report/json.js';
import { formatValidateTable } from '../../report/validate-table.js';
import { validatePlotSvg } from '../../report/validate-plot.js';
import type { ValidateResult } from '../../validate/result.js';
import type { ArgumentParsers } from '../arguments.js';
import { validateOnEngine } from '../engine.js';
import { flagMap } from '../flags.js';
import { addDataFlags, addKernelFlags, dataFields, inputPaths, loadData, REPRESENT_HELP, type DataFlags, type KernelFlags, type RepresentFlags } from '../inputs.js';
import { checkOutputs, resultOutputs, summaryStream, writeOutputs, type ResultFlags } from '../outputs.js';
import { trainingBar } from '../progress.js';
import type { ErrorContext } from '../report-error.js';

/** `validate` on the built-in data without sizes: the README example's (the full data set would not fit). */
const VALIDATE_TRAIN_SIZE = 200;
const VALIDATE_TEST_SIZE = 20;

interface ValidateFlags extends DataFlags, KernelFlags, ResultFlags, RepresentFlags {
  model: 'krr' | 'svm';
  reg: number;
  classes?: number;
  partitions: number;
  threads: number;
  widths?: number[];
  seeds?: number;
  seed?: number;
  gradTol?: number;
  stepTol?: number;
  maxIterations?: number;
}

export function validateCommand(program: Command, arg: ArgumentParsers, context: ErrorContext): void {
  const command = program
    .command('validate')
    .description('train finite ReLU networks whose NTK is the kernel, and check the certificate on them (docs/spec.md §12)');
  addDataFlags(command, arg, {
    testY: 'test labels (.npy), for the NTK model\'s accuracy',
    trainSize: `use the first N training rows (default with --dataset: ${VALIDATE_TRAIN_SIZE}; files: all)`,
    testSize: `use the first M test rows (default with --dataset: ${VALIDATE_TEST_SIZE}; files: all)`,
  })
    .option('--model <kind>', 'base model; only krr (the network trained on squared loss)', arg.choice('--model', ['krr', 'svm']), 'krr')
    .option('--reg <number>', 'relative ridge: λ̃ = reg · trace(K)/n, for the NTK model and the networks', arg.number('--reg'), 1);
  addKernelFlags(command, arg)
    .option('--classes <C>', 'number of classes (default: 1 + largest training label)', arg.integer('--classes', 2))
    .option('--partitions <k>', 'only 1: the single model\'s certificate is checked', arg.integer('--partitions', 1), 1)
    .option('--represent <spec>', REPRESENT_HELP, arg.text('--represent'))
    .option('--image-shape <HxWxC>', 'image shape of the features for scattering (default 28x28x1 for 784 features)', arg.imageShape('--image-shape'))
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
}

async function runValidate(flags: ValidateFlags, context: ErrorContext): Promise<void> {
  checkOutputs(resultOutputs(flags), inputPaths(flags));
  context.flags = flagMap(dataFields(flags));
  const data = await loadData(withValidateSizes(flags));
  const quiet = flags.quiet === true;
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
          represent: flags.represent,
          imageShape: flags.imageShape,
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
    outputs.push({ path: flags.out, parts: jsonText({ ...result, config: { ...result.config, source: data.source } }) });
  }
  await writeOutputs(outputs);
  if (!quiet) summaryStream(flags).write(formatValidateTable(result) + '\n');
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
