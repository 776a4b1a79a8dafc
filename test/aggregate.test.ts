import { describe, expect, it } from 'vitest';
import { aggregateBlock, type AggregateInput } from '../src/ensemble/aggregate.js';
import { FlipcertError } from '../src/errors.js';
import { UNREACHABLE } from '../src/types.js';
import { rng } from './reference.js';

/**
 * Brute force for one point: try every assignment of votes to the k
 * partitions, pay ρ_p(l) for each changed vote, and return the cheapest
 * assignment whose majority (ties to lowest) is not c; minus 1, capped.
 */
function bruteRadius(votes: number[], costs: number[][], classes: number, nTrain: number): number {
  const k = votes.length;
  const vote = (vs: number[]) => {
    const counts = new Array<number>(classes).fill(0);
    for (const v of vs) counts[v]++;
    return counts.indexOf(Math.max(...counts));
  };
  const c = vote(votes);
  let best = Infinity;
  const total = classes ** k;
  for (let code = 0; code < total; code++) {
    const vs: number[] = [];
    let cost = 0;
    let rest = code;
    for (let p = 0; p < k; p++) {
      const l = rest % classes;
      rest = Math.floor(rest / classes);
      vs.push(l);
      if (l !== votes[p]) cost += costs[p][l] === UNREACHABLE ? Infinity : costs[p][l];
    }
    if (cost < best && vote(vs) !== c) best = cost;
  }
  return best === Infinity ? nTrain : Math.min(best - 1, nTrain);
}

function randomBlock(random: () => number, k: number, m: number, classes: number): AggregateInput {
  const votes: Int32Array[] = [];
  const lower: Int32Array[] = [];
  const upper: Int32Array[] = [];
  for (let p = 0; p < k; p++) {
    const v = new Int32Array(m);
    const lo = new Int32Array(m * classes);
    const up = new Int32Array(m * classes);
    for (let j = 0; j < m; j++) {
      v[j] = Math.floor(random() * classes);
      for (let l = 0; l < classes; l++) {
        if (l === v[j]) continue;
        lo[j * classes + l] = 1 + Math.floor(random() * 4);
        // The upper bound is the lower one, sometimes raised or unknown.
        const r = random();
        up[j * classes + l] = r < 0.6 ? lo[j * classes + l] : r < 0.9 ? lo[j * classes + l] + 1 + Math.floor(random() * 3) : UNREACHABLE;
      }
    }
    votes.push(v);
    lower.push(lo);
    upper.push(up);
  }
  return { votes, lower, upper, classes, nTrain: 40, m };
}

describe('aggregateBlock', () => {
  it('matches brute force per point for both cost tables, and sandwiches correctly', () => {
    const random = rng(42);
    let exact = 0;
    let inexact = 0;
    for (let trial = 0; trial < 60; trial++) {
      const k = 1 + Math.floor(random() * 4);
      const classes = 2 + Math.floor(random() * 2);
      const input = randomBlock(random, k, 8, classes);
      const out = aggregateBlock(input);
      for (let j = 0; j < input.m; j++) {
        const votes = input.votes.map((v) => v[j]);
        const counts = new Array<number>(classes).fill(0);
        for (const v of votes) counts[v]++;
        expect([...out.votes.subarray(j * classes, (j + 1) * classes)]).toEqual(counts);
        expect(out.prediction[j]).toBe(counts.indexOf(Math.max(...counts)));
        const lo = input.lower.map((t) => [...t.subarray(j * classes, (j + 1) * classes)]);
        const up = input.upper.map((t) => [...t.subarray(j * classes, (j + 1) * classes)]);
        expect(out.radius[j]).toBe(bruteRadius(votes, lo, classes, input.nTrain));
        expect(out.upper[j]).toBe(bruteRadius(votes, up, classes, input.nTrain));
        expect(out.radius[j]).toBeLessThanOrEqual(out.upper[j]);
        expect(out.dpaRadius[j]).toBeLessThanOrEqual(out.radius[j]);
        if (out.radius[j] === out.upper[j]) exact++;
        else inexact++;
      }
    }
    expect(exact).toBeGreaterThan(50);
    expect(inexact).toBeGreaterThan(20);
  });

  it('computes DPA from the vote counts (hand-made block)', () => {
    // 3 partitions, 2 points, 2 classes, every move costs 1 flip.
    // Point 0: votes 1, 1, 0 → counts [1, 2], c = 1, DPA ⌊(2 − 1 − 1)/2⌋ = 0.
    // Point 1: votes 0, 0, 0 → counts [3, 0], c = 0, DPA ⌊3/2⌋ = 1.
    const ones = () => Int32Array.from([1, 1, 1, 1]);
    const input: AggregateInput = {
      votes: [Int32Array.from([1, 0]), Int32Array.from([1, 0]), Int32Array.from([0, 0])],
      lower: [ones(), ones(), ones()],
      upper: [ones(), ones(), ones()],
      classes: 2,
      nTrain: 30,
      m: 2,
    };
    const out = aggregateBlock(input);
    expect([...out.prediction]).toEqual([1, 0]);
    expect([...out.votes]).toEqual([1, 2, 3, 0]);
    expect([...out.dpaRadius]).toEqual([0, 1]);
    // All costs 1: EnsembleCert equals DPA.
    expect([...out.radius]).toEqual([0, 1]);
    expect([...out.upper]).toEqual([0, 1]);
  });

  it('rejects inconsistent shapes with FlipcertError naming the partition', () => {
    const good = randomBlock(rng(1), 2, 3, 2);
    expect(() => aggregateBlock({ ...good, votes: [good.votes[0], good.votes[1].subarray(1)] })).toThrow(/partition 1 has 2 votes/);
    expect(() => aggregateBlock({ ...good, upper: [good.upper[0], good.upper[1].subarray(1)] })).toThrow(/partition 1 upper costs/);
    expect(() => aggregateBlock({ ...good, lower: [good.lower[0]] })).toThrow(FlipcertError);
    expect(() => aggregateBlock({ ...good, votes: [] })).toThrow(/no partitions/);
    // Its inputs come from the workers, never from a user: a failure is a bug.
    expect(() => aggregateBlock({ ...good, votes: [] })).toThrow(expect.objectContaining({ code: 'EINTERNAL' }));
  });
});
