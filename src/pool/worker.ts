// Piscina worker: one compute core per thread, instantiated from the module the
// main thread compiled (workerData), then one partition per task.
import { workerData, type MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { runPartition, transferables } from '../model/run-partition.js';
import { createCore } from '../wasm/core.js';
import { toFailure } from './errors.js';
import type { PartitionReply, PartitionTask } from './task.js';

const core = createCore((workerData as { module: WebAssembly.Module }).module);

/** A task, plus the port on which to report finished test blocks (see NodePool.run). */
export type WorkerTask = PartitionTask & { progress?: MessagePort };

export default async function certifyPartition({ progress, ...task }: WorkerTask): Promise<PartitionReply> {
  try {
    const onBlock = progress && ((done: number, total: number) => progress.postMessage([done, total]));
    const result = runPartition(await core, task, onBlock);
    const reply: PartitionReply = { ok: true, result };
    // Piscina's Transferable protocol: the reply is cloned, its buffers moved.
    return move({ [transferableSymbol]: transferables(result), [valueSymbol]: reply }) as unknown as PartitionReply;
  } catch (error) {
    return toFailure(error, task.partition);
  }
}
