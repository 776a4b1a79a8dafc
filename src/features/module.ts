/**
 * The features module (assembly/features/index.ts): the scattering transform and
 * the table-free exp/log of the representations (docs/spec.md §13), a second,
 * small Wasm module beside the compute core. Only the representation code
 * imports this file, so a bundle that never represents carries neither its
 * bytes nor its code.
 */
/// <reference path="../wasm/bytes.d.ts" />
import featuresBytes from '../../build/features.wasm';
import { instantiate } from '../../build/features.js';
import { FlipcertError } from '../errors.js';
import { checkWasmSupport } from '../wasm/detect.js';
import { Heap } from '../wasm/heap.js';

export type FeaturesExports = Awaited<ReturnType<typeof instantiate>>;

/** One instance of the features module: its exports and the heap that feeds them. */
export interface Features {
  readonly exports: FeaturesExports;
  readonly heap: Heap;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** A fresh instance with its own growable memory; the module is compiled once per thread. */
export async function createFeatures(): Promise<Features> {
  compiled ??= compileFeatures();
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
  const exports = await instantiate(await compiled, { env: { memory } });
  return { exports, heap: new Heap(memory, exports.heapBase()) };
}

async function compileFeatures(): Promise<WebAssembly.Module> {
  checkWasmSupport();
  try {
    return await WebAssembly.compile(featuresBytes());
  } catch (error) {
    compiled = undefined;
    throw new FlipcertError(
      `this runtime could not compile flipcert's WebAssembly features module (${(error as Error).message}): ` +
        'representations (options.represent) need a runtime that compiles WebAssembly from bytes (Node, browsers, Bun, Deno)',
      'EUNSUPPORTED',
      { field: 'represent' },
    );
  }
}
