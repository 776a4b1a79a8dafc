// Worker-thread entry of NodePool (src/pool/node.ts). Bundled on its own as a
// CommonJS script and inlined as text into dist/index.js and dist/index.cjs,
// where it starts with `eval: true`: no worker file to locate on disk.
import { parentPort } from 'node:worker_threads';
import { serveWorker } from './serve.js';

const port = parentPort!;
port.on('message', serveWorker((message, transfer) => port.postMessage(message, transfer)));
