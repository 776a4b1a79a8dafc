// Preloaded into the CLI by test/cli-signals.test.ts (NODE_OPTIONS=--require …):
// sends the process the signal FLIPCERT_TEST_SIGNAL at the moment it asks to
// create its FLIPCERT_TEST_AT-th temporary file (a name ending in .tmp), then lets
// the creation go on. The worst moment for a signal: the file is being created,
// and the code asking for it has not yet heard back. An asynchronous creation
// reports back 100 ms late, as on a loaded machine, so that the signal's handler
// surely runs first; a synchronous one cannot be interleaved with a handler.
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { isMainThread } = require('node:worker_threads');

const signal = process.env.FLIPCERT_TEST_SIGNAL;
if (isMainThread && signal) {
  const at = Number(process.env.FLIPCERT_TEST_AT || 1);
  let seen = 0;
  const hit = (path) => {
    const now = typeof path === 'string' && path.endsWith('.tmp') && ++seen === at;
    if (now) process.kill(process.pid, signal);
    return now;
  };
  const late = (value) => new Promise((done) => setTimeout(() => done(value), 100));
  const openSync = fs.openSync;
  fs.openSync = function (path, ...rest) {
    hit(path);
    return openSync.call(this, path, ...rest);
  };
  const open = fs.open;
  fs.open = function (path, ...rest) {
    if (!hit(path)) return open.call(this, path, ...rest);
    const callback = rest.pop();
    return open.call(this, path, ...rest, (...results) => setTimeout(() => callback(...results), 100));
  };
  const openPromise = fs.promises.open;
  fs.promises.open = function (path, ...rest) {
    const opening = openPromise.call(this, path, ...rest);
    return hit(path) ? opening.then(late) : opening;
  };
  syncBuiltinESMExports(); // `import { open } from 'node:fs/promises'` sees the wrapped functions too
}
