/// <reference path="./bytes.d.ts" />
import wasmBytes from '../../build/flipcert.wasm';
import { instantiate } from '../../build/flipcert.js';
import { TIE_TOLERANCE, UNREACHABLE } from '../types.js';
import { Heap } from './heap.js';

/** The raw, pointer-based entry points of assembly/index.ts. */
export type CoreExports = Awaited<ReturnType<typeof instantiate>>;

/** One instance of the compute core: its exports and the heap that feeds them. */
export interface Core {
  readonly exports: CoreExports;
  readonly heap: Heap;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Compiles the core once per thread. The resulting module can be posted to
 * workers, which then instantiate it without compiling again.
 */
export function compileCore(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(wasmBytes);
  return compiled;
}

/** Instantiates a fresh core with its own memory and heap. */
export async function createCore(module?: WebAssembly.Module): Promise<Core> {
  const exports = await instantiate(module ?? (await compileCore()), {
    // The certificate's constants are defined once, in TypeScript (src/types.ts).
    env: { abort: onAbort, tieTolerance: TIE_TOLERANCE, unreachable: UNREACHABLE },
  });
  const memory = exports.memory as WebAssembly.Memory;
  return { exports, heap: new Heap(memory, exports.heapBase()) };
}

function onAbort(): never {
  throw new Error('flipcert: internal error in the WebAssembly core (assertion failed)');
}
