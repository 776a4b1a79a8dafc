/**
 * flipcert for browsers, edge runtimes and anything without Node's worker
 * threads: the same API. Partitions run on Web Workers where the runtime has
 * them (their code comes inside this bundle), else on the calling thread. No
 * Node or DOM global is needed beyond WebAssembly; Worker, Blob, URL and
 * navigator are used only where present.
 */
import { certifyWith } from './certify/certify.js';
import type { PoolFactory } from './pool/pool.js';
import type { CertifyOptions } from './certify/options.js';
import { canStartWorkers, defaultThreads, startWebWorkerPool } from './pool/browser.js';
import { InlinePool } from './pool/inline.js';
import type { CertifyResult } from './certify/result.js';
import { validateWith } from './validate/validate.js';
import type { ValidateOptions } from './validate/options.js';
import type { ValidateResult } from './validate/result.js';

export * from './public.js';

/**
 * Certifies every test point (docs/spec.md §4 for one partition, §5 for k > 1) and
 * returns the docs/spec.md §6 result. Partitions run on `threads` Web Workers (default:
 * navigator.hardwareConcurrency); `threads: 1`, or a runtime without Worker,
 * runs them on the calling thread.
 */
export function certify(options: CertifyOptions): Promise<CertifyResult> {
  return certifyWith(options, openBrowserPool, defaultThreads());
}

// `threads` was validated and capped with the other options (src/certify/options.ts).
const openBrowserPool: PoolFactory = async ({ module, threads, inThread, workerUrl }) =>
  inThread || !canStartWorkers(workerUrl) ? new InlinePool(module) : startWebWorkerPool(module, threads, workerUrl);

/**
 * Checks the certificate on finite networks (docs/spec.md §12): trains the
 * ReLU network whose NTK is flipcert's kernel at each width and seed, and
 * retrains it on each certificate's witness and on attacks within the
 * certified radius. Retrainings run on `threads` workers; the result does not
 * depend on their number.
 */
export function validate(options: ValidateOptions): Promise<ValidateResult> {
  return validateWith(options, openBrowserPool, defaultThreads());
}
