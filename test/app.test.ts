// The web app end to end in headless Chromium, served by `flipcert serve`'s
// own server: files go in through the file inputs, the downloaded JSON is
// compared value for value with the Node library (and the CLI) on the same
// data; the MNIST sample runs; Cancel stops a run and the page stays usable;
// a bad file shows the CLI's error line and keeps the loaded data.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../src/cli/static-server.js';
import { parseCsvPair } from '../src/data/csv.js';
import { loadMnist } from '../src/data/mnist.js';
import { writeNpy } from '../src/data/npy.js';
import * as source from '../src/index.js';
import { certify, type CertifyOptions } from '../src/index.js';
import { resultJson } from '../src/report/json.js';
import { SAMPLE } from '../src/app/sample-format.js';
import { describeInBrowser, launchChromium } from './support/chromium.js';
import { collectDefects, countWorkers, workerCounts } from './support/page-workers.js';
import { startServeCli } from './support/serve-cli.js';
import { rng } from './reference.js';

const SHOTS = 'test-output';
/** The built library (rebuilt from src/ by the global setup when stale): its Node pool starts the inlined worker code. */
const built = (await import('../dist/index.js' as string)) as typeof source;
const dir = mkdtempSync(join(tmpdir(), 'flipcert-app-'));
const file = (name: string) => join(dir, name);

/** A random problem, written as .npy files (float64) and as CSV files. */
function problem(seed: number, n: number, m: number, d: number, classes: number) {
  const random = rng(seed);
  const x = (rows: number) => Float64Array.from({ length: rows * d }, () => Math.round(random() * 1e6) / 1e6);
  const y = (rows: number) => Int32Array.from({ length: rows }, () => Math.floor(random() * classes));
  return { trainX: x(n), trainY: y(n), testX: x(m), testY: y(m), n, m, d };
}

function csv(x: Float64Array, y: Int32Array, d: number): string {
  const header = [...Array.from({ length: d }, (_, j) => `f${j}`), 'label'].join(',');
  const rows = Array.from(y, (label, i) => [...x.subarray(i * d, (i + 1) * d)].join(',') + ',' + label);
  return [header, ...rows].join('\n') + '\n';
}

/** The JSON's numbers, without what may differ between two runs of the same input. */
function comparable(json: string): unknown {
  const value = JSON.parse(json);
  // Run metadata: how long it took and on how many threads; no certificate depends on them.
  delete value.summary.seconds;
  delete value.summary.threads; // describes the run (workers in the page, one thread in Node), not the certificates
  delete value.config.source;
  return value;
}

describeInBrowser('web app (dist/app) in Chromium', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    const served = await startServer({ root: 'dist/app', port: 0 });
    server = served.server;
    origin = new URL(served.url).origin;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    collectDefects(page, pageErrors);
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !/^(blob|data):/.test(r.url())) foreignRequests.push(r.url());
    });
    // Counts the page's Web Workers, to see that Cancel terminates them.
    await countWorkers(page);
    await page.goto(served.url);
    await page.waitForFunction(() => document.body.dataset.state === 'idle');
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    rmSync(dir, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  async function setFields(fields: Record<string, string>): Promise<void> {
    for (const [id, value] of Object.entries(fields)) {
      const tag = await page.locator(`#${id}`).evaluate((e) => e.tagName);
      if (tag === 'SELECT') await page.selectOption(`#${id}`, value);
      else await page.fill(`#${id}`, value);
    }
  }

  /** Clicks Certify and waits for the run to end; returns body[data-state]. */
  async function run(): Promise<string> {
    const runs = await page.evaluate(() => Number(document.body.dataset.runs ?? 0));
    await page.click('#run');
    await page.waitForFunction(
      (before) =>
        Number(document.body.dataset.runs) === before + 1 && ['done', 'error', 'cancelled'].includes(document.body.dataset.state ?? ''),
      runs,
      { timeout: 120_000 },
    );
    return page.evaluate(() => document.body.dataset.state!);
  }

  async function downloadJson(): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    expect(download.suggestedFilename()).toBe('result.json');
    return readFileSync(await download.path(), 'utf8');
  }

  it('loads without a console error or a failed request (the icon is inline)', async () => {
    // The browser asks for an icon once the page has loaded: give it the time to.
    await page.waitForLoadState('networkidle');
    expect(pageErrors).toEqual([]);
    expect(await page.getAttribute('link[rel="icon"]', 'href')).toMatch(/^data:image\/svg\+xml,/);
  });

  const binary = problem(11, 70, 30, 6, 2);

  it('binary .npy files, single model: the JSON equals the Node library and the CLI', async () => {
    await writeNpy(file('train_x.npy'), binary.trainX, [binary.n, binary.d]);
    await writeNpy(file('train_y.npy'), Float64Array.from(binary.trainY), [binary.n]);
    await writeNpy(file('test_x.npy'), binary.testX, [binary.m, binary.d]);
    await writeNpy(file('test_y.npy'), Float64Array.from(binary.testY), [binary.m]);
    for (const slot of ['train-x', 'train-y', 'test-x', 'test-y']) {
      await page.setInputFiles(`#${slot}`, file(`${slot.replace('-', '_')}.npy`));
    }
    await expect.poll(() => page.textContent('output[data-for="test-y"]')).toBe('test_y.npy: 30 labels');
    await setFields({ model: 'krr', reg: '0.5', depth: '3', 'w-var': '1.5', 'b-var': '0.1', partitions: '1', threads: '2' });
    expect(await run()).toBe('done');
    expect(await page.textContent('#error')).toBe('');
    const fromPage = await downloadJson();
    // Served cross-origin isolated, the single model ran on a team of 2 workers sharing its memory.
    expect(JSON.parse(fromPage).summary.threads).toBe(Math.min(2, availableParallelism()));

    const options: CertifyOptions = {
      train: { x: { data: binary.trainX, shape: [binary.n, binary.d] }, y: binary.trainY },
      test: { x: { data: binary.testX, shape: [binary.m, binary.d] }, y: binary.testY },
      reg: 0.5,
      kernel: { depth: 3, wVar: 1.5, bVar: 0.1 },
      witness: true,
      threads: 1,
    };
    const node = await certify(options);
    expect(node.points.some((p) => (p.witness?.length ?? 0) > 0)).toBe(true);
    expect(comparable(fromPage)).toEqual(comparable(resultJson(node)));

    const cli = spawnSync(
      'node',
      [resolve('dist/cli.js'), 'certify', '--train-x', 'train_x.npy', '--train-y', 'train_y.npy', '--test-x', 'test_x.npy',
        '--test-y', 'test_y.npy', '--reg', '0.5', '--depth', '3', '--w-var', '1.5', '--b-var', '0.1', '--witness',
        '--out', 'cli.json', '--plot', 'cli.svg'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(cli.stderr).toBe('');
    expect(comparable(fromPage)).toEqual(comparable(readFileSync(file('cli.json'), 'utf8')));
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#download-svg')]);
    expect(svg.suggestedFilename()).toBe('curve.svg');
    expect(readFileSync(await svg.path(), 'utf8')).toBe(readFileSync(file('cli.svg'), 'utf8'));
    // The summary is the CLI's table (its first line carries the time, which differs).
    const table = (await page.textContent('#summary'))!;
    expect(table.split('\n').slice(1)).toEqual(cli.stdout.trimEnd().split('\n').slice(1));
    expect(table).toMatch(/^flipcert: 70 train \/ 30 test points, 2 classes, 1 partition, /);
    expect(await page.locator('#plot svg').count()).toBe(1);
    expect(await page.locator('#points tbody tr').count()).toBe(30);
  });

  it('a 3-class CSV problem with 5 partitions on 2 workers: the JSON equals the Node library', async () => {
    const p = problem(23, 120, 40, 5, 3);
    writeFileSync(file('train.csv'), csv(p.trainX, p.trainY, p.d));
    writeFileSync(file('test.csv'), csv(p.testX, p.testY, p.d));
    await page.setInputFiles('#train-csv', file('train.csv'));
    await page.setInputFiles('#test-csv', file('test.csv'));
    await expect.poll(() => page.textContent('output[data-for="test-csv"]')).toBe('test.csv: 40 rows, 6 columns');
    expect(await page.inputValue('#dataset')).toBe('csv');
    await setFields({ model: 'krr', reg: '1', depth: '2', 'w-var': '2', 'b-var': '0', partitions: '5', partitioning: 'sorted', threads: '2' });
    expect(await run()).toBe('done');
    const fromPage = await downloadJson();
    const { train, test } = parseCsvPair(
      { name: 'train.csv', text: readFileSync(file('train.csv'), 'utf8') },
      { name: 'test.csv', text: readFileSync(file('test.csv'), 'utf8') },
    );
    // Same threads as the page (the JSON records them); the Node pool runs from the built library.
    // The page asks for witnesses (an ensemble's come grouped by partition).
    const node = await built.certify({ train, test, partitions: 5, partitioning: 'sorted', threads: 2, witness: true });
    expect(node.summary.threads).toBe(2);
    expect(node.config.classes).toBe(3);
    expect(comparable(fromPage)).toEqual(comparable(resultJson(node)));
    // An ensemble point shows its votes, and its witness grouped by partition.
    await page.click('#points tbody tr:first-child');
    expect(await page.locator('#point-view .vote').count()).toBe(3);
    const first = node.points[0];
    const partitions = new Set(first.witness!.map((f) => f.partition));
    expect(first.witness!.length).toBeGreaterThan(0);
    expect(await page.locator('#point-view .partition-group').count()).toBe(partitions.size);
    expect(await page.locator('#point-view .partition-group .flip').count()).toBe(Math.min(first.witness!.length, 60));
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'app-ensemble.png'), fullPage: true });
    expect((await workerCounts(page)).created).toBeGreaterThanOrEqual(2);
  });

  it('a bad file shows the CLI\'s error line and keeps the data loaded before it', async () => {
    writeFileSync(file('bad.npy'), 'label,x\n1,2\n');
    await page.selectOption('#dataset', 'npy');
    await page.setInputFiles('#train-x', file('bad.npy'));
    await expect.poll(() => page.textContent('#error')).not.toBe('');
    const cli = spawnSync(
      'node',
      [resolve('dist/cli.js'), 'certify', '--train-x', 'bad.npy', '--train-y', 'train_y.npy', '--test-x', 'test_x.npy', '--quiet'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(cli.status).toBe(2);
    // The CLI's line, with the page's name for the input (Train X for --train-x).
    expect(cli.stderr).toMatch(/^flipcert: error: --train-x bad\.npy: not an \.npy file/);
    expect(await page.textContent('#error')).toBe(cli.stderr.trim().replace('--train-x', 'Train X'));
    expect(await page.textContent('output[data-for="train-x"]')).toBe('train_x.npy: 70 × 6 (kept; bad.npy was rejected)');
    await page.locator('#setup').screenshot({ path: join(SHOTS, 'app-error.png') });
    // The earlier binary files are still there: the same run succeeds.
    await setFields({ reg: '0.5', depth: '3', 'w-var': '1.5', 'b-var': '0.1', partitions: '1' });
    expect(await run()).toBe('done');
    expect(await page.textContent('#error')).toBe('');
    expect(await page.textContent('#summary')).toMatch(/^flipcert: 70 train \/ 30 test points/);
    // An option error from the library reaches the error line too, and the run ends as an error.
    await setFields({ partitions: '71' });
    expect(await run()).toBe('error');
    // The CLI's message, with the page's name for the option.
    const tooMany = spawnSync(
      'node',
      [resolve('dist/cli.js'), 'certify', '--train-x', 'train_x.npy', '--train-y', 'train_y.npy', '--test-x', 'test_x.npy', '--partitions', '71'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(tooMany.stderr).toMatch(/^flipcert: error: --partitions /);
    expect(await page.textContent('#error')).toBe(tooMany.stderr.trim().replace('--partitions', 'partitions'));
  });

  it('a file dropped on its box is loaded like a chosen one', async () => {
    await page.selectOption('#dataset', 'csv');
    const bytes = [...readFileSync(file('test_y.npy'))];
    const transfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'dropped_y.npy'));
      return dt;
    }, bytes);
    await page.dispatchEvent('.drop[data-slot="test-y"]', 'drop', { dataTransfer: transfer });
    await expect.poll(() => page.textContent('output[data-for="test-y"]')).toBe('dropped_y.npy: 30 labels');
    expect(await page.inputValue('#dataset')).toBe('npy');
  });

  it('every control is reachable with the keyboard, in reading order', async () => {
    await page.selectOption('#dataset', 'npy');
    await page.focus('#dataset');
    const order: string[] = [];
    for (let i = 0; i < 40; i++) {
      order.push(await page.evaluate(() => document.activeElement?.id ?? ''));
      await page.keyboard.press('Tab');
    }
    const controls = ['dataset', 'train-x', 'train-y', 'test-x', 'test-y', 'image-side', 'model', 'reg', 'depth', 'w-var', 'b-var',
      'represent', 'augment', 'partitions', 'partitioning', 'threads', 'run', 'download-json', 'download-svg'];
    const positions = controls.map((id) => order.indexOf(id));
    expect(positions.every((at) => at >= 0), `focus order: ${order.join(' ')}`).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('without test labels: certificates but no accuracy, and the JSON still equals the Node library', async () => {
    await page.click('#clear-test-y');
    expect(await page.textContent('output[data-for="test-y"]')).toBe('');
    await setFields({ model: 'krr', reg: '0.5', depth: '3', 'w-var': '1.5', 'b-var': '0.1', partitions: '1', partitioning: 'hash', threads: '2' });
    expect(await run()).toBe('done');
    const fromPage = await downloadJson();
    const node = await certify({
      train: { x: { data: binary.trainX, shape: [binary.n, binary.d] }, y: binary.trainY },
      test: { x: { data: binary.testX, shape: [binary.m, binary.d] } },
      reg: 0.5,
      kernel: { depth: 3, wVar: 1.5, bVar: 0.1 },
      witness: true,
      threads: 1,
    });
    expect(node.summary.accuracy).toBeNull();
    expect(comparable(fromPage)).toEqual(comparable(resultJson(node)));
    expect(await page.textContent('#summary')).toMatch(/accuracy +n\/a \(no test labels\)/);
    expect(await page.locator('#plot svg').count()).toBe(0);
    expect(await page.isHidden('#download-svg')).toBe(true);
  });

  it('the MNIST sample starts with the best representation, equals the Node library with it, and shows a witness', async () => {
    await page.selectOption('#dataset', SAMPLE.name);
    expect(await page.inputValue('#represent')).toBe('scattering+log+pca+spectral');
    await setFields({ model: 'krr', reg: '1', depth: '2', 'w-var': '2', 'b-var': '0', partitions: '1', partitioning: 'hash', threads: '2', 'image-side': '' });
    const started = Date.now();
    expect(await run()).toBe('done');
    const pageSeconds = (Date.now() - started) / 1000;
    const fromPage = await downloadJson();
    const data = await loadMnist('mnist17', { trainSize: SAMPLE.trainSize, testSize: SAMPLE.testSize });
    const node = await certify({ train: data.train, test: data.test, witness: true, threads: 1, represent: 'scattering+log+pca+spectral' });
    expect(JSON.parse(fromPage).config.represent).toBe(node.config.represent);
    expect(node.config.represent).toMatch(/^scattering:J=2,L=8,order=1\+log\+pca:dims=100,whiten=true\+spectral:/);
    // Chromium's representation, bit for bit the Node one: every score, radius and witness the same.
    expect(comparable(fromPage)).toEqual(comparable(resultJson(node)));
    expect(node.summary.accuracy).toBeGreaterThan(0.95);
    console.log(`MNIST sample in the page: ${pageSeconds.toFixed(1)} s from the click (certify: ${JSON.parse(fromPage).summary.seconds.toFixed(2)} s)`);

    // Look at a correctly classified point of about the median radius, found by sorting on index.
    const points = JSON.parse(fromPage).points as { index: number; label: number; prediction: number; radius: number; witness: unknown[] }[];
    const mcr = node.summary.mcr!.ensemblecert;
    // A correct point of radius nearest the median (on the representation radii are large and spread out).
    const candidates = points.filter((p) => p.index >= 20 && p.index < 200 && p.label === p.prediction);
    const chosen = candidates.reduce((best, p) => (Math.abs(p.radius - mcr) < Math.abs(best.radius - mcr) ? p : best));
    await page.click('#points th:nth-child(4) button'); // radius, ascending
    expect(await page.getAttribute('#points th:nth-child(4)', 'aria-sort')).toBe('ascending');
    await page.click('#points th:nth-child(1) button'); // back to index
    await page.focus(`#points tbody tr:nth-child(${chosen.index + 1})`);
    await page.keyboard.press('Enter');
    expect(await page.textContent('#point-view h3')).toBe(`Test point #${chosen.index}`);
    expect(await page.locator('#point-view canvas.large').count()).toBe(1);
    expect(chosen.witness.length).toBe(chosen.radius + 1);
    expect(await page.locator('#point-view .flip').count()).toBe(Math.min(60, chosen.radius + 1));
    expect(await page.locator('#point-view .flip figcaption').first().textContent()).toMatch(/^#\d+[01] → [01]$/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'app-result.png'), fullPage: true });
  });

  it('augmentation on the MNIST sample: the JSON equals the Node library with the same augment', async () => {
    await page.selectOption('#dataset', SAMPLE.name);
    await setFields({ model: 'krr', reg: '0.1', depth: '2', 'w-var': '2', 'b-var': '0', partitions: '30', partitioning: 'hash', threads: '2', 'image-side': '', represent: 'none', augment: 'shift:1' });
    expect(await run()).toBe('done');
    expect(await page.textContent('#error')).toBe('');
    const fromPage = await downloadJson();
    const data = await loadMnist('mnist17', { trainSize: SAMPLE.trainSize, testSize: SAMPLE.testSize });
    const node = await certify({ train: data.train, test: data.test, reg: 0.1, partitions: 30, augment: 'shift:1', threads: 1, witness: true });
    expect(node.config.augment).toBe('shift:1');
    expect(comparable(fromPage)).toEqual(comparable(resultJson(node)));
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'app-augment.png'), fullPage: true });
    // A bad transform is the library's error, named as the page names the field.
    await setFields({ augment: 'twist' });
    expect(await run()).toBe('error');
    expect(await page.textContent('#error')).toMatch(/^flipcert: error: augment: "twist" is not a transform/);
    await setFields({ augment: '' });
  });

  it('Cancel stops a long run, terminates its workers, and a second run completes', async () => {
    await page.selectOption('#dataset', SAMPLE.name);
    await setFields({ partitions: '6', threads: '1', represent: 'none' });
    const before = await workerCounts(page);
    await page.click('#run');
    await page.waitForFunction(() => (document.getElementById('progress') as HTMLProgressElement).value > 0);
    await page.click('#cancel');
    await page.waitForFunction(() => document.body.dataset.state !== 'running');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('cancelled');
    expect(await page.textContent('#progress-text')).toBe('Cancelled.');
    expect(await page.evaluate(() => (document.getElementById('progress') as HTMLProgressElement).value)).toBeLessThan(1);
    const after = await workerCounts(page);
    expect(after.created - before.created).toBe(1);
    expect(after.terminated - before.terminated).toBe(1);
    expect(await page.isEnabled('#run')).toBe(true);
    expect(await page.isDisabled('#cancel')).toBe(true);
    await setFields({ partitions: '3' });
    expect(await run()).toBe('done');
    expect(await page.textContent('#summary')).toMatch(/^flipcert: 3000 train \/ 500 test points, 2 classes, 3 partitions/);
    // An ensemble on images: the witness's training images, grouped by partition.
    await page.click('#points tbody tr:first-child');
    expect(await page.locator('#point-view .partition-group').count()).toBeGreaterThan(0);
    expect(await page.locator('#point-view .partition-group canvas.img.small').count()).toBeGreaterThan(0);
    await page.locator('#point-view').screenshot({ path: join(SHOTS, 'app-ensemble-witness.png') });
  });
});

it('flipcert serve starts, prints its URL and serves the app, nothing outside it', async () => {
  const { child, line } = await startServeCli();
  try {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
    expect(line).toMatch(/^flipcert: serving the web app at http:\/\/127\.0\.0\.1:\d+\/ /);
    const index = await fetch(url!);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // Cross-origin isolated: the page's workers may share WebAssembly memory (a single model on every core).
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await index.text()).toBe(readFileSync('dist/app/index.html', 'utf8'));
    const script = await fetch(new URL('app.js', url));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(new URL('mnist17-sample.u8.gz', url))).headers.get('content-type')).toBe('application/gzip');
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/nope.js', '/%00']) {
      expect(await rawStatus(url!, path), path).toBe(404);
    }
  } finally {
    child.kill();
  }
});

/** Status of a GET with the path sent as written (fetch would normalise the dots away). */
function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    request({ hostname, port, path }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    })
      .on('error', fail)
      .end();
  });
}

it('flipcert serve: a port in use is a one-line error', async () => {
  const { server, url } = await startServer({ root: 'dist/app', port: 0 });
  try {
    const port = new URL(url).port;
    const out = spawnSync('node', ['dist/cli.js', 'serve', '--port', port], { encoding: 'utf8' });
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(`flipcert: error: port ${port} is already in use; choose another with --port\n`);
  } finally {
    server.close();
  }
});
