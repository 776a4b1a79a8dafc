/**
 * Shared WebAssembly memory for a single model computed by several threads
 * (src/pool/team-protocol.ts). It needs SharedArrayBuffer and shared Wasm memories:
 * Node has both; browsers only on cross-origin isolated pages (COOP/COEP
 * headers, see src/cli/static-server.ts). Where they are missing, a single model runs
 * on one thread, with the same numbers.
 *
 * The shared build of the core (asconfig.json target `shared`) is the same
 * code with its memory imported as shared. Sharing one memory between
 * instances is safe because the core keeps no state in it: no data segments
 * (an instance would rewrite them when it starts), no allocator and no shadow
 * stack (runtime `stub`, nothing allocates); its few mutable globals (cursor
 * scratch of the vote-cost attack) belong to each instance, so each thread
 * has its own. test/team.test.ts checks the compiled module's text for each.
 */
import { FlipcertError } from '../errors.js';

const PAGE = 65536;
/** Pages a 32-bit WebAssembly memory can have. */
const MAX_PAGES = 65536;

let available: boolean | undefined;

/** Whether this runtime can share one WebAssembly memory between threads (checked once). */
export function sharedMemoryAvailable(): boolean {
  available ??= probe();
  return available;
}

function probe(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  // Browsers: SharedArrayBuffer may exist but cannot be posted to workers unless cross-origin isolated.
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return memory.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/**
 * A shared memory of at least `bytes`, all of it committed now (initial =
 * maximum: a shared memory's size is fixed up front, so running out later is
 * impossible). Throws EMEMORY when the runtime cannot reserve it.
 */
export function createSharedMemory(bytes: number, threads: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / PAGE);
  const mib = ((pages * PAGE) / 2 ** 20).toFixed(0);
  if (pages > MAX_PAGES) {
    throw new FlipcertError(
      `not enough memory: a single model on ${threads} threads needs ${mib} MiB of shared WebAssembly memory, more than the 4 GiB ` +
        'one memory can address; use fewer training rows or a smaller options.blockSize',
      'EMEMORY',
      { field: 'blockSize' },
    );
  }
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch (error) {
    throw new FlipcertError(
      `not enough memory: could not reserve ${mib} MiB of shared WebAssembly memory for a single model on ${threads} threads ` +
        `(${(error as Error).message}); use fewer training rows, a smaller options.blockSize, or options.threads 1`,
      'EMEMORY',
      { field: 'threads' },
    );
  }
}
