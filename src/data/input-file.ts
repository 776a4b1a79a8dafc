/**
 * Opening input files with errors a user can act on: a missing file, a
 * directory, a permission problem each get one sentence naming the path,
 * instead of a raw errno from the first read.
 */
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { FlipcertError } from '../errors.js';
import { errnoCode, fileKind, fileReason } from './file-errors.js';

/**
 * Never waits in open(): a named pipe with no writer would otherwise hold a
 * thread of Node's pool for good. Regular files read the same either way.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The FlipcertError (EFILE) for a failed open or read of `path`. */
export function inputFileError(path: string, err: unknown): FlipcertError {
  const reason = fileReason(err) ?? `cannot read (${errnoCode(err) ?? String(err)})`;
  return new FlipcertError(`${path}: ${reason}`, 'EFILE');
}

/**
 * Opens a regular file for reading; anything else (a directory, a named pipe,
 * a device) is an EFILE error naming it, at once.
 */
export async function openInputFile(path: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, OPEN_FLAGS);
  } catch (err) {
    throw inputFileError(path, err);
  }
  const stat = await fh.stat().catch((err: unknown) => err as Error);
  if (stat instanceof Error || !stat.isFile()) {
    await fh.close();
    if (stat instanceof Error) throw inputFileError(path, stat);
    if (stat.isDirectory()) throw new FlipcertError(`${path}: is a directory, not a file`, 'EFILE');
    throw new FlipcertError(`${path}: is ${fileKind(stat)}, not a regular file; save the data to a file and give its name`, 'EFILE');
  }
  return fh;
}

/** Reads a whole text file (UTF-8). */
export async function readInputText(path: string): Promise<string> {
  const fh = await openInputFile(path);
  try {
    return await readFile(fh, 'utf8');
  } catch (err) {
    throw inputFileError(path, err);
  } finally {
    await fh.close();
  }
}
