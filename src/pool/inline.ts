import { runNetworkTask } from '../network/task.js';
import { partitionSteps, runPartition } from '../partition/run.js';
import { instantiateCore } from '../wasm/instance.js';
import { InThreadPool } from './in-thread.js';

/** Runs partitions and network tasks one after another on the calling thread (Node's --threads 1, tests). */
export class InlinePool extends InThreadPool {
  constructor(module: WebAssembly.Module) {
    super(module, { instantiateCore, runPartition, partitionSteps, runNetworkTask });
  }
}
