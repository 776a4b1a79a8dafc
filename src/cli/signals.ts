/**
 * Leaving cleanly however the process ends: on Ctrl-C (SIGINT), SIGTERM or
 * SIGHUP the terminal gets its cursor and line wrap back (the progress bar
 * hides one and turns off the other), temporary output files are removed, and
 * the process ends by the signal itself, which a shell reports as 128 + the
 * signal number (130, 143, 129). A reader that closes standard output early
 * (`| head`) ends the run quietly; any other failure of standard output (a
 * full disk) is one error line.
 */
import { removeTempFilesSync } from '../data/atomic.js';
import { FlipcertError } from '../errors.js';
import { cannot } from '../data/file-errors.js';
import { isBrokenPipe, reportError } from './report-error.js';

/** Show the cursor (DECTCEM) and turn line wrap back on (DECAWM). */
export const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

const SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** Removes temporary files and restores the terminal; safe to call more than once. */
export function cleanUpSync(): void {
  removeTempFilesSync();
  if (process.stderr.isTTY) process.stderr.write(RESTORE_TERMINAL);
}

/**
 * Ends the process by `signal`, after cleaning up. Not process.exit():
 * that first waits for every file operation in Node's thread pool to finish,
 * and one can wait for ever (opening a named pipe nobody writes to), or for
 * long (flushing gigabytes). With its handler removed, the signal raised
 * again ends the process at once, as the signal's default action does; a
 * shell (and the parent of a script) then sees a process killed by it.
 */
function endBySignal(signal: NodeJS.Signals, status: number): void {
  cleanUpSync();
  // Windows has no signal to raise again: its "signals" end a process without a status.
  if (process.platform === 'win32') process.exit(status);
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  process.exit(status); // only if the signal did not end the process
}

/** The one error line for standard output that cannot be written (not a closed reader). */
export function stdoutError(error: unknown): FlipcertError {
  return new FlipcertError(`standard output: ${cannot('write', error)}`, 'EFILE');
}

export function installExitHandlers(): void {
  for (const [signal, status] of Object.entries(SIGNALS)) {
    process.on(signal, () => endBySignal(signal as NodeJS.Signals, status));
  }
  process.stdout.on('error', (error) => {
    removeTempFilesSync();
    process.exit(isBrokenPipe(error) ? 0 : reportError(stdoutError(error), { flags: {} }));
  });
}
