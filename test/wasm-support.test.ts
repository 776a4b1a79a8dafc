// What flipcert checks before it compiles its core, and the precompiled-module
// path (options.wasmModule) that runtimes without Wasm codegen rely on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { certify, FlipcertError, ntk } from '../src/index.js';
import { compileCore } from '../src/wasm/core.js';
import { checkWasmSupport, isWasmModule } from '../src/wasm/detect.js';
import { clusters } from './support/clusters.js';

const V128 = 0x7b;

describe('checkWasmSupport', () => {
  it('passes on this runtime (Node has Wasm SIMD)', () => {
    expect(() => checkWasmSupport()).not.toThrow();
  });

  it('rejects a runtime whose validator knows no v128 type, naming SIMD', () => {
    const noSimd = { validate: (bytes: BufferSource) => !new Uint8Array(bytes as Uint8Array).includes(V128) };
    expect(() => checkWasmSupport({ WebAssembly: noSimd })).toThrow(FlipcertError);
    expect(() => checkWasmSupport({ WebAssembly: noSimd })).toThrow(/WebAssembly has no SIMD/);
    expect(catchError(() => checkWasmSupport({ WebAssembly: noSimd }))).toMatchObject({ code: 'EUNSUPPORTED' });
  });

  it('rejects a runtime without WebAssembly', () => {
    expect(catchError(() => checkWasmSupport({}))).toMatchObject({
      code: 'EUNSUPPORTED',
      message: expect.stringMatching(/no WebAssembly/),
    });
  });
});

describe('options.wasmModule', () => {
  const problem = { ...clusters(11, 40, 6, 2), partitions: 3, threads: 1 };

  it('certifies with a precompiled core, as without one', async () => {
    const wasmModule = await WebAssembly.compile(readFileSync('build/flipcert.wasm'));
    const [withModule, without] = await Promise.all([certify({ ...problem, wasmModule }), certify(problem)]);
    expect(withModule.points).toEqual(without.points);
    expect(withModule.points.some((p) => p.radius > 0)).toBe(true);
  });

  it('goes to the worker threads too (threads 2)', async () => {
    const wasmModule = await compileCore();
    const [two, one] = await Promise.all([certify({ ...problem, threads: 2, wasmModule }), certify(problem)]);
    expect(two.points).toEqual(one.points);
  });

  it('gives ntk the same kernel', async () => {
    const x = clusters(12, 6, 1, 2).train.x;
    const wasmModule = await WebAssembly.compile(readFileSync('build/flipcert.wasm'));
    expect((await ntk(x, undefined, undefined, { wasmModule })).data).toEqual((await ntk(x)).data);
  });

  it.each([
    [{}, /must be a WebAssembly\.Module.*got Object/],
    [new Uint8Array(8), /must be a WebAssembly\.Module.*got Uint8Array/],
    ['flipcert.wasm', /must be a WebAssembly\.Module.*got string/],
  ])('rejects %o (EOPTION, field wasmModule)', async (wasmModule, message) => {
    const error = await certify({ ...problem, wasmModule: wasmModule as unknown as WebAssembly.Module }).catch((e) => e);
    expect(error).toBeInstanceOf(FlipcertError);
    expect(error).toMatchObject({ code: 'EOPTION', field: 'wasmModule', message: expect.stringMatching(message) });
  });

  it('rejects a module that is not flipcert’s core', async () => {
    const empty = await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    expect(isWasmModule(empty)).toBe(true);
    await expect(certify({ ...problem, wasmModule: empty })).rejects.toMatchObject({
      code: 'EOPTION',
      field: 'wasmModule',
      message: expect.stringMatching(/not flipcert's core/),
    });
  });
});

function catchError(body: () => void): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
