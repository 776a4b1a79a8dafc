import { throwIfAborted } from '../host/abort.js';
import type { PoolFactory } from '../certify/certify.js';
import { compileCore, instantiateCore } from '../wasm/core.js';
import { resolveValidateOptions } from './options.js';
import type { ValidateResult } from './result.js';
import { runValidation } from './run.js';

/**
 * {@link validate} with an explicit pool factory (shared by the Node and
 * browser fronts) and the host's core count. Options are resolved first, so
 * that bad input fails before any worker starts.
 */
export async function validateWith(options: unknown, openPool: PoolFactory, cores: number): Promise<ValidateResult> {
  const resolved = resolveValidateOptions(options, cores);
  const module = await compileCore(resolved.wasmModule);
  throwIfAborted(resolved.signal);
  // The NTK certificate runs here, before the networks: one model, small next to their trainings.
  const core = await instantiateCore(module);
  const pool = await openPool({ module, threads: resolved.threads, inThread: resolved.inThread, workerUrl: resolved.workerUrl });
  try {
    throwIfAborted(resolved.signal);
    return await runValidation(resolved, pool, core);
  } finally {
    await pool.close();
  }
}
