/**
 * Leaving cleanly however the process ends: on Ctrl-C (SIGINT), SIGTERM or
 * SIGHUP the terminal gets its cursor and line wrap back (the progress bar
 * hides one and turns off the other), temporary output files are removed, and
 * the exit status is 128 + the signal number. A reader that closes standard
 * output early (`| head`) ends the run quietly.
 */
import { removeTempFilesSync } from '../data/atomic.js';

/** Show the cursor (DECTCEM) and turn line wrap back on (DECAWM). */
export const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

const SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** Removes temporary files and restores the terminal; safe to call more than once. */
export function cleanUpSync(): void {
  removeTempFilesSync();
  if (process.stderr.isTTY) process.stderr.write(RESTORE_TERMINAL);
}

export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

export function installExitHandlers(): void {
  for (const [signal, status] of Object.entries(SIGNALS)) {
    process.on(signal, () => {
      cleanUpSync();
      process.exit(status);
    });
  }
  process.stdout.on('error', (error) => {
    if (!isBrokenPipe(error)) throw error;
    removeTempFilesSync();
    process.exit(0);
  });
}
