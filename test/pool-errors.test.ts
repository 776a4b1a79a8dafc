// Errors across pools: a task's FlipcertError keeps its code and field on
// every pool (Node worker threads, the calling thread, Web Workers), anything
// else becomes EINTERNAL; and an onProgress that throws after its first call
// rejects certify with that very exception, is never called again, and leaves
// no worker running — it used to escape from a MessagePort handler and crash
// the host process (issue 8).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { certify, type CertifyOptions } from '../src/index.js';
import { fromFailure, taskError, toFailure } from '../src/pool/errors.js';
import { randomRows, rng } from './reference.js';
import { describeInBrowser, launchChromium } from './support/chromium.js';

/** Two noisy clusters: n training rows, m test rows, 4 features. */
function problem(n: number, m: number): Pick<CertifyOptions, 'train' | 'test'> {
  const random = rng(42);
  const centres = randomRows(random, 2, 4);
  const make = (count: number) => {
    const y = Array.from({ length: count }, (_, i) => i % 2);
    return { x: y.map((c) => centres[c].map((v) => v + (random() * 2 - 1) * 0.5)), y };
  };
  return { train: make(n), test: make(m) };
}

// A single model of 10 test blocks (progress: 1 start call, then one per block),
// and a 4-partition ensemble (1 start call, then one per partition).
const SINGLE = { ...problem(60, 20), blockSize: 2 };
const ENSEMBLE = { ...problem(80, 10), partitions: 4, partitioning: 'sorted' as const };
// A user error that only a worker can find: C outside the small-C regime.
const SVM_OUTSIDE = { ...problem(40, 6), partitions: 2, partitioning: 'sorted' as const, model: 'svm' as const, svmC: 10 };

describe('worker error mapping (src/pool/errors.ts)', () => {
  it('keeps message, code and field of a FlipcertError through structured clone', () => {
    const error = new FlipcertError('options.svmC 10 is outside the small-C regime', 'EOPTION', { field: 'svmC' });
    const back = fromFailure(structuredClone(toFailure(error, 3)));
    expect(back).toBeInstanceOf(FlipcertError);
    expect([back.message, back.code, back.field]).toEqual([error.message, 'EOPTION', 'svmC']);
  });

  it('turns anything else into EINTERNAL naming the partition, with the stack', () => {
    const bug = new TypeError('x is undefined');
    const back = fromFailure(structuredClone(toFailure(bug, 5)));
    expect(back.code).toBe('EINTERNAL');
    expect(back.field).toBeUndefined();
    expect(back.message).toMatch(/^internal error in partition 5 \(a bug in flipcert, please report it\): TypeError: x is undefined\n\s+at /);
    expect(toFailure('a string', 0).message).toMatch(/partition 0 .*: a string$/);
    const local = taskError(bug, 5);
    expect([local.code, local.cause]).toEqual(['EINTERNAL', bug]);
    const user = new FlipcertError('m', 'EINPUT');
    expect(taskError(user, 1)).toBe(user);
  });

  it('on the calling thread: a worker-side user error arrives with its code and field', async () => {
    const error = await certify({ ...SVM_OUTSIDE, threads: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlipcertError);
    expect(error).toMatchObject({ code: 'EOPTION', field: 'svmC' });
    expect((error as Error).message).toMatch(/^options\.svmC 10 is outside the small-C regime of partition \d/);
  });
});

/** Runs certify with an onProgress that throws at its `throwAt`-th call. */
async function throwingRun(options: CertifyOptions, throwAt: number) {
  const thrown = new Error('the progress bar broke');
  let calls = 0;
  const outcome = await certify({
    ...options,
    onProgress: () => {
      if (++calls >= throwAt) throw thrown;
    },
  }).then(
    () => ({ rejected: false, same: false, calls }),
    (error: unknown) => ({ rejected: true, same: error === thrown, calls }),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { ...outcome, callsLater: calls };
}

describe('a throwing onProgress, on the calling thread (threads: 1)', () => {
  it.each([
    ['a single model, at the first test block', SINGLE],
    ['an ensemble, after the first partition', ENSEMBLE],
  ])('%s: rejects with that exception and stops there', async (_, options) => {
    expect(await throwingRun({ ...options, threads: 1 }, 2)).toEqual({ rejected: true, same: true, calls: 2, callsLater: 2 });
  });

  it('at the very first call: rejects before any task runs', async () => {
    expect(await throwingRun({ ...ENSEMBLE, threads: 1 }, 1)).toEqual({ rejected: true, same: true, calls: 1, callsLater: 1 });
  });
});

// The Node pool is tested on the bundle (rebuilt by test/setup/build.ts), in a
// child process: a crash there cannot take vitest down, and the child must
// exit on its own. Node announces every worker thread it starts ('worker').
const CHILD = `
const workers = { created: 0, exited: 0 };
process.on('worker', (worker) => {
  workers.created++;
  worker.once('exit', () => workers.exited++);
});
const { certify } = await import(${JSON.stringify(join(process.cwd(), 'dist/index.js'))});
const [options, throwAt] = JSON.parse(process.argv[1]);
const thrown = new Error('the progress bar broke');
let calls = 0;
const onProgress = throwAt > 0 ? () => { if (++calls >= throwAt) throw thrown; } : undefined;
const outcome = await certify({ ...options, onProgress }).then(
  (result) => ({ rejected: false, threads: result.summary.threads }),
  (error) => ({ rejected: true, same: error === thrown, code: error.code, field: error.field, message: error.message, calls, ...workers }),
);
await new Promise((resolve) => setTimeout(resolve, 100));
console.log(JSON.stringify({ ...outcome, callsLater: calls, exitedLater: workers.exited }));
`;

function runChild(options: CertifyOptions, throwAt: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CHILD, JSON.stringify([options, throwAt])],
      { timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number | null) ?? null : 0, stdout, stderr }),
    );
  });
}

describe('Node worker threads (dist/index.js)', () => {
  it.each([
    ['a single model on threads: 2 (progress messages while it computes)', { ...SINGLE, threads: 2 }],
    ['an ensemble on threads: 2', { ...ENSEMBLE, threads: 2 }],
  ])('%s: rejects with that exception, terminates the workers, exits cleanly', async (_, options) => {
    const { code, stdout, stderr } = await runChild(options, 2);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const outcome = JSON.parse(stdout);
    expect(outcome).toMatchObject({ rejected: true, same: true, calls: 2, callsLater: 2 });
    expect(outcome.created).toBeGreaterThanOrEqual(1);
    // Every worker started had exited by the time certify rejected.
    expect(outcome.exited).toBe(outcome.created);
  });

  it('a worker-side user error arrives with its code and field', async () => {
    const { code, stdout, stderr } = await runChild({ ...SVM_OUTSIDE, threads: 2 }, 0);
    expect([code, stderr]).toEqual([0, '']);
    const outcome = JSON.parse(stdout);
    expect(outcome).toMatchObject({ rejected: true, code: 'EOPTION', field: 'svmC' });
    expect(outcome.message).toMatch(/^options\.svmC 10 is outside the small-C regime of partition \d/);
    expect(outcome.exited).toBe(outcome.created);
  });

  it('threads: 1000 on a 4-partition problem starts at most 4 workers and says so', async () => {
    const { code, stdout } = await runChild({ ...ENSEMBLE, threads: 1000 }, 0);
    expect(code).toBe(0);
    const outcome = JSON.parse(stdout);
    expect(outcome.rejected).toBe(false);
    expect(outcome.threads).toBeGreaterThanOrEqual(1);
    expect(outcome.threads).toBeLessThanOrEqual(4);
  });
});

/** A page that runs dist/browser.js, counting Web Workers as they are created and terminated. */
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
  const workers = { created: 0, terminated: 0 };
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args) { super(...args); workers.created++; }
    terminate() { workers.terminated++; super.terminate(); }
  };
  window.run = async (options, throwAt) => {
    const flipcert = await import('/dist/browser.js');
    workers.created = workers.terminated = 0;
    const thrown = new Error('the progress bar broke');
    let calls = 0;
    const onProgress = throwAt > 0 ? () => { if (++calls >= throwAt) throw thrown; } : undefined;
    const outcome = await flipcert.certify({ ...options, onProgress }).then(
      () => ({ rejected: false }),
      (error) => ({ rejected: true, same: error === thrown, code: error.code ?? null, field: error.field ?? null,
                    message: error.message, calls, ...workers }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    return JSON.stringify({ ...outcome, callsLater: calls });
  };
</script>`;

describeInBrowser('Web Workers (dist/browser.js in Chromium)', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const files = new Map(['browser.js', 'browser-worker.js'].map((f) => [`/dist/${f}`, readFileSync(join('dist', f))]));
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const body = path === '/' ? PAGE : files.get(path);
      if (body === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': path === '/' ? 'text/html' : 'text/javascript' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  const inPage = async (options: CertifyOptions, throwAt: number) =>
    JSON.parse((await page.evaluate(`run(${JSON.stringify(options)}, ${throwAt})`)) as string);

  it.each([
    ['a single model on threads: 2', { ...SINGLE, threads: 2 }],
    ['an ensemble on threads: 2', { ...ENSEMBLE, threads: 2 }],
  ])('%s: a throwing onProgress rejects with it and terminates every worker', async (_, options) => {
    const outcome = await inPage(options, 2);
    expect(outcome).toMatchObject({ rejected: true, same: true, calls: 2, callsLater: 2 });
    expect(outcome.created).toBeGreaterThanOrEqual(1);
    expect(outcome.terminated).toBe(outcome.created);
    // Nothing escaped from a message handler as an uncaught page error.
    expect(pageErrors).toEqual([]);
  });

  it('a worker-side user error arrives with its code and field', async () => {
    const outcome = await inPage({ ...SVM_OUTSIDE, threads: 2 }, 0);
    expect(outcome).toMatchObject({ rejected: true, code: 'EOPTION', field: 'svmC' });
    expect(outcome.terminated).toBe(outcome.created);
    expect(pageErrors).toEqual([]);
  });
});
