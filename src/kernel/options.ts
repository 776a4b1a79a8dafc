// The kernel options of docs/spec.md §2 (depth, wVar, bVar), checked and
// completed with their defaults; certify, validate and ntk() share them.
import { integerInRange, knownKeys, nonNegative, positive } from '../checks/values.js';
import type { KernelOptions, ResolvedKernel } from '../types.js';
import { MAX_DEPTH } from './ntk.js';

const KERNEL_KEYS: Record<keyof KernelOptions, true> = { depth: true, wVar: true, bVar: true };

/**
 * Checks kernel options (`name` is their path in messages) and fills in the
 * defaults of docs/spec.md §2: depth 2, wVar 2, bVar 0.
 */
export function resolveKernel(kernel: unknown = {}, name = 'options.kernel'): ResolvedKernel {
  const k = knownKeys(kernel, Object.keys(KERNEL_KEYS), name, '{ depth?, wVar?, bVar? }') as KernelOptions;
  return {
    depth: k.depth === undefined ? 2 : integerInRange(k.depth, 1, MAX_DEPTH, `${name}.depth`),
    wVar: k.wVar === undefined ? 2 : positive(k.wVar, `${name}.wVar`),
    bVar: k.bVar === undefined ? 0 : nonNegative(k.bVar, `${name}.bVar`),
  };
}
