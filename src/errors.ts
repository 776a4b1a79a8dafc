/**
 * The one error type flipcert throws for anything a user can fix: bad input,
 * unreadable files, options out of range, not enough memory. Its message names
 * the file, argument or row at fault; the CLI prints it without a stack trace.
 */
export class FlipcertError extends Error {
  constructor(
    message: string,
    readonly code: string = 'EINPUT',
  ) {
    super(message);
    this.name = 'FlipcertError';
  }
}
