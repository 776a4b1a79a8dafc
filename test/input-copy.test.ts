// The library takes what a run needs before its promise is returned (issue 21, item 10):
// a caller that reuses its arrays right after certify(), validate() or ntk() returns
// (the next batch loaded into the same buffers) does not change the run.
import { describe, expect, it } from 'vitest';
import { certify, ntk, validate } from '../src/index.js';
import { clusters } from './support/clusters.js';

/** A 3-class problem as the typed arrays a caller would hold. */
function arrays(seed: number) {
  const n = 60, m = 12, d = 4;
  const { train, test } = clusters(seed, n, m, 3, d, 0.8);
  return {
    trainX: Float64Array.from(train.x.flat()),
    trainY: Int32Array.from(train.y),
    testX: Float64Array.from(test.x.flat()),
    testY: Int32Array.from(test.y),
    ids: Int32Array.from({ length: n }, (_, i) => i % 3),
    n, m, d,
  };
}

type Arrays = ReturnType<typeof arrays>;

/** What a caller reusing its buffers does: other values, in range (so only a changed run can tell). */
function overwrite(a: Arrays): void {
  a.trainX.reverse();
  a.testX.fill(0.25);
  a.trainY.reverse();
  a.testY.fill(0);
  a.ids.reverse();
}

const certifyOptions = (a: Arrays, threads: number) => ({
  train: { x: { data: a.trainX, shape: [a.n, a.d] as [number, number] }, y: a.trainY },
  test: { x: { data: a.testX, shape: [a.m, a.d] as [number, number] }, y: a.testY },
  partitions: 3,
  partitioning: a.ids,
  threads,
});

describe('inputs are taken when the call returns', () => {
  it.each([1, 2])('certify (threads %i): arrays overwritten right after the call change nothing', async (threads) => {
    const expected = await certify(certifyOptions(arrays(7), threads));
    const given = arrays(7);
    const running = certify(certifyOptions(given, threads));
    overwrite(given);
    const result = await running;
    expect({ ...result, summary: { ...result.summary, seconds: 0 } }).toEqual({ ...expected, summary: { ...expected.summary, seconds: 0 } });
  });

  it('validate: arrays overwritten right after the call change nothing', async () => {
    const options = (a: Arrays) => ({
      train: { x: { data: a.trainX, shape: [a.n, a.d] as [number, number] }, y: a.trainY },
      test: { x: { data: a.testX, shape: [a.m, a.d] as [number, number] }, y: a.testY },
      widths: [8],
      seeds: 1,
      maxIterations: 3,
      threads: 1,
    });
    const expected = await validate(options(arrays(9)));
    const given = arrays(9);
    const running = validate(options(given));
    overwrite(given);
    const result = await running;
    const strip = (r: typeof result) => JSON.parse(JSON.stringify(r, (key, value) => (key === 'seconds' ? 0 : value)));
    expect(strip(result)).toEqual(strip(expected));
  });

  it('ntk: a matrix overwritten right after the call changes nothing', async () => {
    const a = arrays(3);
    const expected = await ntk({ data: a.trainX, shape: [a.n, a.d] }, { data: a.testX, shape: [a.m, a.d] });
    const running = ntk({ data: a.trainX, shape: [a.n, a.d] }, { data: a.testX, shape: [a.m, a.d] });
    overwrite(a);
    expect(Array.from((await running).data)).toEqual(Array.from(expected.data));
  });
});
