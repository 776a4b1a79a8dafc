// The JSON text of a result in pieces (src/report/json-text.ts): the very text of
// JSON.stringify(value, null, 1) for anything JSON can hold, and still written
// when the whole is longer than one JavaScript string may be (the ~512 MB of a
// run with witnesses on a million test points).
import { describe, expect, it } from 'vitest';
import { jsonPieces } from '../src/report/json-text.js';
import { resultJson, resultJsonPieces } from '../src/report/json.js';
import { certify } from '../src/index.js';
import { rng } from './reference.js';

const joined = (value: unknown) => [...jsonPieces(value)].join('');

/** A random JSON-ish value: every kind JSON.stringify treats specially, nested. */
function randomValue(random: () => number, depth: number): unknown {
  const leaves: (() => unknown)[] = [
    () => null,
    () => undefined,
    () => random() < 0.5,
    () => random() * 1e6 - 5e5,
    () => [NaN, Infinity, -Infinity, -0, 0, 1e-320, 2 ** 53 + 2, 0.1 + 0.2][Math.floor(random() * 8)],
    () => ['', 'a"b', 'line\nbreak', 'tab\t', '\u0000\u001f', 'é✓', '\ud800 lone', '\\', '</script>'][Math.floor(random() * 9)],
    () => () => 1,
    () => Symbol('s'),
    () => new Date(Math.floor(random() * 1e12)),
    () => Object(7),
    () => Object('boxed'),
    () => ({ toJSON: (key: string) => `toJSON(${key})` }),
  ];
  if (depth === 0 || random() < 0.3) return leaves[Math.floor(random() * leaves.length)]();
  const n = Math.floor(random() * 5);
  if (random() < 0.5) return Array.from({ length: n }, () => randomValue(random, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) object[['a', 'b c', '"q"', '2', '10', 'é', ''][Math.floor(random() * 7)] + (random() < 0.5 ? i : '')] = randomValue(random, depth - 1);
  return object;
}

describe('JSON text in pieces', () => {
  it('is exactly JSON.stringify(value, null, 1) on 2,000 random values of every kind', () => {
    const random = rng(21);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(random, 5);
      expect(joined(value), JSON.stringify(value)).toBe(JSON.stringify(value, null, 1) ?? '');
    }
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    expect(joined(sparse)).toBe(JSON.stringify(sparse, null, 1));
    expect(joined([[[]], {}, [{}], { a: [] }])).toBe(JSON.stringify([[[]], {}, [{}], { a: [] }], null, 1));
  });

  it('throws where JSON.stringify throws: cycles and BigInt', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    expect(() => joined(cycle)).toThrow(TypeError);
    expect(() => joined({ n: [1n] })).toThrow(TypeError);
  });

  it('is the JSON file of a real certify result, witnesses included, byte for byte', async () => {
    const random = rng(7);
    const rows = (n: number) => Float64Array.from({ length: n * 4 }, () => random() * 2 - 1);
    const trainX = rows(40);
    const train = { x: { data: trainX, rows: 40, cols: 4 }, y: Int32Array.from({ length: 40 }, (_, i) => (trainX[i * 4] > 0 ? 1 : 0) + (i % 3 === 0 ? 1 : 0)) };
    const test = { x: { data: rows(12), rows: 12, cols: 4 }, y: Int32Array.from({ length: 12 }, (_, i) => i % 3) };
    const result = await certify({ train, test, partitions: 4, witness: true, threads: 1 });
    const source = { trainX: 'a.npy', note: 'x' };
    expect(resultJson(result, source)).toBe(JSON.stringify({ ...result, config: { ...result.config, source } }, null, 1) + '\n');
  });

  it('writes a text longer than one string may be (where JSON.stringify fails), in pieces of about a megabyte', () => {
    // 600 points of 1 MB each: 600 MB of text, above V8's string limit of 2^29 − 24 characters.
    const big = 'w'.repeat(1 << 20);
    const value = { config: { n: 600 }, points: Array.from({ length: 600 }, (_, i) => ({ index: i, witness: big })) };
    let total = 0;
    let longest = 0;
    let head = '';
    let tail = '';
    for (const piece of resultJsonPieces(value as never)) {
      if (total === 0) head = piece;
      tail = (tail + piece).slice(-40);
      total += piece.length;
      longest = Math.max(longest, piece.length);
    }
    // Each point as JSON.stringify writes a small one, two levels deep.
    const point = (i: number) => JSON.stringify({ index: i, witness: '' }, null, 1).replace(/\n/g, '\n  ').length + big.length;
    let expected = '{\n "config": {\n  "n": 600\n },\n "points": [\n'.length + '\n ]\n}\n'.length;
    for (let i = 0; i < 600; i++) expected += 2 + point(i) + (i < 599 ? 2 : 0);
    expect(total).toBe(expected);
    expect(() => 'x'.repeat(total)).toThrow(RangeError); // longer than any one string: JSON.stringify could not return it
    expect(longest).toBeLessThan(2 ** 22);
    expect(head.slice(0, 100)).toBe(`{\n "config": {\n  "n": 600\n },\n "points": [\n  {\n   "index": 0,\n   "witness": "${'w'.repeat(23)}`);
    const end = '"\n  }\n ]\n}\n';
    expect(tail).toBe('w'.repeat(40 - end.length) + end);
  });
});
