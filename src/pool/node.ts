import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { FlipcertError } from '../errors.js';
import { compileCore } from '../wasm/core.js';
import type { PartitionPool } from './pool.js';
import type { PartitionReply, PartitionResult, PartitionTask } from './task.js';

/** Partitions fanned out over worker threads with Piscina (Node only). */
export class NodePool implements PartitionPool {
  private constructor(
    private readonly piscina: Piscina,
    readonly threads: number,
  ) {}

  /**
   * Starts `threads` workers (default: all cores). The Wasm module is compiled
   * once here and handed to every worker, which only instantiates it.
   */
  static async start(threads = availableParallelism()): Promise<NodePool> {
    const module = await compileCore();
    const piscina = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 1000,
      workerData: { module },
    });
    return new NodePool(piscina, threads);
  }

  async run(task: PartitionTask): Promise<PartitionResult> {
    const reply = (await this.piscina.run(task)) as PartitionReply;
    if (!reply.ok) {
      if (reply.code === 'EINTERNAL') throw new Error(reply.message);
      throw new FlipcertError(reply.message, reply.code);
    }
    return reply.result;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
