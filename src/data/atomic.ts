import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FlipcertError } from '../errors.js';

/**
 * Writes a file so that readers see either the old file or the complete new
 * one, never a half-written file: the data goes to a temporary sibling first,
 * which is then renamed over the target.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new FlipcertError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).message}`, 'EIO');
  }
}
