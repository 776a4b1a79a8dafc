// The export surface of the features module: a second, small Wasm module beside
// the compute core, for the label-free representations of docs/spec.md §13. It is
// loaded only by the representation code (src/features/module.ts), so a bundle
// that never represents carries none of it. Same rules as the core: byte offsets
// into linear memory owned by JavaScript (src/wasm/heap.ts), explicit sizes, no
// allocation, no data segments.

export function heapBase(): usize {
  return __heap_base;
}

// Table-free elementary functions (elementary.ts), the same bits on every runtime.
export { expInPlace, logShiftedInPlace, sinInPlace, cosInPlace } from './elementary';
// Wavelet scattering (scattering.ts, docs/spec.md §13.1).
export { scatteringWorkspaceDoubles, scatteringPlan, scatterRows, scatteringChannels, scatteringGrid } from './scattering';
