import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FlipcertError } from '../errors.js';

/**
 * Writes a file so that readers see either the old file or the complete new
 * one, never a half-written file: the parts go, in order, to a temporary
 * sibling, which is flushed and then renamed over the target. On failure the
 * temporary file is removed and a FlipcertError names the target.
 */
export async function writeFileAtomic(path: string, ...parts: (string | Uint8Array)[]): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(temp, 'wx');
    let position = 0;
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part) : part;
      await writeAll(fh, bytes, position);
      position += bytes.length;
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(temp, path);
  } catch (error) {
    await fh?.close().catch(() => undefined); // already failing: the original error is the one to report
    await rm(temp, { force: true });
    throw new FlipcertError(`${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'EFILE');
  }
}

/** Writes all of `bytes` at `position`; a single write() may write fewer bytes than asked. */
async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
