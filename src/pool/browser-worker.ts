// Web Worker of WebWorkerPool (src/pool/browser.ts), bundled on its own to
// dist/browser-worker.js. The browser twin of worker.ts: one compute core per
// worker, instantiated from the module the page compiled, then one partition
// per task message. Errors are caught per task and sent back as data, so one
// bad partition does not take the worker down.
import { runPartition, transferables } from '../model/run-partition.js';
import { createCore, type Core } from '../wasm/core.js';
import { toFailure } from './errors.js';
import type { PartitionReply, PartitionTask } from './task.js';

/** Page → worker. `init` comes first, exactly once; then tasks, one at a time. */
export type ToWorker =
  | { kind: 'init'; module: WebAssembly.Module }
  | { kind: 'task'; id: number; task: PartitionTask; progress: boolean };

/** Worker → page: progress of the running task, then exactly one reply per task. */
export type FromWorker =
  | { kind: 'block'; id: number; done: number; total: number }
  | { kind: 'reply'; id: number; reply: PartitionReply };

/** The few members of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let core: Promise<Core> | undefined;
let initFailure = 'the compiled core never arrived';

scope.onmessage = ({ data: message }) => {
  if (message.kind === 'init') core = createCore(message.module);
  else void certifyPartition(message.id, message.task, message.progress);
};

// A message that cannot be deserialised here (a Module from another agent
// cluster, say) never reaches onmessage; remember why, for the next task's reply.
scope.onmessageerror = () => {
  initFailure = 'a message from the page could not be deserialised in the Web Worker';
};

async function certifyPartition(id: number, task: PartitionTask, progress: boolean): Promise<void> {
  try {
    if (!core) throw new Error(initFailure);
    const onBlock = progress
      ? (done: number, total: number) => scope.postMessage({ kind: 'block', id, done, total })
      : undefined;
    const result = runPartition(await core, task, onBlock);
    scope.postMessage({ kind: 'reply', id, reply: { ok: true, result } }, transferables(result));
  } catch (error) {
    scope.postMessage({ kind: 'reply', id, reply: toFailure(error, task.partition) });
  }
}
