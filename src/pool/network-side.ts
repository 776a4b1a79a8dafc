// validate's side of a Web Worker pool: src/pool/partition-side.ts with the
// network trainings (src/network/task.ts). Only validate imports it
// (`virtual:flipcert-worker/side/networks`), so bundles of certify alone leave it out.
import * as networks from '../network/task.js';
import { listenAsWebWorker } from './web-worker-scope.js';

export { instantiateCore } from '../wasm/instance.js';
export { partitionSteps, runPartition } from '../partition/run.js';
export { runNetworkTask } from '../network/task.js';

/** Inside a Web Worker: serve the pool, network tasks included. */
export function listen(): void {
  listenAsWebWorker(networks);
}
