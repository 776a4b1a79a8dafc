// Cancellation through `options.signal`: one error for every pool and every
// runtime, so that callers test `error.code === 'EABORTED'` and nothing else.
import { FlipcertError } from '../errors.js';

/** The error a cancelled run rejects with. */
export function abortError(): FlipcertError {
  return new FlipcertError('certification cancelled', 'EABORTED', { field: 'signal' });
}

/** Throws {@link abortError} when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}
