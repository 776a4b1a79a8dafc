// Ensembles certify their test points in slices when k × m × C cost tables
// would be large (src/certify/coordinator.ts testSlices): the coordinator then holds
// one slice's tables at a time. Every point is aggregated, refined and given
// its witness on its own, so the slices must change nothing: checked here
// against one whole-set run, with the exact search and witnesses on.
import { beforeAll, describe, expect, it } from 'vitest';
import { coordinate, COST_TABLE_BYTES, testSlices } from '../src/certify/coordinator.js';
import { resolveOptions } from '../src/certify/options.js';
import { InlinePool } from '../src/pool/inline.js';
import type { PartitionPool } from '../src/pool/pool.js';
import { compileCore } from '../src/wasm/core.js';
import { rng } from './reference.js';

describe('testSlices', () => {
  it('covers the test points in order, in near-equal slices whose tables fit the budget', () => {
    for (const [m, k, C, budget] of [[10_000, 1000, 10, COST_TABLE_BYTES], [1, 5, 2, 10], [997, 13, 43, 200_000], [50, 2, 2, COST_TABLE_BYTES]]) {
      const slices = testSlices(m, k, C, budget);
      let next = 0;
      for (const [first, count] of slices) {
        expect(first).toBe(next);
        expect(count).toBeGreaterThan(0);
        // One point's tables may exceed a tiny budget; otherwise a slice fits it.
        if (k * (8 * C + 5) <= budget) expect(count * k * (8 * C + 5)).toBeLessThanOrEqual(budget);
        next += count;
      }
      expect(next).toBe(m);
      const sizes = slices.map(([, c]) => c);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(Math.ceil(m / slices.length));
    }
    // The case: k = 1,000, m = 10,000, C = 10 → 800 MB of tables at once without slices.
    const slices = testSlices(10_000, 1000, 10);
    expect(slices.length).toBe(7);
    expect(Math.max(...slices.map(([, c]) => c)) * 1000 * 85).toBeLessThan(COST_TABLE_BYTES);
  });
});

describe('coordinate in test slices', () => {
  let module: WebAssembly.Module;
  beforeAll(async () => {
    module = await compileCore();
  });

  /** Four noisy classes around random centres: base models of ~40 rows disagree, so radii are small and refinement runs. */
  function problem(seed: number) {
    const random = rng(seed);
    const d = 6;
    const C = 4;
    const centres = Array.from({ length: C }, () => Array.from({ length: d }, () => random() * 2 - 1));
    const sample = (rows: number) => {
      const x: number[][] = [];
      const y: number[] = [];
      for (let i = 0; i < rows; i++) {
        const c = Math.floor(random() * C);
        x.push(centres[c].map((v) => v + (random() - 0.5) * 1.6));
        y.push(random() < 0.15 ? Math.floor(random() * C) : c);
      }
      return { x, y };
    };
    return { train: sample(240), test: sample(90), C };
  }

  it('gives the same points, witnesses included, as one whole-set run', async () => {
    const { train, test } = problem(1);
    const resolved = resolveOptions({ train, test, partitions: 6, witness: true, profile: true }, 1);
    const inline = new InlinePool(module);
    const modes: string[] = [];
    const pool: PartitionPool = {
      threads: 1,
      run: (task, onBlock, signal) => (modes.push(task.mode), inline.run(task, onBlock, signal)),
      train: (task, signal) => inline.train(task, signal),
      close: () => inline.close(),
    };
    const whole = await coordinate(resolved, pool);
    // The exact search (refine.ts) and the witness pass both ran.
    expect(modes).toContain('exact');
    expect(modes).toContain('attacks');
    modes.length = 0;
    // 6 partitions × (8·4 + 5) bytes per point: a budget of 20 points' tables gives 5 slices.
    const sliced = await coordinate(resolved, pool, undefined, 20 * 6 * 37);
    expect(modes.filter((m) => m === 'costs')).toHaveLength(5 * 6);
    expect(modes).toContain('exact');
    expect(testSlices(90, 6, 4, 20 * 6 * 37)).toHaveLength(5);
    expect(sliced.points).toEqual(whole.points);
    expect(sliced.config).toEqual(whole.config);
    expect({ ...sliced.summary, seconds: 0 }).toEqual({ ...whole.summary, seconds: 0 });
    // The second passes ran (witnesses at least), in every slice: more tasks than the first passes' 5 × 6.
    expect(whole.points.some((p) => (p.witness?.length ?? 0) > 0)).toBe(true);
    expect(sliced.profile!.tasks).toBeGreaterThan(5 * 6);
    expect(whole.profile!.tasks).toBeGreaterThan(6);
    await inline.close();
  });
});
