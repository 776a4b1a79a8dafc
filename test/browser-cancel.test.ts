// options.signal in the browser build (dist/browser.js) in Chromium: on the Web
// Worker pool an abort terminates the workers at once; on the page thread
// (threads: 1) it lands between test blocks; both reject with EABORTED.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchChromium } from './support/chromium.js';

// The bundle is imported by the page itself (vitest would rewrite an import() inside page.evaluate).
const PAGE = `<!doctype html><meta charset="utf-8"><title>flipcert cancel</title>
<script type="module">import * as flipcert from '/browser.js'; window.flipcert = flipcert;</script>`;

interface Outcome {
  code: string | null;
  name: string;
  message: string;
  isFlipcertError: boolean;
  progress: { blocksDone: number; blocks: number; partitionsDone: number }[];
  workers: { created: number; terminated: number };
}

/** Runs certify in the page on a problem with many test blocks, aborting as `when` says. */
async function cancelInPage(page: Page, threads: number, partitions: number, when: 'before' | 'first-progress' | 'timer'): Promise<Outcome> {
  return page.evaluate(
    async ({ threads, partitions, when }) => {
      const workers = { created: 0, terminated: 0 };
      const Native = window.Worker;
      window.Worker = class extends Native {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          workers.created++;
        }
        terminate(): void {
          workers.terminated++;
          super.terminate();
        }
      };
      const flipcert = (window as any).flipcert;
      let seed = 1;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      const rows = (n: number, d: number) => ({ data: Float64Array.from({ length: n * d }, random), shape: [n, d] });
      const n = 1200;
      const m = 400;
      const controller = new AbortController();
      if (when === 'before') controller.abort();
      if (when === 'timer') setTimeout(() => controller.abort(), 0);
      const progress: Outcome['progress'] = [];
      try {
        await flipcert.certify({
          train: { x: rows(n, 20), y: Int32Array.from({ length: n }, (_, i) => i % 2) },
          test: { x: rows(m, 20), y: Int32Array.from({ length: m }, (_, i) => i % 2) },
          partitions,
          threads,
          blockSize: 10,
          signal: controller.signal,
          onProgress: (p: Outcome['progress'][number]) => {
            progress.push({ ...p });
            if (when === 'first-progress' && (p.blocksDone > 0 || p.partitionsDone > 0)) controller.abort();
          },
        });
        return { code: 'resolved', name: '', message: '', isFlipcertError: false, progress, workers };
      } catch (error) {
        const e = error as Error & { code?: string };
        return { code: e.code ?? null, name: e.name, message: e.message, isFlipcertError: e instanceof flipcert.FlipcertError, progress, workers };
      } finally {
        window.Worker = Native;
      }
    },
    { threads, partitions, when },
  );
}

describeInBrowser('options.signal in Chromium (dist/browser.js)', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  /** The same page, cross-origin isolated: a single model runs on a team of workers sharing its memory. */
  let isolated: Page;

  beforeAll(async () => {
    const files: Record<string, Buffer> = {
      '/browser.js': readFileSync('dist/browser.js'),
      '/browser-worker.js': readFileSync('dist/browser-worker.js'),
    };
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
      if (path === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else if (path === '/isolated/') response.writeHead(200, { 'content-type': 'text/html', ...isolation }).end(PAGE);
      else if (files[path]) response.writeHead(200, { 'content-type': 'text/javascript', ...isolation }).end(files[path]);
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'flipcert' in window);
    isolated = await browser.newPage();
    await isolated.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/isolated/`);
    await isolated.waitForFunction(() => 'flipcert' in window);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
  });

  function expectAborted(outcome: Outcome): void {
    expect(outcome).toMatchObject({ code: 'EABORTED', name: 'FlipcertError', isFlipcertError: true });
    expect(outcome.message).toMatch(/cancelled/);
  }

  it('an already-aborted signal rejects before any worker starts', async () => {
    const outcome = await cancelInPage(page, 2, 4, 'before');
    expectAborted(outcome);
    expect(outcome.progress).toEqual([]);
    expect(outcome.workers.created).toBe(0);
  });

  it('a single model on a Web Worker stops after its first block, the worker terminated', async () => {
    const outcome = await cancelInPage(page, 2, 1, 'first-progress');
    expectAborted(outcome);
    const last = outcome.progress[outcome.progress.length - 1];
    expect(last.blocks).toBe(40);
    expect(last.blocksDone).toBeLessThan(20);
    expect(outcome.workers.created).toBe(1);
    expect(outcome.workers.terminated).toBe(1);
  });

  it('a single model on a team of 2 Web Workers (cross-origin isolated) stops after its first block, every worker terminated', async () => {
    expect(await isolated.evaluate(() => crossOriginIsolated)).toBe(true);
    const cores = await isolated.evaluate(() => navigator.hardwareConcurrency);
    const outcome = await cancelInPage(isolated, 2, 1, 'first-progress');
    expectAborted(outcome);
    const last = outcome.progress[outcome.progress.length - 1];
    expect(last.blocks).toBe(40);
    expect(last.blocksDone).toBeLessThan(20);
    expect(outcome.workers.created).toBe(Math.min(2, cores));
    expect(outcome.workers.terminated).toBe(outcome.workers.created);
  });

  it('an ensemble on 2 Web Workers stops after its first partition, every worker terminated', async () => {
    const outcome = await cancelInPage(page, 2, 12, 'first-progress');
    expectAborted(outcome);
    expect(Math.max(...outcome.progress.map((p) => p.partitionsDone))).toBeLessThan(12);
    expect(outcome.workers.created).toBe(2);
    expect(outcome.workers.terminated).toBe(2);
  });

  it('on the page thread (threads: 1), an abort from a timer lands between test blocks', async () => {
    const outcome = await cancelInPage(page, 1, 1, 'timer');
    expectAborted(outcome);
    const last = outcome.progress[outcome.progress.length - 1];
    expect(last.blocksDone).toBeLessThan(last.blocks);
    expect(outcome.workers.created).toBe(0);
  });
});
