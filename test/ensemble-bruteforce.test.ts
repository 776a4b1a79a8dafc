// EnsembleCert against the truth: on tiny ensembles, enumerate EVERY label
// vector, recompute every partition's vote from scratch, and find the fewest
// flips that change the ensemble's prediction.
import { describe, expect, it } from 'vitest';
import { certify } from '../src/index.js';
import { betaRows, forEachLabelVector, predictFromBeta, randomRows, rng, type ModelParams, type Rows } from './reference.js';

interface Problem {
  trainX: Rows;
  labels: number[];
  testX: Rows;
  ids: number[];
  k: number;
  classes: number;
  params: ModelParams;
}

function makeProblem(seed: number): Problem {
  const random = rng(seed);
  const classes = 2 + Math.floor(random() * 2);
  // Keep the enumeration (classes^n label vectors) small: at most 13 or 8 training rows.
  const limit = classes === 2 ? 13 : 8;
  const ids: number[] = [];
  for (let p = 0; p < 4; p++) {
    const size = 2 + Math.floor(random() * 3);
    if (ids.length + size > limit) break;
    for (let i = 0; i < size; i++) ids.push(p);
  }
  const n = ids.length;
  const d = 2 + Math.floor(random() * 3);
  const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
  labels[0] = 0;
  labels[1] = 1;
  const model = random() < 0.7 ? 'krr' : 'svm';
  return {
    trainX: randomRows(random, n, d),
    labels,
    testX: randomRows(random, 3, d),
    ids,
    k: ids[ids.length - 1] + 1,
    classes,
    params: { model, reg: [0.01, 0.3, 1][Math.floor(random() * 3)], kernel: { depth: 1 + Math.floor(random() * 3), wVar: 2, bVar: random() < 0.5 ? 0 : 0.1 } },
  };
}

/** Ensemble prediction for a label vector, from each partition's own model. */
function ensemblePredict(problem: Problem, betas: Rows[], members: number[][], labels: number[], point: number): number {
  const votes = new Array<number>(problem.classes).fill(0);
  members.forEach((rows, p) => {
    const local = rows.map((i) => labels[i]);
    votes[predictFromBeta(betas[p][point], local, problem.classes)]++;
  });
  let best = 0;
  for (let c = 1; c < problem.classes; c++) if (votes[c] > votes[best]) best = c;
  return best;
}

/** r*(x) for every test point: fewest flips that change the prediction, minus 1 (n if none). */
function trueRadii(problem: Problem): number[] {
  const n = problem.labels.length;
  const members = Array.from({ length: problem.k }, (_, p) => problem.ids.flatMap((id, i) => (id === p ? [i] : [])));
  const betas = members.map((rows) => betaRows(rows.map((i) => problem.trainX[i]), problem.testX, problem.params));
  const clean = problem.testX.map((_, t) => ensemblePredict(problem, betas, members, problem.labels, t));
  const best = clean.map(() => n + 1);
  forEachLabelVector(problem.labels, problem.classes, (labels, flips) => {
    clean.forEach((c, t) => {
      if (flips < best[t] && ensemblePredict(problem, betas, members, labels, t) !== c) best[t] = flips;
    });
  });
  return best.map((b) => Math.min(b - 1, n));
}

describe('EnsembleCert against exhaustive enumeration', () => {
  it('is exact for two classes and sandwiches the truth for three', async () => {
    let exactChecked = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const problem = makeProblem(seed);
      const result = await certify({
        train: { x: problem.trainX, y: problem.labels },
        test: { x: problem.testX },
        classes: problem.classes,
        model: problem.params.model,
        reg: problem.params.reg,
        kernel: problem.params.kernel,
        partitions: problem.k,
        partitioning: problem.ids,
        threads: 1,
      });
      const truth = trueRadii(problem);
      result.points.forEach((point, t) => {
        const where = `seed ${seed}, point ${t}`;
        expect(point.dpaRadius, where).toBeLessThanOrEqual(point.radius);
        if (point.nearTie) return;
        if (problem.classes === 2) {
          expect(point.radius, where).toBe(truth[t]);
          expect(point.upper, where).toBe(truth[t]);
        } else {
          expect(point.radius, where).toBeLessThanOrEqual(truth[t]);
          expect(point.upper, where).toBeGreaterThanOrEqual(truth[t]);
        }
        if (point.exact) {
          expect(point.radius, where).toBe(truth[t]);
          exactChecked++;
        }
      });
    }
    expect(exactChecked).toBeGreaterThan(50);
  });
});
