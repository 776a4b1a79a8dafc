import { FlipcertError } from '../errors.js';
import { runPartition } from '../model/run-partition.js';
import { instantiateCore, type Core } from '../wasm/instance.js';
import type { PartitionPool } from './pool.js';
import type { PartitionResult, PartitionTask } from './task.js';

/** Runs partitions one after another on the calling thread (browsers, tests, --threads 1). */
export class InlinePool implements PartitionPool {
  readonly threads = 1;
  private core: Promise<Core> | undefined;

  constructor(private readonly module: WebAssembly.Module) {}

  async run(task: PartitionTask, onBlock?: (done: number, total: number) => void): Promise<PartitionResult> {
    this.core ??= instantiateCore(this.module);
    const core = await this.core;
    try {
      return runPartition(core, task, onBlock);
    } catch (error) {
      if (error instanceof FlipcertError) throw error;
      throw new Error(`partition ${task.partition}: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.core = undefined;
  }
}
