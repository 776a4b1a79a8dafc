/**
 * Which file an output name may replace. Outputs are written to a temporary
 * sibling and renamed over their name (atomic.ts), and a rename replaces
 * whatever node has that name: a named pipe, a device (as root, even
 * /dev/null), a symbolic link, a read-only file. So only two things may be
 * written: a new name, or an existing regular file that may be written; a
 * symbolic link is followed to its file, which is replaced, and the link stays.
 */
import { accessSync, constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { FlipcertError } from '../errors.js';
import { cannot, errnoCode, fileKind } from './file-errors.js';

function refuse(path: string, problem: string): never {
  throw new FlipcertError(`${path}: ${problem}`, 'EFILE');
}

/** lstat, or undefined for a name that does not exist yet; other failures are errors naming the path. */
function lstatOrNew(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    refuse(path, cannot('write', error));
  }
}

/** Whether this process may write the file: its permissions, and a write bit at all (root passes access()). */
function writable(path: string, stat: Stats): boolean {
  if ((stat.mode & 0o222) === 0) return false;
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path an output named `path` is written to: `path` itself when it is new
 * or a writable regular file, the file a symbolic link leads to when that is
 * one. Anything else is an EFILE error naming `path` and saying what it is.
 */
export function outputTarget(path: string): string {
  const own = lstatOrNew(path);
  if (own === undefined) return path;
  if (!own.isSymbolicLink()) {
    checkReplaceable(path, own, '');
    return path;
  }
  let stat: Stats;
  let target: string;
  try {
    stat = statSync(path);
    checkReplaceable(path, stat, ' (through a symbolic link)');
    target = realpathSync(path);
  } catch (error) {
    if (error instanceof FlipcertError) throw error;
    if (errnoCode(error) === 'ENOENT') refuse(path, 'is a symbolic link to a file that does not exist; remove the link or give another name');
    refuse(path, cannot('write', error));
  }
  // /proc/self/fd links may name a file that is gone ("… (deleted)"): the path must lead to the very file.
  const there = statQuietly(target);
  if (there === undefined || there.ino !== stat.ino || there.dev !== stat.dev) refuse(path, 'is a symbolic link that does not lead to a file by name; give a file name');
  return target;
}

function checkReplaceable(path: string, stat: Stats, through: string): void {
  if (stat.isDirectory()) refuse(path, `is a directory${through}; give a file name`);
  if (!stat.isFile()) {
    refuse(path, `is ${fileKind(stat)}${through}, not a regular file; outputs replace their file whole, so give the name of a regular file or a new one`);
  }
  if (!writable(path, stat)) refuse(path, `is read-only${through}; make it writable or remove it to replace it, or give another name`);
}

function statQuietly(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
