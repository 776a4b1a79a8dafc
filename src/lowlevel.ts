// Advanced entry point (`flipcert/lowlevel`): the raw compute core, for
// benchmarks and for users who manage Wasm memory themselves.
export { compileCore, createCore, type Core, type CoreExports } from './wasm/core.js';
export { Heap } from './wasm/heap.js';
export { ntkGram, ntkInto, ntkIntoHeap } from './kernel/ntk.js';
export { KernelModel, type KernelModelOptions } from './kernel/model.js';
