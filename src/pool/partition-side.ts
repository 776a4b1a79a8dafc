// certify's side of a Web Worker pool, as one self-contained piece of code
// (scripts/worker-source.mjs wraps its bundle in a function: the bundles
// import it as `virtual:flipcert-worker/side/partitions`). The pool starts each
// worker from that function's own text, and the calling thread calls the
// function for the same code when it runs partitions itself: the partition
// code is in a bundle once. Nothing of validate's networks comes with it.
import { listenAsWebWorker } from './web-worker-scope.js';

export { instantiateCore } from '../wasm/instance.js';
export { partitionSteps, runPartition } from '../partition/run.js';

/** Inside a Web Worker: serve the pool. */
export function listen(): void {
  listenAsWebWorker();
}
