// Where a run's time goes (CertifyOptions.profile, the CLI's --profile): the
// partition tasks' phases (src/partition/phase-clock.ts) summed over threads,
// beside the coordinator's own times and the run's wall time.
import { now } from '../host/clock.js';
import { WORKER_PHASES, type WorkerPhase } from '../partition/phase-clock.js';

/**
 * What CertifyOptions.profile adds to the result (`result.profile`): busy
 * seconds per phase, summed over every thread that ran one (so with several
 * threads they can add up to more than `wallSeconds`): each thread's CPU time
 * where the runtime exposes it (src/partition/phase-clock.ts: Node on Linux),
 * else its busy wall time, equal to CPU time when nothing else runs on the
 * cores; and the wall time of the run. Not part of the JSON file (docs/spec.md §6).
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
  /**
   * Whether a single model ran as a thread team: its members' chunks are timed
   * on the wall clock (src/pool/team-phases.ts), not on their CPU clocks.
   */
  team: boolean;
  /**
   * Counted flops of the phases that have a count (src/partition/phase-clock.ts
   * FLOPS_OF): flops ÷ seconds is the phase's achieved rate per thread.
   */
  flops: { gram: number; cholesky: number; solves: number };
}

/** Sums the phases of partition tasks and the coordinator's own times into a RunProfile. */
export class ProfileTotals {
  private readonly worker = new Float64Array(WORKER_PHASES.length);
  private readonly workerFlops = new Float64Array(WORKER_PHASES.length);
  private tasks = 0;
  private team = false;
  setupMs = 0;
  aggregationMs = 0;
  startupSeconds = 0;

  /** Adds one task's phases; `team`: it ran as a thread team. */
  addTask(phaseMs: Float64Array | undefined, phaseFlops?: Float64Array, team = false): void {
    if (!phaseMs) return;
    this.tasks++;
    this.team ||= team;
    for (let i = 0; i < this.worker.length; i++) this.worker[i] += phaseMs[i];
    if (phaseFlops) for (let i = 0; i < this.workerFlops.length; i++) this.workerFlops[i] += phaseFlops[i];
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
    const f = (phase: WorkerPhase) => this.workerFlops[WORKER_PHASES.indexOf(phase)];
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
      team: this.team,
      flops: { gram: f('gram'), cholesky: f('cholesky'), solves: f('solves') },
    };
  }
}
