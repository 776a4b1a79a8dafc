// Web Worker entry of WebWorkerPool (src/pool/browser.ts). Bundled on its own
// as a classic script: inlined as text into dist/browser.js (started from a
// Blob URL) and shipped as dist/browser-worker.js (for options.workerUrl).
import type { FromWorker, ToWorker } from './messages.js';
import { serveWorker } from './worker-body.js';

/** The few members of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
const handle = serveWorker((message, transfer) => scope.postMessage(message, transfer ?? []));
scope.onmessage = ({ data }) => handle(data);
