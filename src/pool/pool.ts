import type { PartitionResult, PartitionTask } from './task.js';

/**
 * Where partitions are trained and certified. The coordinator only sees this
 * interface: WorkerPool over worker threads (Node) or Web Workers (browsers),
 * or InlinePool on the calling thread.
 */
export interface PartitionPool {
  /** How many tasks run at once. */
  readonly threads: number;
  /** Trains and certifies one partition; rejects with FlipcertError on user errors. */
  run(task: PartitionTask, onBlock?: (done: number, total: number) => void): Promise<PartitionResult>;
  close(): Promise<void>;
}
