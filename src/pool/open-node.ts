import type { PoolFactory } from './pool.js';
import { InlinePool } from './inline.js';
import { startNodePool } from './node.js';

/** Node's pools: worker threads, or the calling thread for `threads: 1`. `workerUrl` is for browsers only. */
export const openNodePool: PoolFactory = async ({ module, threads, inThread }) =>
  inThread ? new InlinePool(module) : startNodePool(module, threads);
