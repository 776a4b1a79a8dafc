import { FlipcertError } from '../errors.js';
import { KernelModel } from '../kernel/model.js';
import type { PartitionResult, PartitionTask } from './task.js';
import type { Team } from '../kernel/team.js';
import { PhaseClock, phaseNow } from './phase-clock.js';
import type { Core } from '../wasm/core.js';
import { singleCertificates, voteCosts } from './certificate.js';
import { planBlockSize, type PartitionShape } from './memory.js';
import { RequestPass } from './requests.js';

/**
 * Trains the base model of one partition and certifies every test point
 * against it, one block of test rows at a time so that memory stays bounded
 * (K is n_p², each block adds blockSize × n_p).
 */
export function runPartition(
  core: Core,
  task: PartitionTask,
  onBlock?: (done: number, total: number) => void,
  team?: Team,
): PartitionResult {
  const steps = partitionSteps(core, task, onBlock, team);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * {@link runPartition} one test block per step, for a caller on a shared
 * thread that must let other events (a cancellation) in between blocks.
 * Abandoning the generator (`return()`) releases its Wasm memory.
 * With a `team` (a single model, mode `single`) the work is spread over its
 * threads (src/pool/team-protocol.ts), with the same results.
 */
export function* partitionSteps(
  untimed: Core,
  task: PartitionTask,
  onBlock?: (done: number, total: number) => void,
  team?: Team,
): Generator<void, PartitionResult, void> {
  // The coordinator planned the block size; a task built elsewhere is checked here, before any work.
  planBlockSize(taskShape(task, team?.size), 1, task.blockSize);
  // Phase times (src/certify/profile.ts) are always kept: a few clock reads per block.
  const clock = new PhaseClock();
  const core = clock.wrap(untimed);
  let resumed = phaseNow();
  const { heap } = core;
  const mark = heap.mark();
  try {
    const model = KernelModel.fit(
      core,
      { data: task.trainX, rows: task.trainRows, cols: task.cols },
      { model: task.model, reg: task.reg, kernel: task.kernel, augment: task.augment, team },
    );
    checkSvmRegime(task, model.svmBound);
    const labelsPtr = heap.putI32(task.trainY);
    const result = emptyResult(task, model.svmBound);
    const testX = { data: task.testX, rows: task.testRows, cols: task.cols };
    const blocks = Math.ceil(task.testRows / task.blockSize);
    const attacks = task.mode === 'attacks' || task.mode === 'exact' ? new RequestPass(task) : undefined;
    for (let b = 0; b < blocks; b++) {
      const start = b * task.blockSize;
      const count = Math.min(task.blockSize, task.testRows - start);
      // A second pass is sent only the test rows it needs; skipping blocks without requests is a safeguard.
      if (!attacks || attacks.wants(start, count)) {
        const betaPtr = model.weights(testX, start, count);
        if (attacks) clock.time('certificates', () => attacks.run(core, betaPtr, labelsPtr, start, count));
        else certifyBlock(core, task, result, betaPtr, labelsPtr, start, count, team);
      }
      onBlock?.(b + 1, blocks);
      clock.add('task', phaseNow() - resumed);
      yield;
      resumed = phaseNow();
    }
    model.dispose();
    if (attacks) attacks.finish(result);
    clock.add('task', phaseNow() - resumed);
    result.phaseMs = clock.ms;
    result.phaseFlops = clock.flops;
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
  team: Team | undefined,
): void {
  const n = task.trainRows;
  const C = task.classes;
  result.nearTie.fill(0, start, start + count);
  if (task.mode === 'single') {
    const cert = singleCertificates(core, betaPtr, labelsPtr, count, n, C, task.witness, team);
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

function emptyResult(task: PartitionTask, svmBound: number): PartitionResult {
  if (task.mode === 'attacks' || task.mode === 'exact') return { partition: task.partition, svmBound, votes: new Int32Array(0), nearTie: new Uint8Array(0) };
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

/** What src/partition/memory.ts needs to know about a task (run by `threads` sharing one memory). */
export function taskShape(task: PartitionTask, threads = 1): PartitionShape {
  return {
    threads,
    n: task.trainRows,
    m: task.testRows,
    d: task.cols,
    classes: task.classes,
    model: task.model,
    mode: task.mode,
    witness: task.witness,
    copies: task.augment?.copies ?? 1,
  };
}

function checkSvmRegime(task: PartitionTask, bound: number): void {
  if (task.model !== 'svm' || task.svmC === undefined) return;
  if (!(task.svmC < bound)) {
    throw new FlipcertError(
      `options.svmC ${task.svmC} is outside the small-C regime of partition ${task.partition}: ` +
        `C must be < 1/max_i Σ_j |K_ij| = ${bound.toPrecision(6)} for the certificate to be exact (docs/spec.md §3)`,
      'EOPTION',
      { field: 'svmC' },
    );
  }
}

/** Byte buffers of a result, to move (not copy) back across threads. */
export function transferables(result: PartitionResult): ArrayBuffer[] {
  return [
    result.votes, result.nearTie, result.lower, result.upper, result.radius, result.radiusUpper,
    result.attackStart, result.attackFlips, result.attackVerified, result.exactLower, result.exactUpper, result.exactStatus,
    result.phaseMs, result.phaseFlops,
  ]
    .filter((a): a is NonNullable<typeof a> => a !== undefined)
    .map((a) => a.buffer as ArrayBuffer);
}
