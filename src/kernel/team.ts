/**
 * The operations a thread team (src/pool/team-protocol.ts) runs, each split into
 * chunks of rows. A chunk calls the same Wasm kernel as the single-threaded
 * code, on a row range, and every output element depends only on its row's
 * inputs, summed in the kernel's fixed order (assembly/linalg/gemm.ts): so a
 * result is bitwise the same for any chunking and any number of threads.
 */
import type { Core } from '../wasm/instance.js';

/** Runs chunk `chunk` of operation `op` with arguments `args` (src/kernel/team.ts). */
export type ChunkRunner = (op: number, args: Float64Array, chunk: number) => void;
/** How many chunks operation `op` has, for a team of `size`. */
export type ChunkCounter = (op: number, args: Float64Array, size: number) => number;

/** What the model code sees of a team: run one operation on every member and wait for all. */
export interface Team {
  readonly size: number;
  run(op: number, args: readonly number[]): void;
}

export const TeamOp = {
  /** [a, c, n, width]: gramSym's lower triangle over rows of `width` doubles, rows split (assembly/linalg/gemm.ts gramSymRows). */
  gramSymLower: 1,
  /** [c, q, n, d, depth, wVar, bVar]: ntkFromDotSym's lower triangle, in place. */
  ntkSymLower: 2,
  /** [c, n]: copies the strict lower triangle onto the upper one. */
  mirror: 3,
  /** [c, m, n, ea, eb]: scaleEntries. */
  scale: 4,
  /** [a, lda, b, ldb, c, ldc, m, n, k, alpha]: C += alpha·A·Bᵀ, rows of A and C split. */
  gemm: 5,
  /** [l, ldl, b, ldb, rows, jb]: solveRowsLowerT (the panel solve of the Cholesky). */
  solveLowerT: 6,
  /** [a, b, c, m, n, d]: gramDot. */
  gramDot: 7,
  /** [a, b, c, qa, qb, m, n, d, depth, wVar, bVar, width]: gramDot over rows of `width` doubles then ntkFromDot (input dimension d), chunk by chunk (the rows stay in cache). */
  kernelDot: 8,
  /** [l, b, n, m, scratch]: B ← B·(L Lᵀ)⁻¹ (solveFactored: Lᵀ above the factor's diagonal, its diagonal blocks inverted; scratch per member). */
  solve: 9,
  /** [β, labels, m, n, C, scratch, scratchStride, pred, radius, near, upper, target]: certifyBlock, one scratch per thread. */
  certify: 10,
} as const;

/** Chunks per thread: enough that an unevenly loaded machine still keeps every thread busy. */
const CHUNKS_PER_THREAD = 8;

/** Rows per chunk for `rows` rows: a multiple of 4 (the Gram micro-kernel's strip), at least 4. */
function chunkRows(rows: number, size: number): number {
  return Math.max(4, 4 * Math.ceil(rows / (4 * CHUNKS_PER_THREAD * size)));
}

/** Per operation, the index of the argument that counts the rows it splits (its m, or n for square ones). */
const ROWS_ARG: Record<number, number> = {
  [TeamOp.gramSymLower]: 2,
  [TeamOp.ntkSymLower]: 2,
  [TeamOp.mirror]: 1,
  [TeamOp.scale]: 1,
  [TeamOp.gemm]: 6,
  [TeamOp.solveLowerT]: 4,
  [TeamOp.gramDot]: 3,
  [TeamOp.kernelDot]: 5,
  [TeamOp.solve]: 3,
  [TeamOp.certify]: 2,
};

function rowsOf(op: number, args: Float64Array): number {
  const at = ROWS_ARG[op];
  if (at === undefined) throw new Error(`flipcert: unknown team operation ${op}`);
  return args[at];
}

/** How many chunks `op` has for a team of `size` (every member computes the same). */
export function countChunks(op: number, args: Float64Array, size: number): number {
  const rows = rowsOf(op, args);
  return Math.ceil(rows / chunkRows(rows, size));
}

/**
 * The chunk runner of one team member (`rank` picks its certificate
 * scratch). Triangular operations hand out their costliest rows first.
 */
export function chunkRunner(core: Core, rank: number, size: number): (op: number, args: Float64Array, chunk: number) => void {
  const w = core.exports;
  return (op, a, chunk) => {
    const rows = rowsOf(op, a);
    const step = chunkRows(rows, size);
    const count = Math.ceil(rows / step);
    // Lower-triangle rows cost more the lower they are: those go first. Mirrored rows cost more the higher they are.
    const c = op === TeamOp.gramSymLower || op === TeamOp.ntkSymLower ? count - 1 - chunk : chunk;
    const lo = c * step;
    const hi = Math.min(rows, lo + step);
    const r = hi - lo;
    switch (op) {
      case TeamOp.gramSymLower:
        w.gramSymRows(a[0], a[1], a[2], a[3], lo, hi);
        return;
      case TeamOp.ntkSymLower:
        w.ntkFromDotLowerRows(a[0], a[1], a[2], a[3], a[4], a[5], a[6], lo, hi);
        return;
      case TeamOp.mirror:
        w.mirrorLowerRows(a[0], a[1], lo, hi);
        return;
      case TeamOp.scale:
        w.scaleEntries(a[0] + lo * a[2] * 8, r, a[2], a[3] + lo * 4, a[4]);
        return;
      case TeamOp.gemm:
        w.gemmNT(a[0] + lo * a[1] * 8, a[1], a[2], a[3], a[4] + lo * a[5] * 8, a[5], r, a[7], a[8], a[9]);
        return;
      case TeamOp.solveLowerT:
        w.solveRowsLowerT(a[0], a[1], a[2] + lo * a[3] * 8, a[3], r, a[5]);
        return;
      case TeamOp.gramDot:
        w.gramDot(a[0] + lo * a[5] * 8, a[1], a[2] + lo * a[4] * 8, r, a[4], a[5]);
        return;
      case TeamOp.kernelDot: {
        const c0 = a[2] + lo * a[6] * 8;
        w.gramDot(a[0] + lo * a[11] * 8, a[1], c0, r, a[6], a[11]);
        w.ntkFromDot(c0, a[3] + lo * 8, a[4], r, a[6], a[7], a[8], a[9], a[10]);
        return;
      }
      case TeamOp.solve:
        // Each member multiplies through its own DP × NB scratch.
        w.solveFactored(a[0], a[1] + lo * a[2] * 8, a[2], r, a[4] + rank * w.solveScratchDoubles() * 8);
        return;
      case TeamOp.certify:
        w.certifyBlock(
          a[0] + lo * a[3] * 8, a[1], r, a[3], a[4], a[5] + rank * a[6],
          a[7] + lo * 4, a[8] + lo * 4, a[9] + lo, a[10] + lo * 4, a[11] + lo * 4,
        );
        return;
      default:
        throw new Error(`flipcert: unknown team operation ${op}`);
    }
  };
}
