// The second passes over a partition (modes `attacks` and `exact`): after
// aggregation the coordinator asks for work on a few (test point, class)
// entries only, so nothing per entry is kept from the first pass. The
// partition is retrained and β recomputed for the requested test rows only
// (the coordinator sends just those; a row's β does not depend on the other
// rows of its block, so it is bit for bit the one the costs came from).
import type { PartitionResult, PartitionTask } from './task.js';
import { UNREACHABLE } from '../types.js';
import type { Core } from '../wasm/core.js';
import { voteAttack } from './certificate.js';
import { exactVoteCost } from './exact-cost.js';
import { votesClearly } from './rescore.js';

/** exactStatus codes: the bounds met, or why they did not. */
export const EXACT_STATUS = { exact: 0, budget: 1, rounding: 2 } as const;

export class RequestPass {
  private readonly requests: Int32Array;
  private readonly stride: number;
  private next = 0;
  // mode `attacks`
  private readonly start: number[] = [0];
  private readonly flips: number[] = [];
  private readonly verified: number[] = [];
  // mode `exact`
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly status: number[] = [];

  constructor(private readonly task: PartitionTask) {
    this.requests = task.requests ?? new Int32Array(0);
    this.stride = task.mode === 'attacks' ? 3 : 4;
  }

  private get count(): number {
    return this.requests.length / this.stride;
  }

  private point(r: number): number {
    return this.requests[r * this.stride];
  }

  /** Whether a request's test point lies in the block [start, start + count). */
  wants(start: number, count: number): boolean {
    while (this.next < this.count && this.point(this.next) < start) this.next++;
    return this.next < this.count && this.point(this.next) < start + count;
  }

  /** Serves the requests of the block whose β rows are at betaPtr. */
  run(core: Core, betaPtr: number, labelsPtr: number, start: number, count: number): void {
    const n = this.task.trainRows;
    for (; this.next < this.count && this.point(this.next) < start + count; this.next++) {
      const rowPtr = betaPtr + (this.point(this.next) - start) * n * 8;
      const at = this.next * this.stride;
      if (this.task.mode === 'attacks') this.attack(core, rowPtr, labelsPtr, this.requests[at + 1], this.requests[at + 2]);
      else this.exact(core, rowPtr, this.requests[at + 1], this.requests[at + 2], this.requests[at + 3]);
    }
  }

  /**
   * The attack behind a cost: the core's attack (the one behind the first
   * pass's upper bound), or, where the exact search lowered that bound, the
   * search's attack of exactly `cost` flips. Re-scored independently.
   */
  private attack(core: Core, rowPtr: number, labelsPtr: number, target: number, cost: number): void {
    const { trainRows: n, classes, trainY } = this.task;
    const hit = voteAttack(core, rowPtr, labelsPtr, n, classes, target);
    let labels: ArrayLike<number> | undefined = hit.flips === UNREACHABLE ? undefined : hit.labels;
    if (hit.flips !== cost) {
      const beta = core.heap.viewF64(rowPtr, n);
      const found = exactVoteCost(beta, trainY, classes, target, cost, cost + 1);
      labels = found.flips ? applyPairs(trainY, found.flips) : undefined;
    }
    const ok = labels !== undefined && votesClearly(core.heap.viewF64(rowPtr, n), labels, classes, target);
    for (let i = 0; ok && i < n; i++) {
      if (labels![i] !== trainY[i]) this.flips.push(i, trainY[i], labels![i]);
    }
    this.start.push(this.flips.length / 3);
    this.verified.push(ok ? 1 : 0);
  }

  /**
   * The exact cost between the first pass's bounds; a cheaper attack counts
   * only once re-scored. With no attack (upper UNREACHABLE) the search runs up
   * to n flips, the most any vote can need: finding none proves ρ = ∞.
   */
  private exact(core: Core, rowPtr: number, target: number, lower: number, upper: number): void {
    const { trainRows: n, classes, trainY } = this.task;
    const beta = core.heap.viewF64(rowPtr, n);
    const found = exactVoteCost(beta, trainY, classes, target, lower, upper === UNREACHABLE ? n + 1 : upper);
    if (upper === UNREACHABLE && found.status === 'exact' && found.lower === n + 1) found.lower = UNREACHABLE;
    let status: number = EXACT_STATUS[found.status];
    let newUpper = upper;
    if (found.status === 'exact' && found.flips) {
      if (votesClearly(beta, applyPairs(trainY, found.flips), classes, target)) newUpper = found.lower;
      else status = EXACT_STATUS.rounding;
    } else if (found.status === 'exact') newUpper = found.lower;
    this.lower.push(found.lower);
    this.upper.push(newUpper);
    this.status.push(newUpper === found.lower ? EXACT_STATUS.exact : status === EXACT_STATUS.exact ? EXACT_STATUS.rounding : status);
  }

  finish(result: PartitionResult): void {
    if (this.task.mode === 'attacks') {
      result.attackStart = Int32Array.from(this.start);
      result.attackFlips = Int32Array.from(this.flips);
      result.attackVerified = Uint8Array.from(this.verified);
    } else {
      result.exactLower = Int32Array.from(this.lower);
      result.exactUpper = Int32Array.from(this.upper);
      result.exactStatus = Uint8Array.from(this.status);
    }
  }
}

/** The labels with (row, new label) pairs applied. */
function applyPairs(labels: Int32Array, flips: Int32Array): Int32Array {
  const out = labels.slice();
  for (let k = 0; k < flips.length; k += 2) out[flips[k]] = flips[k + 1];
  return out;
}
