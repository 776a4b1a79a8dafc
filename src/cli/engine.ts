/**
 * The CLI runs the library on a worker thread (the engine), never on its main
 * thread: a single model, `--threads 1` and `kernel` compute synchronously in
 * WebAssembly for minutes, and while the main thread is busy, Node delivers
 * no signal to its handlers. Kept free, the main thread answers Ctrl-C and
 * SIGTERM at once (restore the terminal, remove temporary files, exit).
 * The engine is this same bundle started as a worker; see runEngineWorker.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FlipcertError, type ErrorCode } from '../errors.js';
import {
  certify,
  ntk,
  represent,
  validate,
  type CertifyOptions,
  type RepresentOptions,
  type RepresentResult,
  type RepresentStep,
  type ValidateOptions,
  type ValidateProgress,
  type ValidateResult,
} from '../index.js';
import type { Progress } from '../certify/options.js';
import type { Matrix } from '../types.js';
import { computeShard, type ShardJob, type ShardOutcome } from '../shard/compute.js';
import { mergeShards, type Merged } from '../shard/merge.js';
import type { MergeData } from '../shard/retrain.js';
import type { ShardExpectation } from '../shard/read.js';
import { openNodePool } from '../pool/open-node.js';
import { availableParallelism } from 'node:os';
import { checkAddressSpace } from './address-space.js';

type Certified = Awaited<ReturnType<typeof certify>>;

export type EngineJob =
  | { kind: 'certify'; options: Omit<CertifyOptions, 'onProgress'> }
  | { kind: 'ntk'; x: Matrix; y?: Matrix; kernel: { depth: number; wVar: number; bVar: number } }
  | ({ kind: 'shard' } & ShardJob)
  | { kind: 'validate'; options: Omit<ValidateOptions, 'onProgress'> }
  | { kind: 'represent'; options: Omit<RepresentOptions, 'onProgress'> }
  | { kind: 'merge'; paths: string[]; expect: ShardExpectation; data: MergeData };

type Reply =
  | { type: 'progress'; progress: Progress | ValidateProgress | RepresentStep }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string; code?: ErrorCode; field?: string; flipcert: boolean; stack?: string };

const MARK = 'flipcert-cli-engine';

/** True in the engine worker: the entry point then serves one job instead of parsing arguments. */
export function isEngineWorker(): boolean {
  return !isMainThread && (workerData as { mark?: string } | null)?.mark === MARK;
}

/** Runs certify on the engine; progress is relayed to `onProgress` on this thread. */
export function certifyOnEngine(options: EngineJob & { kind: 'certify' }, onProgress: (p: Progress) => void): Promise<Certified> {
  return runOnEngine(options, onProgress) as Promise<Certified>;
}

/** Computes one shard on the engine (or finds it done, with --resume); progress as for certify. */
export function shardOnEngine(job: EngineJob & { kind: 'shard' }, onProgress: (p: Progress) => void): Promise<ShardOutcome> {
  return runOnEngine(job, onProgress) as Promise<ShardOutcome>;
}

/** Runs validate on the engine; progress (trainings done) is relayed to `onProgress` on this thread. */
export function validateOnEngine(job: EngineJob & { kind: 'validate' }, onProgress: (p: ValidateProgress) => void): Promise<ValidateResult> {
  return runOnEngine(job, onProgress) as Promise<ValidateResult>;
}

/** Runs represent on the engine; its steps are relayed to `onProgress` on this thread. */
export function representOnEngine(job: EngineJob & { kind: 'represent' }, onProgress: (p: RepresentStep) => void): Promise<RepresentResult> {
  return runOnEngine(job, onProgress) as Promise<RepresentResult>;
}

/** Merges shards on the engine, retraining with `data` where the exact search needs it (src/shard/retrain.ts). */
export function mergeOnEngine(job: EngineJob & { kind: 'merge' }): Promise<Merged> {
  return runOnEngine(job) as Promise<Merged>;
}

/** Runs ntk on the engine. */
export function ntkOnEngine(job: EngineJob & { kind: 'ntk' }): Promise<Matrix> {
  return runOnEngine(job) as Promise<Matrix>;
}

function runOnEngine(job: EngineJob, onProgress?: (p: never) => void): Promise<unknown> {
  // Before the thread starts: where V8 cannot reserve a thread's memory, it aborts the process rather than throw.
  checkAddressSpace();
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { mark: MARK, job }, transferList: transferables(job) });
    let settled = false;
    worker.on('message', (reply: Reply) => {
      if (reply.type === 'progress') return onProgress?.(reply.progress as never);
      settled = true;
      if (reply.type === 'result') resolve(reply.value);
      else reject(rebuild(reply));
      void worker.terminate();
    });
    worker.on('error', (error) => {
      settled = true;
      const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      reject(outOfMemory ? new FlipcertError('out of memory: the problem does not fit in this machine\'s memory; use fewer rows or a smaller --block-size', 'EMEMORY') : error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the engine thread exited with code ${code} before answering`));
    });
  });
}

/** The error the engine threw, rebuilt on this thread with its type, code and field. */
function rebuild(reply: Reply & { type: 'error' }): Error {
  const error = reply.flipcert ? new FlipcertError(reply.message, reply.code, { field: reply.field }) : new Error(reply.message);
  if (reply.stack !== undefined) error.stack = reply.stack;
  return error;
}

/**
 * The large buffers of a job, moved to the engine instead of copied. Small
 * typed arrays may sit in Node's shared Buffer pool, which cannot be moved:
 * those (at most a pool's size) are copied.
 */
function transferables(job: EngineJob): ArrayBuffer[] {
  const views: unknown[] =
    job.kind === 'certify' || job.kind === 'shard' || job.kind === 'validate'
      ? [job.options.train.x, job.options.train.y, job.options.test.x, job.options.test.y]
      : job.kind === 'represent'
        ? [job.options.train.x, job.options.test?.x]
        : job.kind === 'merge'
          ? [job.data.train.x, job.data.train.y, job.data.test.x, job.data.test.y, job.data.partitioning]
          : [job.x, job.y];
  const buffers = new Set<ArrayBuffer>();
  for (const item of views) {
    const view = ArrayBuffer.isView(item) ? item : (item as { data?: unknown } | undefined)?.data;
    if (ArrayBuffer.isView(view) && view.buffer instanceof ArrayBuffer && view.buffer.byteLength > Buffer.poolSize) {
      buffers.add(view.buffer);
    }
  }
  return [...buffers];
}

/** The engine side: runs the job from workerData and posts progress, then the result or the error. */
export async function runEngineWorker(): Promise<void> {
  const port = parentPort!;
  const { job } = workerData as { job: EngineJob };
  try {
    if (job.kind === 'certify') {
      const result = await certify({ ...job.options, onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies Reply) });
      port.postMessage({ type: 'result', value: result } satisfies Reply);
    } else if (job.kind === 'validate') {
      const result = await validate({ ...job.options, onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies Reply) });
      port.postMessage({ type: 'result', value: result } satisfies Reply);
    } else if (job.kind === 'represent') {
      const result = await represent({ ...job.options, onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies Reply) });
      const buffers = [result.train.data, result.test?.data, result.partitionIds].filter((b) => b !== undefined).map((b) => b.buffer as ArrayBuffer);
      port.postMessage({ type: 'result', value: result } satisfies Reply, [...new Set(buffers)]);
    } else if (job.kind === 'shard') {
      const onProgress = (progress: Progress) => port.postMessage({ type: 'progress', progress } satisfies Reply);
      const outcome = await computeShard({ ...job, options: { ...job.options, onProgress } });
      const buffers = outcome.skipped ? [] : outcome.parts.map((part) => part.buffer as ArrayBuffer);
      port.postMessage({ type: 'result', value: outcome } satisfies Reply, buffers);
    } else if (job.kind === 'merge') {
      const merged = await mergeShards(job.paths, job.expect, { data: job.data, openPool: openNodePool, cores: availableParallelism() });
      port.postMessage({ type: 'result', value: merged } satisfies Reply);
    } else {
      const K = await ntk(job.x, job.y, job.kernel);
      port.postMessage({ type: 'result', value: K } satisfies Reply, [K.data.buffer as ArrayBuffer]);
    }
  } catch (error) {
    const flipcert = error instanceof FlipcertError;
    const e = error as Error;
    port.postMessage({
      type: 'error',
      flipcert,
      message: e?.message ?? String(error),
      code: flipcert ? error.code : undefined,
      field: flipcert ? error.field : undefined,
      stack: e?.stack,
    } satisfies Reply);
  }
}
