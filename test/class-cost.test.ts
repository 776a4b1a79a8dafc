// A class count far above the data's (issue 21, item 8): an ensemble's vote
// costs compare every empty class with every other, k · m · E² steps, so
// `--classes 65536` on 200 rows would run for hours. Refused before any work,
// with the estimate and the most classes that fit; a single model (linear in C)
// and class counts the data use are not affected.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { checkClassCost, MAX_CLASS_STEPS } from '../src/checks/class-cost.js';
import { resolveOptions } from '../src/certify/options.js';
import { FlipcertError } from '../src/errors.js';
import { clusters } from './support/clusters.js';

const { train, test } = clusters(21, 200, 50, 10, 6, 1.5);
const x = { data: Float64Array.from(train.x.flat()), shape: [200, 6] as [number, number] };
const tx = { data: Float64Array.from(test.x.flat()), shape: [50, 6] as [number, number] };
const options = (classes: number, partitions: number) => ({ train: { x, y: Int32Array.from(train.y) }, test: { x: tx }, classes, partitions });

describe('--classes far above the data', () => {
  it('65,536 classes on 200 rows, k = 5: refused before any work, with the estimate (EOPTION, field classes)', () => {
    let error: unknown;
    try {
      resolveOptions(options(65536, 5), 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlipcertError);
    expect((error as FlipcertError).code).toBe('EOPTION');
    expect((error as FlipcertError).field).toBe('classes');
    // 10 classes used, 65,526 empty: 5 × 50 × 65526² ≈ 1.07e12 steps.
    expect((error as Error).message).toBe(
      'options.classes 65536: the training labels use 10 classes, so 65526 are empty, and an ensemble compares every empty class with every other ' +
        'for each partition and test point: 5 × 50 × 65526² ≈ 1.1e+12 steps, about 8.6 h on one thread; use at most 20010 classes here ' +
        '(or fewer test points, or a single model, whose cost grows linearly in C)',
    );
  });

  it('the most classes it names is the boundary; single models and the classes the data use are never refused', () => {
    const y = Int32Array.from(train.y);
    const most = 10 + Math.floor(Math.sqrt(MAX_CLASS_STEPS / (5 * 50)));
    expect(() => checkClassCost(most, y, 5, 50)).not.toThrow();
    expect(() => checkClassCost(most + 1, y, 5, 50)).toThrow(/use at most 20010 classes/);
    expect(() => checkClassCost(65536, y, 1, 50)).not.toThrow();
    expect(() => checkClassCost(10, y, 200, 1e6)).not.toThrow();
    expect(() => resolveOptions(options(65536, 1), 2)).not.toThrow();
    expect(resolveOptions(options(2000, 5), 2).classes).toBe(2000);
  });

  it('the CLI: one line naming --classes, status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flipcert-classes-'));
    const save = (name: string, data: Float64Array | Int32Array, shape: number[]) => {
      const path = join(dir, name);
      writeFileSync(path, new Uint8Array(dump(data, shape)));
      return path;
    };
    const args = [
      'dist/cli.js', 'certify', '--train-x', save('tx.npy', x.data, x.shape), '--train-y', save('ty.npy', Int32Array.from(train.y), [200]),
      '--test-x', save('sx.npy', tx.data, tx.shape), '--classes', '65536', '--partitions', '5', '--out', join(dir, 'r.json'),
    ];
    const failure = await promisify(execFile)('node', args).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^flipcert: error: --classes 65536: the training labels use 10 classes, so 65526 are empty, .* about 8\.6 h on one thread; use at most 20010 classes here .*\n$/);
  });
});
