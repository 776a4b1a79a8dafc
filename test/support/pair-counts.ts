// pair(l over j) for one test point and every ordered pair of classes, through
// the core's pairCountsRow: the numbers behind voteCosts' lower bounds, for tests.
import type { Core } from '../../src/wasm/core.js';

/** counts[l·C + j] = pair(l over j) (diagonal 0) and the point's vote; `rowPtr` points at its n weights. */
export function pairCounts(
  core: Core,
  rowPtr: number,
  labelsPtr: number,
  n: number,
  classes: number,
): { vote: number; counts: Int32Array } {
  return core.heap.scoped(() => {
    const scratch = core.heap.bytes(core.exports.certScratchBytes(n, classes));
    const out = core.heap.i32(classes * classes);
    const vote = core.exports.pairCountsRow(rowPtr, labelsPtr, n, classes, scratch, out);
    return { vote, counts: core.heap.viewI32(out, classes * classes).slice() };
  });
}
