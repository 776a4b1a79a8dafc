// Hand-made weight vectors whose answers are worked out by hand (and re-checked
// by enumeration): exact score ties, all-zero weights, margins exactly equal to
// a sum of gains, plus argument checking and heap hygiene.
import { beforeAll, describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { singleCertificates, voteCosts } from '../src/partition/certificate.js';
import { UNREACHABLE } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { predictFromBeta, rng } from './reference.js';
import { UNREACHABLE as NONE, applyFlips, bruteMinFlips, pairBySort } from './reference-cert.js';
import { TIE_TOLERANCE } from '../src/partition/certificate.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

/** Certifies one point and returns plain values. */
function single(beta: number[], labels: number[], classes: number) {
  return core.heap.scoped(() => {
    const betaPtr = core.heap.putF64(beta);
    const labelsPtr = core.heap.putI32(labels);
    const cert = singleCertificates(core, betaPtr, labelsPtr, 1, labels.length, classes, true);
    return { prediction: cert.prediction[0], radius: cert.radius[0], near: cert.nearTie[0], witness: cert.witnesses![0] };
  });
}

function costs(beta: number[], labels: number[], classes: number) {
  return core.heap.scoped(() => {
    const betaPtr = core.heap.putF64(beta);
    const labelsPtr = core.heap.putI32(labels);
    const c = voteCosts(core, betaPtr, labelsPtr, 1, labels.length, classes);
    return { vote: c.votes[0], lower: Array.from(c.lower), upper: Array.from(c.upper), near: c.nearTie[0] };
  });
}

describe('single certificate on hand-made weights', () => {
  it('breaks exact score ties towards the lowest class, whichever class holds which point', () => {
    // F0 = F1 = 1: class 0 wins the tie; moving the β = 1 point of class 0 to 1 flips it.
    // The prediction itself is a tie, within rounding of changing: flagged.
    expect(single([1, 1], [0, 1], 2)).toEqual({ prediction: 0, radius: 0, near: 1, witness: [{ train: 0, from: 0, to: 1 }] });
    expect(single([1, 1], [1, 0], 2)).toEqual({ prediction: 0, radius: 0, near: 1, witness: [{ train: 1, from: 0, to: 1 }] });
    // Three-way tie goes to class 0.
    expect(single([1, 1, 1], [2, 1, 0], 3).prediction).toBe(0);
  });

  it('lets an attacker who reaches a tie win it only when its class is the lower one', () => {
    // c = 1 with F1 = 2, F0 = 0: one flip gives F0 = F1 = 1, and the tie goes to 0.
    // The radius is exact, but the outcome lies within the rounding band (a tie):
    // flagged, and the witness is the smallest attack that wins by more than the
    // band (both flips), since a tie cannot be told from rounding.
    const low = single([1, 1, 0], [1, 1, 0], 2);
    expect(low).toMatchObject({ prediction: 1, radius: 0, near: 1 });
    expect(bruteMinFlips([1, 1, 0], [1, 1, 0], 2)).toBe(1);
    expect(low.witness).toHaveLength(2);
    const flipped = applyFlips([1, 1, 0], low.witness, 2);
    expect(predictFromBeta([1, 1, 0], flipped, 2)).toBe(0);
    // Mirror image: c = 0; one flip only ties, which 0 keeps; two are needed
    // exactly. The margin equals the gain, so the certificate errs on the sound
    // side (radius 0 instead of 1) and says so with nearTie.
    expect(bruteMinFlips([1, 1, 0], [0, 0, 1], 2)).toBe(2);
    expect(single([1, 1, 0], [0, 0, 1], 2)).toMatchObject({ prediction: 0, radius: 0, near: 1 });
  });

  it('gives radius n and no witness when every weight is zero', () => {
    expect(single([0, 0, 0, 0], [0, 1, 2, 1], 3)).toEqual({ prediction: 0, radius: 4, near: 0, witness: [] });
    expect(single([-0, 0], [1, 1], 2)).toEqual({ prediction: 0, radius: 2, near: 0, witness: [] });
  });

  it('never counts a zero gain as a flip', () => {
    // c = 0 by the tie rule (F0 = F1 = 0); only the zero-weight points could move.
    expect(single([0, 0, 0], [0, 1, 1], 2)).toMatchObject({ radius: 3, witness: [] });
    // Class 1 is empty and F0 = 0: moving a β = 0 point does nothing, the β = −1 point of class 2 must move.
    const r = single([0, 0, -1], [0, 0, 2], 3);
    expect(r).toMatchObject({ prediction: 0, radius: 0, near: 0 });
    expect(r.witness).toEqual([{ train: 2, from: 2, to: 0 }]);
  });

  it('handles margins exactly equal to a sum of gains', () => {
    // c = 2 (F2 = 3); for t = 0 < 2 one flip of a 1.5 point reaches the tie and wins it:
    // radius 0 is exact, but a tie is within the rounding band, so it is flagged and
    // the witness (re-scored) is the two flips that win clearly.
    const win = single([1.5, 1.5], [2, 2], 3);
    expect(win).toMatchObject({ prediction: 2, radius: 0, near: 1 });
    expect(win.witness).toHaveLength(2);
    expect(predictFromBeta([1.5, 1.5], applyFlips([2, 2], win.witness, 3), 3)).toBe(0);
    // c = 0 with F0 = 0, F1 = −1, F2 = −0.5: every single flip only ties with class 2 or 1 (true radius 1).
    const beta = [0, -0.5, -0.5, -0.25, -0.25];
    const labels = [0, 1, 1, 2, 2];
    expect(bruteMinFlips(beta, labels, 3)).toBe(2);
    expect(single(beta, labels, 3)).toMatchObject({ prediction: 0, radius: 0, near: 1 });
    // Three points per rival class instead of two: margin 1.5 against gains 1, 1, 1, 0.5, …
    // so one flip falls clearly short and two clearly suffice. Exact radius, no flag.
    const clear = [0, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5];
    const clearLabels = [0, 1, 1, 1, 2, 2, 2];
    expect(bruteMinFlips(clear, clearLabels, 3)).toBe(2);
    expect(single(clear, clearLabels, 3)).toMatchObject({ prediction: 0, radius: 1, near: 0 });
  });

  it('takes the cheapest target class and several flips when needed', () => {
    // F0 = 6, F1 = 1, F2 = 0 (class 2 empty). Against 1: margin 5, gains 4,4,4,1 → 2 flips.
    // Against 2: margin 6, gains 4,4,4,1 → 2 flips. Radius 1.
    const beta = [2, 2, 2, 1];
    const labels = [0, 0, 0, 1];
    const r = single(beta, labels, 3);
    expect(r).toMatchObject({ prediction: 0, radius: 1, near: 0 });
    expect(bruteMinFlips(beta, labels, 3)).toBe(2);
    expect(r.witness).toHaveLength(2);
    expect(predictFromBeta(beta, applyFlips(labels, r.witness, 3), 3)).not.toBe(0);
  });
});

describe('single certificate on larger problems', () => {
  it('matches the sort per pair, with and without witnesses, and every witness flips the prediction', () => {
    const random = rng(17);
    for (const classes of [2, 10]) {
      const n = 400;
      const m = 20;
      const beta = Array.from({ length: m }, () =>
        Array.from({ length: n }, () => (random() < 0.1 ? 0 : (random() - 0.5) * Math.exp(2 * random()))),
      );
      // Labels follow the sign pattern of the first row a little, so radii are not all 0.
      const labels = Array.from({ length: n }, (_, i) => (beta[0][i] > 0 && random() < 0.5 ? 0 : Math.floor(random() * classes)));
      const [plain, witnessed] = [false, true].map((w) =>
        core.heap.scoped(() => {
          const betaPtr = core.heap.putF64(beta.flat());
          const labelsPtr = core.heap.putI32(labels);
          return singleCertificates(core, betaPtr, labelsPtr, m, n, classes, w);
        }),
      );
      expect(witnessed.prediction).toEqual(plain.prediction);
      expect(witnessed.radius).toEqual(plain.radius);
      expect(witnessed.nearTie).toEqual(plain.nearTie);
      expect(plain.witnesses).toBeUndefined();
      expect(Math.max(...plain.radius)).toBeGreaterThan(0); // several flips, not just one
      for (let p = 0; p < m; p++) {
        const c = predictFromBeta(beta[p], labels, classes);
        let fewest = NONE;
        for (let t = 0; t < classes; t++) {
          if (t !== c) fewest = Math.min(fewest, pairBySort(beta[p], labels, classes, c, t, TIE_TOLERANCE, 1).flips);
        }
        expect(plain.radius[p]).toBe(fewest === NONE ? n : fewest - 1);
        const witness = witnessed.witnesses![p];
        expect(witness).toHaveLength(plain.radius[p] + 1);
        expect(predictFromBeta(beta[p], applyFlips(labels, witness, classes), classes)).not.toBe(c);
      }
    }
  });
});

describe('vote costs on hand-made weights', () => {
  it('are exact for two classes, with the attack deciding a near tie', () => {
    expect(costs([2, 2, 2, 1], [0, 0, 0, 1], 2)).toEqual({ vote: 0, lower: [0, 2], upper: [0, 2], near: 0 });
    // Tolerance makes the bound 1; the re-checked attack needs the exact 2.
    expect(costs([1, 1, 0], [0, 0, 1], 2)).toEqual({ vote: 0, lower: [0, 1], upper: [0, 2], near: 1 });
  });

  it('mark unreachable classes when every weight is zero', () => {
    expect(costs([0, 0, 0], [2, 1, 0], 3)).toEqual({
      vote: 0,
      lower: [0, UNREACHABLE, UNREACHABLE],
      upper: [0, UNREACHABLE, UNREACHABLE],
      near: 0,
    });
  });

  it('take the worst rival for the lower bound and a real attack for the upper', () => {
    // F0 = 3, F1 = 2, F2 = 0. To vote 2: beat 0 (margin 3, gains 2,2,2,2,… → 2) and 1 (margin 2 → 1).
    const beta = [1, 1, 1, 1, 1];
    const labels = [0, 0, 0, 1, 1];
    const c = costs(beta, labels, 3);
    expect(c.vote).toBe(0);
    expect(c.lower[2]).toBe(2);
    expect(c.upper[2]).toBeGreaterThanOrEqual(2);
    expect(c.upper[2]).toBeLessThan(UNREACHABLE);
  });
});

describe('argument checks', () => {
  it('rejects labels out of range, non-finite weights and bad sizes with FlipcertError', () => {
    core.heap.scoped(() => {
      const betaPtr = core.heap.putF64([1, NaN, 2, 3]);
      const badLabels = core.heap.putI32([0, 5]);
      const labels = core.heap.putI32([0, 1]);
      expect(() => singleCertificates(core, betaPtr, badLabels, 2, 2, 3, false)).toThrow(/row 1 is 5, outside 0\.\.2/);
      expect(() => voteCosts(core, betaPtr, labels, 2, 2, 3)).toThrow(/test point 0, training row 1 is NaN/);
      expect(() => voteCosts(core, betaPtr, labels, 2, 2, 1)).toThrow(FlipcertError);
      expect(() => voteCosts(core, betaPtr + 4, labels, 1, 2, 2)).toThrow(/β pointer/);
      expect(() => voteCosts(core, betaPtr, labels, 1e9, 2, 2)).toThrow(/β pointer/);
    });
  });

  it('accepts an empty block and leaves the heap as it found it', () => {
    const before = core.heap.used;
    core.heap.scoped(() => {
      const betaPtr = core.heap.putF64([0.5, -1, 0.25, 2, -3, 1]);
      const labels = core.heap.putI32([0, 1, 1]);
      const inner = core.heap.used;
      expect(singleCertificates(core, betaPtr, labels, 0, 3, 2, true).radius).toHaveLength(0);
      singleCertificates(core, betaPtr, labels, 2, 3, 2, true);
      voteCosts(core, betaPtr, labels, 2, 3, 4);
      expect(core.heap.used).toBe(inner);
    });
    expect(core.heap.used).toBe(before);
  });
});
