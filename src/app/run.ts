// certify in the page: the library's own front (certifyWith) on its Web Worker
// pool. Unlike the browser bundle's default, one thread also runs on a worker,
// so that the page never freezes and Cancel always answers.
import { certifyWith } from '../certify/certify.js';
import { type PoolFactory } from '../pool/pool.js';
import type { CertifyOptions } from '../certify/options.js';
/// <reference path="../pool/worker-source.d.ts" />
import partitionSide from 'virtual:flipcert-worker/side/partitions';
import { canStartWorkers, defaultThreads, startWebWorkerPool } from '../pool/browser.js';
import { InThreadPool } from '../pool/in-thread.js';
import type { CertifyResult } from '../certify/result.js';
// The page offers representations (options.represent); they run on this thread, before the workers start.
import '../represent/install.js';

// `threads` arrives validated and capped (src/certify/options.ts); one thread also runs on a worker here.
const openPool: PoolFactory = async ({ module, threads, workerUrl }) =>
  canStartWorkers(workerUrl) ? startWebWorkerPool(module, threads, partitionSide, workerUrl) : new InThreadPool(module, partitionSide());

export function certifyInPage(options: CertifyOptions): Promise<CertifyResult> {
  return certifyWith(options, openPool, defaultThreads());
}

export { defaultThreads };
