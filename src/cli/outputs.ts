/**
 * The CLI's output files, checked before any work (a name clash or a missing
 * folder should not cost a long run) and written all or none at the end.
 * `-` as a path means standard output.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { FlipcertError } from '../errors.js';
import { writeFilesAtomic } from '../data/atomic.js';

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
  }
  const toStdout = given.filter((o) => o.path === STDOUT);
  if (toStdout.length > 1) usage(`${toStdout.map((o) => o.flag).join(' and ')} cannot both write to standard output`);
}

function checkFolder(flag: string, path: string): void {
  const folder = dirname(resolve(path));
  const stat = statSync(folder, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isDirectory()) {
    throw new FlipcertError(`${flag} ${path}: the folder ${dirname(path)} does not exist`, 'EFILE');
  }
  if (statSync(resolve(path), { throwIfNoEntry: false })?.isDirectory()) {
    throw new FlipcertError(`${flag} ${path} is a directory; give a file name`, 'EFILE');
  }
}

/**
 * Writes the outputs all or none: every file to a temporary sibling first,
 * then all are renamed; the `-` output goes to standard output last, once the
 * files are in place.
 */
export async function writeOutputs(outputs: { path: string; parts: (string | Uint8Array)[] }[]): Promise<void> {
  await writeFilesAtomic(outputs.filter((o) => o.path !== STDOUT));
  for (const out of outputs.filter((o) => o.path === STDOUT)) {
    for (const part of out.parts) await new Promise<void>((done, fail) => process.stdout.write(part, (e) => (e ? fail(e) : done())));
  }
}
