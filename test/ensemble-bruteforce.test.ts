// EnsembleCert against the truth: on tiny ensembles, enumerate EVERY label
// vector, recompute every partition's vote from scratch, and find the fewest
// flips that change the ensemble's prediction.
import { describe, expect, it } from 'vitest';
import { certify } from '../src/index.js';
import { betaRows, forEachLabelVector, predictFromBeta, randomRows, rng, type ModelParams, type Rows } from './reference.js';
import { bruteMinFlipsTo } from './reference-cert.js';

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
function makeProblem(seed: number, tied = false, fixedClasses?: number): Problem {
  const random = rng(seed);
  const classes = fixedClasses ?? 2 + Math.floor(random() * 2);
  // Keep the enumeration (classes^n label vectors) small: at most 13, 8 or 7 training rows.
  const limit = classes === 2 ? 13 : classes === 3 ? 8 : 7;
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
    // Unflagged points are open only with a reason (docs/spec.md §5.7).
    if (!point.exact) expect(point.openReason, at).toBeDefined();
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

  for (const classes of [3, 4]) {
    it(`closes the gaps: ${classes}-class ensembles are exact (= the enumerated truth) unless flagged`, async () => {
      let exact = 0;
      let unflagged = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const problem = makeProblem(500 + seed, false, classes);
        const result = await certifyProblem(problem);
        checkAgainstTruth(problem, result, `${classes} classes, seed ${seed}`);
        for (const point of result.points) {
          if (point.nearTie) continue;
          unflagged++;
          if (point.exact) exact++;
        }
      }
      expect(unflagged).toBeGreaterThan(100);
      // Only an exact search that gives up or is undecided by rounding may leave a point open.
      expect(exact / unflagged).toBeGreaterThan(0.97);
    });
  }

  it('stays sound on near ties (a partition of two copies of one row, labelled 0 and 1)', async () => {
    let flagged = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const problem = makeProblem(seed, true);
      flagged += checkAgainstTruth(problem, await certifyProblem(problem), `tied seed ${seed}`)[1];
    }
    expect(flagged).toBeGreaterThan(10);
  });
});

/**
 * Larger partitions, truth by parts: flips in different partitions are
 * independent, so r* = (the cheapest choice of one target class per partition,
 * at its enumerated cost ρ_p(l), that changes the majority) − 1. Each partition
 * is enumerated alone (C^{n_p} label vectors), the choice exhaustively.
 */
function truthByParts(problem: Problem): { radius: number[]; prediction: number[] } {
  const { classes, k } = problem;
  const n = problem.labels.length;
  const members = Array.from({ length: k }, (_, p) => problem.ids.flatMap((id, i) => (id === p ? [i] : [])));
  const betas = members.map((rows) => betaRows(rows.map((i) => problem.trainX[i]), problem.testX, problem.params));
  const majority = (votes: number[]) => {
    const counts = new Array<number>(classes).fill(0);
    votes.forEach((v) => counts[v]++);
    let best = 0;
    for (let c = 1; c < classes; c++) if (counts[c] > counts[best]) best = c;
    return best;
  };
  const radius: number[] = [];
  const prediction: number[] = [];
  problem.testX.forEach((_, t) => {
    const local = members.map((rows) => rows.map((i) => problem.labels[i]));
    const votes = members.map((_, p) => predictFromBeta(betas[p][t], local[p], classes));
    const costs = members.map((_, p) => bruteMinFlipsTo(betas[p][t], local[p], classes));
    const clean = majority(votes);
    let best = Infinity;
    const choice = votes.slice();
    const visit = (p: number, spent: number): void => {
      if (spent >= best) return;
      if (p === k) {
        if (majority(choice) !== clean) best = spent;
        return;
      }
      for (let l = 0; l < classes; l++) {
        if (!Number.isFinite(costs[p][l])) continue;
        choice[p] = l;
        visit(p + 1, spent + costs[p][l]);
      }
      choice[p] = votes[p];
    };
    visit(0, 0);
    prediction.push(clean);
    radius.push(Number.isFinite(best) ? Math.min(best - 1, n) : n);
  });
  return { radius, prediction };
}

describe('multi-class EnsembleCert against per-partition enumeration', () => {

  for (const classes of [3, 4]) {
    it(`is exact (= the truth) on the unflagged points of 40 ensembles of 5 partitions × ${classes === 3 ? 9 : 7} rows, ${classes} classes`, async () => {
      let exact = 0;
      let checked = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const random = rng(7000 * classes + seed);
        const rowsPer = classes === 3 ? 9 : 7;
        const k = 5;
        const n = k * rowsPer;
        const d = 3 + Math.floor(random() * 3);
        const problem: Problem = {
          trainX: randomRows(random, n, d),
          labels: Array.from({ length: n }, () => Math.floor(random() * classes)),
          testX: randomRows(random, 10, d),
          ids: Array.from({ length: n }, (_, i) => i % k),
          k,
          classes,
          params: { model: random() < 0.7 ? 'krr' : 'svm', reg: [0.01, 0.3, 1][Math.floor(random() * 3)], kernel: { depth: 1 + Math.floor(random() * 3), wVar: 2, bVar: 0 } },
        };
        const truth = truthByParts(problem);
        const result = await certifyProblem(problem);
        result.points.forEach((point, t) => {
          const at = `${classes} classes, seed ${seed}, point ${t}`;
          expect(point.nearTie, at).toBe(false); // random reals
          expect(point.prediction, at).toBe(truth.prediction[t]);
          expect(point.radius, at).toBeLessThanOrEqual(truth.radius[t]);
          expect(point.upper, at).toBeGreaterThanOrEqual(truth.radius[t]);
          checked++;
          if (point.exact) {
            expect(point.radius, at).toBe(truth.radius[t]);
            exact++;
          } else {
            expect(point.openReason, at).toBeDefined();
          }
        });
      }
      expect(checked).toBe(400);
      expect(exact / checked).toBeGreaterThan(0.99);
    });
  }
});
