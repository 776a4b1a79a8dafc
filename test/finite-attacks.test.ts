// The attacks and weights of `validate` (docs/spec.md §12.3) against brute force
// on tiny problems: the greedy attack of r flips on a model linear in the labels
// reaches the largest margin excess any r flips reach; witness-strongest keeps
// the strongest flips; the JS KRR solve equals the scalar oracle's.
import { describe, expect, it } from 'vitest';
import { applyFlips, bestFlip, greedyAttack, marginGain, strongestFlips } from '../src/network/attacks.js';
import { krrWeights } from '../src/network/krr-weights.js';
import { betaRows, forEachLabelVector, ntkMatrix, randomRows, rng, DEFAULT_KERNEL } from './reference.js';

function scoresOf(beta: number[], labels: ArrayLike<number>, classes: number): number[] {
  const s = new Array<number>(classes).fill(0);
  beta.forEach((b, i) => (s[labels[i]] += b));
  return s;
}

describe('greedyAttack', () => {
  it('is, for a linear model, the r flips with the largest margin excess over every label vector (brute force)', () => {
    const random = rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const n = 6;
      const C = 3;
      const beta = Array.from({ length: n }, () => random() * 2 - 1);
      const labels = Array.from({ length: n }, () => Math.floor(random() * C));
      const scores = scoresOf(beta, labels, C);
      let c = 0;
      for (let k = 1; k < C; k++) if (scores[k] > scores[c]) c = k;
      for (const r of [1, 2, 3]) {
        const attack = greedyAttack(beta, labels, C, scores, r);
        expect(attack).toHaveLength(r);
        expect(new Set(attack.map((f) => f.train)).size).toBe(r);
        for (const f of attack) expect(f.from).toBe(labels[f.train]);
        for (const f of attack) expect(f.to).not.toBe(f.from);
        // Its excess: the best over classes c2 of (margin reduction − margin), computed on the attacked labels.
        const after = scoresOf(beta, applyFlips(Int32Array.from(labels), attack), C);
        const excessOf = (s: number[]) => Math.max(...[0, 1, 2].filter((k) => k !== c).map((k) => s[k] - s[c]));
        let best = -Infinity;
        forEachLabelVector(labels, C, (current, flips) => {
          if (flips === r) best = Math.max(best, excessOf(scoresOf(beta, current, C)));
        });
        expect(excessOf(after)).toBeCloseTo(best, 12);
      }
    }
  });

  it('ranks ties by the lower training row and takes each row’s best relabelling', () => {
    const beta = [0.5, 0.5, -0.5, 0.1];
    const labels = [0, 0, 1, 1];
    // Prediction 0 (score 1 vs −0.4); every row's best flip against c2 = 1 gains 2·|β| or |β|·…
    const attack = greedyAttack(beta, labels, 2, scoresOf(beta, labels, 2), 2);
    expect(attack).toEqual([
      { train: 0, from: 0, to: 1 },
      { train: 1, from: 0, to: 1 },
    ]);
    expect(bestFlip(-0.5, 1, 2, 0, 1)).toEqual({ to: 0, gain: 1 });
    expect(marginGain(0.5, 0, 1, 0, 1)).toBe(1);
    expect(marginGain(0.5, 2, 1, 0, 1)).toBe(0.5);
  });
});

describe('strongestFlips', () => {
  it('drops the weakest flip of a witness (ties: the higher row is kept)', () => {
    const beta = [0.3, 0.1, 0.3, -0.2];
    const witness = [
      { train: 0, from: 0, to: 1 },
      { train: 1, from: 0, to: 1 },
      { train: 2, from: 0, to: 1 },
      { train: 3, from: 1, to: 0 },
    ];
    // Gains 0.6, 0.2, 0.6, 0.4: the weakest is row 1.
    expect(strongestFlips(witness, beta, 0, 1, 3)).toEqual([witness[0], witness[2], witness[3]]);
    // Two flips: 0.6 and 0.6 (rows 0 and 2); one flip: the tie goes to the higher row.
    expect(strongestFlips(witness, beta, 0, 1, 2)).toEqual([witness[0], witness[2]]);
    expect(strongestFlips(witness, beta, 0, 1, 1)).toEqual([witness[2]]);
  });
});

describe('krrWeights', () => {
  it('solves (K + λ̃I) β = k(X, x) like the scalar oracle', () => {
    const random = rng(5);
    const train = randomRows(random, 9, 4);
    const test = randomRows(random, 3, 4);
    const all = [...train, ...test];
    const K = Float64Array.from(ntkMatrix(all, all).flat());
    const beta = krrWeights(K, 9, 3, 0.3);
    const expected = betaRows(train, test, { model: 'krr', reg: 0.3, kernel: DEFAULT_KERNEL });
    for (let q = 0; q < 3; q++) for (let i = 0; i < 9; i++) expect(beta[q * 9 + i]).toBeCloseTo(expected[q][i], 11);
  });
});
