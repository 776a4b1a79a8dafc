// Pins for the rounding rules and the attack behind upper bounds: each test
// here fails when the behaviour it names is broken (checked by mutating the
// core; see the README's "Rounding"). Answers are re-checked by exact (BigInt)
// and plain float enumeration.
import { beforeAll, describe, expect, it } from 'vitest';
import { certify } from '../src/index.js';
import { singleCertificates, voteAttack, voteCosts } from '../src/partition/certificate.js';
import { UNREACHABLE } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { predictFromBeta, rng } from './reference.js';
import { applyFlips, bruteMinFlips, bruteMinFlipsTo, distance } from './reference-cert.js';
import { exactMinFlips, exactMinFlipsTo, exactPredict, exactRow } from './reference-exact.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

function single(beta: number[], labels: number[], classes: number) {
  return core.heap.scoped(() => {
    const cert = singleCertificates(core, core.heap.putF64(beta), core.heap.putI32(labels), 1, labels.length, classes, true);
    return { prediction: cert.prediction[0], radius: cert.radius[0], near: cert.nearTie[0], upper: cert.upper[0], witness: cert.witnesses![0] };
  });
}

function costs(beta: number[], labels: number[], classes: number) {
  return core.heap.scoped(() => {
    const c = voteCosts(core, core.heap.putF64(beta), core.heap.putI32(labels), 1, labels.length, classes);
    return { vote: c.votes[0], lower: Array.from(c.lower), upper: Array.from(c.upper), near: c.nearTie[0] };
  });
}

function attack(beta: number[], labels: number[], classes: number, target: number) {
  return core.heap.scoped(() => voteAttack(core, core.heap.putF64(beta), core.heap.putI32(labels), labels.length, classes, target));
}

/** The witness flips the prediction under exact and under plain float re-scoring. */
function expectFlips(beta: number[], labels: number[], classes: number, witness: { train: number; from: number; to: number }[], clean: number) {
  expect(witness.length).toBeGreaterThan(0);
  const poisoned = applyFlips(labels, witness, classes);
  expect(exactPredict(exactRow(beta), poisoned, classes)).not.toBe(clean);
  expect(predictFromBeta(beta, poisoned, classes)).not.toBe(clean);
}

describe('the size of the rounding band (relative 1e-12 of Σ|β| of the pair + S)', () => {
  // β = [1, 1, δ], labels [0, 0, 1]: prediction 0, margin M = 2 − δ. One flip
  // (a β = 1 row to class 1) gains 2, so S − M = δ, against a band of
  // 1e-12 · (A_0 + A_1 + S) ≈ 4e-12. δ > 0: one flip wins (radius 0); δ < 0: it
  // falls short and two are needed (radius 1). `upper` is the two-class vote
  // cost's upper bound, from a re-scored attack (two flips when one only ties).
  const cases = [
    { delta: 1e-12, radius: 0, near: 1, upper: 2 }, // inside, above: right count, but within rounding
    { delta: -1e-12, radius: 0, near: 1, upper: 2 }, // inside, below: the attacker is given the doubt (sound)
    { delta: 8e-12, radius: 0, near: 0, upper: 1 }, // just outside (twice the band): exact
    { delta: -8e-12, radius: 1, near: 0, upper: 2 },
    { delta: 1e-9, radius: 0, near: 0, upper: 1 }, // far outside
    { delta: -1e-9, radius: 1, near: 0, upper: 2 },
  ];
  for (const { delta, radius, near, upper } of cases) {
    it(`δ = ${delta}: radius ${radius}, nearTie ${near}`, () => {
      const beta = [1, 1, delta];
      const labels = [0, 0, 1];
      const truth = exactMinFlips(beta, labels, 2) - 1;
      expect(truth).toBe(delta > 0 ? 0 : 1);
      expect(bruteMinFlips(beta, labels, 2) - 1).toBe(truth);
      const cert = single(beta, labels, 2);
      expect(cert).toMatchObject({ prediction: 0, radius, near, upper: upper - 1 });
      expectFlips(beta, labels, 2, cert.witness, 0);
      // The witness is the attack behind `upper`: minimal when unflagged, the re-scored strict one when not.
      expect(cert.witness).toHaveLength(upper);
      const c = costs(beta, labels, 2);
      expect(c.near).toBe(near);
      expect([c.lower[1], c.upper[1]]).toEqual([radius + 1, upper]);
      expect(upper).toBeGreaterThanOrEqual(truth + 1);
    });
  }
});

describe('near ties of the prediction itself', () => {
  it('flags a prediction whose margin to some class lies within the band', () => {
    // F0 = 0.1 + 0.2 (float 0.30000000000000004), F1 = 0.3: class 0 by 5.6e-17.
    const beta = [0.1, 0.2, 0.3, -0.5];
    const labels = [0, 0, 1, 2];
    const cert = single(beta, labels, 3);
    expect(cert.prediction).toBe(0);
    expect(cert.near).toBe(1);
    expect(cert.radius).toBe(0);
    expectFlips(beta, labels, 3, cert.witness, 0);
    expect(costs(beta, labels, 3).near).toBe(1);
    // Moved 1e-9 apart, it is a clear prediction and an exact radius.
    const apart = [0.1, 0.2 + 1e-9, 0.3, -0.5];
    const clear = single(apart, labels, 3);
    expect(clear).toMatchObject({ prediction: 0, near: 0, radius: exactMinFlips(apart, labels, 3) - 1 });
    expect(costs(apart, labels, 3).near).toBe(0);
  });
});

describe('equally minimal rivals', () => {
  // Prediction 0 (F0 = 1). Against class a (F = −1): the one-flip gain 2 equals the
  // margin 2 exactly, a tie within the band (near). Against class b (F = −0.5):
  // gain 2 > margin 1.5 clearly. Both need one flip.
  function instance(nearClass: number, clearClass: number) {
    const beta = [1, -1, -0.5];
    const labels = [0, nearClass, clearClass];
    return { beta, labels };
  }

  for (const [nearClass, clearClass] of [
    [1, 2],
    [2, 1],
  ]) {
    it(`a clean minimiser (class ${clearClass}) makes the radius exact, whatever the near one (class ${nearClass})`, () => {
      const { beta, labels } = instance(nearClass, clearClass);
      const cert = single(beta, labels, 3);
      expect(cert).toMatchObject({ prediction: 0, radius: 0, near: 0 });
      expect(exactMinFlips(beta, labels, 3)).toBe(1);
      expect(bruteMinFlips(beta, labels, 3)).toBe(1);
      expect(cert.witness).toHaveLength(1);
      expectFlips(beta, labels, 3, cert.witness, 0);
      expect(applyFlips(labels, cert.witness, 3)[0]).toBe(clearClass);
    });
  }

  it('flags the radius when every minimiser is near', () => {
    const beta = [1, -1, -1];
    const labels = [0, 1, 2];
    const cert = single(beta, labels, 3);
    expect(cert).toMatchObject({ prediction: 0, radius: 0, near: 1 });
    expect(exactMinFlips(beta, labels, 3)).toBe(2); // one flip only ties, which 0 keeps
    expectFlips(beta, labels, 3, cert.witness, 0);
  });

  it('flags a lower bound when one of equally maximising rivals is near', () => {
    // Vote 2 (F2 = 3, F1 = 0, F0 = −1). LB(0) = max(0 over 1, 0 over 2): over 1 one
    // flip clearly suffices (gain 2 > margin 1); over 2 one flip exactly ties
    // (gain 4 = margin 4, which 0 wins by the tie rule, but within the band).
    // Equal maxima, the later one near: flagged.
    const beta = [2, 1, -1];
    const labels = [2, 2, 0];
    const c = costs(beta, labels, 3);
    expect(c.vote).toBe(2);
    expect(c.lower[0]).toBe(1);
    expect(c.near).toBe(1);
    // The truth (exact and float) lies between the bounds.
    for (const truth of [exactMinFlipsTo(beta, labels, 3)[0], bruteMinFlipsTo(beta, labels, 3)[0]]) {
      expect(c.lower[0]).toBeLessThanOrEqual(truth);
      expect(c.upper[0]).toBeGreaterThanOrEqual(truth);
    }
  });
});

describe('the attack behind upper bounds', () => {
  it('keeps the blunt fallback finite on rows with large negative weights whenever a weight is positive', () => {
    // Pinned: class 1 here is reached only by the blunt attack, which must move
    // the negative weights of the target class away.
    const pinned = { beta: [1, -2, -3], labels: [0, 1, 1] };
    const c = costs(pinned.beta, pinned.labels, 4);
    expect(c.upper[1]).toBeLessThan(UNREACHABLE);
    expect(c.upper[1]).toBeGreaterThanOrEqual(exactMinFlipsTo(pinned.beta, pinned.labels, 4)[1]);
    const hit = attack(pinned.beta, pinned.labels, 4, 1);
    expect(hit.flips).toBe(c.upper[1]);
    expect(exactPredict(exactRow(pinned.beta), hit.labels, 4)).toBe(1);
    // And as a property: 2000 rows dominated by large negative weights.
    const random = rng(2024);
    for (let trial = 0; trial < 2000; trial++) {
      const classes = 3 + Math.floor(random() * 3);
      const n = 3 + Math.floor(random() * 8);
      const beta = Array.from({ length: n }, () => (random() < 0.6 ? -10 * random() - 1 : random()));
      const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
      if (!beta.some((b) => b > 0)) continue;
      const got = costs(beta, labels, classes);
      for (let l = 0; l < classes; l++) {
        expect(got.upper[l], `trial ${trial}, class ${l}: β ${beta} y ${labels}`).toBeLessThan(UNREACHABLE);
      }
    }
  });

  it('counts an attack only when its target wins by more than the rounding band', () => {
    // Vote 0 (F0 = F1 = F2 = 0 > F3). Moving the −0.4 row away leaves F3 = −0.1 − 0.2 +
    // 0.30000000000000004: 2.8e-17 > 0 in exact arithmetic (class 3 wins with one flip), but
    // exactly 0 in plain float (a tie that class 1 keeps: two flips needed). An attack must
    // win by more than the band, so the upper bound holds for both.
    const beta = [-0.4, -0.1, -0.2, 0.30000000000000004];
    const labels = [3, 3, 3, 3];
    const c = costs(beta, labels, 4);
    const truths = [exactMinFlipsTo(beta, labels, 4)[3], bruteMinFlipsTo(beta, labels, 4)[3]];
    expect(truths).toEqual([1, 2]);
    expect(c.upper[3]).toBeGreaterThanOrEqual(2);
    const hit = attack(beta, labels, 4, 3);
    expect(hit.flips).toBe(c.upper[3]);
    expect(exactPredict(exactRow(beta), hit.labels, 4)).toBe(3);
    expect(predictFromBeta(beta, Array.from(hit.labels), 4)).toBe(3);
  });

  it('prunes every flip it does not need, the largest included (upper = lower on pinned instances)', () => {
    const pinned = [
      { beta: [-1, 2, -3], labels: [0, 2, 2], classes: 3, target: 0 },
      { beta: [-4, 0, 2], labels: [3, 1, 1], classes: 4, target: 2 },
    ];
    for (const { beta, labels, classes, target } of pinned) {
      const c = costs(beta, labels, classes);
      const truth = exactMinFlipsTo(beta, labels, classes)[target];
      expect(bruteMinFlipsTo(beta, labels, classes)[target]).toBe(truth);
      expect([c.lower[target], c.upper[target]]).toEqual([truth, truth]);
      const hit = attack(beta, labels, classes, target);
      expect(distance(hit.labels, labels)).toBe(truth);
      expect(exactPredict(exactRow(beta), hit.labels, classes)).toBe(target);
    }
  });
});

describe('a flagged single model through the API', () => {
  it('reports the re-scored attack as upper and exact: false', async () => {
    // Four copies of one row, three labelled 0 and one 1 (SVM: equal weights b > 0).
    // F0 − F1 = 2b and one flip gains 2b: a tie that class 0 keeps, within the band.
    // Radius 0 (sound), upper 1 (two flips win clearly), not exact.
    const row = [0.3, -1.2, 0.7];
    const result = await certify({
      train: { x: [row, row, row, row], y: [0, 0, 0, 1] },
      test: { x: [[0.5, -1, 1]] },
      model: 'svm',
      threads: 1,
      witness: true,
    });
    expect(result.points[0]).toMatchObject({ prediction: 0, radius: 0, upper: 1, exact: false, nearTie: true });
    expect(result.points[0].witness).toHaveLength(2);
    expect(result.summary.nearTies).toBe(1);
  });
});
