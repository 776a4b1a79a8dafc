// The finite network (docs/spec.md §11) gives the same bits in a browser as in
// Node: θ₀ from a seed (JavaScript PRNG and fdlibm-style log, not Math.log),
// a training run and its test scores, computed in headless Chromium from
// dist/lowlevel.js and here from src/.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initialParameters, type NetworkShape } from '../src/network/network.js';
import { networkScores, trainNetwork } from '../src/network/train.js';
import { createCore } from '../src/wasm/core.js';
import { rng } from './reference.js';
import { describeInBrowser, launchChromium } from './support/chromium.js';

const shape: NetworkShape = { inputDim: 3, width: 48, depth: 2, classes: 3, wVar: 2, bVar: 0.1 };
const random = rng(21);
const n = 9;
const rows = Array.from({ length: (n + 4) * shape.inputDim }, () => random());
const labels = Array.from({ length: n }, (_, i) => i % 3);

/** What both sides compute, as hex strings of the float64 bits. */
interface Run {
  theta0: string;
  theta: string;
  scores: string;
  iterations: number;
}

/** Runs in the page and in Node alike: `lib` is dist/lowlevel.js there and src/ here. */
async function compute(lib: {
  createCore: typeof createCore;
  initialParameters: typeof initialParameters;
  trainNetwork: typeof trainNetwork;
  networkScores: typeof networkScores;
}, input: { shape: NetworkShape; rows: number[]; labels: number[]; n: number }): Promise<Run> {
  const hex = (a: Float64Array) => Array.from(new Uint8Array(a.buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  const { shape: s, n: count } = input;
  const d = s.inputDim;
  const core = await lib.createCore();
  const all = Float64Array.from(input.rows);
  const train = { data: all.slice(0, count * d), rows: count, cols: d };
  const test = { data: all.slice(count * d), rows: all.length / d - count, cols: d };
  const targets = new Float64Array(count * s.classes);
  input.labels.forEach((c, i) => (targets[i * s.classes + c] = 1));
  const theta0 = lib.initialParameters(s, 12345678901);
  const result = lib.trainNetwork(core, s, theta0, train, targets, { reg: 1 });
  const scores = lib.networkScores(core, s, result.theta, theta0, test);
  return { theta0: hex(theta0), theta: hex(result.theta), scores: hex(scores), iterations: result.iterations };
}

let server: Server;
let browser: Browser;

describeInBrowser('the finite network in Chromium (dist/lowlevel.js)', () => {
  beforeAll(async () => {
    const bundle = readFileSync('dist/lowlevel.js');
    server = createServer((request, response) => {
      if (request.url === '/dist/lowlevel.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>finite</title>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('θ₀, the trained θ and the scores are the same bits as in Node', async () => {
    const { port } = server.address() as AddressInfo;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const input = { shape, rows, labels, n };
    const inBrowser = await page.evaluate(
      async ({ source, data }) => {
        // A literal import() here would be rewritten by vitest's transform; the page must do its own.
        const load = new Function('url', 'return import(url)') as (url: string) => Promise<Parameters<typeof compute>[0]>;
        const lib = await load('/dist/lowlevel.js');
        const run = new Function(`return (${source})`)() as typeof compute;
        return run(lib, data);
      },
      { source: compute.toString(), data: input },
    );
    const inNode = await compute({ createCore, initialParameters, trainNetwork, networkScores }, input);
    expect(inNode.iterations).toBeGreaterThan(0);
    expect(inBrowser).toEqual(inNode);
  });
});
