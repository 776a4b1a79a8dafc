// The whole pipeline (Wasm NTK → KRR/SVM solve → certificate) through the
// public API, against an oracle that shares none of it: for every label vector
// of a tiny problem, re-solve the model from scratch with the reference
// implementation and record the fewest flips that change each prediction.
import { describe, expect, it } from 'vitest';
import { certify } from '../src/index.js';
import { applyFlips } from './reference-cert.js';
import { forEachLabelVector, predict, randomRows, rng, type ModelParams, type Rows } from './reference.js';

interface Problem {
  trainX: Rows;
  testX: Rows;
  labels: number[];
  classes: number;
  params: ModelParams;
}

function randomProblem(random: () => number): Problem {
  const classes = [2, 2, 3, 4][Math.floor(random() * 4)];
  const n = 3 + Math.floor(random() * (classes === 2 ? 6 : 3));
  const d = 2 + Math.floor(random() * 3);
  const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
  labels[0] = 0;
  labels[1] = 1;
  return {
    trainX: randomRows(random, n, d),
    testX: randomRows(random, 2, d),
    labels,
    classes,
    params: {
      model: random() < 0.3 ? 'svm' : 'krr',
      reg: [0.05, 0.5, 2][Math.floor(random() * 3)],
      kernel: { depth: 1 + Math.floor(random() * 3), wVar: [2, 1.5][Math.floor(random() * 2)], bVar: random() < 0.5 ? 0 : 0.2 },
    },
  };
}

/** Fewest flips that change each test prediction, − 1 (n when none does), by re-solving for every label vector. */
function oracleRadii(pb: Problem): number[] {
  const n = pb.labels.length;
  const clean = predict(pb.trainX, pb.labels, pb.testX, pb.classes, pb.params);
  const best = clean.map(() => n + 1);
  forEachLabelVector(pb.labels, pb.classes, (labels, flips) => {
    if (flips === 0 || best.every((b) => b <= flips)) return;
    const predictions = predict(pb.trainX, labels, pb.testX, pb.classes, pb.params);
    predictions.forEach((p, t) => {
      if (p !== clean[t] && flips < best[t]) best[t] = flips;
    });
  });
  return best.map((b) => Math.min(b - 1, n));
}

describe('certify() against re-solving every label vector', () => {
  it('gives the exact radius and a witness that changes the re-solved prediction', async () => {
    const random = rng(99);
    let flippable = 0;
    for (let trial = 0; trial < 150; trial++) {
      const pb = randomProblem(random);
      const result = await certify({
        train: { x: pb.trainX, y: pb.labels },
        test: { x: pb.testX },
        classes: pb.classes,
        model: pb.params.model,
        reg: pb.params.reg,
        kernel: pb.params.kernel,
        witness: true,
        threads: 1,
      });
      const truth = oracleRadii(pb);
      const clean = predict(pb.trainX, pb.labels, pb.testX, pb.classes, pb.params);
      result.points.forEach((point, t) => {
        const where = `trial ${trial}, point ${t}`;
        expect(point.nearTie, where).toBe(false);
        expect(point.prediction, where).toBe(clean[t]);
        expect(point.radius, where).toBe(truth[t]);
        if (point.radius === pb.labels.length) return;
        flippable++;
        expect(point.witness!.length, where).toBe(point.radius + 1);
        const poisoned = applyFlips(pb.labels, point.witness!, pb.classes);
        expect(predict(pb.trainX, poisoned, [pb.testX[t]], pb.classes, pb.params)[0], where).not.toBe(clean[t]);
      });
    }
    expect(flippable).toBeGreaterThan(150);
  });
});
