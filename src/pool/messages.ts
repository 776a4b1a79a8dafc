import type { PartitionReply, PartitionTask } from './task.js';

/**
 * Pool → worker. `init` comes first, exactly once; then tasks, one at a time.
 * `test` hands the worker a test matrix to keep: a task with `sharedTest`
 * came without its testX and uses the last one kept, so the rows every
 * partition is certified on cross to each worker once, not once per task.
 */
export type ToWorker =
  | { kind: 'init'; module: WebAssembly.Module }
  | { kind: 'test'; testX: Float64Array }
  | { kind: 'task'; id: number; task: PartitionTask; progress: boolean; sharedTest: boolean };

/** Worker → pool: progress of the running task, then exactly one reply per task. */
export type FromWorker =
  | { kind: 'block'; id: number; done: number; total: number }
  | { kind: 'reply'; id: number; reply: PartitionReply };
