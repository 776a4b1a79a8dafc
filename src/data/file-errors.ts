/**
 * What a failed file operation means, in words a user can act on: one table
 * for inputs and outputs, so that `ENOSPC` reads the same wherever it comes from.
 */
import type { Stats } from 'node:fs';

const REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a folder on its path is a file',
  ELOOP: 'too many symbolic links on its path',
  ENAMETOOLONG: 'name too long for the file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EFBIG: 'file too large for the file system',
  ENXIO: 'no such device',
};

/** The errno code of a Node error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The reason for a failed operation, in words where known (`file not found`), else its code. */
export function fileReason(error: unknown): string | undefined {
  const code = errnoCode(error);
  return code === undefined ? undefined : REASONS[code];
}

/** `cannot write (ENOSPC: no space left on the device)`; the code alone where it has no words. */
export function cannot(verb: 'read' | 'write', error: unknown): string {
  const code = errnoCode(error);
  if (code === undefined) return `cannot ${verb} (${String(error)})`;
  // Writing creates a file in an existing folder: ENOENT means the folder went away.
  const reason = verb === 'write' && code === 'ENOENT' ? 'its folder does not exist' : REASONS[code];
  return `cannot ${verb} (${reason === undefined ? code : `${code}: ${reason}`})`;
}

/** What a file that is not a regular file is, for messages: `a named pipe (FIFO)`, `a character device`, … */
export function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}
