import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FlipcertError } from '../errors.js';

/** An output file: its path and its contents, written in order. */
export interface OutputFile {
  path: string;
  parts: (string | Uint8Array)[];
}

/**
 * Temporary files written and not yet renamed or removed. A signal handler
 * cannot await, so it removes these synchronously (removeTempFilesSync)
 * before the process exits: a kill mid-write leaves no stray `.x.*.tmp`.
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
 * only when all are written are they renamed over their targets. On failure
 * every temporary file is removed and a FlipcertError names the target.
 */
export async function writeFilesAtomic(files: OutputFile[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const file of files) temps.push(await writeTemp(file));
    for (let i = 0; i < files.length; i++) {
      await rename(temps[i], files[i].path).catch((error: unknown) => failWrite(files[i].path, error));
      liveTemps.delete(temps[i]);
    }
  } finally {
    for (const temp of temps) if (liveTemps.delete(temp)) await rm(temp, { force: true });
  }
}

/** Writes one file atomically (see writeFilesAtomic). */
export async function writeFileAtomic(path: string, ...parts: (string | Uint8Array)[]): Promise<void> {
  await writeFilesAtomic([{ path, parts }]);
}

/** Writes `file` to a new temporary sibling, flushed to disk; returns its path. */
async function writeTemp(file: OutputFile): Promise<string> {
  const temp = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(temp, 'wx');
    liveTemps.add(temp);
    let position = 0;
    for (const part of file.parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part) : part;
      await writeAll(fh, bytes, position);
      position += bytes.length;
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    return temp;
  } catch (error) {
    await fh?.close().catch(() => undefined); // already failing: the original error is the one to report
    if (liveTemps.delete(temp)) await rm(temp, { force: true });
    failWrite(file.path, error);
  }
}

function failWrite(path: string, error: unknown): never {
  throw new FlipcertError(`${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'EFILE');
}

/** Writes all of `bytes` at `position`; a single write() may write fewer bytes than asked. */
async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
