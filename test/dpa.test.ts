import { describe, expect, it } from 'vitest';
import { dpaRadius, majority } from '../src/ensemble/dpa.js';
import { FlipcertError } from '../src/errors.js';
import { rng } from './reference.js';

describe('majority', () => {
  it('takes the most votes, ties to the lowest class', () => {
    expect(majority([3, 5, 2])).toBe(1);
    expect(majority([4, 4, 0])).toBe(0);
    expect(majority([0, 4, 4])).toBe(1);
    expect(majority([0, 0, 0])).toBe(0);
    expect(() => majority([])).toThrow(FlipcertError);
  });
});

describe('dpaRadius', () => {
  it('matches hand-worked vote vectors', () => {
    // [3, 5, 2], c = 1. Rival 0 (< c, wins ties): ⌊(5 − 3 − 1)/2⌋ = 0; rival 2: ⌊(5 − 2)/2⌋ = 1.
    // Indeed one flip 1 → 0 gives [4, 4, 2], a tie that class 0 wins.
    expect(dpaRadius([3, 5, 2], 1)).toBe(0);
    // [2, 5, 3], c = 1. Rival 0: ⌊(5 − 2 − 1)/2⌋ = 1; rival 2: ⌊(5 − 3)/2⌋ = 1.
    // One flip gives [3, 4, 3] or [2, 4, 4] (tie won by 1): safe; two flips 1 → 2 give [2, 3, 5].
    expect(dpaRadius([2, 5, 3], 1)).toBe(1);
    // [4, 4, 0], c = 0 by tie-break. Rival 1: ⌊(4 − 4 − 0)/2⌋ = 0 (one flip 0 → 1 wins); rival 2: 2.
    expect(dpaRadius([4, 4, 0], 0)).toBe(0);
    // [0, 4, 4], c = 1. Rival 2 (> c): ⌊0/2⌋ = 0; rival 0: ⌊(4 − 0 − 1)/2⌋ = 1.
    expect(dpaRadius([0, 4, 4], 1)).toBe(0);
    // [1, 6], c = 1. Rival 0 (< c): ⌊(6 − 1 − 1)/2⌋ = 2. Check: 2 flips → [3, 4] safe; 3 → [4, 3] lost.
    expect(dpaRadius([1, 6], 1)).toBe(2);
    // [6, 1], c = 0. Rival 1 (> c): ⌊(6 − 1)/2⌋ = 2. Check: 2 flips → [4, 3] safe; 3 → [3, 4] lost.
    expect(dpaRadius([6, 1], 0)).toBe(2);
    // [7, 0], c = 0: ⌊7/2⌋ = 3 (3 flips → [4, 3]; 4 → [3, 4]).
    expect(dpaRadius([7, 0], 0)).toBe(3);
  });

  it('is Infinity with a single class', () => {
    expect(dpaRadius([7], 0)).toBe(Infinity);
  });

  it('agrees with simulating the cheapest vote moves', () => {
    // Each flip moves one vote; the fastest way for a rival is to take votes from c.
    const random = rng(11);
    for (let trial = 0; trial < 2000; trial++) {
      const classes = 2 + Math.floor(random() * 5);
      const votes = Array.from({ length: classes }, () => Math.floor(random() * 8));
      const c = majority(votes);
      let fewest = Infinity;
      for (let rival = 0; rival < classes; rival++) {
        if (rival === c) continue;
        const v = [...votes];
        let flips = 0;
        while (majority(v) === c) {
          v[c]--;
          v[rival]++;
          flips++;
        }
        fewest = Math.min(fewest, flips);
      }
      expect(dpaRadius(votes, c)).toBe(fewest - 1);
    }
  });

  it('rejects a prediction that is not the majority or not a class', () => {
    expect(() => dpaRadius([3, 5], 0)).toThrow(/not the majority/);
    expect(() => dpaRadius([3, 5], 2)).toThrow(/not a class/);
  });
});
