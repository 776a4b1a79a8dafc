// Where a partition task's time goes, measured on the thread that runs it
// (CertifyOptions.profile, the CLI's --profile; summed over threads by
// src/certify/profile.ts). Where the runtime lets a thread read its own CPU
// time (Node on Linux: /proc/thread-self/schedstat, read synchronously on the
// calling thread) a phase's time is that thread's CPU time, so other processes
// on the cores do not inflate it; elsewhere (browsers, other systems, Node
// without process.getBuiltinModule) it is the thread's busy wall time: CPU time
// on a quiet machine, more when other processes take the cores. Workers time their core's
// entry points by name (PhaseClock.wrap), so the kernels need no timing code of their own.
import { now } from '../host/clock.js';
import type { Core, CoreExports } from '../wasm/instance.js';

interface NodeProcessLike {
  platform?: string;
  getBuiltinModule?: (id: string) => { readFileSync(path: string, encoding: string): string } | undefined;
}

/** Milliseconds of the calling thread's CPU time, or undefined where no such clock is readable. */
function threadCpuClock(): (() => number) | undefined {
  const proc = (globalThis as { process?: NodeProcessLike }).process;
  if (proc?.platform !== 'linux' || typeof proc.getBuiltinModule !== 'function') return undefined;
  try {
    const fs = proc.getBuiltinModule('node:fs');
    if (!fs) return undefined;
    // The first field is the thread's time on a CPU in nanoseconds (the kernel's sum_exec_runtime).
    const parse = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
    let last = parse();
    if (!Number.isFinite(last)) return undefined;
    // A later failed read (no file descriptor left, say) must not fail the run: it repeats the last reading.
    return () => {
      try {
        const value = parse();
        if (Number.isFinite(value)) last = value;
      } catch {
        // keep `last`
      }
      return last;
    };
  } catch {
    return undefined;
  }
}

/** The clock of every phase time: this thread's CPU milliseconds where readable, else wall milliseconds. */
export const phaseNow: () => number = threadCpuClock() ?? now;
/** Whether {@link phaseNow} is a CPU clock (the profile says which it shows). */
export const PHASES_IN_CPU_TIME = phaseNow !== now;

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
  // A thread team's chunks (src/kernel/team.ts): the row-range kernels the single thread calls from inside Wasm.
  gramSymRows: 'gram',
  ntkFromDotLowerRows: 'ntk',
  gemmNT: 'cholesky',
  solveRowsLowerT: 'cholesky',
  factorDiagonal: 'cholesky',
  trsmRightLowerT: 'solves',
  trsmRightLower: 'solves',
  invertDiagonalBlocks: 'solves',
  solveFactored: 'solves',
  certifyBlock: 'certificates',
  certifyWitness: 'certificates',
  voteCostsBlock: 'certificates',
  voteAttack: 'certificates',
  pairCountsRow: 'certificates',
};

/**
 * Counted flops of a timed entry point, from its size arguments (the counts of
 * issue 19 and bench/kernels.mjs): a product 2·m·n·d, gramSym n²·d (one
 * triangle), Cholesky n³/3, both solves of m rows 2·m·n², one solve m·n².
 * A team's row ranges add up to the same counts (gramSymRows rows lo…hi: (hi² − lo²)·d),
 * its Cholesky to n³/3 plus the panel solves and diagonal blocks it really computes.
 * Entry points without a flop count (the recursion, certificates) are timed only.
 */
const FLOPS_OF: Partial<Record<keyof CoreExports, (a: number[]) => number>> = {
  gramSym: (a) => a[2] * a[2] * a[3],
  gramDot: (a) => 2 * a[3] * a[4] * a[5],
  cholesky: (a) => (a[1] * a[1] * a[1]) / 3,
  solveFactored: (a) => 2 * a[3] * a[2] * a[2],
  gramSymRows: (a) => (a[5] * a[5] - a[4] * a[4]) * a[3],
  gemmNT: (a) => 2 * a[6] * a[7] * a[8],
  solveRowsLowerT: (a) => a[4] * a[5] * a[5],
  factorDiagonal: (a) => (a[3] * a[3] * a[3]) / 3,
  trsmRightLowerT: (a) => a[3] * a[2] * a[2],
  trsmRightLower: (a) => a[3] * a[2] * a[2],
};

/** Milliseconds (and counted flops) per worker phase for one task; `task` is the whole task's busy time. */
export class PhaseClock {
  /** Open timed sections: only the outermost counts, so nested calls are not counted twice. */
  private depth = 0;

  /**
   * `ms` and `flops` may be views into shared memory (a thread team's members,
   * src/pool/team-phases.ts); `clock` is the time source, {@link phaseNow} unless given.
   */
  constructor(
    readonly ms: Float64Array<ArrayBufferLike> = new Float64Array(WORKER_PHASES.length),
    /** Counted flops per phase (FLOPS_OF) of the entry points timed in it. */
    readonly flops: Float64Array<ArrayBufferLike> = new Float64Array(WORKER_PHASES.length),
    private readonly clock: () => number = phaseNow,
  ) {}

  /** Runs `body`, adding its time to `phase` (unless inside another timed section). */
  time<T>(phase: WorkerPhase, body: () => T): T {
    if (this.depth > 0) return body();
    const started = this.clock();
    this.depth++;
    try {
      return body();
    } finally {
      this.depth--;
      this.ms[WORKER_PHASES.indexOf(phase)] += this.clock() - started;
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
      const count = FLOPS_OF[name as keyof CoreExports];
      const at = WORKER_PHASES.indexOf(phase);
      const timed = (...args: unknown[]) => {
        // Nested calls are inside an outer timed section, whose flops they are part of.
        if (count && this.depth === 0) this.flops[at] += count(args as number[]);
        return this.time(phase, () => (fn as (...a: unknown[]) => unknown)(...args));
      };
      Object.defineProperty(exports, name, { value: timed });
    }
    return { exports: exports as CoreExports, heap: core.heap };
  }
}
