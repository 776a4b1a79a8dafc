// Augmentation (docs/spec.md §10): the core's transforms against hand-made
// images and an independent reference, and certificates of models trained on
// augmented copies against exhaustive enumeration of the ORIGINAL labels.
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveAugmentation } from '../src/kernel/augment.js';
import { certify } from '../src/index.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { augmentRow } from './reference-augment.js';
import { betaRows, forEachLabelVector, predictFromBeta, randomRows, rng, type ModelParams, type Rows } from './reference.js';
import { applyFlips } from './reference-cert.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

/** The core's copies of `rows` (each h·w·c values). */
function coreCopies(rows: Rows, spec: string, shape: [number, number, number]): Rows {
  const aug = resolveAugmentation(spec, shape, shape[0] * shape[1] * shape[2]);
  const d = rows[0].length;
  const { heap, exports } = core;
  return heap.scoped(() => {
    const src = heap.putF64(rows.flat());
    const params = heap.putF64(aug.params);
    const out = heap.f64(rows.length * aug.copies * d);
    exports.augmentRows(src, rows.length, shape[0], shape[1], shape[2], params, aug.copies, out);
    const flat = Array.from(heap.viewF64(out, rows.length * aug.copies * d));
    return Array.from({ length: rows.length * aug.copies }, (_, i) => flat.slice(i * d, (i + 1) * d));
  });
}

const oneHot = (h: number, w: number, r: number, c: number): number[] => {
  const row = new Array<number>(h * w).fill(0);
  row[r * w + c] = 1;
  return row;
};

describe('transforms (core)', () => {
  it('shift:1 moves a one-hot pixel by every (dy, dx), identity first, zero fill at the border', () => {
    const copies = coreCopies([oneHot(4, 5, 1, 1)], 'shift:1', [4, 5, 1]);
    const order: [number, number][] = [[0, 0], [-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]];
    expect(copies).toHaveLength(9);
    order.forEach(([dy, dx], s) => expect(copies[s], `copy ${s}`).toEqual(oneHot(4, 5, 1 + dy, 1 + dx)));
    // A corner pixel pushed out of the image leaves zeros.
    const corner = coreCopies([oneHot(4, 5, 0, 0)], 'shift:1', [4, 5, 1]);
    expect(corner[1]).toEqual(new Array(20).fill(0)); // (dy, dx) = (−1, −1)
  });

  it('hflip mirrors columns and keeps channels together', () => {
    const row = Array.from({ length: 2 * 3 * 2 }, (_, i) => i + 1); // 2×3 image, 2 channels
    const [same, flipped] = coreCopies([row], 'hflip', [2, 3, 2]);
    expect(same).toEqual(row);
    expect(flipped).toEqual([5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8]);
  });

  it('rotate:90 turns an image a quarter counter-clockwise exactly (copies 0, −90°, +90°)', () => {
    const img = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // 3×3: rows 1 2 3 / 4 5 6 / 7 8 9
    const [id, cw, ccw] = coreCopies([img], 'rotate:90', [3, 3, 1]);
    expect(id).toEqual(img);
    expect(ccw).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]); // the top row becomes the left column, read upwards
    expect(cw).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    // A pattern symmetric under quarter turns is unchanged.
    const plus = [0, 1, 0, 1, 1, 1, 0, 1, 0];
    expect(coreCopies([plus], 'rotate:90', [3, 3, 1])).toEqual([plus, plus, plus]);
  });

  it('rotate:10 interpolates bilinearly: the centre pixel seen from (1, 2) weighs (1 − sin θ)(1 − cos θ)', () => {
    const [, minus, plus] = coreCopies([oneHot(3, 3, 1, 1)], 'rotate:10', [3, 3, 1]);
    const t = (10 * Math.PI) / 180;
    // Output (1, 2) is x = 1, y = 0; turned by −θ it samples (x, y) = (cos θ, −sin θ) at +θ, (cos θ, sin θ) at −θ.
    expect(plus[5]).toBeCloseTo((1 - Math.sin(t)) * (1 - Math.cos(t)), 15);
    expect(minus[5]).toBeCloseTo((1 - Math.sin(t)) * (1 - Math.cos(t)), 15);
    expect(plus[4]).toBe(1); // the centre stays
    // Rotation preserves the centre and sums of weights at interior samples: row (1, 0) mirrors (1, 2).
    expect(plus[3]).toBeCloseTo(plus[5], 15);
  });

  it('equals the independent reference on random images for every combination', () => {
    const random = rng(13);
    const shape: [number, number, number] = [5, 4, 2];
    const rows = randomRows(random, 3, 40);
    const cases: [string, { shift?: number; hflip?: boolean; rotate?: number }][] = [
      ['shift:2', { shift: 2 }],
      ['hflip', { hflip: true }],
      ['rotate:7.5', { rotate: 7.5 }],
      ['shift:1,hflip,rotate:12', { shift: 1, hflip: true, rotate: 12 }],
      ['rotate:12,shift:1,hflip', { shift: 1, hflip: true, rotate: 12 }], // order as written does not matter
    ];
    for (const [spec, t] of cases) {
      const got = coreCopies(rows, spec, shape);
      const want = rows.flatMap((row) => augmentRow(row, shape, t));
      expect(got.length, spec).toBe(want.length);
      got.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - want[i][j]), `${spec} copy ${i} value ${j}`).toBeLessThan(1e-14)));
    }
  });
});

describe('options', () => {
  const train = { x: { data: new Float64Array(8 * 6), shape: [8, 6] as [number, number] }, y: [0, 1, 0, 1, 0, 1, 0, 1] };
  const test = { x: [[0, 0, 0, 0, 0, 0]] };
  it.each([
    [{ augment: 'shift:1' }, 'imageShape', /options\.imageShape is required/],
    [{ augment: 'shift:1', imageShape: [2, 2, 1] }, 'imageShape', /has 4 values but the features have 6 columns/],
    [{ augment: 'twist:3', imageShape: [2, 3, 1] }, 'augment', /"twist:3" is not a transform/],
    [{ augment: 'shift:x', imageShape: [2, 3, 1] }, 'augment', /needs an integer radius/],
    [{ augment: 'rotate:0', imageShape: [2, 3, 1] }, 'augment', /needs an angle/],
    [{ augment: 'hflip,hflip', imageShape: [2, 3, 1] }, 'augment', /given twice/],
    [{ augment: 'shift:3', imageShape: [2, 3, 1] }, 'augment', /smaller than the 2×3 image/],
    [{ imageShape: [2, 3, 1] }, 'imageShape', /applies with options.augment or a scattering stage/],
  ])('%j is refused naming options.%s', async (extra, field, message) => {
    await expect(certify({ train, test, threads: 1, ...(extra as object) })).rejects.toMatchObject({ code: 'EOPTION', field, message: expect.stringMatching(message) });
  });
});

describe('errors about augmented rows', () => {
  it('name the original row and the copy', async () => {
    const error = await certify({
      train: { x: [[1, 2], [1e200, 3e200], [0.5, 0.1]], y: [0, 1, 0] },
      test: { x: [[1, 1]] },
      kernel: { bVar: 0.1 },
      augment: 'hflip',
      imageShape: [1, 2, 1],
      threads: 1,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENUMERIC', field: 'train.x', message: expect.stringMatching(/^options\.train\.x row 1 \(augmented copy 0\): /) });
  });
});

interface Problem {
  trainX: Rows;
  labels: number[];
  testX: Rows;
  classes: number;
  shape: [number, number, number];
  spec: string;
  t: { shift?: number; hflip?: boolean; rotate?: number };
  params: ModelParams;
}

const SPECS: [string, { shift?: number; hflip?: boolean; rotate?: number }][] = [
  ['hflip', { hflip: true }], // 2 copies
  ['rotate:15', { rotate: 15 }], // 3
  ['rotate:90', { rotate: 90 }], // 3
  ['hflip,rotate:20', { hflip: true, rotate: 20 }], // 6
];

function makeProblem(random: () => number, groups: number): Problem {
  const classes = random() < 0.6 ? 2 : 3;
  const shape: [number, number, number] = random() < 0.5 ? [2, 2, 1] : [3, 2, 1];
  const d = shape[0] * shape[1];
  const [spec, t] = SPECS[Math.floor(random() * SPECS.length)];
  const labels = Array.from({ length: groups }, () => Math.floor(random() * classes));
  labels[0] = 0; // at least two classes
  labels[1] = 1;
  const svm = random() < 0.25;
  return {
    trainX: randomRows(random, groups, d),
    labels,
    testX: randomRows(random, 2, d),
    classes,
    shape,
    spec,
    t,
    params: {
      model: svm ? 'svm' : 'krr',
      reg: [0.01, 0.1, 1][Math.floor(random() * 3)],
      kernel: { depth: 1 + Math.floor(random() * 2), wVar: 2, bVar: random() < 0.5 ? 0 : 0.1 },
    },
  };
}

/** The model trained on every copy (one-hot targets, from scratch), for original labels `labels`. */
function augmentedPredict(pb: Problem, rows: number[], labels: number[], betas: Rows, point: number): number {
  const copies = betas[point].length / rows.length;
  const expanded = rows.flatMap((i) => new Array<number>(copies).fill(labels[i]));
  return predictFromBeta(betas[point], expanded, pb.classes);
}

const copyBetas = (pb: Problem, rows: number[]): Rows =>
  betaRows(rows.flatMap((i) => augmentRow(pb.trainX[i], pb.shape, pb.t)), pb.testX, pb.params);

describe('certificates of augmented models vs enumeration of the original labels', () => {
  it('single model: radius = truth, and the witness retrained with augmentation changes the prediction', async () => {
    const random = rng(1313);
    let checked = 0;
    let witnessed = 0;
    for (let trial = 0; trial < 60; trial++) {
      const pb = makeProblem(random, 3 + Math.floor(random() * 4));
      const all = pb.labels.map((_, i) => i);
      const betas = copyBetas(pb, all);
      const result = await certify({
        train: { x: pb.trainX, y: pb.labels },
        test: { x: pb.testX },
        classes: pb.classes,
        model: pb.params.model,
        reg: pb.params.reg,
        kernel: pb.params.kernel,
        augment: pb.spec,
        imageShape: pb.shape,
        witness: true,
        threads: 1,
      });
      result.points.forEach((point, t) => {
        const at = `trial ${trial} (${pb.spec}, ${pb.params.model}), point ${t}`;
        const clean = augmentedPredict(pb, all, pb.labels, betas, t);
        if (point.nearTie) return; // within rounding, the reference's β may decide differently
        expect(point.prediction, at).toBe(clean);
        let fewest = pb.labels.length + 1;
        forEachLabelVector(pb.labels, pb.classes, (labels, flips) => {
          if (flips < fewest && augmentedPredict(pb, all, labels, betas, t) !== clean) fewest = flips;
        });
        expect(point.radius, at).toBe(Math.min(fewest - 1, pb.labels.length));
        checked++;
        if (point.witness!.length > 0) {
          const flipped = applyFlips(pb.labels, point.witness!, pb.classes);
          expect(point.witness!.length, at).toBe(point.radius + 1);
          expect(augmentedPredict(pb, all, flipped, copyBetas(pb, all), t), at).not.toBe(clean);
          witnessed++;
        }
      });
    }
    expect(checked).toBeGreaterThan(100);
    expect(witnessed).toBeGreaterThan(50);
  });

  it('ensembles (partitions of original rows): sound always, exact for two classes', async () => {
    const random = rng(4242);
    let exact = 0;
    for (let trial = 0; trial < 25; trial++) {
      const pb = makeProblem(random, 6 + Math.floor(random() * 3));
      if (pb.classes === 3) pb.labels = pb.labels.slice(0, 6), pb.trainX = pb.trainX.slice(0, 6);
      const n = pb.labels.length;
      const ids = pb.labels.map((_, i) => i % 3);
      const members = [0, 1, 2].map((p) => ids.flatMap((id, i) => (id === p ? [i] : [])));
      const betas = members.map((rows) => copyBetas(pb, rows));
      const vote = (labels: number[], t: number): number => {
        const votes = new Array<number>(pb.classes).fill(0);
        members.forEach((rows, p) => votes[augmentedPredict(pb, rows, labels, betas[p], t)]++);
        let best = 0;
        for (let c = 1; c < pb.classes; c++) if (votes[c] > votes[best]) best = c;
        return best;
      };
      const result = await certify({
        train: { x: pb.trainX, y: pb.labels },
        test: { x: pb.testX },
        classes: pb.classes,
        model: pb.params.model,
        reg: pb.params.reg,
        kernel: pb.params.kernel,
        augment: pb.spec,
        imageShape: pb.shape,
        partitions: 3,
        partitioning: ids,
        threads: 1,
      });
      result.points.forEach((point, t) => {
        const at = `trial ${trial} (${pb.spec}), point ${t}`;
        if (point.nearTie) return;
        const clean = vote(pb.labels, t);
        expect(point.prediction, at).toBe(clean);
        let fewest = n + 1;
        forEachLabelVector(pb.labels, pb.classes, (labels, flips) => {
          if (flips < fewest && vote(labels, t) !== clean) fewest = flips;
        });
        const truth = Math.min(fewest - 1, n);
        expect(point.radius, at).toBeLessThanOrEqual(truth);
        expect(point.upper, at).toBeGreaterThanOrEqual(truth);
        if (pb.classes === 2 || point.exact) {
          expect(point.radius, at).toBe(truth);
          exact++;
        }
      });
    }
    expect(exact).toBeGreaterThan(20);
  });

  it('identity (one copy per image) equals no augmentation bit for bit', async () => {
    const random = rng(7);
    const trainX = randomRows(random, 40, 784);
    const y = Array.from({ length: 40 }, () => Math.floor(random() * 3));
    const base = { train: { x: trainX, y }, test: { x: randomRows(random, 5, 784) }, threads: 1 };
    for (const partitions of [1, 4]) {
      const plain = await certify({ ...base, partitions });
      const one = await certify({ ...base, partitions, augment: 'identity' });
      expect({ ...one.points }).toEqual({ ...plain.points });
      const withShift = await certify({ ...base, partitions, augment: 'shift:0' });
      expect(withShift.points).toEqual(plain.points);
    }
  });
});
