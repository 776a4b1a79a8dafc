/**
 * A team: several threads computing one model on one shared WebAssembly
 * memory (src/wasm/shared-memory.ts). One thread, the leader (rank 0), runs
 * the model's steps as on a single thread; at each parallel step it posts an
 * operation to a small control block (a SharedArrayBuffer) and the helpers
 * (ranks 1…size-1), blocked in Atomics.wait, wake up and take part.
 *
 * An operation is split into chunks (row ranges, src/kernel/team.ts);
 * every member, the leader included, takes the next chunk from a shared
 * counter until none is left, and the leader returns once every chunk is done. Who computes a chunk never changes its numbers:
 * each output element is computed by the same float operations in the same
 * order whatever the thread count, so results are bitwise those of one thread.
 * Taking chunks (rather than fixed shares) keeps the threads busy when the
 * machine's cores are loaded unevenly.
 *
 * Only workers block (Atomics.wait is not allowed on a browser's main
 * thread). Cancelling terminates every worker, which also ends a wait.
 */
import { FlipcertError } from '../errors.js';
import type { ChunkCounter, ChunkRunner, Team } from '../kernel/team.js';

// Control block layout: int32 slots, then float64 arguments, then an error message.
const GO = 0; // generation: bumped once per operation
const TICKET = 1; // (generation mod 2^15) << 16 | next chunk to take
const DONE = 2; // chunks of the current operation finished
const OP = 3;
const FAILED = 4; // 1 once a chunk threw; its message follows
const MESSAGE_LENGTH = 5;
const ARGS_BYTE = 64;
export const MAX_ARGS = 16;
const MESSAGE_BYTE = ARGS_BYTE + 8 * MAX_ARGS;
const CONTROL_BYTES = 4096;
/** The operation that sends helpers home. */
const STOP = -1;
const GEN_BITS = 0x7fff;

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

/**
 * Claims the next chunk of generation `gen`'s operation: its index, or −1
 * when none is left or the leader has moved on to another operation (a
 * helper that woke late then takes nothing, so it can never run a chunk with
 * another operation's arguments).
 */
function claim(ctl: Int32Array, gen: number, count: number): number {
  for (;;) {
    const ticket = Atomics.load(ctl, TICKET);
    const chunk = ticket & 0xffff;
    if (ticket >>> 16 !== (gen & GEN_BITS) || chunk >= count) return -1;
    if (Atomics.compareExchange(ctl, TICKET, ticket, ticket + 1) === ticket) return chunk;
  }
}

/**
 * Takes chunks of the current operation until none is left. A chunk that
 * throws is recorded (the leader reports it); later chunks are then counted
 * as done without running, so the leader never waits for work nobody does.
 */
function work(v: Views, gen: number, op: number, count: number, runChunk: ChunkRunner): void {
  const { ctl } = v;
  for (let chunk = claim(ctl, gen, count); chunk >= 0; chunk = claim(ctl, gen, count)) {
    try {
      if (Atomics.load(ctl, FAILED) === 0) runChunk(op, v.args, chunk);
    } catch (error) {
      recordFailure(v, error);
    }
    if (Atomics.add(ctl, DONE, 1) + 1 === count) Atomics.notify(ctl, DONE);
  }
}

/**
 * The leader's side (rank 0). It waits for chunks, never for helpers: a
 * helper that has not woken up yet (a loaded machine) leaves its share to
 * the others, so the team is never slower than its fastest members.
 */
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

  run(op: number, args: readonly number[]): void {
    if (this.stopped) throw new FlipcertError('flipcert: the thread team was stopped', 'EINTERNAL');
    const { ctl, args: slots } = this.v;
    const gen = (Atomics.load(ctl, GO) + 1) | 0;
    // Closed to claims before the arguments change (a helper still on the last
    // generation claims nothing), reopened for `gen` by the GO bump below.
    Atomics.store(ctl, TICKET, (gen & GEN_BITS) << 16);
    Atomics.store(ctl, DONE, 0);
    slots.fill(0);
    slots.set(args);
    const count = this.countChunks(op, slots, this.size);
    Atomics.store(ctl, OP, op);
    Atomics.store(ctl, GO, gen);
    Atomics.notify(ctl, GO);
    work(this.v, gen, op, count, this.runChunk);
    // Chunks that helpers still hold: their buffers must be finished before anything else touches them.
    for (let done = Atomics.load(ctl, DONE); done < count; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done);
    this.throwIfFailed();
  }

  /** Sends the helpers home; the team cannot run after this. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    stopTeam(this.v.ctl.buffer as SharedArrayBuffer);
  }

  private throwIfFailed(): void {
    const { ctl, message } = this.v;
    if (Atomics.load(ctl, FAILED) === 0) return;
    const text = new TextDecoder().decode(message.slice(0, Atomics.load(ctl, MESSAGE_LENGTH)));
    throw new FlipcertError(`internal error in the WebAssembly core, in a thread of the single-model team: ${text}`, 'EINTERNAL');
  }
}

/** Sends a team's helpers home, also those that have not joined yet (they return at once). */
export function stopTeam(control: SharedArrayBuffer): void {
  const { ctl } = views(control);
  Atomics.store(ctl, TICKET, -1 << 16); // no generation matches: nothing more is claimed
  Atomics.store(ctl, OP, STOP);
  Atomics.add(ctl, GO, 1);
  Atomics.notify(ctl, GO);
}

/**
 * A helper's side: blocks in Atomics.wait, takes chunks of every operation
 * the leader posts, and returns when the leader stops the team. A helper
 * may join late (or not at all): the leader does not wait for it.
 */
export function serveTeam(control: SharedArrayBuffer, runChunk: ChunkRunner, countChunks: ChunkCounter, size: number): void {
  const v = views(control);
  const { ctl } = v;
  let seen = Atomics.load(ctl, GO);
  for (;;) {
    if (Atomics.load(ctl, OP) === STOP) return;
    Atomics.wait(ctl, GO, seen);
    const gen = Atomics.load(ctl, GO);
    if (gen === seen) continue; // a spurious wake-up
    seen = gen;
    const op = Atomics.load(ctl, OP);
    if (op === STOP) return;
    // If the leader has already moved on, these arguments may be the next
    // operation's: claim() then refuses every chunk of `gen`.
    work(v, gen, op, countChunks(op, v.args, size), runChunk);
  }
}

function recordFailure(v: Views, error: unknown): void {
  if (Atomics.compareExchange(v.ctl, FAILED, 0, 1) !== 0) return;
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const bytes = new TextEncoder().encode(text).slice(0, v.message.length);
  v.message.set(bytes);
  Atomics.store(v.ctl, MESSAGE_LENGTH, bytes.length);
}
