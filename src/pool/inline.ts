import { abortError, throwIfAborted } from '../host/abort.js';
import { runNetworkTask, type NetworkResult, type NetworkTask } from '../network/task.js';
import { partitionSteps, runPartition } from '../partition/run.js';
import { instantiateCore, type Core } from '../wasm/instance.js';
import { taskError } from './errors.js';
import type { PartitionPool } from './pool.js';
import type { PartitionResult, PartitionTask } from '../partition/task.js';

/** Runs partitions one after another on the calling thread (browsers, tests, --threads 1). */
export class InlinePool implements PartitionPool {
  readonly threads = 1;
  private core: Promise<Core> | undefined;

  constructor(private readonly module: WebAssembly.Module) {}

  async run(task: PartitionTask, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult> {
    throwIfAborted(signal);
    this.core ??= instantiateCore(this.module);
    const core = await this.core;
    try {
      return signal ? await runCancellable(core, task, onBlock, signal) : runPartition(core, task, onBlock);
    } catch (error) {
      throw taskError(error, task.partition);
    }
  }

  /** One network task, on this thread; an abort lands between tasks. */
  async train(task: NetworkTask, onTrained?: () => void, signal?: AbortSignal): Promise<NetworkResult[]> {
    throwIfAborted(signal);
    this.core ??= instantiateCore(this.module);
    const core = await this.core;
    // Let a pending abort (a timer, a click) land before minutes of synchronous work.
    await nextTask();
    throwIfAborted(signal);
    try {
      return runNetworkTask(core, task, onTrained && (() => onTrained()));
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
async function runCancellable(
  core: Core,
  task: PartitionTask,
  onBlock: ((done: number, total: number) => void) | undefined,
  signal: AbortSignal,
): Promise<PartitionResult> {
  const steps = partitionSteps(core, task, onBlock);
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
