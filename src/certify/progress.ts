// The caller's onProgress, called safely: flipcert's own work must never be
// torn down by an exception escaping from a message handler (issue 8).
import type { Progress } from './options.js';

/**
 * Calls `onProgress` for one run. When it throws, the run stops: `failed`
 * rejects with that exception (the coordinator races its work against it and
 * the caller then closes the pool, terminating the workers), the exception is
 * rethrown to whoever called report (a task on the calling thread aborts
 * there), and the callback is never called again.
 */
export class ProgressReporter {
  /** Rejects with the callback's exception; never resolves. */
  readonly failed: Promise<never>;
  private rejectFailed!: (error: unknown) => void;
  private stopped = false;
  private thrown = false;
  private error: unknown;

  constructor(
    private readonly onProgress: ((progress: Progress) => void) | undefined,
    private readonly partitions: number,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined); // handled by whoever races it; never an unhandled rejection
  }

  /** Reports progress; throws (once, then stays silent) what onProgress threw. */
  report(partitionsDone: number, blocksDone = 0, blocks = 0): void {
    if (!this.onProgress || this.stopped) return;
    try {
      this.onProgress({ partitionsDone, partitions: this.partitions, blocksDone, blocks });
    } catch (error) {
      this.stopped = this.thrown = true;
      this.error = error;
      this.rejectFailed(error);
      throw error;
    }
  }

  /** The callback's exception, if it threw: it explains the run's failure better than what followed from it. */
  failure(): { error: unknown } | undefined {
    return this.thrown ? { error: this.error } : undefined;
  }

  /** No more calls once the run is over (late messages from workers are dropped). */
  close(): void {
    this.stopped = true;
  }
}
