// Worker-thread entry of the Node pool (src/pool/node.ts). Bundled on its own
// and inlined as text into dist/index.js and dist/index.cjs, where it starts
// with `eval: true`: no worker file to locate on disk. Node evaluates that
// text as CommonJS, or as an ES module when the process runs with
// --input-type=module (workers inherit execArgv), so it uses neither require
// nor import statements: only import(), which both have.
import * as networks from '../network/task.js';
import { serveWorker } from './worker-body.js';

void import('node:worker_threads').then(({ parentPort }) => {
  const port = parentPort!;
  port.on('message', serveWorker((message, transfer) => port.postMessage(message, transfer), networks));
});
