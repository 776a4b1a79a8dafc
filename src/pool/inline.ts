import { runPartition } from '../model/run-partition.js';
import { createCore, type Core } from '../wasm/core.js';
import { taskError } from './errors.js';
import type { PartitionPool } from './pool.js';
import type { PartitionResult, PartitionTask } from './task.js';

/** Runs partitions one after another on the calling thread (browsers, tests, --threads 1). */
export class InlinePool implements PartitionPool {
  readonly threads = 1;
  private core: Promise<Core> | undefined;

  constructor(private readonly module?: WebAssembly.Module) {}

  async run(task: PartitionTask, onBlock?: (done: number, total: number) => void): Promise<PartitionResult> {
    this.core ??= createCore(this.module);
    const core = await this.core;
    try {
      return runPartition(core, task, onBlock);
    } catch (error) {
      throw taskError(error, task.partition);
    }
  }

  async close(): Promise<void> {
    this.core = undefined;
  }
}
