// The representation pipeline (docs/spec.md §13) end to end: certificates on a
// representation are exact (brute force over every label vector through the
// whole pipeline), the representation never depends on the labels, a test
// row's representation does not depend on the other test rows, threads change
// no bit, and bad options are clear errors.
import { describe, expect, it } from 'vitest';
import { certify, represent, validate, FlipcertError, type CertifyResult } from '../src/index.js';
import type { Matrix } from '../src/types.js';
import { oracleRadii } from './reference-cert.js';
import { rng, type Rows } from './reference.js';

/**
 * Smooth "images" of `classes` kinds (a Gaussian blob whose place depends on the kind, jittered, plus a random
 * faint blob; values in [0, 1), not small integers): row r is of kind kinds[r].
 */
function images(random: () => number, kinds: number[], h: number, w: number): Float64Array {
  const data = new Float64Array(kinds.length * h * w);
  kinds.forEach((kind, r) => {
    const blobs = [
      { cy: h * (0.25 + 0.25 * kind) + random() * 1.5, cx: w * (0.7 - 0.2 * kind) + random() * 1.5, s: 1.2 + random() * 0.4, a: 0.6 },
      { cy: random() * h, cx: random() * w, s: 0.8 + random(), a: 0.25 },
    ];
    for (const { cy, cx, s, a } of blobs) {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[r * h * w + y * w + x] += a * Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * s * s));
    }
  });
  return data;
}

const rowsOf = (m: Matrix): Rows => Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
const withoutRun = (r: CertifyResult) => ({ ...r, summary: { ...r.summary, seconds: 0, threads: 0 } });

// Tiny enough to enumerate every label vector, with every stage in the chain.
const SPECS = [
  'scattering:J=1,L=2,order=2+log+pca:dims=4,whiten=true+spectral:dims=2,neighbors=3,scale=2',
  'scattering:J=1,L=2,order=1+log+pca:dims=3,whiten=false+spectral:dims=1,neighbors=4,scale=2',
];
const SIDE = 8;

describe('certificates on a representation', () => {
  it('are exact: brute force over every label vector through the whole pipeline (single model, 2 and 3 classes)', async () => {
    const random = rng(2212);
    let checked = 0;
    const radii = new Set<number>();
    for (let trial = 0; trial < 6; trial++) {
      const classes = trial % 3 === 2 ? 3 : 2;
      const n = classes === 2 ? 11 : 7;
      const m = 4;
      const labels = Array.from({ length: n }, (_, i) => (i < classes ? i : Math.floor(random() * classes)));
      // Mostly labelled by kind, some not: confident points and contested ones.
      const trainX = images(random, labels.map((y) => (random() < 0.8 ? y : Math.floor(random() * classes))), SIDE, SIDE);
      const testX = images(random, Array.from({ length: m }, (_, i) => i % classes), SIDE, SIDE);
      const reg = [0.01, 0.1, 1][trial % 3];
      const spec = SPECS[trial % 2];
      const kernel = { depth: 3, wVar: 2, bVar: 0.5 };
      const options = {
        train: { x: { data: trainX, shape: [n, SIDE * SIDE] as [number, number] }, y: labels },
        test: { x: { data: testX, shape: [m, SIDE * SIDE] as [number, number] } },
        imageShape: [SIDE, SIDE, 1] as const,
        classes,
        reg,
        kernel,
        threads: 1,
      };
      const result = await certify({ ...options, represent: spec });
      // The representation is computed once, without labels: the truth re-solves the model on it for every label vector.
      const rep = await represent({ train: { x: options.train.x }, test: { x: options.test.x }, represent: spec, imageShape: [SIDE, SIDE, 1] });
      expect(rep.train.cols).toBe(trial % 2 === 0 ? 2 : 1);
      const truth = oracleRadii(rowsOf(rep.train), labels, rowsOf(rep.test!), classes, { model: 'krr', reg, kernel });
      expect(result.points.map((p) => p.radius), `truth ${truth}`).toEqual(truth);
      expect(result.points.every((p) => p.exact)).toBe(true);
      checked += m;
      truth.forEach((r) => radii.add(r));
    }
    expect(checked).toBe(24);
    // Not a trivial agreement (11 or 7 labels give small radii): points that one flip moves, and points that need more.
    expect(radii.size, `radii ${[...radii]}`).toBeGreaterThanOrEqual(2);
    expect(Math.max(...radii)).toBeGreaterThanOrEqual(1);
  });
});

describe('the representation', () => {
  const random = rng(77);
  const n = 40;
  const m = 9;
  const trainX = images(random, Array.from({ length: n }, (_, i) => i % 3), SIDE, SIDE);
  const testX = images(random, Array.from({ length: m }, (_, i) => i % 3), SIDE, SIDE);
  const spec = 'scattering:J=1,L=4,order=1+log+pca:dims=6,whiten=true+spectral:dims=3,neighbors=5,scale=3';
  const x = (data: Float64Array, rows: number) => ({ data, shape: [rows, SIDE * SIDE] as [number, number] });
  const labels = Array.from({ length: n }, (_, i) => i % 3);

  it('never depends on the labels: certify with permuted or flipped labels runs on the very rows represent() gives', async () => {
    const rep = await represent({ train: { x: x(trainX, n) }, test: { x: x(testX, m) }, represent: spec, imageShape: [SIDE, SIDE, 1] });
    const permuted = labels.map((_, i) => labels[(i * 7) % n]);
    const flipped = labels.map((y, i) => (i % 4 === 0 ? (y + 1) % 3 : y));
    for (const y of [labels, permuted, flipped]) {
      const common = { partitions: 4, reg: 0.3, threads: 1, classes: 3 };
      const viaOption = await certify({ train: { x: x(trainX, n), y }, test: { x: x(testX, m) }, imageShape: [SIDE, SIDE, 1], represent: spec, ...common });
      // The same partitions as the raw rows: hash ids drawn from the rows as given.
      const ids = (await represent({ train: { x: x(trainX, n) }, represent: spec, imageShape: [SIDE, SIDE, 1], partitions: 4 })).partitionIds!;
      const viaRows = await certify({ train: { x: rep.train, y }, test: { x: rep.test! }, partitioning: ids, ...common });
      expect(withoutRun(viaOption).points).toEqual(withoutRun(viaRows).points);
      expect(viaOption.config.represent).toBe(rep.spec);
      expect(viaOption.config.partitioning).toBe('hash');
    }
  });

  it('of a test row alone is bit-identical to its row in a batch', async () => {
    const batch = await represent({ train: { x: x(trainX, n) }, test: { x: x(testX, m) }, represent: spec, imageShape: [SIDE, SIDE, 1] });
    for (let i = 0; i < m; i++) {
      const alone = await represent({ train: { x: x(trainX, n) }, test: { x: x(testX.slice(i * 64, (i + 1) * 64), 1) }, represent: spec, imageShape: [SIDE, SIDE, 1] });
      expect(Array.from(alone.test!.data)).toEqual(Array.from(batch.test!.data.subarray(i * batch.test!.cols, (i + 1) * batch.test!.cols)));
    }
  });

  it('is the same bits on a rerun and for any thread count (certify, threads 1 and 2)', async () => {
    const a = await represent({ train: { x: x(trainX, n) }, test: { x: x(testX, m) }, represent: spec, imageShape: [SIDE, SIDE, 1] });
    const b = await represent({ train: { x: x(trainX, n) }, test: { x: x(testX, m) }, represent: spec, imageShape: [SIDE, SIDE, 1] });
    expect(Buffer.from(a.train.data.buffer).equals(Buffer.from(b.train.data.buffer))).toBe(true);
    expect(Buffer.from(a.test!.data.buffer).equals(Buffer.from(b.test!.data.buffer))).toBe(true);
    const options = { train: { x: x(trainX, n), y: labels }, test: { x: x(testX, m) }, imageShape: [SIDE, SIDE, 1] as const, represent: spec, partitions: 3 };
    const [one, two] = await Promise.all([certify({ ...options, threads: 1 }), certify({ ...options, threads: 2 })]);
    expect(two.summary.threads).toBe(2);
    expect(withoutRun(one)).toEqual(withoutRun(two));
  });

  it('validate trains its networks on the representation and records it', async () => {
    const options = { train: { x: x(trainX, n), y: labels }, test: { x: x(testX.slice(0, 3 * 64), 3) }, widths: [16], seeds: 1, threads: 1 };
    const rep = await represent({ train: { x: x(trainX, n) }, test: { x: x(testX.slice(0, 3 * 64), 3) }, represent: spec, imageShape: [SIDE, SIDE, 1] });
    const viaOption = await validate({ ...options, represent: spec, imageShape: [SIDE, SIDE, 1] });
    const viaRows = await validate({ ...options, train: { x: rep.train, y: labels }, test: { x: rep.test! } });
    expect(viaOption.config.represent).toBe(rep.spec);
    expect(viaRows.config.represent).toBeNull();
    expect(viaOption.points).toEqual(viaRows.points);
    expect(viaOption.widths).toEqual(viaRows.widths);
  });

  it('leaves the caller\'s arrays untouched and reports its steps', async () => {
    const copy = trainX.slice();
    const steps = new Set<string>();
    await represent({ train: { x: x(trainX, n) }, test: { x: x(testX, m) }, represent: spec, imageShape: [SIDE, SIDE, 1], onProgress: (s) => steps.add(s.step) });
    expect(trainX).toEqual(copy);
    expect(steps.has('scattering')).toBe(true);
    expect(steps.has('pca')).toBe(true);
  });

  it('refuses what would void or confuse it, naming the option', async () => {
    const train = { x: x(trainX, n), y: labels };
    const test = { x: x(testX, m) };
    const fails = async (run: Promise<unknown>, code: string, pattern: RegExp) => {
      const error = await run.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(FlipcertError);
      expect((error as FlipcertError).code).toBe(code);
      expect((error as Error).message).toMatch(pattern);
    };
    await fails(represent({ train, represent: spec } as never), 'EOPTION', /options\.train\.y: represent never reads labels/);
    await fails(represent({ train: { x: x(trainX, n) }, represent: 'none' }), 'EOPTION', /nothing to compute/);
    await fails(certify({ train, test, represent: 'scattering', augment: 'shift:1', imageShape: [SIDE, SIDE, 1] }), 'EUNSUPPORTED', /cannot be combined/);
    await fails(certify({ train, test, represent: 'pca', imageShape: [SIDE, SIDE, 1] }), 'EOPTION', /imageShape applies with options\.augment or a scattering stage/);
    await fails(certify({ train, test, represent: 'scattering' }), 'EOPTION', /imageShape is required with a scattering stage/);
    await fails(certify({ train, test, represent: 'scattering:J=4', imageShape: [SIDE, SIDE, 1] }), 'EOPTION', /J=4 needs images of at least 16×16/);
    await fails(certify({ train, test, represent: 'pca:dims=3+log' }), 'EINPUT', /log stage needs features above −0\.001 .*row \d+, column \d/);
    await fails(certify({ train, test, represent: 'pca:dims=0' }), 'EOPTION', /dims=0" must be an integer in 1\.\./);
  });
});
