import { FlipcertError } from '../errors.js';
import { UNREACHABLE } from '../types.js';
import { KernelModel } from '../kernel/model.js';
import type { PartitionResult, PartitionTask } from '../pool/task.js';
import type { Core } from '../wasm/core.js';
import { singleCertificates, voteAttack, voteCosts } from './certificate.js';
import { planBlockSize, type PartitionShape } from './memory.js';
import { votesClearly } from './rescore.js';

/**
 * Trains the base model of one partition and certifies every test point
 * against it, one block of test rows at a time so that memory stays bounded
 * (K is n_p², each block adds blockSize × n_p).
 */
export function runPartition(core: Core, task: PartitionTask, onBlock?: (done: number, total: number) => void): PartitionResult {
  const steps = partitionSteps(core, task, onBlock);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * {@link runPartition} one test block per step, for a caller on a shared
 * thread that must let other events (a cancellation) in between blocks.
 * Abandoning the generator (`return()`) releases its Wasm memory.
 */
export function* partitionSteps(
  core: Core,
  task: PartitionTask,
  onBlock?: (done: number, total: number) => void,
): Generator<void, PartitionResult, void> {
  // The coordinator planned the block size; a task built elsewhere is checked here, before any work.
  planBlockSize(taskShape(task), 1, task.blockSize);
  const { heap } = core;
  const mark = heap.mark();
  try {
    const model = KernelModel.fit(
      core,
      { data: task.trainX, rows: task.trainRows, cols: task.cols },
      { model: task.model, reg: task.reg, kernel: task.kernel },
    );
    checkSvmRegime(task, model.svmBound);
    const labelsPtr = heap.putI32(task.trainY);
    const result = emptyResult(task, model.svmBound);
    const testX = { data: task.testX, rows: task.testRows, cols: task.cols };
    const blocks = Math.ceil(task.testRows / task.blockSize);
    const attacks = task.mode === 'attacks' ? new AttackCollector(task) : undefined;
    for (let b = 0; b < blocks; b++) {
      const start = b * task.blockSize;
      const count = Math.min(task.blockSize, task.testRows - start);
      // The witness pass computes only the blocks it needs, with the first pass's
      // block boundaries, so every β row is the one the vote costs came from.
      if (!attacks || attacks.wants(start, count)) {
        const betaPtr = model.weights(testX, start, count);
        if (attacks) attacks.run(core, betaPtr, labelsPtr, start, count);
        else certifyBlock(core, task, result, betaPtr, labelsPtr, start, count);
      }
      onBlock?.(b + 1, blocks);
      yield;
    }
    model.dispose();
    if (attacks) attacks.finish(result);
    return result;
  } finally {
    heap.release(mark);
  }
}

function certifyBlock(
  core: Core,
  task: PartitionTask,
  result: PartitionResult,
  betaPtr: number,
  labelsPtr: number,
  start: number,
  count: number,
): void {
  const n = task.trainRows;
  const C = task.classes;
  result.nearTie.fill(0, start, start + count);
  if (task.mode === 'single') {
    const cert = singleCertificates(core, betaPtr, labelsPtr, count, n, C, task.witness);
    result.votes.set(cert.prediction, start);
    result.radius!.set(cert.radius, start);
    result.nearTie.set(cert.nearTie, start);
    result.radiusUpper!.set(cert.upper, start);
    if (cert.witnesses) cert.witnesses.forEach((w, i) => (result.witnesses![start + i] = w));
  } else {
    const costs = voteCosts(core, betaPtr, labelsPtr, count, n, C);
    result.votes.set(costs.votes, start);
    result.lower!.set(costs.lower, start * C);
    result.upper!.set(costs.upper, start * C);
    result.nearTie.set(costs.nearTie, start);
  }
}

/**
 * The witness pass (mode `attacks`): for each requested (test point, target)
 * pair, the attack behind the vote cost upper[target] (assembly/certattack.ts,
 * the same call on the same β row, so the same flips), its flips, and an
 * independent re-score of the attacked labels (src/model/rescore.ts).
 */
class AttackCollector {
  private readonly pairs: Int32Array;
  private next = 0;
  private readonly start: number[] = [0];
  private readonly flips: number[] = [];
  private readonly verified: number[] = [];

  constructor(private readonly task: PartitionTask) {
    this.pairs = task.attacks ?? new Int32Array(0);
  }

  /** Whether a requested pair's test point lies in the block [start, start + count). */
  wants(start: number, count: number): boolean {
    while (this.next < this.pairs.length / 2 && this.pairs[2 * this.next] < start) this.next++;
    return this.next < this.pairs.length / 2 && this.pairs[2 * this.next] < start + count;
  }

  run(core: Core, betaPtr: number, labelsPtr: number, start: number, count: number): void {
    const { trainRows: n, classes, trainY } = this.task;
    for (; this.next < this.pairs.length / 2 && this.pairs[2 * this.next] < start + count; this.next++) {
      const point = this.pairs[2 * this.next];
      const target = this.pairs[2 * this.next + 1];
      const rowPtr = betaPtr + (point - start) * n * 8;
      const hit = voteAttack(core, rowPtr, labelsPtr, n, classes, target);
      const ok = hit.flips !== UNREACHABLE && votesClearly(core.heap.viewF64(rowPtr, n), hit.labels, classes, target);
      for (let i = 0; ok && i < n; i++) {
        if (hit.labels[i] !== trainY[i]) this.flips.push(i, trainY[i], hit.labels[i]);
      }
      this.start.push(this.flips.length / 3);
      this.verified.push(ok ? 1 : 0);
    }
  }

  finish(result: PartitionResult): void {
    result.attackStart = Int32Array.from(this.start);
    result.attackFlips = Int32Array.from(this.flips);
    result.attackVerified = Uint8Array.from(this.verified);
  }
}

function emptyResult(task: PartitionTask, svmBound: number): PartitionResult {
  if (task.mode === 'attacks') return { partition: task.partition, svmBound, votes: new Int32Array(0), nearTie: new Uint8Array(0) };
  const m = task.testRows;
  const single = task.mode === 'single';
  return {
    partition: task.partition,
    svmBound,
    votes: new Int32Array(m),
    nearTie: new Uint8Array(m),
    ...(single
      ? { radius: new Int32Array(m), radiusUpper: new Int32Array(m), ...(task.witness ? { witnesses: new Array(m) } : {}) }
      : { lower: new Int32Array(m * task.classes), upper: new Int32Array(m * task.classes) }),
  };
}

/** What src/model/memory.ts needs to know about a task. */
export function taskShape(task: PartitionTask): PartitionShape {
  return {
    n: task.trainRows,
    m: task.testRows,
    d: task.cols,
    classes: task.classes,
    model: task.model,
    mode: task.mode,
    witness: task.witness,
  };
}

function checkSvmRegime(task: PartitionTask, bound: number): void {
  if (task.model !== 'svm' || task.svmC === undefined) return;
  if (!(task.svmC < bound)) {
    throw new FlipcertError(
      `options.svmC ${task.svmC} is outside the small-C regime of partition ${task.partition}: ` +
        `C must be < 1/max_i Σ_j |K_ij| = ${bound.toPrecision(6)} for the certificate to be exact (SPEC §3)`,
      'EOPTION',
      { field: 'svmC' },
    );
  }
}

/** Byte buffers of a result, to move (not copy) back across threads. */
export function transferables(result: PartitionResult): ArrayBuffer[] {
  return [
    result.votes, result.nearTie, result.lower, result.upper, result.radius, result.radiusUpper,
    result.attackStart, result.attackFlips, result.attackVerified,
  ]
    .filter((a): a is NonNullable<typeof a> => a !== undefined)
    .map((a) => a.buffer as ArrayBuffer);
}
