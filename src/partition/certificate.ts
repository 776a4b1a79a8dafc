// TypeScript front of the certificate kernels (assembly/cert/certificate.ts): checks the
// arguments, reserves scratch and outputs on the heap, calls the core, copies
// the results out and releases everything.
//
// Rounding: see assembly/cert/pair.ts and the README ("Rounding"). A point is
// flagged nearTie when a count that matters, or the prediction itself, lies
// within the rounding band TIE_TOLERANCE·(Σ|β| of the two classes + S); every
// witness and every attack is re-scored with compensated sums before it is
// reported. Zero gains never count as a successful flip.

import { FlipcertError } from '../errors.js';
import { TIE_TOLERANCE, UNREACHABLE, type SingleCertificates, type VoteCosts, type WitnessFlip } from '../types.js';
import { TeamOp } from '../kernel/team.js';
import type { Team } from '../kernel/team.js';
import type { Core } from '../wasm/core.js';
import { alignHeap } from '../wasm/heap.js';

export { TIE_TOLERANCE };

/** m × n weights β (row-major float64) and n labels in [0, classes) on the heap: what the certificates read. */
type WeightRows = [betaPtr: number, labelsPtr: number, m: number, n: number, classes: number];

/**
 * ScaLabelCert (docs/spec.md §4) for m test points of one model: prediction, radius in
 * [0, n] (n when no flips change the prediction), near-tie flags, an upper
 * bound on the true radius (the radius itself unless flagged; on a flagged
 * point from the smallest re-scored single-pair attack, n when none) and, with
 * `witness`, for each point flips that change its prediction, re-scored: the
 * radius + 1 flips of the minimal attack, or, on a flagged point whose minimal
 * attack does not re-score clearly, a larger one that does (empty when the
 * radius is n or no single-pair attack re-scores clearly).
 *
 * `betaPtr`: m × n float64 weights, row-major; `labelsPtr`: n int32 labels in [0, classes).
 * With a `team` (and no witnesses) the points are spread over its threads,
 * each with its own scratch; every point is certified alone, so the results
 * are the same.
 */
export function singleCertificates(
  core: Core,
  ...[betaPtr, labelsPtr, m, n, classes, witness, team]: [...WeightRows, witness: boolean, team?: Team]
): SingleCertificates {
  checkInputs(core, betaPtr, labelsPtr, m, n, classes, 'singleCertificates');
  return core.heap.scoped(() => {
    const { heap, exports } = core;
    const members = team && !witness ? team.size : 1;
    const scratchBytes = alignHeap(exports.certScratchBytes(n, classes));
    const scratch = heap.bytes(members * scratchBytes);
    const pred = heap.i32(m);
    const radius = heap.i32(m);
    const target = heap.i32(m);
    const near = heap.bytes(m);
    const upper = heap.i32(m);
    const flips = witness ? heap.i32(3 * n) : 0;
    let witnesses: WitnessFlip[][] | undefined;
    if (witness) {
      // One point per call: the witness comes from the same sorted lists.
      witnesses = [];
      for (let p = 0; p < m; p++) {
        const count = exports.certifyWitness(
          betaPtr + p * n * 8, labelsPtr, n, classes, scratch, pred + 4 * p, radius + 4 * p, near + p, upper + 4 * p, flips,
        );
        witnesses.push(readFlips(core, flips, count));
      }
    } else if (team && members > 1) {
      team.run(TeamOp.certify, [betaPtr, labelsPtr, m, n, classes, scratch, scratchBytes, pred, radius, near, upper, target]);
    } else {
      exports.certifyBlock(betaPtr, labelsPtr, m, n, classes, scratch, pred, radius, near, upper, target);
    }
    return {
      prediction: heap.viewI32(pred, m).slice(),
      radius: heap.viewI32(radius, m).slice(),
      nearTie: byteView(core, near, m).slice(),
      upper: heap.viewI32(upper, m).slice(),
      ...(witnesses ? { witnesses } : {}),
    };
  });
}

function readFlips(core: Core, ptr: number, count: number): WitnessFlip[] {
  const triples = core.heap.viewI32(ptr, 3 * count);
  return Array.from({ length: count }, (_, k) => ({ train: triples[3 * k], from: triples[3 * k + 1], to: triples[3 * k + 2] }));
}

/**
 * Per-partition vote costs (docs/spec.md §5) for m test points of one base model:
 * vote, lower[l] = max_{j≠l} pair(l over j) (exact for two classes) and upper[l]
 * from a real attack whose flips were applied and re-scored (UNREACHABLE when
 * none was found; equal to lower for two classes). lower/upper are m × classes.
 */
export function voteCosts(core: Core, ...[betaPtr, labelsPtr, m, n, classes]: WeightRows): VoteCosts {
  checkInputs(core, betaPtr, labelsPtr, m, n, classes, 'voteCosts');
  return core.heap.scoped(() => {
    const { heap, exports } = core;
    const scratch = heap.bytes(exports.certScratchBytes(n, classes));
    const votes = heap.i32(m);
    const lower = heap.i32(m * classes);
    const upper = heap.i32(m * classes);
    const near = heap.bytes(m);
    exports.voteCostsBlock(betaPtr, labelsPtr, m, n, classes, scratch, votes, lower, upper, near);
    return {
      votes: heap.viewI32(votes, m).slice(),
      lower: heap.viewI32(lower, m * classes).slice(),
      upper: heap.viewI32(upper, m * classes).slice(),
      nearTie: byteView(core, near, m).slice(),
    };
  });
}

/**
 * The attack behind voteCosts' upper bound, for one point and one target:
 * the attacked labels and the number of labels changed (UNREACHABLE when the
 * attack failed). For tests, which re-check it independently.
 */
export function voteAttack(
  core: Core,
  rowPtr: number,
  labelsPtr: number,
  n: number,
  classes: number,
  target: number,
): { flips: number; labels: Int32Array } {
  checkInputs(core, rowPtr, labelsPtr, 1, n, classes, 'voteAttack');
  if (!Number.isInteger(target) || target < 0 || target >= classes) {
    throw new FlipcertError(`voteAttack: target class must be an integer in [0, ${classes - 1}], got ${target}`);
  }
  return core.heap.scoped(() => {
    const scratch = core.heap.bytes(core.exports.certScratchBytes(n, classes));
    const out = core.heap.i32(n);
    const flips = core.exports.voteAttack(rowPtr, labelsPtr, n, classes, target, scratch, out);
    return { flips, labels: core.heap.viewI32(out, n).slice() };
  });
}

/** Everything the kernels assume, checked here so that bad input never reaches Wasm. */
function checkInputs(
  core: Core,
  betaPtr: number,
  labelsPtr: number,
  m: number,
  n: number,
  classes: number,
  fn: string,
): void {
  integer(m, 0, `${fn}: m (test points)`);
  integer(n, 1, `${fn}: n (training points)`);
  integer(classes, 2, `${fn}: classes`);
  if (n >= UNREACHABLE / 4 || classes > 65_536) {
    throw new FlipcertError(`${fn}: problem too large (n = ${n}, classes = ${classes})`);
  }
  const bytes = (core.exports.memory as WebAssembly.Memory).buffer.byteLength;
  pointer(betaPtr, 8, m * n * 8, bytes, `${fn}: β pointer`);
  pointer(labelsPtr, 4, n * 4, bytes, `${fn}: labels pointer`);
  const labels = core.heap.viewI32(labelsPtr, n);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0 || labels[i] >= classes) {
      throw new FlipcertError(`${fn}: training label of row ${i} is ${labels[i]}, outside 0..${classes - 1}`);
    }
  }
  const beta = core.heap.viewF64(betaPtr, m * n);
  for (let k = 0; k < beta.length; k++) {
    if (!Number.isFinite(beta[k])) {
      const p = Math.floor(k / n);
      throw new FlipcertError(`${fn}: weight β of test point ${p}, training row ${k - p * n} is ${beta[k]}`);
    }
  }
}

function byteView(core: Core, ptr: number, length: number): Uint8Array {
  return new Uint8Array((core.exports.memory as WebAssembly.Memory).buffer, ptr, length);
}

function integer(value: number, min: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new FlipcertError(`${what} must be an integer ≥ ${min}, got ${value}`);
  }
}

function pointer(ptr: number, align: number, size: number, limit: number, what: string): void {
  if (!Number.isSafeInteger(ptr) || ptr <= 0 || ptr % align !== 0 || ptr + size > limit) {
    throw new FlipcertError(`${what} ${ptr} does not address ${size} bytes of WebAssembly memory (${align}-aligned)`);
  }
}
