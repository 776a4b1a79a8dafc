// The single-model certificate against exhaustive enumeration: on hundreds of
// tiny problems every label vector is scored, so the radius must be exactly
// (fewest flips that change the prediction) − 1, and the witness, applied and
// re-solved from scratch, must change the prediction.
import { beforeAll, describe, expect, it } from 'vitest';
import { singleCertificates } from '../src/partition/certificate.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { betaRows, predict, predictFromBeta, randomRows, rng, type ModelParams, type Rows } from './reference.js';
import { applyFlips, bruteMinFlips } from './reference-cert.js';

interface Problem {
  trainX: Rows;
  testX: Rows;
  labels: number[];
  classes: number;
  params: ModelParams;
}

function randomProblem(random: () => number): Problem {
  const classes = [2, 2, 3, 4][Math.floor(random() * 4)];
  // Keep classes^n enumerable: up to 8 points for two classes, 7 for more.
  const n = 3 + Math.floor(random() * (classes === 2 ? 6 : 5));
  const d = 2 + Math.floor(random() * 3);
  const m = 1 + Math.floor(random() * 3);
  const svm = random() < 0.3;
  const params: ModelParams = {
    model: svm ? 'svm' : 'krr',
    reg: [0.01, 0.1, 1, 10][Math.floor(random() * 4)],
    kernel: { depth: 1 + Math.floor(random() * 3), wVar: 2, bVar: random() < 0.5 ? 0 : 0.1 },
  };
  const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
  return { trainX: randomRows(random, n, d), testX: randomRows(random, m, d), labels, classes, params };
}

/** Copies β rows and labels into the heap and certifies with witnesses. */
function certify(core: Core, beta: Rows, labels: number[], classes: number) {
  const n = labels.length;
  return core.heap.scoped(() => {
    const betaPtr = core.heap.putF64(beta.flat());
    const labelsPtr = core.heap.putI32(labels);
    return singleCertificates(core, betaPtr, labelsPtr, beta.length, n, classes, true);
  });
}

describe('single-model certificate vs brute force', () => {
  let core: Core;
  beforeAll(async () => {
    core = await createCore();
  });

  it('is exact on 500 random NTK problems (KRR and SVM), with witnesses that re-solve to a new prediction', () => {
    const random = rng(20240601);
    let flippable = 0;
    let near = 0;
    for (let trial = 0; trial < 500; trial++) {
      const pb = randomProblem(random);
      const n = pb.labels.length;
      const beta = betaRows(pb.trainX, pb.testX, pb.params);
      const cert = certify(core, beta, pb.labels, pb.classes);
      for (let p = 0; p < beta.length; p++) {
        const clean = predictFromBeta(beta[p], pb.labels, pb.classes);
        const ctx = `trial ${trial}, point ${p}`;
        expect(cert.prediction[p], ctx).toBe(clean);
        const fewest = bruteMinFlips(beta[p], pb.labels, pb.classes);
        const expected = Number.isFinite(fewest) ? fewest - 1 : n;
        near += cert.nearTie[p];
        if (cert.nearTie[p]) expect(cert.radius[p], ctx).toBeLessThanOrEqual(expected);
        else expect(cert.radius[p], ctx).toBe(expected);
        const witness = cert.witnesses![p];
        if (cert.radius[p] === n) {
          expect(witness, ctx).toEqual([]);
          continue;
        }
        flippable++;
        expect(witness.length, ctx).toBe(cert.radius[p] + 1);
        const poisoned = applyFlips(pb.labels, witness, pb.classes);
        const resolved = predict(pb.trainX, poisoned, [pb.testX[p]], pb.classes, pb.params)[0];
        expect(resolved, ctx).not.toBe(clean);
      }
    }
    // Random continuous data has no exact ties: the tolerance must not fire,
    // and most points must be flippable (else the test proves little).
    expect(near).toBe(0);
    expect(flippable).toBeGreaterThan(500);
  });

  it('is exact or soundly smaller (near-tie) on 400 problems with small-integer weights full of ties and zeros', () => {
    const random = rng(7);
    let near = 0;
    let unflippable = 0;
    for (let trial = 0; trial < 400; trial++) {
      const classes = 2 + Math.floor(random() * 3);
      const n = 2 + Math.floor(random() * (classes === 2 ? 7 : 5));
      const m = 1 + Math.floor(random() * 3);
      const zeroRow = random() < 0.05;
      const beta = Array.from({ length: m }, () =>
        Array.from({ length: n }, () => (zeroRow ? 0 : Math.floor(random() * 5) - 2)),
      );
      const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
      const cert = certify(core, beta, labels, classes);
      for (let p = 0; p < m; p++) {
        const ctx = `trial ${trial}, point ${p}: β ${beta[p]} labels ${labels}`;
        const clean = predictFromBeta(beta[p], labels, classes);
        expect(cert.prediction[p], ctx).toBe(clean);
        const fewest = bruteMinFlips(beta[p], labels, classes);
        const expected = Number.isFinite(fewest) ? fewest - 1 : n;
        if (cert.nearTie[p]) {
          near++;
          expect(cert.radius[p], ctx).toBeLessThanOrEqual(expected);
          expect(cert.radius[p], ctx).toBeGreaterThanOrEqual(expected - 1);
        } else {
          expect(cert.radius[p], ctx).toBe(expected);
        }
        if (cert.radius[p] === n) {
          unflippable++;
          expect(cert.witnesses![p], ctx).toEqual([]);
          continue;
        }
        const witness = cert.witnesses![p];
        // A flagged point's minimal attack may only reach a tie: its witness is then
        // a larger attack that re-scores clearly, or none. Every witness flips.
        if (cert.nearTie[p]) {
          if (witness.length > 0) expect(witness.length, ctx).toBeGreaterThanOrEqual(cert.radius[p] + 1);
        } else {
          expect(witness.length, ctx).toBe(cert.radius[p] + 1);
        }
        const poisoned = applyFlips(labels, witness, classes);
        if (witness.length > 0) expect(predictFromBeta(beta[p], poisoned, classes), ctx).not.toBe(clean);
      }
    }
    expect(near).toBeGreaterThan(0); // the case really was exercised
    expect(unflippable).toBeGreaterThan(0);
  });
});
