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

// Linear algebra (linalg/) and the NTK kernel (kernel/).
export { gramDot, gramSym, gemmNT, rowSquaredNorms, gramSymRows, mirrorLowerRows } from './linalg/gemm';
export { ntkFromDot, ntkFromDotSym, ntkDiag, ntkFromDotLowerRows } from './kernel/ntk';
export { ZERO_ROW, rowLogb, scaleRows, scaleEntries } from './kernel/scale';
export { compactColumns } from './kernel/columns';
export { cholesky, addDiagonal, traceOf, factorDiagonal } from './linalg/cholesky';
export { NB, trsmRightLowerT, trsmRightLower, solveRowsLowerT } from './linalg/trisolve';
export { solveScratchDoubles, invertDiagonalBlocks, solveFactored } from './linalg/trsm-inverse';

// Certificates and per-partition vote costs (cert/, see cert/README.md).
export { certScratchBytes, certifyBlock, certifyWitness, pairCountsRow, voteAttack } from './cert/certificate';
export { voteCostsBlock, voteCostsDirectBlock } from './cert/vote-costs';

// Data augmentation (kernel/augment.ts).
export { augmentRows } from './kernel/augment';

// The finite-width network of docs/spec.md §11 (linalg/gemm-packed.ts, network/passes.ts).
export { gemmNN, gemmTN, packedScratchDoubles } from './linalg/gemm-packed';
export {
  biasActivate, outputDeltas, reluMask, combineDeltas, deltaDots, columnSums, ntkAddLayer, ntkAddOutput,
  subtractInto, scaleInto, lerpInto, squaredDistance,
} from './network/passes';
