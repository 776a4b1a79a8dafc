// validate (docs/spec.md §12) for any host: the Node and browser fronts
// (src/index.ts, src/browser.ts) pass their pool factory and core count.
import { withPool, type PoolFactory } from '../pool/pool.js';
import { instantiateCore } from '../wasm/core.js';
import { resolveValidateOptions } from './options.js';
import { representRun } from '../represent/apply.js';
import type { ValidateResult } from './result.js';
import { runValidation } from './run.js';

/**
 * {@link validate} with an explicit pool factory (shared by the Node and
 * browser fronts) and the host's core count. Options are resolved first, so
 * that bad input fails before any worker starts.
 */
export async function validateWith(options: unknown, openPool: PoolFactory, cores: number): Promise<ValidateResult> {
  const resolved = await representRun(resolveValidateOptions(options, cores));
  // The NTK certificate runs on this thread, before the networks: one model, small next to their trainings.
  return withPool(resolved, openPool, async (pool, module) => runValidation(resolved, pool, await instantiateCore(module)));
}
