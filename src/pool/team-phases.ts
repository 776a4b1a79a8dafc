/**
 * Where a thread team's time goes (--profile for a single model on several
 * threads): every member times the kernels of its chunks into its own slice of
 * one shared buffer, and the leader adds all slices to the partition's phase
 * times once the last operation is done (the team's DONE counter orders the
 * members' writes before the leader's read).
 *
 * Chunks are timed on the wall clock: reading a thread's CPU clock costs about
 * 15 µs (a file read), as much as a small chunk's work, and a chunk's thread
 * computes from its start to its end, so wall time is its CPU time on a quiet
 * machine. The profile says so when a team ran.
 */
import { now } from '../host/clock.js';
import { chunkRunner, type ChunkRunner } from '../kernel/team.js';
import { PhaseClock, WORKER_PHASES } from '../partition/phase-clock.js';
import type { PartitionResult } from '../partition/task.js';
import type { Core } from '../wasm/instance.js';
import type { TeamJoin } from './messages.js';

const PHASES = WORKER_PHASES.length;
/** Doubles per member: milliseconds per phase, then counted flops per phase. */
const PER_MEMBER = 2 * PHASES;
const TASK = WORKER_PHASES.indexOf('task');

/** The shared buffer of a team of `size`, zeroed. */
export function createTeamPhases(size: number): SharedArrayBuffer {
  return new SharedArrayBuffer(size * PER_MEMBER * 8);
}

/**
 * Member `rank`'s chunk runner (src/kernel/team.ts), its kernels timed into the
 * member's slice of `join.phases`. A helper's whole chunks also count as its
 * task time; the leader's task time is measured around the whole partition already.
 */
export function timedChunkRunner(core: Core, rank: number, join: TeamJoin): ChunkRunner {
  const ms = new Float64Array(join.phases, rank * PER_MEMBER * 8, PHASES);
  const flops = new Float64Array(join.phases, (rank * PER_MEMBER + PHASES) * 8, PHASES);
  const run = chunkRunner(new PhaseClock(ms, flops, now).wrap(core), rank, join.size);
  if (rank === 0) return run;
  return (op, args, chunk) => {
    const started = now();
    try {
      run(op, args, chunk);
    } finally {
      ms[TASK] += now() - started;
    }
  };
}

/** Adds every member's times and flops to the leader's result (after the team's last operation). */
export function addTeamPhases(result: PartitionResult, phases: SharedArrayBuffer): void {
  if (!result.phaseMs || !result.phaseFlops) return;
  const all = new Float64Array(phases);
  for (let at = 0; at < all.length; at += PER_MEMBER) {
    for (let i = 0; i < PHASES; i++) {
      result.phaseMs[i] += all[at + i];
      result.phaseFlops[i] += all[at + PHASES + i];
    }
  }
}
