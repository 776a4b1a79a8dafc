import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { abortError, throwIfAborted } from '../abort.js';
import { compileCore } from '../wasm/core.js';
import { fromFailure } from './errors.js';
import type { PartitionPool } from './pool.js';
import type { PartitionReply, PartitionResult, PartitionTask } from './task.js';
import type { WorkerTask } from './worker.js';

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

  /**
   * With `onBlock`, the worker reports finished test blocks over a
   * MessageChannel while it computes (a single model is one long task).
   * With `signal`, Piscina drops the queued task or terminates its worker.
   */
  async run(task: PartitionTask, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult> {
    throwIfAborted(signal);
    let reply: PartitionReply;
    try {
      if (onBlock) {
        const { port1, port2 } = new MessageChannel();
        port1.on('message', ([done, total]: [number, number]) => {
          try {
            onBlock(done, total);
          } catch {
            // Never out of a message handler (it would crash the host): the
            // caller recorded the exception and closes this pool (src/progress.ts).
          }
        });
        try {
          const withPort: WorkerTask = { ...task, progress: port2 };
          reply = (await this.piscina.run(withPort, { transferList: [port2], signal })) as PartitionReply;
        } finally {
          port1.close();
        }
      } else {
        reply = (await this.piscina.run(task, { signal })) as PartitionReply;
      }
    } catch (error) {
      if (signal?.aborted) throw abortError();
      throw error;
    }
    if (!reply.ok) throw fromFailure(reply);
    return reply.result;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
