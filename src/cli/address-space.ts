// A limited address space (`ulimit -v`, RLIMIT_AS) checked before the engine
// thread starts: below what Node's threads reserve, V8 aborts the whole process
// (exit 133, a native trace) instead of throwing. Refused up front, as EMEMORY.
import { readFileSync } from 'node:fs';
import { FlipcertError } from '../errors.js';

const GiB = 2 ** 30;
/** Measured on Node 20 (x64 Linux): 2 GB aborts when a worker starts, 3 GB runs a small problem. */
const THREADS_BYTES = 3 * GiB;
/** One WebAssembly memory with V8's guard regions: 8 GiB + guards, measured to need more than 11.4 GiB with the rest. */
const GUARDED_BYTES = 12 * GiB;

/** The soft RLIMIT_AS in bytes (Linux, /proc/self/limits); undefined when unlimited or unknown. */
export function addressSpaceLimit(limits = readLimits()): number | undefined {
  const line = limits?.split('\n').find((l) => l.startsWith('Max address space'));
  const soft = line?.slice('Max address space'.length).trim().split(/\s+/)[0];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether V8 reserves guard regions for WebAssembly memories (unless node runs with --disable-wasm-trap-handler). */
function guardRegions(): boolean {
  const flag = '--disable-wasm-trap-handler';
  return !process.execArgv.includes(flag) && !(process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(flag);
}

/** Throws EMEMORY when the address space cannot hold the engine and one thread's core. */
export function checkAddressSpace(limit = addressSpaceLimit(), guarded = guardRegions()): void {
  if (limit === undefined) return;
  const need = guarded ? GUARDED_BYTES : THREADS_BYTES;
  if (limit >= need) return;
  const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;
  const why = guarded
    ? `its WebAssembly core reserves about 10 GiB of it per thread (V8's guard regions; only what the problem needs is used), so flipcert needs at least ${gib(need)}`
    : `Node's threads need at least ${gib(need)} of it`;
  const fix = guarded ? 'raise the limit (ulimit -v unlimited) or run node with --disable-wasm-trap-handler, which needs about 3 GiB' : 'raise the limit (ulimit -v unlimited)';
  throw new FlipcertError(`not enough memory: the address space is limited to ${gib(limit)} (ulimit -v); ${why}: ${fix}`, 'EMEMORY');
}
