/**
 * Opening input files with errors a user can act on: a missing file, a
 * directory, a permission problem each get one sentence naming the path,
 * instead of a raw errno from the first read.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { FlipcertError } from '../errors.js';

const REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a folder on its path is a file',
  ELOOP: 'too many symbolic links on its path',
  ENAMETOOLONG: 'path too long',
};

/** The FlipcertError (EFILE) for a failed open or read of `path`. */
export function inputFileError(path: string, err: unknown): FlipcertError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const reason = (code && REASONS[code]) ?? `cannot read (${code ?? String(err)})`;
  return new FlipcertError(`${path}: ${reason}`, 'EFILE');
}

/** Opens a regular file for reading; anything else (a directory, a device) is an EFILE error naming it. */
export async function openInputFile(path: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw inputFileError(path, err);
  }
  const stat = await fh.stat().catch((err: unknown) => err as Error);
  if (stat instanceof Error || !stat.isFile()) {
    await fh.close();
    throw stat instanceof Error
      ? inputFileError(path, stat)
      : new FlipcertError(`${path}: ${stat.isDirectory() ? 'is a directory, not a file' : 'is not a regular file'}`, 'EFILE');
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
