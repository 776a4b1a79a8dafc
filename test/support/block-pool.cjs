// Preloaded into the CLI by test/cli-signals.test.ts (NODE_OPTIONS=--require …):
// opens the named pipe FLIPCERT_TEST_FIFO, which no one writes to, on Node's
// thread pool, as reading a FIFO input does. That open never returns: a thread of
// the pool waits in it for good, and the process stays alive after its work.
const fs = require('node:fs');
const { isMainThread } = require('node:worker_threads');

if (isMainThread && process.env.FLIPCERT_TEST_FIFO) fs.open(process.env.FLIPCERT_TEST_FIFO, 'r', () => undefined);
