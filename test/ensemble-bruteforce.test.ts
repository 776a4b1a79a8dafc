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

/**
 * A random tiny problem. `tied`: partition 0 is two copies of one row labelled
 * 0 and 1, so its two class scores tie up to rounding (near ties on purpose).
 */
function makeProblem(seed: number, tied = false): Problem {
  const random = rng(seed);
  const classes = 2 + Math.floor(random() * 2);
  // Keep the enumeration (classes^n label vectors) small: at most 13 or 8 training rows.
  const limit = classes === 2 ? 13 : 8;
  const ids: number[] = [];
  for (let p = 0; p < 4; p++) {
    const size = tied && p === 0 ? 2 : 2 + Math.floor(random() * 3);
    if (ids.length + size > limit) break;
    for (let i = 0; i < size; i++) ids.push(p);
  }
  const n = ids.length;
  const d = 2 + Math.floor(random() * 3);
  const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
  labels[0] = 0;
  labels[1] = 1;
  const model = random() < 0.7 ? 'krr' : 'svm';
  const trainX = randomRows(random, n, d);
  if (tied) trainX[1] = trainX[0].slice();
  return {
    trainX,
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

/** r*(x) for every test point (fewest flips that change the prediction, minus 1; n if none) and the clean predictions. */
function trueRadii(problem: Problem): { radius: number[]; prediction: number[] } {
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
  return { radius: best.map((b) => Math.min(b - 1, n)), prediction: clean };
}

async function certifyProblem(problem: Problem) {
  return certify({
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
}

/**
 * Checks every point against the enumerated truth: sound always (radius ≤ truth
 * ≤ upper, near ties included), exact when unflagged (two classes) or when the
 * bounds meet. Returns [points whose exactness was checked, flagged points checked].
 */
function checkAgainstTruth(problem: Problem, result: Awaited<ReturnType<typeof certify>>, where: string): [number, number] {
  const truth = trueRadii(problem);
  let exact = 0;
  let flagged = 0;
  result.points.forEach((point, t) => {
    const at = `${where}, point ${t}`;
    // A vote within rounding of another class costs 0 flips in the sound bound, which DPA does not know.
    if (!point.nearTie) expect(point.dpaRadius, at).toBeLessThanOrEqual(point.radius);
    if (point.prediction !== truth.prediction[t]) {
      // The reference model's β differ from the core's by rounding: only a
      // flagged vote may come out differently, and then the certificate claims nothing.
      expect(point.nearTie, at).toBe(true);
      expect(point.radius, at).toBe(0);
      return;
    }
    // The certificate is sound for any evaluation within rounding, near ties included.
    expect(point.radius, at).toBeLessThanOrEqual(truth.radius[t]);
    if (point.nearTie) {
      // `upper` holds for the core's own evaluation of the votes, which the
      // reference β (equal up to rounding) need not reproduce on a near tie.
      expect(point.exact, at).toBe(false);
      flagged++;
      return;
    }
    expect(point.upper, at).toBeGreaterThanOrEqual(truth.radius[t]);
    if (problem.classes === 2) expect([point.radius, point.upper], at).toEqual([truth.radius[t], truth.radius[t]]);
    if (point.exact) {
      expect(point.radius, at).toBe(truth.radius[t]);
      exact++;
    }
  });
  return [exact, flagged];
}

describe('EnsembleCert against exhaustive enumeration', () => {
  it('is exact for two classes and sandwiches the truth for three', async () => {
    let exactChecked = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const problem = makeProblem(seed);
      exactChecked += checkAgainstTruth(problem, await certifyProblem(problem), `seed ${seed}`)[0];
    }
    expect(exactChecked).toBeGreaterThan(50);
  });

  it('stays sound on near ties (a partition of two copies of one row, labelled 0 and 1)', async () => {
    let flagged = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const problem = makeProblem(seed, true);
      flagged += checkAgainstTruth(problem, await certifyProblem(problem), `tied seed ${seed}`)[1];
    }
    expect(flagged).toBeGreaterThan(10);
  });
});
