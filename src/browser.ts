/**
 * flipcert for browsers, edge runtimes and anything without Node's worker
 * threads: the same API, partitions run on the calling thread.
 */
import { certifyWith } from './api.js';
import type { CertifyOptions } from './options.js';
import { InlinePool } from './pool/inline.js';
import type { CertifyResult } from './result.js';

export { ntk } from './api.js';
export { FlipcertError } from './errors.js';
export type { CertifyOptions, Progress } from './options.js';
export type { CertifyResult, PointResult, ResultConfig, ResultSummary } from './result.js';
export type { KernelOptions, LabelsInput, Matrix, MatrixInput, ModelKind, Partitioning, WitnessFlip } from './types.js';

/** Certifies every test point; see the Node entry for details. `threads` is ignored here. */
export function certify(options: CertifyOptions): Promise<CertifyResult> {
  return certifyWith(options, async () => new InlinePool());
}
