/**
 * What went wrong, as a closed set (documented in docs/errors.md):
 * - `EINPUT`       the data: shapes, NaN/Inf, labels out of range, empty partitions
 * - `EOPTION`      an option's value or type (`options.partitions`, `--partitions`)
 * - `EUSAGE`       the command line itself: unknown flags, stray arguments (CLI only)
 * - `EFILE`        a file that cannot be found, read, parsed or written
 * - `EMEMORY`      the problem does not fit in memory (WebAssembly's 4 GiB or the machine)
 * - `ENUMERIC`     the numbers cannot be computed safely (overflow, a singular system)
 * - `EABORTED`     the run was cancelled through `options.signal`
 * - `EUNSUPPORTED` the runtime lacks something flipcert needs (Wasm SIMD, a worker)
 * - `EWORKER`      a worker thread died
 * - `EINTERNAL`    a broken internal invariant: a bug in flipcert, please report it
 */
export type ErrorCode =
  | 'EINPUT'
  | 'EOPTION'
  | 'EUSAGE'
  | 'EFILE'
  | 'EMEMORY'
  | 'ENUMERIC'
  | 'EABORTED'
  | 'EUNSUPPORTED'
  | 'EWORKER'
  | 'EINTERNAL';

/**
 * The one error type flipcert throws for anything a user can fix: bad input,
 * unreadable files, options out of range, not enough memory. Its message names
 * the file, option or row at fault; the CLI prints it without a stack trace.
 * `field` is the API option at fault (`partitions`, `kernel.depth`, `train.y`),
 * which the CLI translates to its flag.
 */
export class FlipcertError extends Error {
  readonly field: string | undefined;
  constructor(
    message: string,
    readonly code: ErrorCode = 'EINPUT',
    options: { field?: string } = {},
  ) {
    super(message);
    this.name = 'FlipcertError';
    this.field = options.field;
  }

  /**
   * True for a FlipcertError of any copy of this class: a browser bundle holds
   * a second one inside its workers' code (src/pool/partition-side.ts), which
   * also runs on the calling thread, and a page or a vm context may load
   * flipcert twice. Every copy marks its errors alike: an Error named
   * FlipcertError with a string code.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (Object.prototype.toString.call(value) !== '[object Error]') return false;
    const { name, code } = value as { name?: unknown; code?: unknown };
    return name === 'FlipcertError' && typeof code === 'string';
  }
}
