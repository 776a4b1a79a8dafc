import { abortError, throwIfAborted } from '../host/abort.js';
import type { NetworkResult, NetworkTask, runNetworkTask } from '../network/task.js';
import type { partitionSteps, runPartition } from '../partition/run.js';
import type { Core, instantiateCore } from '../wasm/instance.js';
import { taskError } from './errors.js';
import type { PartitionPool } from './pool.js';
import type { PartitionResult, PartitionTask } from '../partition/task.js';

/**
 * The code a worker runs, for running it on the calling thread instead: Node
 * imports it (src/pool/inline.ts); the browser bundle takes it from its
 * workers' side (src/pool/partition-side.ts), so that it is in the bundle once.
 * Without `runNetworkTask` the pool runs partitions only.
 */
export interface ThreadSide {
  instantiateCore: typeof instantiateCore;
  runPartition: typeof runPartition;
  partitionSteps: typeof partitionSteps;
  runNetworkTask?: typeof runNetworkTask;
}

/** Runs tasks one after another on the calling thread (browsers, edge runtimes, tests, --threads 1). */
export class InThreadPool implements PartitionPool {
  readonly threads = 1;
  private core: Promise<Core> | undefined;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly side: ThreadSide,
  ) {}

  async run(task: PartitionTask, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult> {
    throwIfAborted(signal);
    this.core ??= this.side.instantiateCore(this.module);
    const core = await this.core;
    try {
      return signal ? await runCancellable(this.side.partitionSteps(core, task, onBlock), signal) : this.side.runPartition(core, task, onBlock);
    } catch (error) {
      throw taskError(error, task.partition);
    }
  }

  /** One network task, on this thread; an abort lands between tasks. */
  async train(task: NetworkTask, onTrained?: () => void, signal?: AbortSignal): Promise<NetworkResult[]> {
    throwIfAborted(signal);
    this.core ??= this.side.instantiateCore(this.module);
    const core = await this.core;
    // Let a pending abort (a timer, a click) land before minutes of synchronous work.
    await nextTask();
    throwIfAborted(signal);
    try {
      if (!this.side.runNetworkTask) throw new Error("this pool was opened without validate's network code");
      return this.side.runNetworkTask(core, task, onTrained && (() => onTrained()));
    } catch (error) {
      throw taskError(error, 'a network training');
    }
  }

  async close(): Promise<void> {
    this.core = undefined;
  }
}

/**
 * One test block at a time, yielding to the event loop in between so that an
 * abort (a click, a timer) can land; the partition's Wasm memory is released
 * when it stops early.
 */
async function runCancellable(steps: Generator<void, PartitionResult, void>, signal: AbortSignal): Promise<PartitionResult> {
  try {
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      await nextTask();
      if (signal.aborted) throw abortError();
    }
  } finally {
    steps.return(undefined as never);
  }
}

/**
 * Resolves on a later event-loop task (not a microtask), in Node, browsers and
 * workers; a bare runtime with neither MessageChannel nor setTimeout only gets
 * a microtask (an abort from a synchronous source still lands).
 */
function nextTask(): Promise<void> {
  if (typeof MessageChannel === 'undefined') {
    return typeof setTimeout === 'function' ? new Promise((resolve) => setTimeout(resolve, 0)) : Promise.resolve();
  }
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
