// Web Worker entry for options.workerUrl: shipped as dist/browser-worker.js, a
// classic script that runs certify's partitions and validate's networks alike.
// (The bundles start their workers from src/pool/partition-side.ts and
// network-side.ts instead, without a file.)
import * as networks from '../network/task.js';
import { listenAsWebWorker } from './web-worker-scope.js';

listenAsWebWorker(networks);
