/**
 * The blocked Cholesky factorisation of assembly/linalg/cholesky.ts on a thread
 * team: the same panels of NB columns, the same steps in the same order,
 * with the two big ones split by rows — the update of a panel by the columns
 * left of it, and the solve of the rows below its diagonal block. The small
 * diagonal block is factored by the calling thread (the leader) between the
 * two. Every entry of L is therefore computed exactly as by `cholesky`.
 */
import type { Team } from './team.js';
import type { Core } from '../wasm/core.js';
import { TeamOp } from './team.js';

/**
 * In place: the n×n symmetric positive definite matrix at `a` becomes its
 * lower Cholesky factor L, with Lᵀ in the strict upper triangle (what the
 * solves of TeamOp.solve read). Returns 0, or pivot + 1 when a pivot is not
 * positive (the matrix is then partly overwritten), as `cholesky` does.
 */
export function teamCholesky(core: Core, team: Team, a: number, n: number): number {
  const wasm = core.exports;
  const NB = wasm.NB.value;
  const s = 8 * n;
  for (let J = 0; J < n; J += NB) {
    const jb = Math.min(NB, n - J);
    const rowJ = a + J * s;
    const col = 8 * J;
    if (J > 0) team.run(TeamOp.gemm, [rowJ, n, rowJ, n, rowJ + col, n, n - J, jb, J, -1]);
    const status = wasm.factorDiagonal(a, n, J, jb);
    if (status !== 0) return status;
    const below = n - J - jb;
    if (below > 0) team.run(TeamOp.solveLowerT, [rowJ + col, n, rowJ + jb * s + col, n, below, jb]);
  }
  team.run(TeamOp.mirror, [a, n]);
  return 0;
}
