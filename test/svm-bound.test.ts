// The SVM's small-C regime (docs/spec.md §3) through the public API: the bound
// reported in config.svmCBound is the minimum over partitions of
// 1/max_i Σ_j |K_ij| (recomputed here from the reference NTK), C equal to it is
// refused, and C just below it is accepted with the radii of the default C.
import { describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { certify } from '../src/index.js';
import { ntkMatrix, randomRows, rng, type KernelParams } from './reference.js';

const kernel: KernelParams = { depth: 2, wVar: 2, bVar: 0.1 };

/** Three partitions of 5 rows; partition 1's rows are scaled by 3 so the bounds differ ~9-fold. */
function problem() {
  const random = rng(8080);
  const ids = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2];
  const trainX = randomRows(random, ids.length, 3).map((row, i) => (ids[i] === 1 ? row.map((v) => 3 * v) : row));
  const labels = trainX.map((row) => (row[0] > 0 ? 1 : 0));
  const testX = randomRows(random, 6, 3);
  return { trainX, labels, testX, ids };
}

/** 1/max_i Σ_j |K_ij| for each partition, from the reference NTK. */
function referenceBounds(trainX: number[][], ids: number[]): number[] {
  return [0, 1, 2].map((p) => {
    const rows = trainX.filter((_, i) => ids[i] === p);
    const k = ntkMatrix(rows, rows, kernel);
    return 1 / Math.max(...k.map((row) => row.reduce((s, v) => s + Math.abs(v), 0)));
  });
}

function nextDown(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

function run(svmC?: number) {
  const { trainX, labels, testX, ids } = problem();
  return certify({
    train: { x: trainX, y: labels },
    test: { x: testX },
    model: 'svm',
    kernel,
    partitions: 3,
    partitioning: ids,
    threads: 1,
    ...(svmC === undefined ? {} : { svmC }),
  });
}

describe('the SVM small-C bound', () => {
  it('reports the minimum over partitions, refuses C at the bound and accepts C just below it', async () => {
    const { trainX, ids } = problem();
    const bounds = referenceBounds(trainX, ids);
    const least = Math.min(...bounds);
    expect(Math.max(...bounds) / least).toBeGreaterThan(5); // the partitions really differ
    expect(bounds.indexOf(least)).toBe(1);

    const free = await run();
    const bound = free.config.svmCBound!;
    expect(Math.abs(bound / least - 1)).toBeLessThan(1e-12);

    await expect(run(bound)).rejects.toSatisfy((e: unknown) => e instanceof FlipcertError && e.code === 'EOPTION');
    await expect(run(bound * 1.5)).rejects.toBeInstanceOf(FlipcertError);

    const below = await run(nextDown(bound));
    expect(below.config.svmC).toBe(nextDown(bound));
    expect(below.config.svmCBound).toBe(bound);
    expect(below.points.map((p) => [p.prediction, p.radius, p.upper])).toEqual(free.points.map((p) => [p.prediction, p.radius, p.upper]));
    expect(free.points.some((p) => p.radius > 0)).toBe(true);
  });
});
