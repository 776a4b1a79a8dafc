import type { NetworkTask } from '../network/task.js';
import type { NetworkReply, PartitionReply, PartitionTask } from '../partition/task.js';

/** How a worker joins a thread team (src/pool/team-protocol.ts): the shared-memory core, its memory, the control block. */
export interface TeamJoin {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Each member's phase times and flops (src/pool/team-phases.ts). */
  phases: SharedArrayBuffer;
  size: number;
}

/**
 * Pool → worker. `init` comes first, exactly once; then tasks, one at a time.
 * `test` hands the worker a test matrix to keep: a task with `sharedTest`
 * came without its testX and uses the last one kept, so the rows every
 * partition is certified on cross to each worker once, not once per task.
 * A task with `team` is led by this worker, with the workers sent `help`
 * (ranks 1…size-1) computing beside it until it is done.
 */
export type ToWorker =
  | { kind: 'init'; module: WebAssembly.Module }
  | { kind: 'test'; testX: Float64Array }
  | { kind: 'task'; id: number; task: PartitionTask; progress: boolean; sharedTest: boolean; team?: TeamJoin }
  | { kind: 'help'; id: number; join: TeamJoin; rank: number }
  | { kind: 'network'; id: number; task: NetworkTask };

/** Worker → pool: progress of the running task, then exactly one reply per task (`helped` for `help`). */
export type FromWorker =
  | { kind: 'block'; id: number; done: number; total: number }
  | { kind: 'reply'; id: number; reply: PartitionReply | NetworkReply }
  | { kind: 'helped'; id: number };
