import { FlipcertError } from '../errors.js';

/**
 * The smallest module that uses fixed-width SIMD: one function returning
 * `v128.const 0`. A runtime without Wasm SIMD rejects it in validation, which
 * (unlike compiling) is allowed even where the embedder forbids Wasm codegen.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b, // code: v128.const 0; end
]);

/** The part of the global scope the check reads (a parameter, so that tests can pass a runtime without SIMD). */
export interface WasmRuntime {
  WebAssembly?: Pick<typeof WebAssembly, 'validate'>;
}

/** Throws EUNSUPPORTED, before any compiling, when the runtime has no WebAssembly or no Wasm SIMD. */
export function checkWasmSupport(runtime: WasmRuntime = globalThis): void {
  const wasm = runtime.WebAssembly;
  if (typeof wasm?.validate !== 'function') {
    throw new FlipcertError('this runtime has no WebAssembly; flipcert needs WebAssembly with SIMD', 'EUNSUPPORTED');
  }
  if (!wasm.validate(SIMD_PROBE)) {
    throw new FlipcertError(
      "this runtime's WebAssembly has no SIMD (fixed-width 128-bit), which flipcert's core needs: " +
        'use Node ≥ 16.4, Chrome or Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4, Deno, or an edge runtime built on current V8',
      'EUNSUPPORTED',
    );
  }
}

/** A WebAssembly.Module, also one made in another realm (a vm context, an iframe), where `instanceof` fails. */
export function isWasmModule(value: unknown): value is WebAssembly.Module {
  return Object.prototype.toString.call(value) === '[object WebAssembly.Module]';
}
