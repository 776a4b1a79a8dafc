// The exact per-partition vote cost (src/partition/exact-cost.ts, docs/spec.md
// §5.7) against enumeration of every label vector on tiny partitions with 3
// and 4 classes: the search never claims a cost the truth contradicts, and
// every attack it returns, applied and re-scored, votes the target.
import { beforeAll, describe, expect, it } from 'vitest';
import { voteCosts } from '../src/partition/certificate.js';
import { exactVoteCost } from '../src/partition/exact-cost.js';
import { UNREACHABLE } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { betaRows, predictFromBeta, randomRows, rng, type ModelParams } from './reference.js';
import { bruteMinFlipsTo, distance } from './reference-cert.js';
import { exactMinFlipsTo, exactPredict, exactRow } from './reference-exact.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

function costsOf(beta: number[][], labels: number[], classes: number) {
  return core.heap.scoped(() => {
    const betaPtr = core.heap.putF64(beta.flat());
    const labelsPtr = core.heap.putI32(labels);
    return voteCosts(core, betaPtr, labelsPtr, beta.length, labels.length, classes);
  });
}

/** Applies (row, new label) pairs. */
function applyPairs(labels: number[], flips: Int32Array): number[] {
  const out = labels.slice();
  for (let k = 0; k < flips.length; k += 2) out[flips[k]] = flips[k + 1];
  return out;
}

/**
 * Checks one search; returns false when it answered `rounding` (an exact tie
 * such as two empty classes' zero scores lies inside the band: undecided, sound).
 */
function checkSearch(row: number[], labels: number[], classes: number, l: number, lower: number, upper: number, truth: number, ctx: string): boolean {
  const got = exactVoteCost(row, labels, classes, l, lower, upper);
  if (got.status === 'rounding') {
    expect(got.lower, ctx).toBeLessThanOrEqual(truth);
    return false;
  }
  expect(got.status, ctx).toBe('exact');
  expect(got.lower, ctx).toBe(truth);
  if (got.lower < upper) {
    const poisoned = applyPairs(labels, got.flips!);
    expect(distance(poisoned, labels), ctx).toBe(truth);
    expect(predictFromBeta(row, poisoned, classes), ctx).toBe(l);
    expect(exactPredict(exactRow(row), poisoned, classes), ctx).toBe(l);
  }
  return true;
}

describe('exact vote cost vs enumeration', () => {
  it('equals the enumerated cost on 400 tiny NTK partitions (3 and 4 classes), from the core bounds and from [1, truth + 1]', () => {
    const random = rng(8080);
    let searched = 0;
    let gapsClosed = 0;
    let undecided = 0;
    for (let trial = 0; trial < 400; trial++) {
      const classes = trial % 2 === 0 ? 3 : 4;
      const n = 3 + Math.floor(random() * (classes === 3 ? 6 : 4));
      const d = 2 + Math.floor(random() * 3);
      const params: ModelParams = {
        model: random() < 0.3 ? 'svm' : 'krr',
        reg: [0.01, 0.1, 1][Math.floor(random() * 3)],
        kernel: { depth: 1 + Math.floor(random() * 3), wVar: 2, bVar: 0 },
      };
      const trainX = randomRows(random, n, d);
      const testX = randomRows(random, 2, d);
      const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
      const beta = betaRows(trainX, testX, params);
      const costs = costsOf(beta, labels, classes);
      beta.forEach((row, p) => {
        const truth = bruteMinFlipsTo(row, labels, classes);
        const exactTruth = exactMinFlipsTo(row, labels, classes);
        const vote = costs.votes[p];
        for (let l = 0; l < classes; l++) {
          if (l === vote || !Number.isFinite(truth[l])) continue;
          const ctx = `trial ${trial}, point ${p}, class ${l}: β ${row} y ${labels}`;
          expect(exactTruth[l], ctx).toBe(truth[l]); // random reals: no rounding ties
          if (!checkSearch(row, labels, classes, l, 1, truth[l] + 1, truth[l], `${ctx} [1, truth + 1]`)) undecided++;
          const lower = costs.lower[p * classes + l];
          const upper = costs.upper[p * classes + l];
          if (lower < upper && upper !== UNREACHABLE) {
            if (checkSearch(row, labels, classes, l, lower, upper, truth[l], `${ctx} [${lower}, ${upper}]`)) gapsClosed++;
          }
          searched++;
        }
      });
    }
    expect(searched).toBeGreaterThan(800);
    expect(gapsClosed).toBeGreaterThan(5);
    // Only exact ties (empty classes score exactly 0) are left undecided.
    expect(undecided / searched).toBeLessThan(0.03);
  });

  it('is exact or says why not on decimal weights (sums equal in decimal, not in float)', () => {
    const random = rng(99);
    const units = [0.1, 1 / 3, 0.7, 0.01];
    let exact = 0;
    let unsure = 0;
    for (let trial = 0; trial < 600; trial++) {
      const classes = trial % 2 === 0 ? 3 : 4;
      const n = 2 + Math.floor(random() * (classes === 3 ? 6 : 4));
      const unit = units[trial % units.length];
      const row = Array.from({ length: n }, () => unit * (Math.floor(random() * 7) - 3));
      const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
      const floatTruth = bruteMinFlipsTo(row, labels, classes);
      const exactTruth = exactMinFlipsTo(row, labels, classes);
      const vote = predictFromBeta(row, labels, classes);
      if (exactPredict(exactRow(row), labels, classes) !== vote) continue;
      for (let l = 0; l < classes; l++) {
        if (l === vote || !Number.isFinite(floatTruth[l]) || !Number.isFinite(exactTruth[l])) continue;
        const ctx = `trial ${trial}, class ${l}: β ${row} y ${labels}`;
        const top = Math.max(floatTruth[l], exactTruth[l]) + 1;
        const got = exactVoteCost(row, labels, classes, l, 1, top);
        if (got.status === 'exact') {
          expect(got.lower, ctx).toBe(floatTruth[l]);
          expect(got.lower, ctx).toBe(exactTruth[l]);
          if (got.lower < top) {
            const poisoned = applyPairs(labels, got.flips!);
            expect(predictFromBeta(row, poisoned, classes), ctx).toBe(l);
            expect(exactPredict(exactRow(row), poisoned, classes), ctx).toBe(l);
          }
          exact++;
        } else {
          expect(got.status, ctx).toBe('rounding');
          expect(got.lower, ctx).toBeLessThanOrEqual(Math.min(floatTruth[l], exactTruth[l]));
          unsure++;
        }
      }
    }
    expect(exact).toBeGreaterThan(500);
    expect(unsure).toBeGreaterThan(0);
  });
});

describe('exact vote cost: the cases the mutation audit found untested (issue 21 item 12)', () => {
  /** A partition where most points share a class, with near-equal weights of both signs: the search must backtrack. */
  function crowded(random: () => number, classes: number, n: number): { row: number[]; labels: number[] } {
    const main = Math.floor(random() * classes);
    const labels = Array.from({ length: n }, (_, i) => (i < n - 3 ? main : Math.floor(random() * classes)));
    // Weights close to each other (exchanges between them matter), some negative, one outsized.
    const row = labels.map((_, i) => (i === 0 ? 2.5 : 1) * (random() < 0.3 ? -1 : 1) * (0.8 + 0.4 * random()));
    return { row, labels };
  }

  it('equals the enumerated cost with many same-class items (11 points, 3 classes; 9 points, 4 classes) and backtracking', () => {
    const random = rng(2112);
    let searched = 0;
    let deep = 0;
    for (let trial = 0; trial < 80; trial++) {
      const classes = trial % 2 === 0 ? 3 : 4;
      const { row, labels } = crowded(random, classes, classes === 3 ? 11 : 9);
      const truth = bruteMinFlipsTo(row, labels, classes);
      const vote = predictFromBeta(row, labels, classes);
      for (let l = 0; l < classes; l++) {
        if (l === vote || !Number.isFinite(truth[l])) continue;
        const ctx = `trial ${trial}, class ${l}: β ${row} y ${labels}`;
        // From 1: every smaller s must be proven impossible before the answer (the search backtracks through them).
        expect(checkSearch(row, labels, classes, l, 1, truth[l] + 2, truth[l], ctx), ctx).toBe(true);
        searched++;
        if (truth[l] >= 3) deep++;
      }
    }
    expect(searched).toBeGreaterThan(150);
    expect(deep).toBeGreaterThan(15);
  });

  it('equals the enumerated cost where negative weights must go to the right rival (kinds B and C, 4 classes, 9 points)', () => {
    // Points of l with β < 0 (kind B) and of a rival with β < 0 (kind C) have several destinations; only
    // some of them make l win in the fewest flips, so the search must try each (not only the likeliest).
    const random = rng(2115);
    let searched = 0;
    for (let trial = 0; trial < 60; trial++) {
      const classes = 4;
      const labels = Array.from({ length: 9 }, () => Math.floor(random() * classes));
      const row = labels.map(() => (random() < 0.6 ? -1 : 1) * (0.2 + random()));
      const truth = bruteMinFlipsTo(row, labels, classes);
      const vote = predictFromBeta(row, labels, classes);
      for (let l = 0; l < classes; l++) {
        if (l === vote || !Number.isFinite(truth[l])) continue;
        const ctx = `trial ${trial}, class ${l}: β ${row} y ${labels}`;
        expect(checkSearch(row, labels, classes, l, 1, truth[l] + 2, truth[l], ctx), ctx).toBe(true);
        searched++;
      }
    }
    expect(searched).toBeGreaterThan(100);
  });

  it('with a small node budget: "budget" with a sound lower bound, never a wrong exact; exact once the budget suffices', () => {
    const random = rng(2113);
    let budgeted = 0;
    let recovered = 0;
    for (let trial = 0; trial < 60; trial++) {
      const classes = 3;
      const { row, labels } = crowded(random, classes, 12);
      const truth = bruteMinFlipsTo(row, labels, classes);
      const vote = predictFromBeta(row, labels, classes);
      for (let l = 0; l < classes; l++) {
        if (l === vote || !Number.isFinite(truth[l]) || truth[l] < 2) continue;
        let exactFrom = Infinity;
        for (const budget of [1, 2, 4, 8, 16, 64, 256, 4096, 200_000]) {
          const ctx = `trial ${trial}, class ${l}, budget ${budget}: β ${row} y ${labels}`;
          const got = exactVoteCost(row, labels, classes, l, 1, truth[l] + 2, budget);
          if (got.status === 'exact') {
            expect(got.lower, ctx).toBe(truth[l]);
            exactFrom = Math.min(exactFrom, budget);
          } else {
            expect(got.status, ctx).toBe('budget');
            expect(got.lower, ctx).toBeGreaterThanOrEqual(1);
            expect(got.lower, ctx).toBeLessThanOrEqual(truth[l]);
            // More nodes never lose an answer already found.
            expect(exactFrom, ctx).toBe(Infinity);
            budgeted++;
          }
        }
        expect(exactFrom).toBeLessThan(Infinity);
        if (exactFrom > 1) recovered++;
      }
    }
    expect(budgeted).toBeGreaterThan(50);
    expect(recovered).toBeGreaterThan(20);
  });

  it('on near ties (two classes whose decimal scores are equal in exact arithmetic): exact agrees with exact arithmetic, else "rounding"', () => {
    const random = rng(2114);
    let exact = 0;
    let rounding = 0;
    let ties = 0;
    const units = [0.1, 0.7, 1 / 3, 0.01];
    for (let trial = 0; ties < 300 && trial < 100_000; trial++) {
      const classes = 3 + (trial % 2);
      const n = 4 + Math.floor(random() * (classes === 3 ? 5 : 3));
      const unit = units[trial % units.length];
      const row = Array.from({ length: n }, () => unit * (Math.floor(random() * 7) - 3));
      const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
      // Only rows where some two classes tie exactly (as rationals): the band decides there, not the sums.
      const scores = Array.from({ length: classes }, (_, c) => labels.reduce((sum, y, i) => (y === c ? sum + Math.round(row[i] / unit) : sum), 0));
      if (new Set(scores).size === classes) continue;
      ties++;
      const floatTruth = bruteMinFlipsTo(row, labels, classes);
      const exactTruth = exactMinFlipsTo(row, labels, classes);
      const vote = predictFromBeta(row, labels, classes);
      // A vote that exact arithmetic does not share is a near tie of the vote itself: flagged, never searched (spec §5.7).
      if (exactPredict(exactRow(row), labels, classes) !== vote) continue;
      for (let l = 0; l < classes; l++) {
        if (l === vote || !Number.isFinite(floatTruth[l]) || !Number.isFinite(exactTruth[l])) continue;
        const top = Math.max(floatTruth[l], exactTruth[l]) + 1;
        const ctx = `trial ${trial}, class ${l}: β ${row} y ${labels}`;
        const got = exactVoteCost(row, labels, classes, l, 1, top);
        if (got.status === 'exact') {
          // Decided outside the band: float and exact arithmetic agree there.
          expect(got.lower, ctx).toBe(exactTruth[l]);
          expect(got.lower, ctx).toBe(floatTruth[l]);
          if (got.lower < top) expect(exactPredict(exactRow(row), applyPairs(labels, got.flips!), classes), ctx).toBe(l);
          exact++;
        } else {
          expect(got.status, ctx).toBe('rounding');
          expect(got.lower, ctx).toBeLessThanOrEqual(Math.min(floatTruth[l], exactTruth[l]));
          rounding++;
        }
      }
    }
    expect(ties).toBe(300);
    expect(exact).toBeGreaterThan(300);
    expect(rounding).toBeGreaterThan(20);
  });
});
