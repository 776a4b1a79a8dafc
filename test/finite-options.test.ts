// validate()'s options (src/validate/options.ts): every bad option is a
// FlipcertError naming it, before any work; what certify cannot validate
// (an SVM, an ensemble) is EUNSUPPORTED.
import { describe, expect, it } from 'vitest';
import { resolveValidateOptions } from '../src/validate/options.js';
import { validate } from '../src/index.js';

const train = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };
const test = { x: [[0.5, 0.5]] };

function rejects(options: Record<string, unknown>, code: string, field: string, message: RegExp) {
  expect(() => resolveValidateOptions({ train, test, ...options }, 2)).toThrow(expect.objectContaining({ code, field, message: expect.stringMatching(message) }));
}

describe('resolveValidateOptions', () => {
  it('fills in the defaults', () => {
    const r = resolveValidateOptions({ train, test }, 2);
    expect(r.widths).toEqual([256, 1024, 4096]);
    expect(r.seeds).toEqual([0, 1]);
    expect(r.kernel).toEqual({ depth: 2, wVar: 2, bVar: 0 });
    expect(r.reg).toBe(1);
    expect([r.gradTol, r.stepTol, r.maxIterations]).toEqual([1e-6, 1e-2, 50]);
    expect(resolveValidateOptions({ train, test, stepTol: 0 }, 2).stepTol).toBe(0);
    expect(r.threads).toBe(2);
    expect(r.inThread).toBe(false);
    expect(resolveValidateOptions({ train, test, seeds: 3, seed: 7, threads: 8, widths: [8, 2] }, 2)).toMatchObject({
      seeds: [7, 8, 9],
      threads: 2,
      widths: [8, 2],
    });
    expect(resolveValidateOptions({ train, test, threads: 1 }, 2)).toMatchObject({ threads: 1, inThread: true });
  });

  it('refuses an SVM and an ensemble as unsupported', () => {
    rejects({ model: 'svm' }, 'EUNSUPPORTED', 'model', /options\.model 'svm' is not supported by validate/);
    rejects({ partitions: 4 }, 'EUNSUPPORTED', 'partitions', /options\.partitions 4 is not supported by validate/);
    rejects({ partitions: 0 }, 'EOPTION', 'partitions', /integer ≥ 1/);
    rejects({ model: 'rf' }, 'EOPTION', 'model', /'krr' or 'svm'/);
  });

  it('names each bad option', () => {
    rejects({ widths: [] }, 'EOPTION', 'widths', /non-empty array/);
    rejects({ widths: [64, 0] }, 'EOPTION', 'widths', /integers 1\.\.65536, got 0/);
    rejects({ widths: [64, 64] }, 'EOPTION', 'widths', /lists 64 twice/);
    rejects({ widths: 64 }, 'EOPTION', 'widths', /non-empty array/);
    rejects({ seeds: 0 }, 'EOPTION', 'seeds', /integer in 1\.\.1000/);
    rejects({ seed: -1 }, 'EOPTION', 'seed', /options\.seed/);
    rejects({ gradTol: 0 }, 'EOPTION', 'gradTol', /positive/);
    rejects({ stepTol: -1e-3 }, 'EOPTION', 'stepTol', /options\.stepTol/);
    rejects({ maxIterations: 1.5 }, 'EOPTION', 'maxIterations', /integer ≥ 1/);
    rejects({ reg: -1 }, 'EOPTION', 'reg', /positive/);
    rejects({ kernel: { depth: 0 } }, 'EOPTION', 'kernel.depth', /options\.kernel\.depth/);
    rejects({ witdhs: [8] }, 'EOPTION', 'witdhs', /did you mean options\.widths/);
    rejects({ onProgress: 3 }, 'EOPTION', 'onProgress', /function/);
    rejects({ threads: 0 }, 'EOPTION', 'threads', /integer ≥ 1/);
  });

  it('checks the data as certify does', () => {
    expect(() => resolveValidateOptions({ train: { x: train.x, y: [0, 1, 1] }, test }, 2)).toThrow(
      expect.objectContaining({ code: 'EINPUT', field: 'train.y' }),
    );
    expect(() => resolveValidateOptions({ train, test: { x: [[1, 2, 3]] } }, 2)).toThrow(expect.objectContaining({ code: 'EINPUT', field: 'test.x' }));
  });

  it('validate() rejects before any work', async () => {
    await expect(validate({ train, test, model: 'svm' })).rejects.toMatchObject({ name: 'FlipcertError', code: 'EUNSUPPORTED' });
    const controller = new AbortController();
    controller.abort();
    await expect(validate({ train, test, widths: [4], signal: controller.signal })).rejects.toMatchObject({ code: 'EABORTED' });
  });
});
