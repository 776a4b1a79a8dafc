// Where a run's time goes (CertifyOptions.profile, the CLI's --profile): time
// per phase, measured by the clock on the thread that ran it and summed over
// threads, beside the run's wall time. Runtimes give no per-thread CPU clock
// (Node 20, browsers), so a phase's seconds are its threads' busy time: CPU
// time on a quiet machine, more when other processes take the cores. Workers time their core's entry points by name
// (PhaseClock.wrap), so the kernels need no timing code of their own.
import type { Core, CoreExports } from '../wasm/instance.js';

/** The phases timed on the threads that train and certify partitions, in PartitionResult.phaseMs order. */
export const WORKER_PHASES = ['gram', 'ntk', 'cholesky', 'solves', 'certificates', 'task'] as const;
export type WorkerPhase = (typeof WORKER_PHASES)[number];

/** Which phase each timed entry point of the core belongs to; the others count as the task's rest. */
const PHASE_OF: Partial<Record<keyof CoreExports, WorkerPhase>> = {
  gramSym: 'gram',
  gramDot: 'gram',
  ntkFromDotSym: 'ntk',
  ntkFromDot: 'ntk',
  scaleEntries: 'ntk',
  cholesky: 'cholesky',
  traceOf: 'cholesky',
  addDiagonal: 'cholesky',
  trsmRightLowerT: 'solves',
  trsmRightLower: 'solves',
  certifyBlock: 'certificates',
  certifyWitness: 'certificates',
  voteCostsBlock: 'certificates',
  voteAttack: 'certificates',
  pairCountsRow: 'certificates',
};

/** Milliseconds, from `performance` where the runtime has it (bare and edge runtimes may not). */
export const now = (): number => globalThis.performance?.now() ?? Date.now();

/** Milliseconds per worker phase for one task; `task` is the whole task's busy time. */
export class PhaseClock {
  readonly ms = new Float64Array(WORKER_PHASES.length);
  /** Open timed sections: only the outermost counts, so nested calls are not counted twice. */
  private depth = 0;

  /** Runs `body`, adding its time to `phase` (unless inside another timed section). */
  time<T>(phase: WorkerPhase, body: () => T): T {
    if (this.depth > 0) return body();
    const started = now();
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
      this.ms[WORKER_PHASES.indexOf(phase)] += now() - started;
    }
  }

  /** Adds `ms` to `phase` directly (the task's busy time, measured between its steps). */
  add(phase: WorkerPhase, ms: number): void {
    this.ms[WORKER_PHASES.indexOf(phase)] += ms;
  }

  /** The same core, with its phase entry points timed on this clock (its memory and heap shared). */
  wrap(core: Core): Core {
    const exports = Object.create(core.exports) as Record<string, unknown>;
    for (const [name, phase] of Object.entries(PHASE_OF)) {
      const fn = (core.exports as Record<string, unknown>)[name];
      if (typeof fn !== 'function') continue;
      // defineProperty: the exports object is frozen, and its read-only members would forbid plain assignment.
      const timed = (...args: unknown[]) => this.time(phase, () => (fn as (...a: unknown[]) => unknown)(...args));
      Object.defineProperty(exports, name, { value: timed });
    }
    return { exports: exports as CoreExports, heap: core.heap };
  }
}

/**
 * What CertifyOptions.profile adds to the result (`result.profile`): busy
 * seconds per phase, summed over every thread that ran one (so with several
 * threads they can add up to more than `wallSeconds`; equal to CPU time when
 * nothing else runs on the cores), and the wall time of the run. Not part of
 * the JSON file (docs/spec.md §6).
 */
export interface RunProfile {
  /** Wall-clock seconds of the certification, as `summary.seconds`. */
  wallSeconds: number;
  /**
   * Wall-clock seconds before it, on the calling thread: checking the options
   * and data, hashing the partitions, compiling the core, opening the pool.
   */
  startupSeconds: number;
  /** Threads that ran partitions. */
  threads: number;
  /** Per phase, busy seconds of the threads that ran it, summed over threads. */
  seconds: {
    /** Test-vs-train and train-vs-train dot products (Wasm gramSym, gramDot). */
    gram: number;
    /** The NTK recursion on those dot products, and its rescaling. */
    ntk: number;
    /** Trace, ridge and Cholesky factorisation of K + λ̃I. */
    cholesky: number;
    /** The two triangular solves per test block (β = (K + λ̃I)⁻¹ k(X, x)). */
    solves: number;
    /** Per-partition certificates: vote costs, attacks, exact searches, single-model radii. */
    certificates: number;
    /** The rest of the partitions' tasks: copying rows into Wasm memory, norms, scaling, augmentation. */
    otherTask: number;
    /** On the coordinating thread: splitting and copying partitions into tasks. */
    setup: number;
    /** On the coordinating thread: knapsack aggregation, refinement and witness planning, per-point results. */
    aggregation: number;
  };
  /** Partition tasks run (first passes and second passes). */
  tasks: number;
}

/** Sums the phases of partition tasks and the coordinator's own times into a RunProfile. */
export class ProfileTotals {
  private readonly worker = new Float64Array(WORKER_PHASES.length);
  private tasks = 0;
  setupMs = 0;
  aggregationMs = 0;
  startupSeconds = 0;

  addTask(phaseMs: Float64Array | undefined): void {
    if (!phaseMs) return;
    this.tasks++;
    for (let i = 0; i < this.worker.length; i++) this.worker[i] += phaseMs[i];
  }

  /** Times `body` on the coordinating thread as `setup` or `aggregation`. */
  time<T>(what: 'setup' | 'aggregation', body: () => T): T {
    const started = now();
    try {
      return body();
    } finally {
      if (what === 'setup') this.setupMs += now() - started;
      else this.aggregationMs += now() - started;
    }
  }

  profile(wallSeconds: number, threads: number): RunProfile {
    const s = (phase: WorkerPhase) => this.worker[WORKER_PHASES.indexOf(phase)] / 1000;
    const timed = s('gram') + s('ntk') + s('cholesky') + s('solves') + s('certificates');
    return {
      wallSeconds,
      startupSeconds: this.startupSeconds,
      threads,
      seconds: {
        gram: s('gram'),
        ntk: s('ntk'),
        cholesky: s('cholesky'),
        solves: s('solves'),
        certificates: s('certificates'),
        otherTask: Math.max(0, s('task') - timed),
        setup: this.setupMs / 1000,
        aggregation: this.aggregationMs / 1000,
      },
      tasks: this.tasks,
    };
  }
}
