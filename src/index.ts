/**
 * flipcert — exact certificates against label-flipping poisoning.
 *
 * @example
 * import { certify } from 'flipcert';
 * const result = await certify({
 *   train: { x: { data: trainX, shape: [n, d] }, y: trainY },
 *   test: { x: { data: testX, shape: [m, d] }, y: testY },
 *   partitions: 50,
 * });
 * console.log(result.summary.mcr, result.points[0].radius);
 */
import { availableParallelism } from 'node:os';
import { certifyWith } from './certify/certify.js';
import type { CertifyOptions } from './certify/options.js';
import { openNodePool } from './pool/open-node.js';
import type { CertifyResult } from './certify/result.js';
import { validateWith } from './validate/validate.js';
import type { ValidateOptions } from './validate/options.js';
import type { ValidateResult } from './validate/result.js';

export * from './public.js';
// Representations (options.represent, represent()) are always there in Node.
export { represent, type RepresentOptions, type RepresentResult, type RepresentStep } from './represent/install.js';

/**
 * Certifies every test point (docs/spec.md §4 for one partition, §5 for k > 1) and
 * returns the docs/spec.md §6 result. Partitions run on worker threads (`threads`,
 * capped at the partitions and cores; default all cores); `threads: 1` runs
 * on the calling thread. Every option is checked before any work starts: a
 * bad one rejects with a FlipcertError naming it (see {@link CertifyOptions}).
 */
export function certify(options: CertifyOptions): Promise<CertifyResult> {
  return certifyWith(options, openNodePool, availableParallelism());
}

/**
 * Checks the certificate on finite networks (docs/spec.md §12): trains the
 * ReLU network whose NTK is flipcert's kernel at each width and seed, and
 * retrains it on each certificate's witness and on attacks within the
 * certified radius. Retrainings run on `threads` workers; the result does not
 * depend on their number.
 */
export function validate(options: ValidateOptions): Promise<ValidateResult> {
  return validateWith(options, openNodePool, availableParallelism());
}
