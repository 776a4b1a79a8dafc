// The certificates on decimal-valued weights, β = unit × integer for units that
// are not exact in binary (0.1, 1/3, 0.7, 0.01, 1/30): sums that are equal in
// decimal land a few ulps apart in float, so many decisions fall inside the
// rounding band. Checked against two independent oracles on tiny problems:
// exact (BigInt) enumeration of every label vector, and the plain float one
// (scores summed in training-index order). Asserted: an unflagged radius, cost,
// upper bound or `exact` equals both truths; a flagged one stays sound; every
// reported witness and every attack flips the prediction under both re-scorings.
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregateBlock } from '../src/ensemble/aggregate.js';
import { singleCertificates, voteAttack, voteCosts } from '../src/partition/certificate.js';
import { UNREACHABLE } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { predictFromBeta, rng, type Rows } from './reference.js';
import { applyFlips, bruteMinFlips, bruteMinFlipsTo, distance } from './reference-cert.js';
import { exactMinFlips, exactMinFlipsTo, exactPredict, exactRow } from './reference-exact.js';

const UNITS = [0.1, 1 / 3, 0.7, 0.01, 1 / 30];

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

function certify(beta: Rows, labels: number[], classes: number) {
  return core.heap.scoped(() => {
    const betaPtr = core.heap.putF64(beta.flat());
    const labelsPtr = core.heap.putI32(labels);
    return singleCertificates(core, betaPtr, labelsPtr, beta.length, labels.length, classes, true);
  });
}

function costsOf(beta: Rows, labels: number[], classes: number) {
  return core.heap.scoped(() => {
    const betaPtr = core.heap.putF64(beta.flat());
    const labelsPtr = core.heap.putI32(labels);
    return voteCosts(core, betaPtr, labelsPtr, beta.length, labels.length, classes);
  });
}

function attack(row: number[], labels: number[], classes: number, target: number) {
  return core.heap.scoped(() => {
    const rowPtr = core.heap.putF64(row);
    const labelsPtr = core.heap.putI32(labels);
    return voteAttack(core, rowPtr, labelsPtr, labels.length, classes, target);
  });
}

/** A row of n weights unit × k, k an integer in [−span, span] (zeros included). */
function decimalRow(random: () => number, n: number, unit: number, span: number): number[] {
  return Array.from({ length: n }, () => unit * (Math.floor(random() * (2 * span + 1)) - span));
}

/** Does the witness change the prediction under exact and under plain float re-scoring? */
function expectWitnessFlips(beta: number[], labels: number[], classes: number, witness: { train: number; from: number; to: number }[], clean: number, ctx: string) {
  const poisoned = applyFlips(labels, witness, classes);
  expect(exactPredict(exactRow(beta), poisoned, classes), `${ctx}: exact re-score`).not.toBe(clean);
  expect(predictFromBeta(beta, poisoned, classes), `${ctx}: float re-score`).not.toBe(clean);
}

describe('the reported reproducer', () => {
  it('flags β = [−0.30000000000000004, −0.2, −0.2, 0.1] and reports only a witness that really flips', () => {
    const beta = [-0.30000000000000004, -0.2, -0.2, 0.1];
    const labels = [1, 1, 1, 1];
    // The oracles disagree, which is the point: in exact arithmetic one flip
    // (row 0 → class 0) gives F1 − F0 = 0.1 + 0.2 + 0.2 − 0.30000000000000004 > 0,
    // but float re-scoring ties (F0 = F1 = −0.30000000000000004) and class 0 keeps it.
    expect(exactMinFlips(beta, labels, 2)).toBe(1);
    expect(bruteMinFlips(beta, labels, 2)).toBe(2);
    const cert = certify([beta], labels, 2);
    expect(cert.prediction[0]).toBe(0);
    expect(cert.nearTie[0]).toBe(1);
    expect(cert.radius[0]).toBe(0); // sound for both: ≤ 1 − 1 and ≤ 2 − 1
    const witness = cert.witnesses![0];
    expect(witness.length).toBeGreaterThan(0);
    expectWitnessFlips(beta, labels, 2, witness, 0, 'reproducer');
    expect(witness).toHaveLength(2);
    // Its two-class vote cost: lower 1 (sound), upper from a re-scored attack: 2.
    const costs = costsOf([beta], labels, 2);
    expect(costs.nearTie[0]).toBe(1);
    expect(Array.from(costs.lower)).toEqual([0, 1]);
    expect(Array.from(costs.upper)).toEqual([0, 2]);
  });

  it('has an exact oracle that really is exact', () => {
    // 0.1 + 0.2 is 0.3000000000000000166…, strictly between the doubles 0.3 and 0.30000000000000004.
    expect(exactPredict(exactRow([0.1, 0.2, 0.3]), [0, 0, 1], 2)).toBe(0);
    expect(exactPredict(exactRow([0.1, 0.2, 0.30000000000000004]), [0, 0, 1], 2)).toBe(1);
    expect(exactPredict(exactRow([1, 2 ** -1074]), [1, 0], 2)).toBe(1);
    expect(exactPredict(exactRow([1e300, -1e300, 2 ** -1074]), [0, 0, 1], 2)).toBe(1);
  });
});

describe('single-model certificate on decimal weights vs exact and float enumeration', () => {
  it('is exact when unflagged and sound when flagged on 1500 tiny problems; every witness flips', () => {
    const random = rng(4242);
    let unflagged = 0;
    let flagged = 0;
    let witnesses = 0;
    let oraclesDisagree = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const classes = [2, 2, 3, 4][Math.floor(random() * 4)];
      const n = 2 + Math.floor(random() * (classes === 2 ? 7 : classes === 3 ? 5 : 4));
      const unit = UNITS[trial % UNITS.length];
      const beta = Array.from({ length: 2 }, () => decimalRow(random, n, unit, 1 + Math.floor(random() * 4)));
      const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
      const cert = certify(beta, labels, classes);
      for (let p = 0; p < beta.length; p++) {
        const ctx = `trial ${trial}, point ${p}: β ${beta[p]} y ${labels}`;
        const row = beta[p];
        const clean = predictFromBeta(row, labels, classes);
        expect(cert.prediction[p], ctx).toBe(clean);
        const exactClean = exactPredict(exactRow(row), labels, classes);
        const floatTruth = bruteMinFlips(row, labels, classes);
        const exactTruth = exactMinFlips(row, labels, classes);
        const asRadius = (f: number) => (Number.isFinite(f) ? f - 1 : n);
        if (floatTruth !== exactTruth || exactClean !== clean) oraclesDisagree++;
        const radius = cert.radius[p];
        if (cert.nearTie[p]) {
          flagged++;
          expect(radius, ctx).toBeLessThanOrEqual(asRadius(floatTruth));
          if (exactClean === clean) expect(radius, ctx).toBeLessThanOrEqual(asRadius(exactTruth));
          else expect(radius, ctx).toBe(0); // the prediction itself is within rounding
        } else {
          unflagged++;
          expect(exactClean, ctx).toBe(clean);
          expect(radius, ctx).toBe(asRadius(exactTruth));
          expect(radius, ctx).toBe(asRadius(floatTruth));
        }
        // `upper` bounds the float truth, and the exact one where the predictions agree; = radius unless flagged.
        const upper = cert.upper[p];
        expect(upper, ctx).toBeGreaterThanOrEqual(asRadius(floatTruth));
        if (exactClean === clean) expect(upper, ctx).toBeGreaterThanOrEqual(asRadius(exactTruth));
        if (!cert.nearTie[p]) expect(upper, ctx).toBe(radius);
        const witness = cert.witnesses![p];
        if (witness.length > 0) expect(witness.length, ctx).toBe(upper + 1);
        if (radius === n) expect(witness, ctx).toEqual([]);
        if (!cert.nearTie[p] && radius < n) expect(witness, ctx).toHaveLength(radius + 1);
        if (witness.length > 0) {
          witnesses++;
          expect(witness.length, ctx).toBeGreaterThanOrEqual(radius + 1);
          expectWitnessFlips(row, labels, classes, witness, clean, ctx);
        }
      }
    }
    // Both regimes must really be exercised, including points where float and exact truth differ.
    expect(unflagged).toBeGreaterThan(1000);
    expect(flagged).toBeGreaterThan(100);
    expect(oraclesDisagree).toBeGreaterThan(5);
    expect(witnesses).toBeGreaterThan(1500);
  });
});

describe('vote costs on decimal weights vs exact and float enumeration', () => {
  it('bracket both truths, are exact for two unflagged classes, and every attack re-scores to its target', () => {
    const random = rng(777);
    let exactTwo = 0;
    let attacks = 0;
    for (let trial = 0; trial < 600; trial++) {
      const classes = [2, 2, 3, 4][Math.floor(random() * 4)];
      const n = 2 + Math.floor(random() * (classes === 2 ? 7 : classes === 3 ? 5 : 4));
      const unit = UNITS[trial % UNITS.length];
      const beta = Array.from({ length: 2 }, () => decimalRow(random, n, unit, 1 + Math.floor(random() * 4)));
      const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
      const costs = costsOf(beta, labels, classes);
      beta.forEach((row, p) => {
        const ctx = `trial ${trial}, point ${p}: β ${row} y ${labels}`;
        const vote = predictFromBeta(row, labels, classes);
        expect(costs.votes[p], ctx).toBe(vote);
        const near = costs.nearTie[p] === 1;
        const voteAgrees = exactPredict(exactRow(row), labels, classes) === vote;
        if (!near) expect(voteAgrees, ctx).toBe(true);
        const floatTruth = bruteMinFlipsTo(row, labels, classes);
        const exactTruth = exactMinFlipsTo(row, labels, classes);
        for (let l = 0; l < classes; l++) {
          const at = `${ctx}, class ${l}`;
          const lower = costs.lower[p * classes + l];
          const upper = costs.upper[p * classes + l];
          const truths = voteAgrees ? [floatTruth[l], exactTruth[l]] : [floatTruth[l]];
          for (const truth of truths) {
            const t = Number.isFinite(truth) ? truth : UNREACHABLE;
            expect(lower, at).toBeLessThanOrEqual(t);
            expect(upper, at).toBeGreaterThanOrEqual(t);
            if (classes === 2 && !near) expect([lower, upper], at).toEqual([t, t]);
          }
          if (classes === 2 && !near) exactTwo++;
          if (l === vote || upper === UNREACHABLE || classes === 2) continue;
          const hit = attack(row, labels, classes, l);
          expect(hit.flips, at).toBe(upper);
          expect(distance(hit.labels, labels), at).toBe(upper);
          expect(exactPredict(exactRow(row), hit.labels, classes), at).toBe(l);
          expect(predictFromBeta(row, Array.from(hit.labels), classes), at).toBe(l);
          attacks++;
        }
      });
    }
    expect(exactTwo).toBeGreaterThan(200);
    expect(attacks).toBeGreaterThan(200);
  });
});

describe('partition ensembles on decimal weights vs exact and float enumeration', () => {
  /** Fewest flips changing the ensemble vote, given each partition's true costs to vote each class. */
  function ensembleTruth(votes: number[], costs: number[][], classes: number, nTrain: number): number {
    const k = votes.length;
    const majority = (v: number[]) => {
      const counts = new Array<number>(classes).fill(0);
      v.forEach((x) => counts[x]++);
      let best = 0;
      for (let c = 1; c < classes; c++) if (counts[c] > counts[best]) best = c;
      return best;
    };
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
    return Number.isFinite(best) ? Math.min(best - 1, nTrain) : nTrain;
  }

  it('report radius ≤ truth ≤ upper, and exact (and two-class) results equal both truths, on 400 ensembles', () => {
    const random = rng(31337);
    let exactChecked = 0;
    let flaggedChecked = 0;
    for (let trial = 0; trial < 400; trial++) {
      const classes = trial % 3 === 2 ? 3 : 2;
      const k = 2 + Math.floor(random() * 3);
      const unit = UNITS[trial % UNITS.length];
      const m = 2;
      const parts = Array.from({ length: k }, () => {
        const n = 2 + Math.floor(random() * (classes === 2 ? 3 : 2));
        const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
        const beta = Array.from({ length: m }, () => decimalRow(random, n, unit, 1 + Math.floor(random() * 3)));
        return { labels, beta, costs: costsOf(beta, labels, classes) };
      });
      const nTrain = parts.reduce((s, q) => s + q.labels.length, 0);
      const agg = aggregateBlock({
        votes: parts.map((q) => q.costs.votes),
        lower: parts.map((q) => q.costs.lower),
        upper: parts.map((q) => q.costs.upper),
        classes,
        nTrain,
        m,
      });
      for (let j = 0; j < m; j++) {
        const ctx = `trial ${trial}, point ${j}`;
        const near = parts.some((q) => q.costs.nearTie[j] === 1);
        const floatVotes = parts.map((q) => predictFromBeta(q.beta[j], q.labels, classes));
        const exactVotes = parts.map((q) => exactPredict(exactRow(q.beta[j]), q.labels, classes));
        const sameVotes = floatVotes.every((v, p) => v === exactVotes[p]);
        if (!near) expect(sameVotes, ctx).toBe(true);
        const exactPrediction = aggregateBlock({
          votes: exactVotes.map((v) => Int32Array.of(v)),
          lower: exactVotes.map(() => new Int32Array(classes)),
          upper: exactVotes.map(() => new Int32Array(classes)),
          classes,
          nTrain,
          m: 1,
        }).prediction[0];
        // A prediction that exact arithmetic would change is flagged, and certifies nothing.
        if (exactPrediction !== agg.prediction[j]) expect([near, agg.radius[j]], ctx).toEqual([true, 0]);
        else if (!sameVotes) expect(agg.radius[j], ctx).toBeLessThanOrEqual(
          ensembleTruth(exactVotes, parts.map((q) => exactMinFlipsTo(q.beta[j], q.labels, classes)), classes, nTrain),
        );
        const truths = [ensembleTruth(floatVotes, parts.map((q) => bruteMinFlipsTo(q.beta[j], q.labels, classes)), classes, nTrain)];
        if (sameVotes) truths.push(ensembleTruth(exactVotes, parts.map((q) => exactMinFlipsTo(q.beta[j], q.labels, classes)), classes, nTrain));
        for (const truth of truths) {
          // Soundness holds flagged or not.
          expect(agg.radius[j], ctx).toBeLessThanOrEqual(truth);
          expect(agg.upper[j], ctx).toBeGreaterThanOrEqual(truth);
          if (agg.radius[j] === agg.upper[j]) expect(agg.radius[j], ctx).toBe(truth);
          if (classes === 2 && !near) expect([agg.radius[j], agg.upper[j]], ctx).toEqual([truth, truth]);
        }
        if (agg.radius[j] === agg.upper[j]) exactChecked++;
        if (near) flaggedChecked++;
      }
    }
    expect(exactChecked).toBeGreaterThan(300);
    expect(flaggedChecked).toBeGreaterThan(30);
  });
});
