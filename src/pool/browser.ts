import { abortError } from '../abort.js';
import { FlipcertError } from '../errors.js';
import { integerAtLeast } from '../validate.js';
import { compileCore } from '../wasm/core.js';
import type { FromWorker, ToWorker } from './browser-worker.js';
import { fromFailure } from './errors.js';
import type { PartitionPool } from './pool.js';
import type { PartitionReply, PartitionResult, PartitionTask } from './task.js';

/** A task waiting for, or running on, a worker. */
interface Job {
  id: number;
  task: PartitionTask;
  onBlock: ((done: number, total: number) => void) | undefined;
  resolve: (result: PartitionResult) => void;
  reject: (error: Error) => void;
}

/** One Web Worker and the job it is running (undefined when idle). */
interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/**
 * Partitions fanned out over dedicated module Web Workers (browsers): the twin
 * of NodePool. The Wasm core is compiled once on the page and posted to each
 * worker, which only instantiates it; tasks go out as plain data (structured
 * clone), results come back with their buffers transferred. Workers start
 * lazily, up to `threads`, and take queued tasks first-free.
 * No SharedArrayBuffer, so no cross-origin isolation is needed.
 */
export class WebWorkerPool implements PartitionPool {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  /** Set once the pool is closed or a worker died: every later run rejects with it. */
  private failure: Error | undefined;

  private constructor(
    private readonly module: WebAssembly.Module,
    readonly threads: number,
  ) {}

  /** Compiles the core and returns a pool of at most `threads` workers (default: all cores). */
  static async start(threads: number = defaultThreads()): Promise<WebWorkerPool> {
    integerAtLeast(threads, 1, 'threads');
    return new WebWorkerPool(await compileCore(), threads);
  }

  /** With `signal`, an abort terminates every worker of the pool: a pool serves one run. */
  run(task: PartitionTask, onBlock?: (done: number, total: number) => void, signal?: AbortSignal): Promise<PartitionResult> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.failure) return Promise.reject(this.failure);
    const onAbort = () => this.fail(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const settled = () => signal?.removeEventListener('abort', onAbort);
    return new Promise<PartitionResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, onBlock, resolve, reject });
      this.dispatch();
    }).finally(settled);
  }

  /** Terminates every worker; tasks still queued or running reject. */
  async close(): Promise<void> {
    this.fail(new Error('flipcert: the Web Worker pool is closed'));
  }

  /** Hands queued jobs to idle workers, starting new ones while below `threads`. */
  private dispatch(): void {
    while (this.queue.length > 0 && !this.failure) {
      const slot = this.idle.pop() ?? this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      post(slot.worker, { kind: 'task', id: job.id, task: job.task, progress: job.onBlock !== undefined });
    }
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.threads) return undefined;
    // Written as one expression so that bundlers (Vite, webpack) that copy a
    // dependency's workers recognise it; esbuild leaves it as it is.
    const worker = new Worker(new URL('./browser-worker.js', import.meta.url), {
      type: 'module',
      name: `flipcert-${this.slots.length}`,
    });
    const slot: Slot = { worker, job: undefined };
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(slot, event.data);
    worker.onerror = (event) => this.workerDied(event);
    worker.onmessageerror = () => this.fail(new Error('flipcert: a Web Worker reply could not be deserialised'));
    post(worker, { kind: 'init', module: this.module });
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
        // and closes this pool (src/progress.ts).
      }
      return;
    }
    slot.job = undefined;
    this.idle.push(slot);
    settle(job, message.reply);
    this.dispatch();
  }

  /**
   * A worker fires `error` only when its script failed to load or threw outside
   * a task (tasks catch their own errors). The same would happen to every new
   * worker, so the whole pool fails rather than respawning.
   */
  private workerDied(event: Event): void {
    event.preventDefault();
    const detail = event instanceof ErrorEvent && event.message ? `: ${event.message}` : '';
    const url = new URL('./browser-worker.js', import.meta.url).href;
    this.fail(
      new FlipcertError(
        `the Web Worker ${url} failed to start or crashed${detail}. Serve browser-worker.js next to browser.js ` +
          `(same origin), or pass threads: 1 to run on the calling thread`,
        'EWORKER',
      ),
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const slot of this.slots) {
      slot.worker.terminate();
      slot.job?.reject(this.failure);
    }
    for (const job of this.queue) job.reject(this.failure);
    this.slots.length = 0;
    this.idle.length = 0;
    this.queue.length = 0;
  }
}

/** Threads when the caller gives none: the browser's logical cores. */
export function defaultThreads(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof cores === 'number' && Number.isSafeInteger(cores) && cores >= 1 ? cores : 1;
}

/** Tasks are copied, not transferred: testX is shared by every partition's task. */
function post(worker: Worker, message: ToWorker): void {
  worker.postMessage(message);
}

function settle(job: Job, reply: PartitionReply): void {
  if (reply.ok) job.resolve(reply.result);
  else job.reject(fromFailure(reply));
}
