/// <reference path="./bytes.d.ts" />
import coreBytes from '../../build/flipcert.wasm';
import { FlipcertError } from '../errors.js';
import { checkWasmSupport, isWasmModule } from './detect.js';
import { instantiateCore, type Core } from './instance.js';
import { sharedBuildOf } from './shared-build.js';

export { instantiateCore, type Core, type CoreExports } from './instance.js';

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * The compiled core: `wasmModule` when the caller gives one (checked to be
 * flipcert's), else the inlined bytes compiled once per thread. The module can
 * be posted to workers, which then instantiate it without compiling again.
 */
export function compileCore(wasmModule?: WebAssembly.Module): Promise<WebAssembly.Module> {
  if (wasmModule !== undefined) return Promise.resolve(checkCoreModule(wasmModule));
  compiled ??= compileBytes();
  return compiled;
}

/** Instantiates a fresh core with its own memory and heap (compiling the inlined bytes when no module is given). */
export async function createCore(module?: WebAssembly.Module): Promise<Core> {
  return instantiateCore(await compileCore(module));
}

let compiledShared: Promise<WebAssembly.Module | undefined> | undefined;

/**
 * The shared-memory build of the core (src/wasm/shared-memory.ts), made from
 * the same bytes (src/wasm/shared-build.ts) and compiled once; undefined where
 * it cannot be compiled: the caller then runs on one thread.
 */
export function compileSharedCore(): Promise<WebAssembly.Module | undefined> {
  compiledShared ??= Promise.resolve()
    .then(() => WebAssembly.compile(sharedBuildOf(coreBytes())))
    .catch(() => undefined);
  return compiledShared;
}

async function compileBytes(): Promise<WebAssembly.Module> {
  checkWasmSupport();
  const bytes = coreBytes();
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    // SIMD is there (checked above), so what failed is compiling itself:
    // typically "Wasm code generation disallowed by embedder" on edge runtimes.
    throw new FlipcertError(
      `this runtime could not compile flipcert's WebAssembly core (${(error as Error).message}). ` +
        "Runtimes that forbid compiling WebAssembly from bytes (edge runtimes) need a precompiled module: import 'flipcert/wasm' " +
        'as a WebAssembly.Module and pass it as options.wasmModule',
      'EUNSUPPORTED',
      { field: 'wasmModule' },
    );
  }
}

/** `options.wasmModule`, checked: a WebAssembly.Module (any realm's) that exports the core's entry points. */
export function checkCoreModule(module: unknown): WebAssembly.Module {
  if (!isWasmModule(module)) {
    throw new FlipcertError(
      `options.wasmModule must be a WebAssembly.Module (flipcert/wasm, compiled), got ${describe(module)}`,
      'EOPTION',
      { field: 'wasmModule' },
    );
  }
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  if (!names.has('heapBase') || !names.has('certifyBlock')) {
    throw new FlipcertError(
      "options.wasmModule is not flipcert's core: compile the file exported as 'flipcert/wasm' of this version",
      'EOPTION',
      { field: 'wasmModule' },
    );
  }
  return module;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return Object.prototype.toString.call(value).slice(8, -1);
}
