// The API boundary (src/certify/options.ts): every bad option or input is refused
// before any pool opens, as a FlipcertError with the documented code, the
// API field at fault and a message naming it (never a CLI flag); good
// options resolve, once, to a fully defaulted object.
import { describe, expect, it } from 'vitest';
import { certifyWith } from '../src/certify/certify.js';
import { ntk } from '../src/kernel/gram.js';
import { type PoolFactory } from '../src/pool/pool.js';
import { FlipcertError } from '../src/errors.js';
import { certify, type CertifyOptions } from '../src/index.js';
import { resolveOptions } from '../src/certify/options.js';
import { InlinePool } from '../src/pool/inline.js';
import { closest } from '../src/checks/suggest.js';

// 40 training rows, two classes, 3 features; 6 test rows.
const trainX = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) / 7]);
const trainY = trainX.map((r) => (r[0] > 0 ? 1 : 0));
const testX = trainX.slice(0, 6).map((r) => r.map((v) => v + 0.01));
const testY = trainY.slice(0, 6);
const good = { train: { x: trainX, y: trainY }, test: { x: testX, y: testY } };

/** A pool factory that must not be called: bad options fail before any worker exists. */
const noPool: PoolFactory = async () => {
  throw new Error('a pool was opened for options that should have been refused');
};

async function refusal(options: unknown): Promise<FlipcertError> {
  try {
    await certifyWith(options as CertifyOptions, noPool, 8);
  } catch (error) {
    if (!(error instanceof FlipcertError)) throw error;
    return error;
  }
  throw new Error(`accepted: ${JSON.stringify(options)}`);
}

type Case = [string, unknown, 'EOPTION' | 'EINPUT', string | undefined, RegExp | string];

const cases: Case[] = [
  ['no options', undefined, 'EOPTION', undefined, 'options must be an object { train: { x, y }, test: { x, y? }, … }, got undefined'],
  ['empty options', {}, 'EOPTION', 'train', 'options.train is required: { x, y }'],
  ['options not an object', [good], 'EOPTION', undefined, /^options must be an object .*got an array/],
  ['test: undefined', { train: good.train, test: undefined }, 'EOPTION', 'test', 'options.test is required: { x, y? }'],
  ['train: 42', { ...good, train: 42 }, 'EOPTION', 'train', 'options.train must be an object { x, y }, got 42'],
  ['unknown key, near', { ...good, partition: 3 }, 'EOPTION', 'partition', 'options.partition is not an option; did you mean options.partitions?'],
  ['unknown key, snake case', { ...good, block_size: 3 }, 'EOPTION', 'block_size', /did you mean options\.blockSize\?$/],
  ['unknown key, wrong case', { ...good, svmc: 3 }, 'EOPTION', 'svmc', /did you mean options\.svmC\?$/],
  ['unknown key, far', { ...good, verbose: true }, 'EOPTION', 'verbose', /^options\.verbose is not an option; the options here are train, test, model, /],
  ['unknown kernel key', { ...good, kernel: { dept: 3 } }, 'EOPTION', 'kernel.dept', 'options.kernel.dept is not an option; did you mean options.kernel.depth?'],
  ['unknown train key', { ...good, train: { ...good.train, labels: trainY } }, 'EOPTION', 'train.labels', 'options.train.labels is not an option; the options here are x, y'],
  ['unknown test key', { ...good, test: { ...good.test, z: 1 } }, 'EOPTION', 'test.z', /^options\.test\.z is not an option/],
  ['kernel not an object', { ...good, kernel: 3 }, 'EOPTION', 'kernel', 'options.kernel must be an object { depth?, wVar?, bVar? }, got 3'],
  ['onProgress: 42', { ...good, onProgress: 42 }, 'EOPTION', 'onProgress', 'options.onProgress must be a function, got 42'],
  ['partitions: 0', { ...good, partitions: 0 }, 'EOPTION', 'partitions', 'options.partitions must be an integer ≥ 1, got 0'],
  ['partitions above the rows', { ...good, partitions: 41 }, 'EOPTION', 'partitions', 'options.partitions 41 exceeds the 40 training rows; use at most 40 partitions'],
  ['partitions as a string', { ...good, partitions: '3' }, 'EOPTION', 'partitions', 'options.partitions must be an integer ≥ 1, got "3" (a string)'],
  ['partitions: 2.5', { ...good, partitions: 2.5 }, 'EOPTION', 'partitions', /got 2\.5$/],
  ['threads: 0', { ...good, threads: 0 }, 'EOPTION', 'threads', 'options.threads must be an integer ≥ 1, got 0'],
  ['threads: null', { ...good, threads: null }, 'EOPTION', 'threads', 'options.threads must be an integer ≥ 1, got null'],
  ['depth: 0', { ...good, kernel: { depth: 0 } }, 'EOPTION', 'kernel.depth', 'options.kernel.depth must be an integer in 1..1000, got 0'],
  ['depth: 1001 (the core’s limit, checked up front)', { ...good, kernel: { depth: 1001 } }, 'EOPTION', 'kernel.depth', /in 1\.\.1000, got 1001$/],
  ['wVar: 0', { ...good, kernel: { wVar: 0 } }, 'EOPTION', 'kernel.wVar', 'options.kernel.wVar must be a positive number, got 0'],
  ['bVar: -1', { ...good, kernel: { bVar: -1 } }, 'EOPTION', 'kernel.bVar', 'options.kernel.bVar must be a number ≥ 0, got -1'],
  ['reg: 0', { ...good, reg: 0 }, 'EOPTION', 'reg', 'options.reg must be a positive number, got 0'],
  ['reg: Infinity', { ...good, reg: Infinity }, 'EOPTION', 'reg', /got Infinity$/],
  ['model: rf', { ...good, model: 'rf' }, 'EOPTION', 'model', `options.model must be 'krr' or 'svm', got "rf" (a string)`],
  ['model: KRR', { ...good, model: 'KRR' }, 'EOPTION', 'model', /got "KRR" \(a string\); did you mean 'krr'\?$/],
  ['svmC with krr', { ...good, svmC: 0.001 }, 'EOPTION', 'svmC', "options.svmC applies to model: 'svm' only"],
  ['svmC: -1', { ...good, model: 'svm', svmC: -1 }, 'EOPTION', 'svmC', 'options.svmC must be a positive number, got -1'],
  ['classes: 1', { ...good, classes: 1 }, 'EOPTION', 'classes', 'options.classes must be an integer in 2..65536, got 1'],
  ['witness: "yes"', { ...good, witness: 'yes' }, 'EOPTION', 'witness', 'options.witness must be true or false, got "yes" (a string)'],
  ['blockSize: 0', { ...good, blockSize: 0 }, 'EOPTION', 'blockSize', 'options.blockSize must be an integer ≥ 1, got 0'],
  ['partitioning: hsah', { ...good, partitioning: 'hsah' }, 'EOPTION', 'partitioning', /got "hsah" \(a string\); did you mean 'hash'\?$/],
  ['partitioning: 42', { ...good, partitioning: 42 }, 'EOPTION', 'partitioning', /^options\.partitioning must be 'hash', 'sorted' or one partition id per training row, got 42$/],
  ['partition ids: too few', { ...good, partitions: 2, partitioning: [0, 1] }, 'EOPTION', 'partitioning', 'options.partitioning: got 2 partition ids for 40 training rows; give one per row'],
  ['partition ids: out of range', { ...good, partitions: 2, partitioning: trainY.map((_, i) => (i === 5 ? 2 : i % 2)) }, 'EOPTION', 'partitioning', /row 5 has partition id 2, expected an integer in 0\.\.1/],
  ['an empty partition', { ...good, partitions: 40 }, 'EOPTION', 'partitions', /^partition \d+ of 40 is empty .*use fewer partitions/],
  ['a label ≥ classes', { ...good, classes: 2, train: { x: trainX, y: trainY.map((y, i) => (i === 3 ? 2 : y)) } }, 'EINPUT', 'train.y', /^options\.train\.y: row 3 is 2, but there are 2 classes/],
  ['a test label ≥ C', { ...good, test: { x: testX, y: [0, 1, 5, 0, 1, 0] } }, 'EINPUT', 'test.y', /^options\.test\.y: row 2 is 5, but there are 2 classes .*set options\.classes/],
  ['one typo training label', { ...good, partitions: 4, train: { x: trainX, y: trainY.map((y, i) => (i === 9 ? 60000 : y)) } }, 'EINPUT', 'train.y', /^options\.train\.y: row 9 is 60000, which makes 60001 classes, but only 3 of them have a training point/],
  ['NaN feature', { ...good, train: { x: trainX.map((r, i) => (i === 2 ? [r[0], NaN, r[2]] : r)), y: trainY } }, 'EINPUT', 'train.x', 'options.train.x: row 2, column 1 is NaN'],
  ['features as a string', { ...good, train: { x: 'abc', y: trainY } }, 'EINPUT', 'train.x', /^options\.train\.x: expected \{data, shape\}/],
  ['missing labels', { ...good, train: { x: trainX } }, 'EINPUT', 'train.y', 'options.train.y is required: one integer label per row (an array or typed array)'],
  ['labels too short', { ...good, train: { x: trainX, y: trainY.slice(1) } }, 'EINPUT', 'train.y', /39 labels for 40 rows/],
  ['test columns differ', { ...good, test: { x: testX.map((r) => r.slice(1)) } }, 'EINPUT', 'test.x', /^options\.test\.x has 2 columns but options\.train\.x has 3/],
];

describe('certify: bad options and inputs', () => {
  it.each(cases)('%s', async (_, options, code, field, message) => {
    const error = await refusal(options);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    // Library messages name API fields; the CLI translates them to its flags.
    expect(error.message).not.toMatch(/--[a-z]/);
  });

  it('the public certify rejects the same way (a rejected promise, not a throw)', async () => {
    const promise = certify({ ...good, partition: 3 } as CertifyOptions);
    await expect(promise).rejects.toBeInstanceOf(FlipcertError);
    await expect(promise).rejects.toMatchObject({ code: 'EOPTION', field: 'partition' });
    await expect((certify as (o?: unknown) => Promise<unknown>)()).rejects.toMatchObject({ code: 'EOPTION' });
  });

  it('ntk checks its kernel options with the same rules', async () => {
    await expect(ntk(trainX, undefined, { depht: 3 } as never)).rejects.toThrow('options.kernel.depht is not an option; did you mean options.kernel.depth?');
    await expect(ntk(trainX, undefined, { depth: 1001 })).rejects.toMatchObject({ code: 'EOPTION', field: 'kernel.depth' });
    await expect(ntk(trainX, testX.map((r) => r.slice(1)))).rejects.toMatchObject({ code: 'EINPUT' });
  });
});

describe('resolveOptions: the validated, fully defaulted object', () => {
  it('fills in every default', () => {
    const r = resolveOptions(good, 8);
    expect({ ...r, trainX: undefined, testX: undefined, trainY: undefined, testY: undefined, groups: undefined }).toEqual({
      trainX: undefined,
      trainY: undefined,
      testX: undefined,
      testY: undefined,
      groups: undefined,
      classes: 2,
      model: 'krr',
      reg: 1,
      svmC: undefined,
      kernel: { depth: 2, wVar: 2, bVar: 0 },
      partitions: 1,
      partitioning: 'hash',
      witness: false,
      blockSize: undefined,
      profile: false,
      threads: 8, // a single model runs on every core (Node shares WebAssembly memory; src/pool/team-protocol.ts)
      inThread: false,
      onProgress: undefined,
    });
    expect([r.trainX.rows, r.trainX.cols, r.testX.rows]).toEqual([40, 3, 6]);
    expect(Array.from(r.groups[0])).toEqual(trainX.map((_, i) => i));
  });

  it('treats an undefined value as absent (a spread of optional settings)', () => {
    expect(resolveOptions({ ...good, partitions: undefined, kernel: { depth: undefined } }, 4)).toMatchObject({ partitions: 1, kernel: { depth: 2 } });
  });

  it('splits the training rows once, into non-empty groups covering every row', () => {
    const r = resolveOptions({ ...good, partitions: 3, partitioning: 'sorted' }, 4);
    expect(r.groups.map((g) => g.length)).toEqual([14, 13, 13]);
    expect(r.groups.flatMap((g) => Array.from(g)).sort((a, b) => a - b)).toEqual(trainX.map((_, i) => i));
  });

  it('caps threads at the partitions and the cores; threads: 1 runs on the calling thread', () => {
    const threads = (extra: object, cores: number) => {
      const r = resolveOptions({ ...good, ...extra }, cores);
      return [r.threads, r.inThread];
    };
    expect(threads({ threads: 1000, partitions: 4 }, 16)).toEqual([4, false]);
    expect(threads({ threads: 1000, partitions: 20, partitioning: 'sorted' }, 16)).toEqual([16, false]);
    expect(threads({ partitions: 20, partitioning: 'sorted' }, 6)).toEqual([6, false]);
    // A single model is one task, but a team of threads shares it where memory can be shared (Node: yes).
    expect(threads({ threads: 8 }, 16)).toEqual([8, false]);
    expect(threads({ threads: 32 }, 16)).toEqual([16, false]);
    expect(threads({ threads: 1, partitions: 4 }, 16)).toEqual([1, true]);
    expect(threads({ threads: 3, partitions: 4 }, 1)).toEqual([1, false]);
  });

  it('caps blockSize at the test rows', () => {
    expect(resolveOptions({ ...good, blockSize: 1e6 }, 1).blockSize).toBe(6);
  });

  it('lets an explicit classes insist on a C with empty classes', () => {
    const y = trainY.map((v, i) => (i === 9 ? 60 : v));
    expect(resolveOptions({ ...good, train: { x: trainX, y }, classes: 61 }, 1).classes).toBe(61);
  });
});

describe('certify: threads used', () => {
  it('opens the pool with the capped count and reports it in summary.threads', async () => {
    const opened: [number, boolean][] = [];
    const spy: PoolFactory = async ({ module, threads, inThread }) => {
      opened.push([threads, inThread]);
      return new InlinePool(module);
    };
    const result = await certifyWith({ ...good, partitions: 4, threads: 1000 }, spy, 16);
    expect(opened).toEqual([[4, false]]);
    expect(result.summary.threads).toBe(4);
    expect(result.points).toHaveLength(6);
  });
});

describe('closest (did you mean)', () => {
  it('suggests slips, not guesses', () => {
    const keys = ['train', 'test', 'partitions', 'partitioning', 'threads', 'blockSize', 'svmC'];
    expect(closest('partition', keys)).toBe('partitions');
    expect(closest('partitionning', keys)).toBe('partitioning');
    expect(closest('thread', keys)).toBe('threads');
    expect(closest('tset', keys)).toBe('test');
    expect(closest('block-size', keys)).toBe('blockSize');
    expect(closest('z', ['x', 'y'])).toBeUndefined();
    expect(closest('verbose', keys)).toBeUndefined();
  });
});

describe('certify: any value of the wrong type', () => {
  const values: unknown[] = [null, 'x', '', 42, -1, 0.5, NaN, Infinity, true, {}, [], [[1]], () => 1, Symbol('s'), 10n];
  const inline: PoolFactory = async ({ module }) => new InlinePool(module);
  const paths = [
    'model', 'reg', 'svmC', 'kernel', 'kernel.depth', 'kernel.wVar', 'kernel.bVar', 'classes', 'partitions', 'partitioning',
    'threads', 'witness', 'blockSize', 'onProgress', 'train', 'test', 'train.x', 'train.y', 'test.x', 'test.y',
  ];
  const set = (path: string, value: unknown): Record<string, unknown> => {
    const [head, tail] = path.split('.');
    const base: Record<string, unknown> = { ...good, model: 'svm' };
    if (tail === undefined) return { ...base, [head]: value };
    return { ...base, [head]: { ...(base[head] as object), [tail]: value } };
  };

  it.each(paths)('options.%s: either works or is a FlipcertError naming that field', async (path) => {
    for (const value of values) {
      const outcome = await certifyWith(set(path, value) as unknown as CertifyOptions, inline, 2).then(
        () => 'accepted',
        (error: unknown) => error,
      );
      if (outcome === 'accepted') continue;
      expect(outcome, `${path} = ${String(value)}`).toBeInstanceOf(FlipcertError);
      const { code, field, message } = outcome as FlipcertError;
      expect(['EOPTION', 'EINPUT'], `${path} = ${String(value)}: ${message}`).toContain(code);
      // A valid matrix of the wrong size (train.x = [[1]]) is blamed on the labels that no longer match it.
      const named = path === 'train.x' && field === 'train.y' ? 'train.y' : path;
      expect(field === named || field?.startsWith(`${named}.`), `${path} = ${String(value)}: field ${field}: ${message}`).toBe(true);
      expect(message).toMatch(new RegExp(`^options\\.${named.replace('.', '\\.')}\\b`));
    }
  });
});
