import { abortError } from '../host/abort.js';
import type { FlipcertError } from '../errors.js';
import { fromFailure } from './errors.js';
import type { FromWorker, ToWorker } from './messages.js';
import type { PartitionPool } from './pool.js';
import type { NetworkResult, NetworkTask } from '../network/task.js';
import type { NetworkReply, PartitionReply, PartitionResult, PartitionTask } from '../partition/task.js';
import { createControl } from './team-protocol.js';
import { createTeamPhases } from './team-phases.js';
import type { TeamSetup } from './team-setup.js';

/** What the pool needs of a worker, Web Worker or worker thread. */
export interface PoolWorker {
  postMessage(message: ToWorker): void;
  /** Node's settles once the thread has exited; a Web Worker's returns nothing. */
  terminate(): void | Promise<unknown>;
}

/** How a started worker reports back: its messages, or why it died. */
export interface WorkerEvents {
  message(message: FromWorker): void;
  /** The worker failed to load or crashed outside a task; `detail` says how. */
  died(detail: string): void;
}

/** Starts worker number `index`; may throw (a Content-Security-Policy, say). */
export type SpawnWorker = (index: number, events: WorkerEvents) => PoolWorker;

/**
 * A task waiting for, or running on, a worker: a partition, a network
 * training, or a team member's share (a helper's job resolves with undefined).
 */
interface Job {
  id: number;
  /** The task message for this job's id. */
  message: ToWorker;
  onBlock: ((done: number, total: number) => void) | undefined;
  resolve: (result: never) => void;
  reject: (error: Error) => void;
}

/** One worker, the job it is running (undefined when idle) and the test matrix it keeps. */
interface Slot {
  worker: PoolWorker;
  job: Job | undefined;
  testX: Float64Array | undefined;
}

/** A task's testX goes to a worker once (ToWorker `test`) from this many values on; smaller ones travel with the task. */
const SHARE_TEST_VALUES = 4096;
const NO_ROWS = new Float64Array(0);

/**
 * Partitions fanned out over workers, the same in browsers (Web Workers) and
 * Node (worker threads): only `spawn` differs. The Wasm core is compiled once
 * by the caller and posted to each worker, which only instantiates it; tasks
 * go out as plain data (structured clone), results come back with their
 * buffers transferred; a test matrix shared by tasks is sent to each worker
 * once. Workers start lazily, up to `threads`, and take queued tasks
 * first-free. Partitions need no SharedArrayBuffer, so no cross-origin
 * isolation; only {@link runTeam} (a single model on several workers) does.
 */
export class WorkerPool implements PartitionPool {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  /** Set once the pool is closed or a worker died: every later run rejects with it. */
  private failure: Error | undefined;
  /** Terminations under way, awaited by close(). */
  private readonly stopping: Promise<unknown>[] = [];

  /**
   * @param explainDeath turns a dying worker's detail into the error every
   *   pending and later task rejects with (it says what to check).
   */
  constructor(
    private readonly module: WebAssembly.Module,
    readonly threads: number,
    private readonly spawnWorker: SpawnWorker,
    private readonly explainDeath: (detail: string) => FlipcertError,
    private readonly onClose: () => void = () => {},
  ) {}

  /** With `signal`, an abort terminates every worker of the pool: a pool serves one run. */
  run(task: PartitionTask, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult> {
    return this.submit<PartitionResult>((id) => ({ kind: 'task', id, task, progress: onBlock !== undefined, sharedTest: false }), onBlock, signal);
  }

  /** Like {@link run}, for one network task of validate; `onTrained` after each of its trainings. */
  train(task: NetworkTask, onTrained?: () => void, signal?: AbortSignal): Promise<NetworkResult[]> {
    return this.submit<NetworkResult[]>((id) => ({ kind: 'network', id, task }), onTrained && (() => onTrained()), signal);
  }

  private submit<T>(message: (id: number) => ToWorker, onBlock: Job['onBlock'], signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.failure) return Promise.reject(this.failure);
    const onAbort = () => this.fail(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const settled = () => signal?.removeEventListener('abort', onAbort);
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      this.queue.push({ id, message: message(id), onBlock, resolve: resolve as (result: never) => void, reject });
      this.dispatch();
    }).finally(settled);
  }

  /**
   * One partition on `team.size` workers sharing `team.memory`: the first
   * leads (runs the task), the others help until it is done (src/pool/team-protocol.ts).
   * Needs the pool idle; an abort terminates every worker, helpers included.
   */
  runTeam(
    task: PartitionTask,
    team: TeamSetup,
    onBlock?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<PartitionResult> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.failure) return Promise.reject(this.failure);
    while (this.slots.length < team.size && this.spawn()) {
      // spawn() puts nothing in `idle`: its slot is used below.
    }
    if (this.failure) return Promise.reject(this.failure);
    const free = this.slots.filter((slot) => slot.job === undefined);
    if (free.length < team.size || this.queue.length > 0) {
      return Promise.reject(new Error(`flipcert: a team of ${team.size} needs ${team.size} idle workers, ${free.length} are`));
    }
    const onAbort = () => this.fail(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const join = { module: team.module, memory: team.memory, control: createControl(), phases: createTeamPhases(team.size), size: team.size };
    const members = free.slice(0, team.size);
    for (const slot of members) {
      const at = this.idle.indexOf(slot);
      if (at >= 0) this.idle.splice(at, 1);
    }
    const started = members.map((slot, rank) =>
      new Promise<PartitionResult>((resolve, reject) => {
        const id = this.nextId++;
        const message: ToWorker = rank === 0
          ? { kind: 'task', id, task, progress: onBlock !== undefined, sharedTest: false, team: join }
          : { kind: 'help', id, join, rank };
        const job: Job = { id, message, onBlock: rank === 0 ? onBlock : undefined, resolve: resolve as (result: never) => void, reject };
        slot.job = job;
        slot.worker.postMessage(message);
      }),
    );
    // Settles once every member is back (the leader always sends the helpers home), so the pool is idle again.
    return Promise.allSettled(started)
      .then(([lead, ...helpers]) => {
        if (lead.status === 'rejected') throw lead.reason;
        const failed = helpers.find((h) => h.status === 'rejected');
        if (failed) throw failed.reason;
        return lead.value;
      })
      .finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Terminates every worker and waits until they have stopped; tasks still queued or running reject. */
  async close(): Promise<void> {
    this.fail(new Error('flipcert: the worker pool is closed'));
    await Promise.allSettled(this.stopping);
  }

  /** Hands queued jobs to idle workers, starting new ones while below `threads`. */
  private dispatch(): void {
    while (this.queue.length > 0 && !this.failure) {
      const slot = this.idle.pop() ?? this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      this.post(slot, job);
    }
  }

  /**
   * Posts a job. Tasks of one run share their testX array (one object), so a
   * worker that already keeps it gets the task without it: the test rows
   * cross once per worker instead of once per partition.
   */
  private post(slot: Slot, job: Job): void {
    const message = job.message;
    if (message.kind !== 'task' || message.team) {
      slot.worker.postMessage(message);
      return;
    }
    const { testX } = message.task;
    if (!(testX?.length >= SHARE_TEST_VALUES)) {
      slot.worker.postMessage(message);
      return;
    }
    if (slot.testX !== testX) {
      slot.worker.postMessage({ kind: 'test', testX });
      slot.testX = testX;
    }
    slot.worker.postMessage({ ...message, task: { ...message.task, testX: NO_ROWS }, sharedTest: true });
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.threads) return undefined;
    const slot: Slot = { worker: undefined!, job: undefined, testX: undefined };
    try {
      slot.worker = this.spawnWorker(this.slots.length, {
        message: (message) => this.receive(slot, message),
        died: (detail) => this.workerDied(slot, detail),
      });
    } catch (error) {
      this.fail(this.explainDeath((error as Error).message));
      return undefined;
    }
    slot.worker.postMessage({ kind: 'init', module: this.module });
    this.slots.push(slot);
    return slot;
  }

  private receive(slot: Slot, message: FromWorker): void {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    if (message.kind === 'block') {
      try {
        job.onBlock?.(message.done, message.total);
      } catch {
        // Never out of a message handler: the caller recorded the exception
        // and closes this pool (src/certify/progress.ts).
      }
      return;
    }
    slot.job = undefined;
    this.idle.push(slot);
    if (message.kind === 'helped') job.resolve(undefined as never);
    else settle(job, message.reply);
    this.dispatch();
  }

  /**
   * A worker dies only when its script failed to load or threw outside a task
   * (tasks catch their own errors). The same would happen to every new worker,
   * so the whole pool fails rather than respawning.
   */
  private workerDied(slot: Slot, detail: string): void {
    if (this.slots.includes(slot)) this.fail(this.explainDeath(detail));
  }

  private fail(error: Error): void {
    if (!this.failure) {
      this.failure = error;
      this.onClose();
    }
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      this.stopping.push(Promise.resolve(slot.worker.terminate()));
      slot.job?.reject(this.failure);
    }
    for (const job of this.queue.splice(0)) job.reject(this.failure);
    this.idle.length = 0;
  }
}

/** A failed task rejects with the worker's message, code and field (src/pool/errors.ts). */
function settle(job: Job, reply: PartitionReply | NetworkReply): void {
  if (reply.ok) job.resolve(reply.result as never);
  else job.reject(fromFailure(reply));
}
