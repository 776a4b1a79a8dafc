// The body of every worker, Web Worker or worker thread: one compute core,
// instantiated from the module the pool compiled, then one partition per task
// message. Errors are caught per task and sent back as data, so one bad
// partition does not take the worker down.
import { runPartition, transferables } from '../model/run-partition.js';
import { instantiateCore, type Core } from '../wasm/instance.js';
import { toFailure } from './errors.js';
import type { FromWorker, ToWorker } from './messages.js';

/** Sends a message to the pool, moving the given buffers. */
export type PostToPool = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

/** Returns the handler for messages from the pool. */
export function serveWorker(post: PostToPool): (message: ToWorker) => void {
  let core: Promise<Core> | undefined;
  let testX: Float64Array | undefined;
  return (message) => {
    if (message.kind === 'init') core = instantiateCore(message.module);
    else if (message.kind === 'test') testX = message.testX;
    else void certifyPartition(core, message, message.sharedTest ? testX : message.task.testX, post);
  };
}

async function certifyPartition(
  core: Promise<Core> | undefined,
  { id, task: sent, progress }: Extract<ToWorker, { kind: 'task' }>,
  testX: Float64Array | undefined,
  post: PostToPool,
): Promise<void> {
  const task = { ...sent, testX: testX! };
  try {
    if (!core) throw new Error('the compiled core never arrived');
    if (!testX) throw new Error('the shared test matrix never arrived');
    const onBlock = progress ? (done: number, total: number) => post({ kind: 'block', id, done, total }) : undefined;
    const result = runPartition(await core, task, onBlock);
    post({ kind: 'reply', id, reply: { ok: true, result } }, transferables(result));
  } catch (error) {
    post({ kind: 'reply', id, reply: toFailure(error, task.partition) });
  }
}
