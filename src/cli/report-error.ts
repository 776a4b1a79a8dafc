/**
 * How the CLI ends on an error: one line `flipcert: error: …` on stderr, plus
 * one hint line for a usage error, and an exit status a script can test:
 *   2  the user can fix it (usage, options, input data, files, memory)
 *   70 a bug in flipcert (EX_SOFTWARE): a short line asking for a report; the
 *      stack trace only with FLIPCERT_DEBUG=1
 *   0  help or version shown, or standard output closed by its reader
 * Every line goes out through writeLines: what a user supplied (a file name, a
 * CSV header) is echoed with its control characters escaped.
 */
import { CommanderError } from 'commander';
import { FlipcertError } from '../errors.js';
import { translateMessage, type FlagMap } from './flags.js';
import { writeLines } from './terminal-text.js';

export const USAGE_STATUS = 2;
export const INTERNAL_STATUS = 70;

export interface ErrorContext {
  /** The subcommand being run, when known (for the usage hint). */
  command?: string;
  flags: FlagMap;
  /** Bare argument names of the library function being run (ntk's `x1`) and what the user typed for them. */
  words?: Record<string, string>;
}

export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** One line: commander and csv-parse messages may span several. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function usageError(message: string, context: ErrorContext): number {
  const help = context.command === undefined ? 'flipcert --help' : `flipcert ${context.command} --help`;
  writeLines(process.stderr, `flipcert: error: ${oneLine(message)}\nRun '${help}' for usage.`);
  return USAGE_STATUS;
}

function internalError(error: unknown): number {
  const message = oneLine((error as Error)?.message ?? String(error)) || 'unknown error';
  writeLines(process.stderr, `flipcert: internal error: ${message} (a bug in flipcert, please report it; FLIPCERT_DEBUG=1 shows the stack trace)`);
  if (process.env.FLIPCERT_DEBUG === '1') writeLines(process.stderr, (error as Error)?.stack ?? String(error));
  return INTERNAL_STATUS;
}

/** Prints `error` as described above and returns the exit status. */
export function reportError(error: unknown, context: ErrorContext): number {
  if (isBrokenPipe(error)) return 0;
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return 0; // --help, --version
    if (error.code === 'commander.help') return usageError('no command given; use certify, validate, merge, kernel or serve', context);
    return usageError(error.message.replace(/^error: /, ''), context);
  }
  if (error instanceof FlipcertError) {
    if (error.code === 'EUSAGE') return usageError(error.message, context);
    if (error.code === 'EINTERNAL') return internalError(error);
    writeLines(process.stderr, `flipcert: error: ${oneLine(translateMessage(error, context.flags, context.words))}`);
    if (process.env.FLIPCERT_DEBUG === '1') writeLines(process.stderr, error.stack ?? '');
    return USAGE_STATUS;
  }
  return internalError(error);
}
