#!/usr/bin/env node
// flipcert's command line (the package's bin). The same bundle is also the CLI's
// engine: started as a worker thread it serves one library job (src/cli/engine.ts)
// instead of parsing arguments.
import { isEngineWorker, runEngineWorker } from './cli/engine.js';
import { main } from './cli/program.js';

if (isEngineWorker()) void runEngineWorker();
else void main();
