// The browser bundle in a real browser (headless Chromium): the Web Worker
// pool gives exactly the certificates the Node library computes on one
// thread, and its errors reach the page as FlipcertError. The page loads
// dist/browser.js alone: its worker comes inside it (Blob URL).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { certify, ntk, type CertifyOptions, type CertifyResult, type Progress } from '../src/index.js';
import { randomRows, rng } from './reference.js';
import { clusters } from './support/clusters.js';
import { describeInBrowser, launchChromium } from './support/chromium.js';

const BUNDLE = '/dist/browser.js';
/** The same bundle in a page whose Content-Security-Policy allows workers from its own origin only (no blob:). */
const STRICT_CSP = "worker-src 'self'";

let server: Server;
let browser: Browser;
let page: Page;
let strictPage: Page;
let isolatedPage: Page;
const pageErrors: string[] = [];

describeInBrowser('flipcert in Chromium (dist/browser.js)', () => {
  beforeAll(async () => {
    server = await serve(snapshotBundle());
    const { port } = server.address() as AddressInfo;
    browser = await launchChromium();
    page = await browser.newPage();
    strictPage = await browser.newPage();
    isolatedPage = await browser.newPage();
    for (const p of [page, strictPage, isolatedPage]) p.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await strictPage.goto(`http://127.0.0.1:${port}/strict-csp/`);
    await isolatedPage.goto(`http://127.0.0.1:${port}/isolated/`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  browserSuite();
});

/** The files a page may load: the entry, and the worker as a file for options.workerUrl. */
const BUNDLE_FILES = ['browser.js', 'browser-worker.js'];

/** The bundle as built by the global setup (test/setup/build.ts), held in memory. */
function snapshotBundle(): Map<string, Buffer> {
  return new Map(BUNDLE_FILES.map((f) => [f, readFileSync(join('dist', f))]));
}

/** What makes a page cross-origin isolated (SharedArrayBuffer, shared WebAssembly memory), as `flipcert serve` sends. */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Serves the test page at /, at /strict-csp/ (with STRICT_CSP) and at
 * /isolated/ (cross-origin isolated, with the bundle it loads), and the
 * bundle under /dist/, on a free port.
 */
function serve(bundle: Map<string, Buffer>): Promise<Server> {
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const name = /^\/dist\/([\w.-]+)$/.exec(path)?.[1];
    const isPage = path === '/' || path === '/strict-csp/' || path === '/isolated/';
    const body = isPage ? readFileSync('test/browser/index.html') : name && bundle.get(name);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    const csp = path === '/strict-csp/' ? { 'content-security-policy': STRICT_CSP } : undefined;
    const isolation = path === '/isolated/' || (request.headers.referer ?? '').endsWith('/isolated/') ? ISOLATION : undefined;
    response.writeHead(200, { 'content-type': isPage ? 'text/html' : 'text/javascript', ...csp, ...isolation });
    response.end(body);
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)));
}

interface PageSuccess {
  ok: true;
  result: CertifyResult;
  progress: Progress[];
  workers: { created: number; terminated: number };
}
interface PageFailure {
  ok: false;
  name: string;
  code: string | null;
  message: string;
  isFlipcertError: boolean;
  workers: { created: number; terminated: number };
}

type PlainOptions = Omit<CertifyOptions, 'onProgress' | 'wasmModule'>;

/** Runs `certify` of the bundle inside `on` (options must be plain JSON). */
async function certifyInPage(options: PlainOptions, on = page): Promise<PageSuccess | PageFailure> {
  const json = await on.evaluate(`harness.certify(${JSON.stringify(BUNDLE)}, ${JSON.stringify(options)})`);
  return JSON.parse(json as string);
}

/** Node's result with the progress it reported, as the page would see it after JSON. */
async function certifyInNode(options: PlainOptions): Promise<{ result: CertifyResult; progress: Progress[] }> {
  const progress: Progress[] = [];
  const result = await certify({ ...options, threads: 1, onProgress: (p) => progress.push({ ...p }) });
  return { result: JSON.parse(JSON.stringify(result)), progress };
}

/** The result without what describes the run rather than the certificates: time and threads used. */
function withoutSeconds(result: CertifyResult): unknown {
  return { ...result, summary: { ...result.summary, seconds: 0, threads: 0 } };
}

const problem = clusters;

function expectSuccess(reply: PageSuccess | PageFailure): PageSuccess {
  if (!reply.ok) throw new Error(`certify failed in the page: ${reply.name}: ${reply.message}`);
  return reply;
}

const field = <K extends keyof CertifyResult['points'][number]>(result: CertifyResult, key: K) =>
  result.points.map((p) => p[key]);

function browserSuite(): void {
  it.each([
    [2, 1],
    [2, 4],
    [3, 1],
    [3, 4],
  ])('%i classes, k = %i on 2 Web Workers: same certificates as Node on one thread', async (classes, k) => {
    const { train, test } = problem(10 * classes + k, 60, 10, classes);
    const options = { train, test, partitions: k, blockSize: 3, witness: k === 1 };
    const inPage = expectSuccess(await certifyInPage({ ...options, threads: 2 }));
    const inNode = await certifyInNode(options);

    for (const key of ['prediction', 'radius', 'upper', 'dpaRadius'] as const) {
      expect(field(inPage.result, key), key).toEqual(field(inNode.result, key));
    }
    expect(withoutSeconds(inPage.result)).toEqual(withoutSeconds(inNode.result));
    // Progress crosses from the workers too: test blocks for k = 1, partitions otherwise.
    expect(inPage.progress).toEqual(inNode.progress);
    expect(inPage.workers).toEqual({ created: Math.min(2, k), terminated: Math.min(2, k) });
    // The white-box costs matter here (not just the votes): EnsembleCert beats DPA somewhere.
    if (k > 1) expect(inNode.result.points.some((p) => p.radius > p.dpaRadius)).toBe(true);
    if (k === 1) {
      expect(new Set(field(inNode.result, 'radius')).size).toBeGreaterThan(1);
      expect(inPage.progress.at(-2)).toMatchObject({ blocksDone: 4, blocks: 4 });
    }
  });

  it('a single model on a cross-origin isolated page: 2 Web Workers share its memory, with the same certificates', async () => {
    expect(await isolatedPage.evaluate('crossOriginIsolated')).toBe(true);
    expect(await page.evaluate('crossOriginIsolated')).toBe(false);
    const cores = (await isolatedPage.evaluate('navigator.hardwareConcurrency')) as number;
    for (const classes of [2, 3]) {
      const { train, test } = problem(40 + classes, 300, 10, classes);
      const options = { train, test, partitions: 1, blockSize: 16 };
      const inNode = await certifyInNode(options);
      const one = expectSuccess(await certifyInPage({ ...options, threads: 1 }, isolatedPage));
      const two = expectSuccess(await certifyInPage({ ...options, threads: 2 }, isolatedPage));
      expect(two.result.summary.threads).toBe(Math.min(2, cores));
      expect(two.workers).toEqual({ created: Math.min(2, cores), terminated: Math.min(2, cores) });
      for (const run of [one, two]) expect(withoutSeconds(run.result)).toEqual(withoutSeconds(inNode.result));
      expect(new Set(field(inNode.result, 'radius')).size).toBeGreaterThan(1);
    }
  });

  it('runs on the calling thread with threads: 1, with the same result', async () => {
    const { train, test } = problem(5, 60, 10, 3);
    const options = { train, test, partitions: 4 };
    const inPage = expectSuccess(await certifyInPage({ ...options, threads: 1 }));
    const inNode = await certifyInNode(options);
    expect(inPage.workers).toEqual({ created: 0, terminated: 0 });
    expect(withoutSeconds(inPage.result)).toEqual(withoutSeconds(inNode.result));
  });

  it('computes the same NTK as Node', async () => {
    const random = rng(77);
    const [a, b] = [randomRows(random, 12, 5), randomRows(random, 7, 5)];
    for (const [x2, kernel] of [[b, { depth: 3, wVar: 1.5, bVar: 0.1 }], [undefined, undefined]] as const) {
      const json = await page.evaluate(
        `harness.ntk(${JSON.stringify(BUNDLE)}, ${JSON.stringify(a)}, ${JSON.stringify(x2 ?? null)}, ${JSON.stringify(kernel ?? {})})`,
      );
      const inPage = JSON.parse(json as string) as { data: number[]; rows: number; cols: number };
      const inNode = await ntk(a, x2, kernel);
      expect([inPage.rows, inPage.cols]).toEqual([inNode.rows, inNode.cols]);
      inNode.data.forEach((value, i) => {
        expect(Math.abs(inPage.data[i] - value), `entry ${i}`).toBeLessThanOrEqual(1e-15 * Math.abs(value));
      });
    }
  });

  it('rethrows a worker’s user error as FlipcertError with its code, and closes the workers', async () => {
    const { train, test } = problem(3, 60, 10, 2);
    const options = { train, test, partitions: 4, model: 'svm' as const, svmC: 10 };
    const reply = await certifyInPage({ ...options, threads: 2 });
    await expect(certifyInNode(options)).rejects.toThrow(/small-C regime/);
    expect(reply).toMatchObject({ ok: false, name: 'FlipcertError', code: 'EOPTION', isFlipcertError: true });
    expect((reply as PageFailure).message).toMatch(/options.svmC 10 is outside the small-C regime of partition \d/);
    expect(reply.workers.created).toBe(2);
    expect(reply.workers.terminated).toBe(2);
  });

  it('says what to allow when a Content-Security-Policy forbids blob: workers, and options.workerUrl then works', async () => {
    const { train, test } = problem(4, 60, 10, 2);
    const options = { train, test, partitions: 4 };
    const blocked = await certifyInPage({ ...options, threads: 2 }, strictPage);
    expect(blocked).toMatchObject({ ok: false, name: 'FlipcertError', code: 'EWORKER', isFlipcertError: true });
    expect((blocked as PageFailure).message).toMatch(/blob: URL.*worker-src blob:.*options\.workerUrl.*threads: 1/);
    expect(blocked.workers.terminated).toBe(blocked.workers.created);

    const fromFile = expectSuccess(await certifyInPage({ ...options, threads: 2, workerUrl: '/dist/browser-worker.js' }, strictPage));
    expect(fromFile.workers).toEqual({ created: 2, terminated: 2 });
    expect(withoutSeconds(fromFile.result)).toEqual(withoutSeconds((await certifyInNode(options)).result));
  });

  it('names options.workerUrl when the worker cannot be loaded from there', async () => {
    const { train, test } = problem(4, 60, 10, 2);
    const reply = await certifyInPage({ train, test, partitions: 4, threads: 2, workerUrl: '/dist/missing-worker.js' });
    expect(reply).toMatchObject({ ok: false, name: 'FlipcertError', code: 'EWORKER', isFlipcertError: true });
    expect((reply as PageFailure).message).toMatch(/\/dist\/missing-worker\.js \(options\.workerUrl\) failed.*browser-worker\.js.*threads: 1/);
  });

  it.each([0, 2.5, -1])('rejects threads: %s', async (threads) => {
    const { train, test } = problem(6, 20, 4, 2);
    const reply = await certifyInPage({ train, test, threads });
    expect(reply).toMatchObject({ ok: false, name: 'FlipcertError', isFlipcertError: true });
    expect((reply as PageFailure).message).toMatch(/threads must be an integer ≥ 1/);
  });

  // Beside the browser-vs-Node consistency checks above, one answer against an
  // oracle that shares no code with flipcert: brute force over every label
  // vector, re-solving the reference model each time.
  it('certifies a tiny problem in the page to the radii found by brute force', async () => {
    const { train, test } = problem(12, 9, 5, 2, 3);
    const inPage = expectSuccess(await certifyInPage({ train, test, threads: 1 }));
    const { oracleRadii } = await import('./reference-cert.js');
    const { DEFAULT_KERNEL } = await import('./reference.js');
    const truth = oracleRadii(train.x, train.y, test.x, 2, { model: 'krr', reg: 1, kernel: DEFAULT_KERNEL });
    expect(inPage.result.points.map((p) => [p.radius, p.nearTie, p.exact])).toEqual(truth.map((r) => [r, false, true]));
    expect(new Set(truth).size).toBeGreaterThan(1);
  });
}
