import type { NetworkTask } from '../finite/network-task.js';
import type { NetworkReply, PartitionReply, PartitionTask } from './task.js';

/** Pool → worker. `init` comes first, exactly once; then tasks, one at a time. */
export type ToWorker =
  | { kind: 'init'; module: WebAssembly.Module }
  | { kind: 'task'; id: number; task: PartitionTask; progress: boolean }
  | { kind: 'network'; id: number; task: NetworkTask };

/** Worker → pool: progress of the running task, then exactly one reply per task. */
export type FromWorker =
  | { kind: 'block'; id: number; done: number; total: number }
  | { kind: 'reply'; id: number; reply: PartitionReply | NetworkReply };
