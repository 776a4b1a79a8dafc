import { FlipcertError } from '../errors.js';
import type { FromWorker } from './messages.js';
import { WorkerPool, type SpawnWorker } from './worker-pool.js';

/**
 * A worker side (src/pool/partition-side.ts, network-side.ts) as the bundles
 * hold it: one function that refers to nothing outside itself and returns
 * the side's code; `listen()` serves a pool from inside a Web Worker.
 */
export type WorkerSide<T> = () => T & { listen(): void };

/**
 * Partitions on dedicated Web Workers. By default each worker runs `side`:
 * the worker's code, already in this bundle, started from a Blob URL as the
 * text of that function, so nothing is copied, served or located, whichever
 * bundler (or none) built the page; it needs a Content-Security-Policy that
 * allows `worker-src blob:` (or none). With `workerUrl` the worker is loaded
 * from there instead (flipcert's dist/browser-worker.js, exported as
 * `flipcert/browser-worker`).
 */
export function startWebWorkerPool<T>(module: WebAssembly.Module, threads: number, side: WorkerSide<T>, workerUrl?: string | URL): WorkerPool {
  if (workerUrl !== undefined) {
    const url = String(workerUrl);
    return new WorkerPool(module, threads, spawnFrom(url), (detail) => workerUrlFailed(url, detail));
  }
  const source = `(${String(side)})().listen();\n`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return new WorkerPool(module, threads, spawnFrom(url), blobWorkerFailed, () => URL.revokeObjectURL(url));
}

/** Whether Web Workers can start here: edge runtimes and bare contexts lack Worker, Blob or URL.createObjectURL. */
export function canStartWorkers(workerUrl: string | URL | undefined): boolean {
  if (typeof Worker !== 'function') return false;
  return workerUrl !== undefined || (typeof Blob === 'function' && typeof URL === 'function' && typeof URL.createObjectURL === 'function');
}

/** Threads when the caller gives none: the browser's logical cores (1 where the runtime does not say). */
export function defaultThreads(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof cores === 'number' && Number.isSafeInteger(cores) && cores >= 1 ? cores : 1;
}

/** Classic (not module) workers: the worker script is one self-contained file, and every browser runs those. */
function spawnFrom(url: string): SpawnWorker {
  return (index, events) => {
    const worker = new Worker(url, { name: `flipcert-${index}` });
    worker.onmessage = (event: MessageEvent<FromWorker>) => events.message(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      events.died(event.message || 'it failed to load or threw');
    };
    worker.onmessageerror = () => events.died('a reply from it could not be deserialised');
    return worker;
  };
}

function blobWorkerFailed(detail: string): FlipcertError {
  return new FlipcertError(
    `the Web Worker (started from a blob: URL) failed: ${detail}. If a Content-Security-Policy forbids blob: workers, ` +
      "allow 'worker-src blob:'; if the application's bundler rewrote flipcert's worker code to use its own helpers " +
      "(esbuild's keepNames, syntax lowered below ES2017), turn that off for flipcert. Or serve flipcert's " +
      'dist/browser-worker.js yourself and pass its URL as options.workerUrl; threads: 1 runs on the calling thread',
    'EWORKER',
    { field: 'workerUrl' },
  );
}

function workerUrlFailed(url: string, detail: string): FlipcertError {
  return new FlipcertError(
    `the Web Worker ${url} (options.workerUrl) failed: ${detail}. It must serve flipcert's dist/browser-worker.js ` +
      '(same version, same origin); threads: 1 runs on the calling thread',
    'EWORKER',
    { field: 'workerUrl' },
  );
}
