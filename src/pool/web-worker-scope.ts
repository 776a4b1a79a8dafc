import type { FromWorker, ToWorker } from './messages.js';
import { serveWorker, type NetworkCode } from './worker-body.js';

/** The few members of DedicatedWorkerGlobalScope used here (tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

/** Serves the pool's messages on this Web Worker (with validate's network code when given). */
export function listenAsWebWorker(networks?: NetworkCode): void {
  const scope = globalThis as unknown as WorkerScope;
  const handle = serveWorker((message, transfer) => scope.postMessage(message, transfer ?? []), networks);
  scope.onmessage = ({ data }) => handle(data);
}
