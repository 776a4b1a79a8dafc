// Piscina worker: one compute core per thread, instantiated from the module the
// main thread compiled (workerData), then one partition per task.
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { FlipcertError } from '../errors.js';
import { runPartition, transferables } from '../model/run-partition.js';
import { createCore } from '../wasm/core.js';
import type { PartitionReply, PartitionTask } from './task.js';

const core = createCore((workerData as { module: WebAssembly.Module }).module);

export default async function certifyPartition(task: PartitionTask): Promise<PartitionReply> {
  try {
    const result = runPartition(await core, task);
    const reply: PartitionReply = { ok: true, result };
    // Piscina's Transferable protocol: the reply is cloned, its buffers moved.
    return move({ [transferableSymbol]: transferables(result), [valueSymbol]: reply }) as unknown as PartitionReply;
  } catch (error) {
    const code = error instanceof FlipcertError ? error.code : 'EINTERNAL';
    const message = error instanceof FlipcertError ? error.message : `partition ${task.partition}: ${(error as Error).stack}`;
    return { ok: false, message, code };
  }
}
