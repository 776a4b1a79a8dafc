import { describe, expect, it } from 'vitest';
import { dpaRadius, majority } from '../src/ensemble/dpa.js';
import { ensembleRadius, KnapsackScratch, minFlipCost } from '../src/ensemble/knapsack.js';
import { minFlipCostDp, partitionOptions } from './reference-knapsack.js';
import { FlipcertError } from '../src/errors.js';
import { UNREACHABLE } from '../src/types.js';
import { rng } from './reference.js';

interface Instance {
  votes: Int32Array;
  costs: Int32Array;
  classes: number;
}

/**
 * Random votes and costs. Small cost ranges make ties and every item shape
 * (dominated, convex, concave) common; `pUnreachable` mixes in impossible moves.
 */
function randomInstance(random: () => number, k: number, classes: number, maxCost: number, pUnreachable: number): Instance {
  const votes = new Int32Array(k);
  const costs = new Int32Array(k * classes);
  for (let p = 0; p < k; p++) {
    votes[p] = Math.floor(random() * classes);
    for (let l = 0; l < classes; l++) {
      if (l === votes[p]) costs[p * classes + l] = 0;
      else costs[p * classes + l] = random() < pUnreachable ? UNREACHABLE : 1 + Math.floor(random() * maxCost);
    }
  }
  return { votes, costs, classes };
}

function countVotes({ votes, classes }: Instance): Int32Array {
  const counts = new Int32Array(classes);
  for (const v of votes) counts[v]++;
  return counts;
}

/**
 * Brute force straight from docs/spec.md §5 with no knapsack reasoning at all: try every
 * assignment of a new vote to every partition (including "keep"), score it by
 * the cost ρ_p of each change, and keep the cheapest that changes the majority
 * to the rival. Independent of the gain/option formulation being tested.
 */
function bruteForceCost(inst: Instance, prediction: number, rival: number): number {
  const { votes, costs, classes } = inst;
  const k = votes.length;
  const choice = new Int32Array(k);
  let best = Infinity;
  const visit = (p: number, cost: number): void => {
    if (cost >= best) return;
    if (p === k) {
      const counts = new Int32Array(classes);
      for (const v of choice) counts[v]++;
      // The rival overtakes when it beats c under the ties-to-lowest rule.
      const beats = counts[rival] > counts[prediction] || (counts[rival] === counts[prediction] && rival < prediction);
      if (beats) best = cost;
      return;
    }
    for (let l = 0; l < classes; l++) {
      const step = l === votes[p] ? 0 : costs[p * classes + l];
      if (step === UNREACHABLE) continue;
      choice[p] = l;
      visit(p + 1, cost + step);
    }
  };
  visit(0, 0);
  return best;
}

describe('knapsack options', () => {
  it('lists the docs/spec.md §5 options for each kind of partition', () => {
    // classes 0..3, prediction c = 0, rival c' = 2.
    const costs = Int32Array.from([0, 5, 3, 4, /* votes 0 */ 7, 0, 2, 9 /* votes 1 */, 1, 1, 0, 1 /* votes 2 */]);
    expect(partitionOptions(0, costs, 0, 4, 0, 2)).toEqual([[2, 3], [1, 4]]); // min(ρ(1)=5, ρ(3)=4) = 4
    expect(partitionOptions(1, costs, 1, 4, 0, 2)).toEqual([[1, 2]]);
    expect(partitionOptions(2, costs, 2, 4, 0, 2)).toEqual([]);
  });
});

describe('minFlipCost', () => {
  it('matches brute-force enumeration on thousands of tiny random instances', () => {
    const random = rng(20240601);
    let checked = 0;
    let infinite = 0;
    for (let trial = 0; trial < 4000; trial++) {
      const k = 1 + Math.floor(random() * 6);
      const classes = 2 + Math.floor(random() * 3);
      const inst = randomInstance(random, k, classes, 1 + Math.floor(random() * 6), random() * 0.4);
      const c = majority(countVotes(inst));
      for (let rival = 0; rival < classes; rival++) {
        if (rival === c) continue;
        const expected = bruteForceCost(inst, c, rival);
        const fast = minFlipCost(inst.votes, inst.costs, classes, c, rival);
        if (fast !== expected) throw new Error(`trial ${trial}: fast ${fast} ≠ brute ${expected} for ${JSON.stringify({ ...inst, votes: [...inst.votes], costs: [...inst.costs], c, rival })}`);
        expect(minFlipCostDp(inst.votes, inst.costs, classes, c, rival)).toBe(expected);
        checked++;
        if (expected === Infinity) infinite++;
      }
    }
    // The generator must exercise both reachable and unreachable rivals.
    expect(checked).toBeGreaterThan(6000);
    expect(infinite).toBeGreaterThan(50);
    expect(checked - infinite).toBeGreaterThan(4000);
  });

  it('matches the plain O(k·G) DP on medium random instances (k = 200)', () => {
    const random = rng(7);
    const scratch = new KnapsackScratch(200);
    for (let trial = 0; trial < 120; trial++) {
      const classes = 2 + (trial % 9);
      const inst = randomInstance(random, 200, classes, trial % 2 ? 3 : 40, (trial % 4) * 0.1);
      // Skew the vote so that G is sometimes large, sometimes small.
      const skew = random();
      for (let p = 0; p < 200; p++) {
        if (random() < skew) {
          inst.costs[p * classes + inst.votes[p]] = 1 + Math.floor(random() * 5);
          inst.votes[p] = 0;
          inst.costs[p * classes] = 0;
        }
      }
      if (trial % 3 === 0) {
        // Every move costs 4..7 (so for a class-0 voter A − B ≤ 3 < 4 ≤ B: all
        // "concave"), and non-0 voters' moves cost 50 more: an odd gain must then
        // come from exactly one class-0 voter's "other class" move.
        for (let p = 0; p < 200; p++) {
          for (let l = 0; l < classes; l++) {
            const at = p * classes + l;
            if (l === inst.votes[p] || inst.costs[at] === UNREACHABLE) continue;
            inst.costs[at] = 4 + Math.floor(random() * 4) + (inst.votes[p] === 0 ? 0 : 50);
          }
        }
      }
      const c = majority(countVotes(inst));
      for (let rival = 0; rival < classes; rival++) {
        if (rival === c) continue;
        expect(minFlipCost(inst.votes, inst.costs, classes, c, rival, scratch)).toBe(
          minFlipCostDp(inst.votes, inst.costs, classes, c, rival),
        );
      }
    }
  });

  it('handles a hand-made concave case where one partition must give only one vote', () => {
    // c = 0, rival 1. Votes: 0, 0, 2 → N_0 = 2, N_1 = 0, G = 2 − 0 + 1 = 3.
    // Partition 0: A (→1) costs 3, B (→2) costs 2 : concave (3 − 2 < 2).
    // Partition 1: A costs 3, B costs 2 : concave too.
    // Partition 2 (votes 2): → 1 costs 10.
    // Best: one A (3) + the other's B (2) = 5 for gain 3; two A's = 6; A + partition 2 = 13.
    const costs = Int32Array.from([0, 3, 2, 0, 3, 2, 10, 10, 0]);
    expect(minFlipCost([0, 0, 2], costs, 3, 0, 1)).toBe(5);
    expect(bruteForceCost({ votes: Int32Array.from([0, 0, 2]), costs, classes: 3 }, 0, 1)).toBe(5);
  });
});

describe('ensembleRadius', () => {
  it('is never below DPA and equals brute force minus one on random instances', () => {
    const random = rng(99);
    for (let trial = 0; trial < 1500; trial++) {
      const k = 1 + Math.floor(random() * 6);
      const classes = 1 + Math.floor(random() * 4);
      const inst = randomInstance(random, k, classes, 5, random() * 0.3);
      const counts = countVotes(inst);
      const c = majority(counts);
      const nTrain = 50;
      const radius = ensembleRadius(inst.votes, inst.costs, classes, c, nTrain);
      let brute = Infinity;
      for (let rival = 0; rival < classes; rival++) if (rival !== c) brute = Math.min(brute, bruteForceCost(inst, c, rival));
      expect(radius).toBe(brute === Infinity ? nTrain : Math.min(brute - 1, nTrain));
      expect(radius).toBeGreaterThanOrEqual(Math.min(dpaRadius(counts, c), nTrain));
    }
  });

  it('equals DPA exactly when every move costs one flip', () => {
    const random = rng(3);
    for (let trial = 0; trial < 3000; trial++) {
      const k = 1 + Math.floor(random() * 60);
      const classes = 2 + Math.floor(random() * 9);
      const inst = randomInstance(random, k, classes, 1, 0);
      const counts = countVotes(inst);
      const c = majority(counts);
      expect(ensembleRadius(inst.votes, inst.costs, classes, c, 10_000)).toBe(dpaRadius(counts, c));
    }
  });

  it('caps at nTrain and returns nTrain when nothing can change the vote', () => {
    const U = UNREACHABLE;
    // Two partitions voting 0 that cannot be moved: no rival can win.
    expect(ensembleRadius([0, 0], Int32Array.from([0, U, 0, U]), 2, 0, 17)).toBe(17);
    // One partition, cost 40 to flip → radius 39, capped at 30.
    expect(ensembleRadius([1], Int32Array.from([40, 0]), 2, 1, 30)).toBe(30);
    expect(ensembleRadius([1], Int32Array.from([40, 0]), 2, 1, 100)).toBe(39);
    // A single class: nothing to switch to.
    expect(ensembleRadius([0, 0, 0], Int32Array.from([0, 0, 0]), 1, 0, 9)).toBe(9);
  });

  it('rejects bad input with FlipcertError', () => {
    const costs = Int32Array.from([0, 1, 1, 0]);
    expect(() => ensembleRadius([0, 1], costs, 2, 1, 5)).toThrow(/not the majority/);
    expect(() => ensembleRadius([0, 2], costs, 2, 0, 5)).toThrow(/partition 1 voted 2/);
    expect(() => ensembleRadius([0, 1], costs.subarray(1), 2, 0, 5)).toThrow(FlipcertError);
    expect(() => ensembleRadius([0, 1], Int32Array.from([0, -1, 1, 0]), 2, 0, 5)).toThrow(/negative/);
    expect(() => ensembleRadius([0, 1], costs, 2, 1, 5)).toThrow(expect.objectContaining({ code: 'EINTERNAL' }));
  });
});
