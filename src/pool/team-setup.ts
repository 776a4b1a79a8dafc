/**
 * Whether a single model runs as a thread team (src/pool/team-protocol.ts), and what
 * the team needs: the shared-memory build of the core and one shared memory,
 * sized up front from the memory plan (src/partition/memory.ts).
 */
import { partitionBytes, STATIC_RESERVE } from '../partition/memory.js';
import { taskShape } from '../partition/run.js';
import { compileSharedCore } from '../wasm/core.js';
import { createSharedMemory, sharedMemoryAvailable } from '../wasm/shared-memory.js';
import type { PartitionTask } from '../partition/task.js';

export interface TeamSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Threads of the team, ≥ 2. */
  size: number;
}

/**
 * The team for a single model's task on `threads` threads, or undefined
 * (one thread, same results) when threads < 2, the task is not a single
 * model, or the runtime cannot share Wasm memory. Throws EMEMORY when the
 * shared memory cannot be reserved.
 */
export async function planTeam(task: PartitionTask, threads: number): Promise<TeamSetup | undefined> {
  if (threads < 2 || task.mode !== 'single' || !sharedMemoryAvailable()) return undefined;
  const module = await compileSharedCore();
  if (!module) return undefined;
  const bytes = STATIC_RESERVE + partitionBytes(taskShape(task, threads), task.blockSize);
  return { module, memory: createSharedMemory(bytes, threads), size: threads };
}
