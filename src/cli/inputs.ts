/**
 * The data flags, declared once for every command that reads data (certify,
 * validate), and the data they name: .npy files, CSV files or a built-in
 * dataset, read and cut to --train-size/--test-size.
 */
import type { Command } from 'commander';
import { FlipcertError } from '../errors.js';
import type { ArgumentParsers } from './arguments.js';
import { readCsvPair } from '../data/csv-file.js';
import { loadMnist } from '../data/mnist.js';
import { readNpyLabels, readNpyMatrix } from '../data/npy.js';
import type { Matrix } from '../types.js';
import { toLabels } from '../checks/labels.js';

export interface DataFlags {
  trainX?: string;
  trainY?: string;
  testX?: string;
  testY?: string;
  train?: string;
  test?: string;
  dataset?: string;
  trainSize?: number;
  testSize?: number;
}

/** The kernel flags of docs/spec.md §2 (certify, validate, kernel). */
export interface KernelFlags {
  depth: number;
  wVar: number;
  bVar: number;
}

/** What a command may say differently in its data flags' help. */
export interface DataFlagHelp {
  trainY?: string;
  testY?: string;
  trainSize?: string;
  testSize?: string;
}

/** Declares the data flags on `command`. */
export function addDataFlags(command: Command, arg: ArgumentParsers, help: DataFlagHelp = {}): Command {
  return command
    .option('--train-x <file>', 'training features (.npy, rows × features)', arg.text('--train-x'))
    .option('--train-y <file>', help.trainY ?? 'training labels (.npy, integers 0..C-1)', arg.text('--train-y'))
    .option('--test-x <file>', 'test features (.npy)', arg.text('--test-x'))
    .option('--test-y <file>', help.testY ?? 'test labels (.npy), for accuracy and certified accuracy', arg.text('--test-y'))
    .option('--train <file>', 'training CSV with a header; label column "label" or else the last one', arg.text('--train'))
    .option('--test <file>', 'test CSV; columns matched to the training ones by name, label column optional', arg.text('--test'))
    .option('--dataset <name>', 'built-in data, mnist or mnist17 (used when no files are given)', arg.choice('--dataset', ['mnist', 'mnist17']))
    .option('--train-size <n>', help.trainSize ?? 'use the first N training rows', arg.integer('--train-size', 1))
    .option('--test-size <m>', help.testSize ?? 'use the first M test rows', arg.integer('--test-size', 1));
}

/** Declares the kernel flags (docs/spec.md §2) on `command`. */
/** --represent and the --image-shape its scattering stage reads (docs/spec.md §13), for every command that trains. */
export interface RepresentFlags {
  represent?: string;
  imageShape?: [number, number, number];
}

export const REPRESENT_HELP =
  "label-free representation of every row, stages joined by '+': scattering[:J=2,L=8,order=1], log, pca[:dims=100,whiten=true], " +
  "spectral[:dims=10,neighbors=10,scale=7]; e.g. scattering+log+pca+spectral (docs/spec.md §13); none: the rows as given";

export function addKernelFlags(command: Command, arg: ArgumentParsers): Command {
  return command
    .option('--depth <n>', 'hidden ReLU layers of the network', arg.integer('--depth', 1), 2)
    .option('--w-var <number>', 'weight variance W_std²', arg.number('--w-var'), 2)
    .option('--b-var <number>', 'bias variance b_std²', arg.number('--b-var'), 0);
}

export interface LoadedData {
  train: { x: Matrix; y: Int32Array };
  test: { x: Matrix; y?: Int32Array };
  source: Record<string, unknown>;
}

/** The input files named by the flags, for checking that no output overwrites one. */
export function inputPaths(flags: DataFlags): { flag: string; path: string | undefined }[] {
  return [
    { flag: '--train-x', path: flags.trainX },
    { flag: '--train-y', path: flags.trainY },
    { flag: '--test-x', path: flags.testX },
    { flag: '--test-y', path: flags.testY },
    { flag: '--train', path: flags.train },
    { flag: '--test', path: flags.test },
  ];
}

/** How the user gave each data field of the API (`train.x` …), for restating library errors. */
export function dataFields(flags: DataFlags): Record<string, string> {
  if (flags.train !== undefined || flags.test !== undefined) {
    return { train: `--train ${flags.train}`, test: `--test ${flags.test}` };
  }
  if (flags.trainX !== undefined || flags.trainY !== undefined || flags.testX !== undefined || flags.testY !== undefined) {
    return {
      'train.x': `--train-x ${flags.trainX}`,
      'train.y': `--train-y ${flags.trainY}`,
      'test.x': `--test-x ${flags.testX}`,
      'test.y': `--test-y ${flags.testY ?? ''}`.trim(),
    };
  }
  const name = `--dataset ${flags.dataset ?? 'mnist17'}`;
  return { train: `${name} (training set)`, test: `${name} (test set)` };
}

/** Reads the training and test data named by exactly one of: .npy files, CSV files, a built-in dataset. */
export async function loadData(flags: DataFlags): Promise<LoadedData> {
  const npy = flags.trainX !== undefined || flags.trainY !== undefined || flags.testX !== undefined || flags.testY !== undefined;
  const csv = flags.train !== undefined || flags.test !== undefined;
  const sources = [npy, csv, flags.dataset !== undefined].filter(Boolean).length;
  if (sources > 1) {
    throw new FlipcertError('give one data source: --train-x/--train-y/--test-x (.npy), --train/--test (.csv), or --dataset', 'EUSAGE');
  }
  if (npy) return limit(await loadNpy(flags), flags);
  if (csv) return limit(await loadCsv(flags), flags);
  const name = flags.dataset ?? 'mnist17';
  if (name !== 'mnist' && name !== 'mnist17') {
    throw new FlipcertError(`--dataset must be mnist or mnist17, got ${name}`, 'EUSAGE');
  }
  const data = await loadMnist(name, { trainSize: flags.trainSize, testSize: flags.testSize });
  return { train: data.train, test: data.test, source: { dataset: name, description: data.description } };
}

/** The rows only, for commands that must never read a label (`represent`): a label file given is a usage error. */
export async function loadRows(flags: DataFlags): Promise<{ train: Matrix; test: Matrix | undefined; source: Record<string, unknown> }> {
  for (const [flag, path] of [['--train-y', flags.trainY], ['--test-y', flags.testY]] as const) {
    if (path !== undefined) {
      throw new FlipcertError(`${flag}: represent never reads labels (a representation learned from labels would void the certificates); give --train-x and --test-x only`, 'EUSAGE');
    }
  }
  if (flags.trainX === undefined && flags.testX === undefined) {
    const data = await loadData(flags);
    return { train: data.train.x, test: data.test.x, source: data.source };
  }
  if (flags.train !== undefined || flags.test !== undefined || flags.dataset !== undefined) {
    throw new FlipcertError('give one data source: --train-x/--test-x (.npy), --train/--test (.csv), or --dataset', 'EUSAGE');
  }
  const trainX = flags.trainX ?? required(undefined, '--train-x');
  const [train, test] = await Promise.all([
    fromFlag('--train-x', trainX, readNpyMatrix),
    flags.testX === undefined ? undefined : fromFlag('--test-x', flags.testX, readNpyMatrix),
  ]);
  return {
    train: firstRows(train, flags.trainSize, '--train-size'),
    test: test && firstRows(test, flags.testSize, '--test-size'),
    source: { trainX, testX: flags.testX ?? null },
  };
}

async function loadNpy(flags: DataFlags): Promise<LoadedData> {
  const trainX = required(flags.trainX, '--train-x');
  const trainY = required(flags.trainY, '--train-y');
  const testX = required(flags.testX, '--test-x');
  const [tx, ty, sx, sy] = await Promise.all([
    fromFlag('--train-x', trainX, readNpyMatrix),
    fromFlag('--train-y', trainY, readNpyLabels),
    fromFlag('--test-x', testX, readNpyMatrix),
    flags.testY === undefined ? undefined : fromFlag('--test-y', flags.testY, readNpyLabels),
  ]);
  return {
    train: { x: tx, y: ty },
    test: { x: sx, y: sy },
    source: { trainX, trainY, testX, testY: flags.testY ?? null },
  };
}

async function loadCsv(flags: DataFlags): Promise<LoadedData> {
  const train = required(flags.train, '--train');
  const test = required(flags.test, '--test');
  // An error names one of the two files; the inner wrapper only prefixes errors about the test file.
  const data = await fromFlag('--train', train, () => fromFlag('--test', test, () => readCsvPair(train, test)));
  return { ...data, source: { train, test } };
}

/**
 * Reads `path` with `read`; a file error (which names the path) also names the
 * flag that gave it: `--train-y ty.npy: row 3 is 2.5`, as library errors read.
 */
export async function fromFlag<T>(flag: string, path: string, read: (path: string) => Promise<T>): Promise<T> {
  try {
    return await read(path);
  } catch (error) {
    if (error instanceof FlipcertError && error.message.startsWith(`${path}: `)) {
      throw new FlipcertError(`${flag} ${error.message}`, error.code, { field: error.field });
    }
    throw error;
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) {
    const needs = flag === '--train' || flag === '--test' ? 'CSV input needs --train and --test' : 'file input needs --train-x, --train-y and --test-x';
    throw new FlipcertError(`missing ${flag} (${needs})`, 'EUSAGE');
  }
  return value;
}

/** --train-size / --test-size on file inputs: keep the first N / M rows. */
function limit(data: LoadedData, flags: DataFlags): LoadedData {
  // Shapes are checked before cutting, so that a mismatch is not hidden by the cut.
  toLabels(data.train.y, data.train.x.rows, flags.trainY === undefined ? '--train' : `--train-y ${flags.trainY}`);
  if (data.test.y) toLabels(data.test.y, data.test.x.rows, flags.testY === undefined ? '--test' : `--test-y ${flags.testY}`);
  return {
    ...data,
    train: { x: firstRows(data.train.x, flags.trainSize, '--train-size'), y: data.train.y.slice(0, flags.trainSize) },
    test: {
      x: firstRows(data.test.x, flags.testSize, '--test-size'),
      y: data.test.y?.slice(0, flags.testSize),
    },
  };
}

function firstRows(x: Matrix, count: number | undefined, flag: string): Matrix {
  if (count === undefined) return x;
  if (count > x.rows) throw new FlipcertError(`${flag} ${count} exceeds the ${x.rows} rows available`, 'EOPTION');
  return { data: x.data.subarray(0, count * x.cols), rows: count, cols: x.cols };
}
