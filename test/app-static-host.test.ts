// The web app's dist/app/ folder served by a plain static host: content types
// only, no COOP/COEP (so no cross-origin isolation, no shared memory) and no
// Content-Security-Policy — and once more as hosts that serve `.gz` files
// with `Content-Encoding: gzip`. The page must load cleanly and certify as
// under `flipcert serve`, a single model then running on one worker.
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeNpy } from '../src/data/npy.js';
import { loadMnist } from '../src/data/mnist.js';
import { certify } from '../src/index.js';
import { resultJson } from '../src/report/json.js';
import { SAMPLE } from '../src/app/sample-format.js';
import { describeInBrowser, launchChromium } from './support/chromium.js';
import { collectDefects, countWorkers, workerCounts } from './support/page-workers.js';
import { rng } from './reference.js';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.gz': 'application/gzip' };

/** A static host as many are: files by extension, nothing else; `gzipEncoded`: `.gz` files go out as Content-Encoding gzip. */
function staticHost(root: string, gzipEncoded: boolean): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host').pathname.replace(/\/$/, '/index.html');
    try {
      if (path.includes('..')) throw new Error('outside');
      const body = readFileSync(join(root, path));
      const encoded = gzipEncoded && path.endsWith('.gz');
      response
        .writeHead(200, encoded ? { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' } : { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' })
        .end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The JSON's certificates: without run metadata and the data's description. */
function comparable(json: string): unknown {
  const value = JSON.parse(json);
  delete value.summary.seconds;
  delete value.summary.threads;
  delete value.config.source;
  return value;
}

describeInBrowser('the web app on a plain static host (no COOP/COEP, no CSP)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flipcert-static-'));
  const servers: Server[] = [];
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the app on a new static host; collects every page error, console error and failed request. */
  async function open(gzipEncoded: boolean): Promise<{ page: Page; errors: string[] }> {
    const server = await staticHost('dist/app', gzipEncoded);
    servers.push(server);
    const page = await browser.newPage();
    const errors: string[] = [];
    collectDefects(page, errors);
    await countWorkers(page);
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => document.body.dataset.state === 'idle');
    await page.waitForLoadState('networkidle');
    return { page, errors };
  }

  async function runAndDownload(page: Page): Promise<string> {
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), undefined, { timeout: 120_000 });
    expect(await page.textContent('#error')).toBe('');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    return readFileSync(await download.path(), 'utf8');
  }

  it('loads cleanly, not cross-origin isolated; a single model on 2 threads runs on one worker, same JSON as Node', async () => {
    const { page, errors } = await open(false);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const random = rng(5);
    const [n, m, d] = [60, 20, 4];
    const trainX = Float64Array.from({ length: n * d }, () => random());
    const trainY = Int32Array.from({ length: n }, () => Math.floor(random() * 2));
    const testX = Float64Array.from({ length: m * d }, () => random());
    await writeNpy(join(dir, 'train_x.npy'), trainX, [n, d]);
    await writeNpy(join(dir, 'train_y.npy'), Float64Array.from(trainY), [n]);
    await writeNpy(join(dir, 'test_x.npy'), testX, [m, d]);
    for (const slot of ['train-x', 'train-y', 'test-x']) await page.setInputFiles(`#${slot}`, join(dir, `${slot.replace('-', '_')}.npy`));
    await page.fill('#partitions', '1');
    await page.fill('#threads', '2');
    const fromPage = await runAndDownload(page);
    // No shared memory without COOP/COEP: the single model's team falls back to one worker.
    expect((await workerCounts(page)).created).toBe(1);
    const node = await certify({ train: { x: { data: trainX, shape: [n, d] }, y: trainY }, test: { x: { data: testX, shape: [m, d] } }, witness: true, threads: 1 });
    expect(comparable(fromPage)).toEqual(comparable(resultJson(node)));
    await page.close();
    expect(errors).toEqual([]);
  });

  it('a host that serves .gz with Content-Encoding: gzip: the MNIST sample still loads and certifies as in Node', async () => {
    const { page, errors } = await open(true);
    await page.selectOption('#dataset', SAMPLE.name);
    await page.fill('#partitions', '50');
    await page.fill('#threads', '2');
    // The sample starts with the best representation: computed on the page, without COOP/COEP too.
    const represent = await page.inputValue('#represent');
    expect(represent).toBe('scattering+log+pca+spectral');
    const fromPage = await runAndDownload(page);
    const data = await loadMnist('mnist17', { trainSize: SAMPLE.trainSize, testSize: SAMPLE.testSize });
    const node = await certify({ train: data.train, test: data.test, partitions: 50, witness: true, threads: 1, represent });
    expect(comparable(fromPage)).toEqual(comparable(resultJson(node)));
    await page.close();
    expect(errors).toEqual([]);
  });
});
