// Ensemble witnesses (docs/spec.md §5.6): the knapsack's choice costs what the
// knapsack says, and every reported witness, applied to the training labels
// and certified again through the public API (every partition retrained with
// the flipped labels), changes the ensemble's prediction with upper + 1 flips.
import { describe, expect, it } from 'vitest';
import { knapsackChoice } from '../src/ensemble/choice.js';
import { majority } from '../src/ensemble/dpa.js';
import { minFlipCost } from '../src/ensemble/knapsack.js';
import { certify } from '../src/index.js';
import { UNREACHABLE } from '../src/types.js';
import { randomRows, rng } from './reference.js';
import { applyFlips } from './reference-cert.js';

describe('the knapsack choice', () => {
  it('costs the knapsack optimum and its picks realise a vote change, on 3000 random instances', () => {
    const random = rng(2024);
    let changed = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const classes = 2 + Math.floor(random() * 4);
      const k = 1 + Math.floor(random() * 9);
      const votes = Int32Array.from({ length: k }, () => Math.floor(random() * classes));
      const costs = new Int32Array(k * classes);
      for (let p = 0; p < k; p++) {
        for (let l = 0; l < classes; l++) {
          costs[p * classes + l] = l === votes[p] ? 0 : random() < 0.15 ? UNREACHABLE : 1 + Math.floor(random() * 6);
        }
      }
      const counts = new Int32Array(classes);
      votes.forEach((v) => counts[v]++);
      const c = majority(counts);
      let best = Infinity;
      for (let r = 0; r < classes; r++) if (r !== c) best = Math.min(best, minFlipCost(votes, costs, classes, c, r));
      const choice = knapsackChoice(votes, costs, classes, c);
      const ctx = `trial ${trial}: votes ${votes} costs ${costs}`;
      if (best === Infinity) {
        expect(choice, ctx).toBeNull();
        continue;
      }
      expect(choice!.cost, ctx).toBe(best);
      expect(choice!.picks.reduce((s, p) => s + p.cost, 0), ctx).toBe(best);
      const after = votes.slice();
      for (const pick of choice!.picks) {
        expect(pick.cost, ctx).toBe(costs[pick.partition * classes + pick.to]);
        expect(pick.to, ctx).not.toBe(votes[pick.partition]);
        after[pick.partition] = pick.to;
      }
      const newCounts = new Int32Array(classes);
      after.forEach((v) => newCounts[v]++);
      expect(majority(newCounts), ctx).not.toBe(c);
      changed++;
    }
    expect(changed).toBeGreaterThan(2000);
  });
});

/** A tiny ensemble: k partitions of 2–4 rows, explicit ids. */
function tinyProblem(seed: number, classes: number) {
  const random = rng(seed);
  const k = 3 + Math.floor(random() * 3);
  const ids: number[] = [];
  for (let p = 0; p < k; p++) {
    const size = 2 + Math.floor(random() * 3);
    for (let i = 0; i < size; i++) ids.push(p);
  }
  const n = ids.length;
  const d = 2 + Math.floor(random() * 3);
  const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
  return {
    trainX: randomRows(random, n, d),
    labels,
    testX: randomRows(random, 4, d),
    ids,
    k,
    classes,
    model: random() < 0.7 ? ('krr' as const) : ('svm' as const),
    reg: [0.01, 0.3, 1][Math.floor(random() * 3)],
  };
}

type Problem = ReturnType<typeof tinyProblem>;

function run(problem: Problem, labels: number[], witness: boolean) {
  return certify({
    train: { x: problem.trainX, y: labels },
    test: { x: problem.testX },
    classes: problem.classes,
    model: problem.model,
    reg: problem.reg,
    partitions: problem.k,
    partitioning: problem.ids,
    threads: 1,
    witness,
  });
}

describe('ensemble witnesses through the public API', () => {
  for (const classes of [2, 3, 4]) {
    it(`change the prediction with upper + 1 flips when applied and re-certified (${classes} classes, 40 ensembles)`, async () => {
      let witnesses = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const problem = tinyProblem(1000 * classes + seed, classes);
        const result = await run(problem, problem.labels, true);
        const plain = await run(problem, problem.labels, false);
        for (const point of result.points) {
          const ctx = `seed ${seed}, point ${point.index}`;
          const { witness, witnessVerified, ...rest } = point;
          // The witness option changes nothing else.
          expect(rest, ctx).toEqual(plain.points[point.index]);
          if (point.upper === problem.labels.length) {
            expect([witness, witnessVerified], ctx).toEqual([[], false]);
            continue;
          }
          expect(witnessVerified, ctx).toBe(true);
          expect(witness!.length, ctx).toBe(point.upper + 1);
          for (const flip of witness!) expect(flip.partition, ctx).toBe(problem.ids[flip.train]);
          const poisoned = applyFlips(problem.labels, witness!, classes);
          const again = await run(problem, poisoned, false);
          expect(again.points[point.index].prediction, ctx).not.toBe(point.prediction);
          witnesses++;
        }
      }
      expect(witnesses).toBeGreaterThan(100);
    });
  }
});
