// The browser bundle in a real browser (Debian's Chromium, headless): the Web
// Worker pool gives exactly the certificates the Node library computes on one
// thread, and its errors reach the page as FlipcertError.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { certify, ntk, type CertifyOptions, type CertifyResult, type Progress } from '../src/index.js';
import { randomRows, rng, type Rows } from './reference.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** The bundle as served; `/broken/` serves the same files except the worker script. */
const BUNDLE = '/dist/browser.js';
const BROKEN_BUNDLE = '/broken/browser.js';

let server: Server;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests`);
  }
  server = await serve(snapshotBundle());
  const { port } = server.address() as AddressInfo;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`http://127.0.0.1:${port}/`);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

/** The files a page needs: the entry and its worker, both self-contained. */
const BUNDLE_FILES = ['browser.js', 'browser-worker.js'];

/** The bundle as built by the global setup (test/setup/build.ts), held in memory. */
function snapshotBundle(): Map<string, Buffer> {
  return new Map(BUNDLE_FILES.map((f) => [f, readFileSync(join('dist', f))]));
}

/** Serves the test page, the bundle under /dist/ and the bundle without its worker under /broken/, on a free port. */
function serve(bundle: Map<string, Buffer>): Promise<Server> {
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const [, dir, name] = /^\/(dist|broken)\/([\w.-]+)$/.exec(path) ?? [];
    const body =
      path === '/' ? readFileSync('test/browser/index.html')
      : dir === 'broken' && name === 'browser-worker.js' ? undefined
      : bundle.get(name);
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': path === '/' ? 'text/html' : 'text/javascript' });
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

/** Runs `certify` of the bundle at `bundle` inside the page (options must be plain JSON). */
async function certifyInPage(options: Omit<CertifyOptions, 'onProgress'>, bundle = BUNDLE): Promise<PageSuccess | PageFailure> {
  const json = await page.evaluate(`harness.certify(${JSON.stringify(bundle)}, ${JSON.stringify(options)})`);
  return JSON.parse(json as string);
}

/** Node's result with the progress it reported, as the page would see it after JSON. */
async function certifyInNode(options: Omit<CertifyOptions, 'onProgress'>): Promise<{ result: CertifyResult; progress: Progress[] }> {
  const progress: Progress[] = [];
  const result = await certify({ ...options, threads: 1, onProgress: (p) => progress.push({ ...p }) });
  return { result: JSON.parse(JSON.stringify(result)), progress };
}

function withoutSeconds(result: CertifyResult): unknown {
  return { ...result, summary: { ...result.summary, seconds: 0 } };
}

/** Noisy clusters, one per class: a problem with a spread of radii. */
function problem(seed: number, n: number, m: number, classes: number, d = 5): { train: { x: Rows; y: number[] }; test: { x: Rows; y: number[] } } {
  const random = rng(seed);
  const centres = randomRows(random, classes, d);
  const make = (count: number) => {
    const y = Array.from({ length: count }, () => Math.floor(random() * classes));
    const x = y.map((c) => centres[c].map((v) => v + (random() * 2 - 1) * 0.5));
    return { x, y };
  };
  return { train: make(n), test: make(m) };
}

function expectSuccess(reply: PageSuccess | PageFailure): PageSuccess {
  if (!reply.ok) throw new Error(`certify failed in the page: ${reply.name}: ${reply.message}`);
  return reply;
}

const field = <K extends keyof CertifyResult['points'][number]>(result: CertifyResult, key: K) =>
  result.points.map((p) => p[key]);

describe('flipcert in Chromium (dist/browser.js)', () => {
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
    expect((reply as PageFailure).message).toMatch(/--svm-c 10 is outside the small-C regime of partition \d/);
    expect(reply.workers.created).toBe(2);
    expect(reply.workers.terminated).toBe(2);
  });

  it('says where the worker script should be when it cannot be loaded', async () => {
    const { train, test } = problem(4, 60, 10, 2);
    const reply = await certifyInPage({ train, test, partitions: 4, threads: 2 }, BROKEN_BUNDLE);
    expect(reply).toMatchObject({ ok: false, name: 'FlipcertError', code: 'EWORKER', isFlipcertError: true });
    expect((reply as PageFailure).message).toMatch(/\/broken\/browser-worker\.js.*browser-worker\.js next to browser\.js.*threads: 1/);
  });

  it.each([0, 2.5, -1])('rejects threads: %s', async (threads) => {
    const { train, test } = problem(6, 20, 4, 2);
    const reply = await certifyInPage({ train, test, threads });
    expect(reply).toMatchObject({ ok: false, name: 'FlipcertError', isFlipcertError: true });
    expect((reply as PageFailure).message).toMatch(/threads must be an integer ≥ 1/);
  });
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
