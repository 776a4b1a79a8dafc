/**
 * flipcert for browsers, edge runtimes and anything without Node's worker
 * threads: the same API. Partitions run on Web Workers where the runtime has
 * them (their code comes inside this bundle), else on the calling thread. No
 * Node or DOM global is needed beyond WebAssembly; Worker, Blob, URL and
 * navigator are used only where present.
 *
 * certify and validate each bring their own workers' code (their "side"), so
 * that a bundle which never calls validate leaves the network code out.
 */
/// <reference path="./pool/worker-source.d.ts" />
import partitionSide from 'virtual:flipcert-worker/side/partitions';
import networkSide from 'virtual:flipcert-worker/side/networks';
import { certifyWith } from './certify/certify.js';
import type { PoolFactory } from './pool/pool.js';
import type { CertifyOptions } from './certify/options.js';
import { canStartWorkers, defaultThreads, startWebWorkerPool, type WorkerSide } from './pool/browser.js';
import { InThreadPool, type ThreadSide } from './pool/in-thread.js';
import type { CertifyResult } from './certify/result.js';
import { validateWith } from './validate/validate.js';
import type { ValidateOptions } from './validate/options.js';
import type { ValidateResult } from './validate/result.js';

export * from './public.js';
// Representations (options.represent) come with `import 'flipcert/represent'` (src/represent/install.ts), not here:
// an app that never represents does not carry their code.

/**
 * Certifies every test point (docs/spec.md §4 for one partition, §5 for k > 1) and
 * returns the docs/spec.md §6 result. Partitions run on `threads` Web Workers (default:
 * navigator.hardwareConcurrency); `threads: 1`, or a runtime without Worker,
 * runs them on the calling thread.
 */
export function certify(options: CertifyOptions): Promise<CertifyResult> {
  return certifyWith(options, browserPools(partitionSide), defaultThreads());
}

/**
 * Checks the certificate on finite networks (docs/spec.md §12): trains the
 * ReLU network whose NTK is flipcert's kernel at each width and seed, and
 * retrains it on each certificate's witness and on attacks within the
 * certified radius. Retrainings run on `threads` workers; the result does not
 * depend on their number.
 */
export function validate(options: ValidateOptions): Promise<ValidateResult> {
  return validateWith(options, browserPools(networkSide), defaultThreads());
}

/**
 * Pools running `side`: Web Workers, or the calling thread (the same code,
 * called here) for `threads: 1` and where workers cannot start.
 * `threads` was validated and capped with the other options (src/certify/options.ts).
 */
function browserPools(side: WorkerSide<ThreadSide>): PoolFactory {
  return async ({ module, threads, inThread, workerUrl }) =>
    inThread || !canStartWorkers(workerUrl) ? new InThreadPool(module, here(side)) : startWebWorkerPool(module, threads, side, workerUrl);
}

const called = new Map<WorkerSide<ThreadSide>, ThreadSide>();

/** A side's code on this thread, made once. */
function here(side: WorkerSide<ThreadSide>): ThreadSide {
  let code = called.get(side);
  if (!code) called.set(side, (code = side()));
  return code;
}
