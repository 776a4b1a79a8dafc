// Advanced entry point (`flipcert/lowlevel`): the raw compute core, for
// benchmarks and for users who manage Wasm memory themselves.
export { compileCore, createCore, instantiateCore, type Core, type CoreExports } from './wasm/core.js';
export { checkWasmSupport } from './wasm/detect.js';
export { Heap, type HeapMark } from './wasm/heap.js';
export { ntkGram, ntkInto, ntkIntoHeap } from './kernel/ntk.js';
export { KernelModel, type KernelModelOptions } from './kernel/model.js';
export {
  empiricalNtk, initialParameters, layerLayout, networkScores, parameterCount, trainNetwork, trainNetworks,
  type NetworkShape, type TrainedNetwork, type TrainOptions,
} from './network/index.js';
export { scatter, scatterOn, scatteringDims, scatteringGrid } from './features/scattering.js';
export { createFeatures, type Features, type FeaturesExports } from './features/module.js';
