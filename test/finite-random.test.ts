// The seeded normals of θ₀ (src/network/random.ts, docs/spec.md §11.2): the
// engine-independent ln against Math.log, and the normals' distribution.
import { describe, expect, it } from 'vitest';
import { fillNormal, portableLog } from '../src/network/random.js';
import { rng } from './reference.js';

/** Distance in units in the last place between two positive doubles. */
function ulps(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  return Math.abs(Number(view.getBigInt64(0) - view.getBigInt64(8)));
}

describe('portableLog', () => {
  it('is within 1 ulp of Math.log over the range the polar method uses and beyond', () => {
    const random = rng(3);
    const values = [1, 2, 0.5, Math.SQRT2, Math.SQRT1_2, 1 - 2 ** -53, 1 + 2 ** -52, 2 ** -1074, 2 ** -1022, 1e-300, 1.7976931348623157e308];
    for (let i = 0; i < 100_000; i++) values.push((random() + 1) / 2); // (0, 1)
    for (let i = 0; i < 10_000; i++) values.push(2 ** (random() * 1000) * (1 + 1e-9 * random()));
    for (let i = 0; i < 10_000; i++) values.push(1 + random() * 2 ** -20); // |f| < 2^-20 branch
    let worst = 0;
    for (const v of values) {
      const [got, want] = [portableLog(v), Math.log(v)];
      expect(Math.sign(got)).toBe(Math.sign(want));
      worst = Math.max(worst, got === want ? 0 : ulps(Math.abs(got), Math.abs(want)));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(portableLog(1)).toBe(0);
  });
});

describe('fillNormal', () => {
  it('gives N(0, 1) moments and no correlation between neighbours', () => {
    const z = new Float64Array(1_000_000);
    fillNormal(z, 42);
    const N = z.length;
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    let lag = 0;
    for (let i = 0; i < N; i++) {
      m1 += z[i];
      m2 += z[i] ** 2;
      m4 += z[i] ** 4;
      if (i > 0) lag += z[i] * z[i - 1];
    }
    // Standard errors over 10⁶ draws: mean 1e-3, variance √2·1e-3, fourth moment √96·1e-3, lag product 1e-3; 5σ bounds.
    expect(Math.abs(m1 / N)).toBeLessThan(5e-3);
    expect(Math.abs(m2 / N - 1)).toBeLessThan(5 * Math.SQRT2 * 1e-3);
    expect(Math.abs(m4 / N - 3)).toBeLessThan(5 * Math.sqrt(96) * 1e-3);
    expect(Math.abs(lag / N)).toBeLessThan(5e-3);
  });

  it('is a function of the seed, both of its 32-bit words', () => {
    const draw = (seed: number) => {
      const z = new Float64Array(7);
      fillNormal(z, seed);
      return Array.from(z);
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1)).not.toEqual(draw(2 ** 32 + 1));
    expect(draw(0)).not.toEqual(draw(2 ** 32));
  });
});
