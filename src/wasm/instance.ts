import { instantiate } from '../../build/flipcert.js';
import { FlipcertError } from '../errors.js';
import { TIE_TOLERANCE, UNREACHABLE } from '../types.js';
import { Heap } from './heap.js';

/** The raw, pointer-based entry points of assembly/index.ts. */
export type CoreExports = Awaited<ReturnType<typeof instantiate>>;

/** One instance of the compute core: its exports and the heap that feeds them. */
export interface Core {
  readonly exports: CoreExports;
  readonly heap: Heap;
}

/**
 * Instantiates a fresh core, with its own memory and heap, from a compiled
 * module. Kept apart from the core's bytes (core.ts) so that workers, which
 * always receive a compiled module, do not carry a second copy of them.
 *
 * With `memory` (a shared WebAssembly.Memory, sized up front; the module is
 * then the shared-memory build, see src/wasm/shared-memory.ts) the core runs
 * on that memory and its heap never grows it: several threads' instances
 * then work on the same buffers (src/pool/team-protocol.ts).
 */
export async function instantiateCore(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<Core> {
  // The core imports its memory (asconfig.json): its own, growable, unless a shared one is given.
  // (A core built before it did defines its own: bench/ compares against such builds.)
  const imported = memory ?? (importsMemory(module) ? reserve(() => new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES })) : undefined);
  const exports = await reserveAsync(() =>
    instantiate(module, {
      // The certificate's constants are defined once, in TypeScript (src/types.ts).
      env: { abort: onAbort, tieTolerance: TIE_TOLERANCE, unreachable: UNREACHABLE, ...(imported ? { memory: imported } : {}) },
    }),
  );
  const own = imported ?? (exports.memory as WebAssembly.Memory);
  const heap = memory ? new Heap(own, exports.heapBase(), memory.buffer.byteLength) : new Heap(own, exports.heapBase());
  return { exports, heap };
}

/**
 * A RangeError from creating a memory or an instance is the runtime refusing
 * memory (a limited address space, `ulimit -v`: a 64-bit runtime reserves about
 * 10 GiB of address space per 4 GiB memory for its guard regions): EMEMORY, the
 * user's to fix, not a bug and not a dead worker.
 */
function outOfMemory(error: unknown): unknown {
  if (!(error instanceof RangeError)) return error;
  return new FlipcertError(
    `not enough memory: could not reserve the WebAssembly core's memory for a thread (${error.message}); with a limited address space ` +
      '(ulimit -v) each thread needs about 10 GiB of it: raise the limit, use fewer threads, or run node with --disable-wasm-trap-handler',
    'EMEMORY',
  );
}

function reserve<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw outOfMemory(error);
  }
}

async function reserveAsync<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw outOfMemory(error);
  }
}

function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((entry) => entry.kind === 'memory');
}

/** 1 MiB to start with; the heap grows it as needed, up to the 4 GiB a 32-bit memory can address. */
const INITIAL_PAGES = 16;
const MAX_PAGES = 65536;

function onAbort(): never {
  throw new Error('flipcert: internal error in the WebAssembly core (assertion failed)');
}
