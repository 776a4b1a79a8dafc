import { randomBytes } from 'node:crypto';
import { closeSync, fsync, openSync, renameSync, rmSync, write } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { FlipcertError } from '../errors.js';
import { cannot, errnoCode } from './file-errors.js';
import { outputTarget } from './output-target.js';

/** An output file: its path and its contents, written in order (a generator is read once, as it is written). */
export interface OutputFile {
  path: string;
  parts: Iterable<string | Uint8Array>;
}

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

/** Bytes per write() call: one call may not pass 2 GiB (Node's limit), whatever the size of the part. */
const WRITE_CHUNK = 1 << 26;

/** The longest file name most file systems take (NAME_MAX), in bytes. */
const NAME_MAX = 255;

/**
 * Temporary files that may exist and are not yet renamed or removed. A signal
 * handler cannot await, so it removes these synchronously
 * (removeTempFilesSync) before the process ends. Every change to a temporary
 * file's existence and its entry here happens in one synchronous step on this
 * thread (registered before it is created, forgotten after it is renamed or
 * removed), so a handler, which runs between such steps, never misses one.
 */
const liveTemps = new Set<string>();

/** Removes every temporary file still pending; for exit paths that cannot wait. */
export function removeTempFilesSync(): void {
  for (const temp of liveTemps) rmSync(temp, { force: true });
  liveTemps.clear();
}

/**
 * Writes files so that readers see either the old files or all the complete
 * new ones: every file goes first to a temporary sibling, which is flushed;
 * only when all are written are they renamed over their targets, in one
 * synchronous step (a signal lands before or after all the renames). Only a
 * new name or a writable regular file is replaced (output-target.ts). On
 * failure every temporary file is removed and a FlipcertError names the file.
 */
export async function writeFilesAtomic(files: OutputFile[]): Promise<void> {
  const targets = files.map((file) => outputTarget(file.path));
  const temps: string[] = [];
  try {
    for (let i = 0; i < files.length; i++) temps.push(await writeTemp(targets[i], files[i]));
    for (let i = 0; i < files.length; i++) {
      try {
        renameSync(temps[i], targets[i]);
      } catch (error) {
        failWrite(files[i].path, error);
      }
      liveTemps.delete(temps[i]);
    }
  } finally {
    for (const temp of temps) dropTemp(temp);
  }
}

/** Writes one file atomically (see writeFilesAtomic). */
export async function writeFileAtomic(path: string, ...parts: (string | Uint8Array)[]): Promise<void> {
  await writeFilesAtomic([{ path, parts }]);
}

/** Removes a temporary file that is still pending, then forgets it. */
function dropTemp(temp: string): void {
  if (!liveTemps.has(temp)) return;
  rmSync(temp, { force: true });
  liveTemps.delete(temp);
}

/**
 * A new temporary name beside `target`: `.name.<12 hex>.tmp`, with `name`
 * shortened when needed so that the whole stays within NAME_MAX bytes (a
 * legal 250-byte name must not fail for its temporary's sake).
 */
export function tempPath(target: string): string {
  const suffix = `.${randomBytes(6).toString('hex')}.tmp`;
  const room = NAME_MAX - 1 - suffix.length;
  let name = basename(target);
  if (Buffer.byteLength(name) > room) {
    const kept: string[] = [];
    let bytes = 0;
    for (const char of name) {
      bytes += Buffer.byteLength(char);
      if (bytes > room) break;
      kept.push(char);
    }
    name = kept.join('');
  }
  return join(dirname(target), `.${name}${suffix}`);
}

/** Writes `file` to a new temporary sibling of `target`, flushed to disk; returns its path. */
async function writeTemp(target: string, file: OutputFile): Promise<string> {
  const temp = tempPath(target);
  liveTemps.add(temp); // before it exists: see liveTemps
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx'); // synchronous: nothing runs between registering and creating it
    let position = 0;
    for (const part of file.parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part) : part;
      await writeAll(fd, bytes, position);
      position += bytes.length;
    }
    await fsyncAsync(fd);
    closeSync(fd);
    fd = undefined;
    return temp;
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd); // already failing: the original error is the one to report
    dropTemp(temp);
    failWrite(file.path, error);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // the write already failed; its error is the one to report
  }
}

/** A file-system failure as a FlipcertError naming the output; anything else (a bug) is thrown as it is. */
function failWrite(path: string, error: unknown): never {
  if (error instanceof FlipcertError || errnoCode(error) === undefined) throw error;
  throw new FlipcertError(`${path}: ${cannot('write', error)}`, 'EFILE');
}

/** Writes all of `bytes` at `position`, in chunks below Node's 2 GiB limit; one write() may write fewer bytes than asked. */
export async function writeAll(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const length = Math.min(WRITE_CHUNK, bytes.length - done);
    const { bytesWritten } = await writeAsync(fd, bytes, done, length, position + done);
    done += bytesWritten;
  }
}
