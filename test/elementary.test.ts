// The features module's table-free exp, log, sin and cos (assembly/features/elementary.ts,
// docs/spec.md §13.1): within 2 ulp of the correctly rounded value (mpmath at
// high precision, when python3 has it) and of Math.*, over random arguments on
// every scale and the extremes (overflow and underflow edges, subnormals, huge
// arguments of sin/cos, the closest double to a multiple of π/2); and the features module
// still has no data segment.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFeatures, type Features } from '../src/features/module.js';
import { rng } from './reference.js';

let features: Features;
beforeAll(async () => {
  features = await createFeatures();
});

type Name = 'exp' | 'log' | 'sin' | 'cos';

/** The features module's function over `xs` (through its in-place vector exports). */
function ours(name: Name, xs: Float64Array, shift = 0): Float64Array {
  return features.heap.scoped(() => {
    const ptr = features.heap.putF64(xs);
    const e = features.exports;
    if (name === 'exp') e.expInPlace(ptr, xs.length);
    else if (name === 'log') e.logShiftedInPlace(ptr, xs.length, shift);
    else if (name === 'sin') e.sinInPlace(ptr, xs.length);
    else e.cosInPlace(ptr, xs.length);
    return features.heap.viewF64(ptr, xs.length).slice();
  });
}

/** Distance in units in the last place: the count of doubles between a and b (±0 are one point). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const order = (v: number) => {
    const bits = new BigInt64Array(new Float64Array([v]).buffer)[0];
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const d = order(a) - order(b);
  return Number(d < 0n ? -d : d);
}

const random = rng(20261207);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
const many = (n: number, f: () => number) => Array.from({ length: n }, f);
const logUniform = (lo: number, hi: number) => Math.exp(uniform(Math.log(lo), Math.log(hi))) * (random() < 0.5 ? -1 : 1);

const HARD = 6381956970095103 * 2 ** 797; // the double closest to a multiple of π/2 (about 2⁻⁶¹ away)
const ARGS: Record<Name, number[]> = {
  exp: [
    0, -0, 1, -1, 5e-324, -5e-324, 1e-300, 1e-17, 0.5, Math.LN2, -Math.LN2, 0.34657359027997264, 709.782712893384, 709.7827128933841,
    709.78, -708.3964185322641, -708.4, -720.5, -744.44007192138122, -745.1332191019411, -745.1332191019412, -745.14, 800, -800,
    Infinity, -Infinity, NaN,
    ...many(4000, () => uniform(-745, 709.78)), ...many(2000, () => uniform(-1, 1)), ...many(1000, () => logUniform(1e-300, 1)),
  ],
  log: [
    0, -0, -1, -Infinity, Infinity, NaN, 1, 5e-324, 1e-320, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
    1 + 2 ** -52, 1 - 2 ** -53, 1 + 1e-10, 1 - 1e-10, Math.SQRT2, Math.SQRT1_2, 2, 0.5, Math.E, 10, 1e-3,
    ...many(4000, () => Math.abs(logUniform(1e-320, 1e308))), ...many(2000, () => uniform(0.5, 2)), ...many(1000, () => 1 + uniform(-1e-6, 1e-6)),
  ],
  sin: [],
  cos: [],
};
const TRIG = [
  0, -0, 5e-324, 1e-300, 7.45e-9, 7.46e-9, 1e-5, Math.PI / 4, 0.7853981633974484, Math.PI / 2, Math.PI, 2 * Math.PI, 3 * Math.PI / 2,
  1647099.3291652855, 1647099.329165286, 1647100, 1e6, 1e7, 2 ** 30, 1e10, 1e15, 2 ** 52, 2 ** 53 + 2, 1e22, 1e100, 1e200, 1e300,
  1.7976931348623157e308, -1.7976931348623157e308, HARD, -HARD, Infinity, -Infinity, NaN,
  ...many(3000, () => uniform(-10, 10)), ...many(1000, () => uniform(-2e6, 2e6)), ...many(2000, () => logUniform(1e-10, 1e308)),
  ...many(500, () => Math.round(uniform(-1e6, 1e6)) * (Math.PI / 2)), // near multiples of π/2, the cancelling case
];
ARGS.sin = TRIG;
ARGS.cos = TRIG;

const hasMpmath = spawnSync('python3', ['-c', 'import mpmath'], { encoding: 'utf8' }).status === 0;
if (!hasMpmath) console.warn('test/elementary.test.ts: python3 with mpmath not found, skipping the comparison with correctly rounded values');

/** Correctly rounded values from mpmath (1,400 bits: enough for sin/cos of the largest double). */
function mpmath(name: Name, xs: number[]): Float64Array {
  const script = `
import sys, struct, mpmath
mpmath.mp.prec = 1400
raw = sys.stdin.buffer.read()
xs = struct.unpack('<%dd' % (len(raw) // 8), raw)
f = getattr(mpmath, sys.argv[1])
out = []
for x in xs:
    if x != x or (sys.argv[1] in ('sin', 'cos') and x in (float('inf'), float('-inf'))) or (sys.argv[1] == 'log' and x < 0):
        out.append(float('nan'))
    elif sys.argv[1] == 'log' and x == 0:
        out.append(float('-inf'))
    else:
        out.append(float(f(mpmath.mpf(x))))
sys.stdout.buffer.write(struct.pack('<%dd' % len(out), *out))
`;
  const run = spawnSync('python3', ['-c', script, name], { input: Buffer.from(new Float64Array(xs).buffer), maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(run.stderr.toString());
  return new Float64Array(run.stdout.buffer, run.stdout.byteOffset, run.stdout.byteLength / 8).slice();
}

const MATH: Record<Name, (x: number) => number> = { exp: Math.exp, log: Math.log, sin: Math.sin, cos: Math.cos };

describe.each(['exp', 'log', 'sin', 'cos'] as Name[])('%s', (name) => {
  const xs = ARGS[name];
  it.skipIf(!hasMpmath)(`is within 2 ulp of the correctly rounded value (${xs.length} arguments)`, () => {
    const got = ours(name, Float64Array.from(xs));
    const want = mpmath(name, xs);
    let worst = 0;
    let at = NaN;
    for (let i = 0; i < xs.length; i++) {
      const u = ulps(got[i], want[i]);
      if (u > worst) [worst, at] = [u, xs[i]];
    }
    expect(worst, `worst at x = ${at}`).toBeLessThanOrEqual(2);
  });

  it('is within 2 ulp of Math.* (and agrees on NaN, ±Infinity and signed zeros)', () => {
    const got = ours(name, Float64Array.from(xs));
    for (let i = 0; i < xs.length; i++) {
      const want = MATH[name](xs[i]);
      if (ulps(got[i], want) > 2) expect({ x: xs[i], got: got[i] }).toEqual({ x: xs[i], got: want });
      if (want === 0 || !Number.isFinite(want)) expect(Object.is(got[i], want), `${name}(${xs[i]})`).toBe(true);
    }
  });
});

describe('vector forms', () => {
  it('logShiftedInPlace is log(x + shift) with the sum rounded first; expInPlace is exp entry by entry', () => {
    const x = Float64Array.from([0, 1e-3, 0.25, 1, 41.5, 1e300]);
    const got = ours('log', x, 1e-3);
    const want = ours('log', x.map((v) => v + 1e-3));
    expect(got).toEqual(want);
    expect(ulps(got[0], Math.log(1e-3))).toBeLessThanOrEqual(2);
    const e = ours('exp', Float64Array.from([0, -1, 2.5]));
    expect(e[0]).toBe(1);
    expect(ulps(e[1], Math.exp(-1))).toBeLessThanOrEqual(1);
  });
});

describe('the core', () => {
  it('has no data segment (no tables, no static arrays)', () => {
    const bytes = readFileSync('build/flipcert.wasm');
    const ids: number[] = [];
    let at = 8;
    while (at < bytes.length) {
      const id = bytes[at++];
      let size = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[at++];
        size |= (b & 0x7f) << shift;
        shift += 7;
        if (b < 0x80) break;
      }
      ids.push(id);
      at += size;
    }
    expect(ids).toContain(10); // the code section: the parse found the sections
    expect(ids).not.toContain(11); // data
    expect(ids).not.toContain(12); // data count
  });
});
