// flipcert as its users get it: the packed tarball installed into a fresh
// project (test/support/consumer-project.ts), bundled by esbuild (ESM, IIFE),
// Vite and webpack 5 for Chromium with default threads, and run from Node
// unbundled (import, require) and bundled by esbuild (ESM, CommonJS) with 2
// threads — what an Electron main process and renderer get. Every result must
// equal the Node library's own. A node:vm context that forbids compiling Wasm
// stands in for an edge runtime: it needs `wasmModule` (flipcert/wasm).
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certify, type CertifyResult } from '../src/index.js';
import { describeInBrowser, launchChromium } from './support/chromium.js';
import { clusters } from './support/clusters.js';
import { BROWSER_BUNDLES, NODE_PROGRAMS, buildConsumerProject, typeCheck, withoutRunMetadata, type ConsumerProject } from './support/consumer-project.js';

const run = promisify(execFile);

/** 3 classes, 4 partitions: the ensemble path, on several workers. */
const PROBLEM = { ...clusters(2024, 60, 10, 3), partitions: 4 };
let project: ConsumerProject;
let expected: unknown;

beforeAll(async () => {
  [project, expected] = await Promise.all([
    buildConsumerProject(),
    certify({ ...PROBLEM, threads: 1 }).then(withoutRunMetadata),
  ]);
  console.log('consumer bundle sizes (bytes, gzipped at level 9):', project.sizes);
}, 240_000);

/** The size budget of an app that only calls certify, bundled and minified by esbuild (README, Bundlers). */
const BUDGET = { bytes: 120_000, gzipped: 50_000 };

describe('the bundle size budget', () => {
  it(`an app that only calls certify, esbuild --bundle --minify: at most ${BUDGET.bytes} B, ${BUDGET.gzipped} B gzipped`, () => {
    const size = project.sizes['esbuild-min/app.js'];
    console.log(`certify-only app (esbuild, minified): ${size.bytes} B, ${size.gzipped} B gzipped`);
    expect(size.bytes).toBeLessThanOrEqual(BUDGET.bytes);
    expect(size.gzipped).toBeLessThanOrEqual(BUDGET.gzipped);
  });

  it("holds the core once (one base64 string), and none of validate's network code", () => {
    const app = readFileSync(join(project.dir, 'out/esbuild-min/app.js'), 'utf8');
    const library = readFileSync(join(project.dir, 'node_modules/flipcert/dist/browser.js'), 'utf8');
    const base64Strings = (code: string) => code.match(/["'`][A-Za-z0-9+/=]{10000,}["'`]/g)?.length ?? 0;
    expect(base64Strings(app)).toBe(1);
    for (const networkMessage of ['plus its ridge is not positive definite', 'network seed must be an integer']) {
      expect(library).toContain(networkMessage);
      expect(app).not.toContain(networkMessage);
    }
  });
});

afterAll(() => {
  if (project) rmSync(project.dir, { recursive: true, force: true });
});

describe('the packed package in Node', () => {
  it.each(Object.entries(NODE_PROGRAMS))('%s: threads 2 on worker threads, same result as the library', async (_, command) => {
    const problemFile = join(project.dir, 'problem.json');
    writeFileSync(problemFile, JSON.stringify(PROBLEM));
    const { stdout } = await run(process.execPath, [...command, problemFile], { cwd: project.dir });
    const { result, workers } = JSON.parse(stdout) as { result: CertifyResult; workers: number };
    expect(workers).toBe(2);
    expect(result.summary.threads).toBe(2);
    expect(withoutRunMetadata(result)).toEqual(expected);
  });

  it('type-checks against the packed declarations (flipcert, flipcert/lowlevel; import and require)', async () => {
    await typeCheck(project.dir);
  });

  it("flipcert/represent (the browsers' entry, plain ESM) gives the Node build's representation, bit for bit", async () => {
    const script = join(project.dir, 'represent.mjs');
    writeFileSync(
      script,
      `import { represent as fromEntry } from 'flipcert/represent';
import { represent as fromNode } from 'flipcert';
const x = { data: Float64Array.from({ length: 40 * 6 }, (_, i) => Math.sin(0.37 * i) + 0.1 * (i % 7)), shape: [40, 6] };
const options = { train: { x }, test: { x: { data: x.data.slice(0, 12), shape: [2, 6] } }, represent: 'pca:dims=4+spectral:dims=2,neighbors=5,scale=3' };
const [a, b] = await Promise.all([fromEntry(options), fromNode(options)]);
process.stdout.write(JSON.stringify({ a: [...a.train.data, ...a.test.data], b: [...b.train.data, ...b.test.data], cols: a.train.cols }));
`,
    );
    const { stdout } = await run(process.execPath, [script], { cwd: project.dir });
    const { a, b, cols } = JSON.parse(stdout) as { a: number[]; b: number[]; cols: number };
    expect(cols).toBe(2);
    expect(a).toHaveLength(84);
    expect(a).toEqual(b);
  });

  it('resolves require() to the CommonJS build and import to the ESM build', () => {
    const require = createRequire(join(project.dir, 'package.json'));
    expect(require.resolve('flipcert')).toMatch(/node_modules\/flipcert\/dist\/index\.cjs$/);
    expect(import.meta.resolve('flipcert', `file://${project.dir}/package.json`)).toMatch(/flipcert\/dist\/index\.js$/);
  });
});

describe('an edge-like runtime: a node:vm context that forbids compiling WebAssembly', () => {
  /** The IIFE browser bundle in a bare context: no performance, navigator, Worker, process, URL, Blob or timers. */
  function bareContext(): vm.Context {
    const context = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
    vm.runInContext(readFileSync(join(project.dir, 'out/esbuild-iife/app.js'), 'utf8'), context);
    return context;
  }

  async function certifyIn(context: vm.Context, wasmModule?: WebAssembly.Module, withSignal = false): Promise<unknown> {
    context.options = { ...PROBLEM, wasmModule };
    // No AbortController, MessageChannel or setTimeout here: a signal-shaped object that never fires.
    if (withSignal) vm.runInContext('options.signal = { aborted: false, addEventListener() {}, removeEventListener() {} }', context);
    const json = await vm.runInContext(
      `consumer.certify(options).then((r) => JSON.stringify({ ok: true, result: r }),
        (e) => JSON.stringify({ ok: false, name: e.name, code: e.code, field: e.field, message: e.message }))`,
      context,
    );
    return JSON.parse(json as string);
  }

  it('lacks the globals a bare runtime lacks, and cannot compile Wasm', () => {
    const context = bareContext();
    expect(
      vm.runInContext(
        `['performance', 'navigator', 'Worker', 'process', 'URL', 'Blob', 'MessageChannel', 'setTimeout']
          .filter((g) => typeof globalThis[g] !== 'undefined')`,
        context,
      ),
    ).toEqual([]);
    expect(() => vm.runInContext('new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))', context)).toThrow(
      /code generation disallowed/,
    );
  });

  it('certifies with the precompiled flipcert/wasm, same result as Node', async () => {
    const wasmFile = createRequire(join(project.dir, 'package.json')).resolve('flipcert/wasm');
    const wasmModule = await WebAssembly.compile(readFileSync(wasmFile));
    const reply = (await certifyIn(bareContext(), wasmModule)) as { ok: true; result: CertifyResult };
    expect(reply.ok).toBe(true);
    expect(withoutRunMetadata(reply.result)).toEqual(expected);
  });

  it('certifies with a signal too, though the context has no timers to yield on', async () => {
    const wasmFile = createRequire(join(project.dir, 'package.json')).resolve('flipcert/wasm');
    const wasmModule = await WebAssembly.compile(readFileSync(wasmFile));
    const reply = (await certifyIn(bareContext(), wasmModule, true)) as { ok: true; result: CertifyResult };
    expect(reply).toMatchObject({ ok: true });
    expect(withoutRunMetadata(reply.result)).toEqual(expected);
  });

  it('without wasmModule, says to pass one (EUNSUPPORTED)', async () => {
    const reply = await certifyIn(bareContext());
    expect(reply).toMatchObject({ ok: false, name: 'FlipcertError', code: 'EUNSUPPORTED', field: 'wasmModule' });
    expect((reply as { message: string }).message).toMatch(
      /could not compile .*disallowed by embedder.*import 'flipcert\/wasm'.*options\.wasmModule/,
    );
  });
});

let server: Server;
let browser: Browser;

describeInBrowser('the packed package bundled for Chromium, default threads', () => {
  beforeAll(async () => {
    server = await serveFolder(join(project.dir, 'out'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it.each(BROWSER_BUNDLES)('%s: Web Workers from the bundle alone, same result as Node', async (bundle) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('requestfailed', (request) => errors.push(`${request.url()} failed`));
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/${bundle}/index.html`);
    await page.waitForFunction('globalThis.consumer !== undefined');
    const json = await page.evaluate(`consumer.certify(${JSON.stringify(PROBLEM)}).then((r) => JSON.stringify({
      result: r, workers, cores: navigator.hardwareConcurrency }))`);
    const { result, workers, cores } = JSON.parse(json as string);
    await page.close();
    expect(errors).toEqual([]);
    expect(withoutRunMetadata(result)).toEqual(expected);
    // Default threads: one worker per core, at most one per partition, all closed at the end.
    const threads = Math.min(cores, PROBLEM.partitions);
    expect(workers).toEqual({ created: threads > 1 ? threads : 0, terminated: threads > 1 ? threads : 0 });
    expect(result.summary.threads).toBe(threads);
  });

  it("esbuild with keepNames (its helper wraps the worker's functions): EWORKER saying so; threads 1 still certifies", async () => {
    const page = await browser.newPage();
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/esbuild-keepnames/index.html`);
    await page.waitForFunction('globalThis.consumer !== undefined');
    const outcome = (threads: number) =>
      page.evaluate(`consumer.certify({ ...${JSON.stringify(PROBLEM)}, threads: ${threads} }).then(
        (r) => JSON.stringify({ ok: true, result: r }), (e) => JSON.stringify({ ok: false, code: e.code, message: e.message }))`);
    const failed = JSON.parse((await outcome(2)) as string);
    const single = JSON.parse((await outcome(1)) as string);
    await page.close();
    expect(failed).toMatchObject({ ok: false, code: 'EWORKER', message: expect.stringMatching(/__name is not defined.*keepNames.*workerUrl/) });
    expect(single.ok).toBe(true);
    expect(withoutRunMetadata(single.result)).toEqual(expected);
  });
});

/** Serves a folder's files on a free port (index.html and JavaScript). */
function serveFolder(root: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    try {
      if (path.includes('..')) throw new Error('outside the folder');
      const body = readFileSync(join(root, path));
      response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)));
}
