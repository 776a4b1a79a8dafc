/**
 * The CLI's output files, checked before any work (a name clash, a missing
 * folder, a name that is not a regular file should not cost a long run) and
 * written all or none at the end. `-` as a path means standard output.
 */
import { realpathSync, statfsSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { CertifyResult } from '../certify/result.js';
import { writeFilesAtomic, type OutputFile } from '../data/atomic.js';
import { outputTarget } from '../data/output-target.js';
import { FlipcertError } from '../errors.js';
import { resultPlotSvg } from '../report/plot.js';
import { stdoutError } from './signals.js';

/** A path given on the command line, with the flag that gave it. */
export interface NamedPath {
  flag: string;
  path: string | undefined;
}

export interface OutputSpec extends NamedPath {
  /** Required extension (lower case, with the dot), e.g. '.svg'. */
  extension?: string;
  /** Whether `-` (standard output) is allowed. */
  stdout?: boolean;
}

export const STDOUT = '-';

/** The output flags of the commands that write a result: --out (JSON, or - for standard output), --plot (SVG), --quiet. */
export interface ResultFlags {
  out?: string;
  plot?: string;
  quiet?: boolean;
}

/** --out and --plot, to check before any work. */
export function resultOutputs(flags: ResultFlags): OutputSpec[] {
  return [
    { flag: '--out', path: flags.out, stdout: true },
    { flag: '--plot', path: flags.plot, extension: '.svg' },
  ];
}

/** Where the tables a person reads go: standard error when the JSON goes to standard output. */
export function summaryStream(flags: ResultFlags): NodeJS.WriteStream {
  return flags.out === STDOUT ? process.stderr : process.stdout;
}

/** The --plot SVG of a certify result; a usage error without test labels. */
export function certificatePlot(result: CertifyResult): string {
  const svg = resultPlotSvg(result);
  if (svg === undefined) throw new FlipcertError(NEEDS_TEST_LABELS, 'EUSAGE');
  return svg;
}

export const NEEDS_TEST_LABELS = '--plot needs test labels (--test-y, a label column in the test CSV, or a built-in dataset)';

function usage(message: string): never {
  throw new FlipcertError(message, 'EUSAGE');
}

/** Where a path points, through symbolic links, whether or not the file exists yet. */
function identity(path: string): string {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    try {
      return `${realpathSync(dirname(full))}/${basename(full)}`;
    } catch {
      return full;
    }
  }
}

/**
 * Checks the outputs against each other and the inputs: no output may be an
 * input or another output; each must have its extension; its folder must
 * exist. Throws before any work is done.
 */
export function checkOutputs(outputs: OutputSpec[], inputs: NamedPath[]): void {
  const given = outputs.filter((o): o is OutputSpec & { path: string } => o.path !== undefined);
  const taken = new Map<string, string>();
  for (const input of inputs) if (input.path !== undefined && input.path !== STDOUT) taken.set(identity(input.path), `${input.flag} ${input.path}`);
  for (const out of given) {
    if (out.path === STDOUT) {
      if (!out.stdout) usage(`${out.flag} cannot write to standard output; give a file name`);
      continue;
    }
    if (out.extension !== undefined && !out.path.toLowerCase().endsWith(out.extension)) {
      usage(`${out.flag} ${out.path}: the file is written as ${out.extension.slice(1).toUpperCase()}; give a name ending in ${out.extension}`);
    }
    const id = identity(out.path);
    const clash = taken.get(id);
    if (clash !== undefined) usage(`${out.flag} ${out.path} is the same file as ${clash}; give another output name`);
    taken.set(id, `${out.flag} ${out.path}`);
    checkFolder(out.flag, out.path);
    try {
      outputTarget(out.path);
    } catch (error) {
      throw error instanceof FlipcertError ? new FlipcertError(`${out.flag} ${error.message}`, error.code) : error;
    }
  }
  const toStdout = given.filter((o) => o.path === STDOUT);
  if (toStdout.length > 1) usage(`${toStdout.map((o) => o.flag).join(' and ')} cannot both write to standard output`);
}

function checkFolder(flag: string, path: string): void {
  const folder = statQuietly(dirname(resolve(path)));
  if (folder === undefined || !folder.isDirectory()) {
    throw new FlipcertError(`${flag} ${path}: the folder ${dirname(path)} does not exist`, 'EFILE');
  }
  if (statQuietly(resolve(path))?.isDirectory()) {
    throw new FlipcertError(`${flag} ${path} is a directory; give a file name`, 'EFILE');
  }
}

/** stat, or undefined when it fails for any reason (outputTarget then names the reason). */
function statQuietly(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Checks, before the work, that the file system of an output's folder has room
 * for `bytes`, for outputs whose size is known up front (a kernel matrix): a
 * long run should not end in a full disk.
 */
export function checkRoom(flag: string, path: string, bytes: number): void {
  let free: number;
  try {
    const fs = statfsSync(dirname(resolve(path)));
    free = fs.bavail * fs.bsize;
  } catch {
    return; // no statfs here: the write itself will say
  }
  if (bytes > free) {
    throw new FlipcertError(`${flag} ${path}: needs ${formatBytes(bytes)}, and its file system has ${formatBytes(free)} free`, 'EFILE');
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`;
}

/**
 * Writes the outputs all or none: every file to a temporary sibling first,
 * then all are renamed; the `-` output goes to standard output last, once the
 * files are in place, part by part (a JSON text may be larger than one string).
 */
export async function writeOutputs(outputs: OutputFile[]): Promise<void> {
  await writeFilesAtomic(outputs.filter((o) => o.path !== STDOUT));
  for (const out of outputs.filter((o) => o.path === STDOUT)) {
    for (const part of out.parts) {
      await new Promise<void>((done, fail) => process.stdout.write(part, (e) => (e ? fail(stdoutError(e)) : done())));
    }
  }
}
