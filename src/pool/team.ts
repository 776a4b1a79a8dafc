/**
 * A team: several threads computing one model on one shared WebAssembly
 * memory (src/wasm/shared-memory.ts). One thread, the leader (rank 0), runs
 * the model's steps as on a single thread; at each parallel step it posts an
 * operation to a small control block (a SharedArrayBuffer) and the helpers
 * (ranks 1…size-1), blocked in Atomics.wait, wake up and take part.
 *
 * An operation is split into chunks (row ranges, src/kernel/team-ops.ts);
 * every member, the leader included, takes the next chunk from a shared
 * counter until none is left. Who computes a chunk never changes its numbers:
 * each output element is computed by the same float operations in the same
 * order whatever the thread count, so results are bitwise those of one thread.
 * Taking chunks (rather than fixed shares) keeps the threads busy when the
 * machine's cores are loaded unevenly.
 *
 * Only workers block (Atomics.wait is not allowed on a browser's main
 * thread). Cancelling terminates every worker, which also ends a wait.
 */
import { FlipcertError } from '../errors.js';

/** Runs chunk `chunk` of operation `op` with arguments `args` (src/kernel/team-ops.ts). */
export type ChunkRunner = (op: number, args: Float64Array, chunk: number) => void;
/** How many chunks operation `op` has, for a team of `size`. */
export type ChunkCounter = (op: number, args: Float64Array, size: number) => number;

/** What the model code sees of a team: run one operation on every member and wait for all. */
export interface Team {
  readonly size: number;
  run(op: number, args: readonly number[]): void;
}

// Control block layout: int32 slots, then float64 arguments, then an error message.
const GO = 0; // generation: bumped once per operation
const PENDING = 1; // helpers still working on the current operation
const NEXT = 2; // next chunk to take
const OP = 3;
const FAILED = 4; // 1 once a helper's chunk threw; its message follows
const READY = 5; // helpers instantiated and waiting
const MESSAGE_LENGTH = 6;
const ARGS_BYTE = 64;
export const MAX_ARGS = 16;
const MESSAGE_BYTE = ARGS_BYTE + 8 * MAX_ARGS;
const CONTROL_BYTES = 4096;
/** The operation that sends helpers home. */
const STOP = -1;

/** A new control block for one team. */
export function createControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES);
}

interface Views {
  ctl: Int32Array;
  args: Float64Array;
  message: Uint8Array;
}

function views(control: SharedArrayBuffer): Views {
  return {
    ctl: new Int32Array(control, 0, ARGS_BYTE / 4),
    args: new Float64Array(control, ARGS_BYTE, MAX_ARGS),
    message: new Uint8Array(control, MESSAGE_BYTE),
  };
}

/** Takes chunks of the current operation until none is left. */
function work(v: Views, op: number, count: number, runChunk: ChunkRunner): void {
  for (let chunk = Atomics.add(v.ctl, NEXT, 1); chunk < count; chunk = Atomics.add(v.ctl, NEXT, 1)) runChunk(op, v.args, chunk);
}

/** The leader's side (rank 0). */
export class TeamLeader implements Team {
  private readonly v: Views;
  private stopped = false;

  constructor(
    control: SharedArrayBuffer,
    readonly size: number,
    private readonly runChunk: ChunkRunner,
    private readonly countChunks: ChunkCounter,
  ) {
    this.v = views(control);
  }

  /** Blocks until every helper has joined; throws when one could not. */
  waitForHelpers(): void {
    const { ctl } = this.v;
    for (let ready = Atomics.load(ctl, READY); ready < this.size - 1; ready = Atomics.load(ctl, READY)) Atomics.wait(ctl, READY, ready);
    this.throwIfFailed();
  }

  run(op: number, args: readonly number[]): void {
    if (this.stopped) throw new FlipcertError('flipcert: the thread team was stopped', 'EINTERNAL');
    const { ctl, args: slots } = this.v;
    slots.fill(0);
    slots.set(args);
    const count = this.countChunks(op, slots, this.size);
    Atomics.store(ctl, OP, op);
    Atomics.store(ctl, NEXT, 0);
    Atomics.store(ctl, PENDING, this.size - 1);
    Atomics.add(ctl, GO, 1);
    Atomics.notify(ctl, GO);
    let error: unknown;
    try {
      work(this.v, op, count, this.runChunk);
    } catch (caught) {
      error = caught;
      Atomics.store(ctl, NEXT, count); // the helpers stop taking chunks
    }
    // Always wait: the helpers must be done with this operation's buffers before anything else touches them.
    for (let p = Atomics.load(ctl, PENDING); p !== 0; p = Atomics.load(ctl, PENDING)) Atomics.wait(ctl, PENDING, p);
    if (error !== undefined) throw error;
    this.throwIfFailed();
  }

  /** Sends the helpers home (they finish and leave their wait loop); the team cannot run after this. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    stopTeam(this.v.ctl.buffer as SharedArrayBuffer);
  }

  private throwIfFailed(): void {
    const { ctl, message } = this.v;
    if (Atomics.load(ctl, FAILED) === 0) return;
    const text = new TextDecoder().decode(message.slice(0, Atomics.load(ctl, MESSAGE_LENGTH)));
    throw new FlipcertError(`internal error in a helper thread of the single-model team: ${text}`, 'EINTERNAL');
  }
}

/** Sends a team's helpers home, also those that have not joined yet (they return at once). */
export function stopTeam(control: SharedArrayBuffer): void {
  const { ctl } = views(control);
  Atomics.store(ctl, OP, STOP);
  Atomics.add(ctl, GO, 1);
  Atomics.notify(ctl, GO);
}

/**
 * A helper's side: blocks in Atomics.wait, runs its chunks of every
 * operation the leader posts, and returns when the leader stops the team.
 * `joinError` (the helper could not instantiate its core) is reported to the
 * leader instead of joining.
 */
export function serveTeam(control: SharedArrayBuffer, runChunk: ChunkRunner, countChunks: ChunkCounter, size: number, joinError?: unknown): void {
  const v = views(control);
  const { ctl } = v;
  let seen = Atomics.load(ctl, GO);
  // The leader may have stopped before this helper joined (it failed early): then there is nothing to wait for.
  if (Atomics.load(ctl, OP) === STOP) return;
  if (joinError !== undefined) recordFailure(v, joinError);
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  if (joinError !== undefined) return;
  for (;;) {
    Atomics.wait(ctl, GO, seen);
    const go = Atomics.load(ctl, GO);
    if (go === seen) continue; // a spurious wake-up
    seen = go;
    const op = Atomics.load(ctl, OP);
    if (op === STOP) return;
    try {
      work(v, op, countChunks(op, v.args, size), runChunk);
    } catch (error) {
      recordFailure(v, error);
      Atomics.store(ctl, NEXT, 0x3fffffff); // nobody takes further chunks
    } finally {
      if (Atomics.sub(ctl, PENDING, 1) === 1) Atomics.notify(ctl, PENDING);
    }
  }
}

function recordFailure(v: Views, error: unknown): void {
  if (Atomics.compareExchange(v.ctl, FAILED, 0, 1) !== 0) return;
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const bytes = new TextEncoder().encode(text).slice(0, v.message.length);
  v.message.set(bytes);
  Atomics.store(v.ctl, MESSAGE_LENGTH, bytes.length);
}

/**
 * Every chunk of a team of `size`, one after another on the calling thread
 * (with rank 0's scratch): for tests, which compare it with the
 * single-threaded kernels and with real teams.
 */
export function sequentialTeam(runChunk: ChunkRunner, countChunks: ChunkCounter, size = 1): Team {
  const args = new Float64Array(MAX_ARGS);
  return {
    size,
    run(op, values) {
      args.fill(0);
      args.set(values);
      const count = countChunks(op, args, size);
      for (let chunk = 0; chunk < count; chunk++) runChunk(op, args, chunk);
    },
  };
}
