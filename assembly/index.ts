// The only export surface of the compute core. Every entry point takes byte
// offsets into linear memory (allocated and owned by JavaScript, see
// src/wasm/heap.ts) plus explicit sizes; none allocates.

export function heapBase(): usize {
  return __heap_base;
}

export function probe(ptr: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += load<f64>(ptr + (<usize>i << 3));
  return s;
}

// Linear algebra and kernels (gemm.ts, ntk.ts, cholesky.ts, trisolve.ts).
export { gramDot, gramSym, gemmNT, rowSquaredNorms } from './gemm';
export { ntkFromDot, ntkFromDotSym, ntkDiag } from './ntk';
export { ZERO_ROW, rowLogb, scaleRows, scaleEntries } from './scale';
export { cholesky, addDiagonal, traceOf } from './cholesky';
export { trsmRightLowerT, trsmRightLower } from './trisolve';

// Certificates and per-partition vote costs (certify.ts, votecosts.ts, certpair.ts, certlists.ts, certtop.ts, certattack.ts, select.ts).
export { certScratchBytes, certifyBlock, certifyWitness, pairCountsRow, voteCostsDirectBlock, voteAttack } from './certify';
export { voteCostsBlock } from './votecosts';

// Data augmentation (augment.ts).
export { augmentRows } from './augment';

// The finite-width network of docs/spec.md §11 (gemmpacked.ts, mlp.ts).
export { gemmNN, gemmTN, packedScratchDoubles } from './gemmpacked';
export {
  biasActivate, outputDeltas, reluMask, combineDeltas, deltaDots, columnSums, ntkAddLayer, ntkAddOutput,
  subtractInto, scaleInto, lerpInto, squaredDistance,
} from './mlp';
