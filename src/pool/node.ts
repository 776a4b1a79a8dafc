/// <reference path="./worker-source.d.ts" />
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import workerSource from 'virtual:flipcert-worker/node';
import { FlipcertError } from '../errors.js';
import { WorkerPool, type SpawnWorker } from './worker-pool.js';

/**
 * Partitions on Node worker threads. The worker's code comes with this bundle,
 * as text, and starts with `eval: true`: there is no worker file to locate, so
 * the library works unbundled, and bundled into an application (ESM or
 * CommonJS, esbuild, webpack, an Electron main process) without copying files.
 */
export function startNodePool(module: WebAssembly.Module, threads = availableParallelism()): WorkerPool {
  return new WorkerPool(module, threads, spawnThread, threadFailed);
}

const spawnThread: SpawnWorker = (index, events) => {
  const worker = new Worker(workerSource, { eval: true, name: `flipcert-${index}` });
  worker.on('message', events.message);
  worker.on('error', (error) => events.died(error.stack ?? error.message));
  worker.on('messageerror', () => events.died('a reply from it could not be deserialised'));
  // After terminate() the pool has dropped the worker, so this exit is ignored.
  worker.on('exit', (code) => events.died(`it exited with code ${code}`));
  return worker;
};

function threadFailed(detail: string): FlipcertError {
  return new FlipcertError(`a worker thread failed: ${detail}; threads: 1 runs on the calling thread`, 'EWORKER');
}
