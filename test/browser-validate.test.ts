// validate() of the browser bundle in headless Chromium: on two Web Workers it
// gives the JSON Node gives on the calling thread (docs/spec.md §12.4), and it
// renders the validate plot for a look (test-output/validate-browser.png).
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validatePlotSvg } from '../src/report/validate-plot.js';
import { validate, type ValidateOptions, type ValidateResult } from '../src/index.js';
import { randomRows, rng } from './reference.js';
import { describeInBrowser, launchChromium } from './support/chromium.js';

let server: Server;
let browser: Browser;

const random = rng(77);
const trainRows = randomRows(random, 14, 4);
const testRows = randomRows(random, 5, 4);
const label = (row: number[]) => (row[0] + row[1] > 0 ? 1 : 0);
const options: Omit<ValidateOptions, 'onProgress'> = {
  train: { x: trainRows, y: trainRows.map(label) },
  test: { x: testRows, y: testRows.map(label) },
  widths: [8, 24],
  seeds: 2,
  reg: 0.3,
};

function withoutRun({ seconds: _s, threads: _t, ...rest }: ValidateResult): unknown {
  return rest;
}

describeInBrowser('validate in Chromium (dist/browser.js)', () => {
  beforeAll(async () => {
    const bundle = readFileSync('dist/browser.js');
    server = createServer((request, response) => {
      if (request.url === '/dist/browser.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>validate</title>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('gives on Web Workers the JSON Node gives on one thread, and draws its plot', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const json = (await page.evaluate(`import('/dist/browser.js').then(async (f) => JSON.stringify(await f.validate(${JSON.stringify({ ...options, threads: 2 })})))`)) as string;
    const inPage = JSON.parse(json) as ValidateResult;
    const inNode = JSON.parse(JSON.stringify(await validate({ ...options, threads: 1 }))) as ValidateResult;
    expect(inPage.threads).toBe(2);
    expect(withoutRun(inPage)).toEqual(withoutRun(inNode));
    expect(inPage.points.some((p) => p.attacks.length > 0)).toBe(true);
    mkdirSync('test-output', { recursive: true });
    await page.setContent(`<body style="margin:0">${validatePlotSvg(inPage)}</body>`);
    await page.screenshot({ path: 'test-output/validate-browser.png' });
    await page.close();
  });
});
