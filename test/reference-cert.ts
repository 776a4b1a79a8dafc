// Plain oracles for the certificate tests: exhaustive enumeration of label
// vectors and the textbook sort-per-pair count of docs/spec.md §4, written with no
// shared code or cleverness so the Wasm fast path can be checked against them.

import { forEachLabelVector, predict, predictFromBeta, type ModelParams, type Rows } from './reference.js';

export const UNREACHABLE = 0x7fffffff;

/**
 * For every class l, the fewest label changes that make the model (weights
 * `beta`, argmax of F_c = Σ_{y_i = c} β_i, ties to the lowest class) predict l,
 * by enumerating all classes^n label vectors and scoring each from scratch.
 * Infinity where no label vector reaches l.
 */
export function bruteMinFlipsTo(beta: number[], labels: number[], classes: number): number[] {
  const n = beta.length;
  const best = new Array<number>(classes).fill(Infinity);
  const current = labels.slice();
  const visit = (i: number, changed: number): void => {
    if (i === n) {
      const p = predictFromBeta(beta, current, classes);
      if (changed < best[p]) best[p] = changed;
      return;
    }
    for (let c = 0; c < classes; c++) {
      current[i] = c;
      visit(i + 1, changed + (c === labels[i] ? 0 : 1));
    }
    current[i] = labels[i];
  };
  visit(0, 0);
  return best;
}

/** Smallest number of changes that alter the prediction (Infinity if none), by enumeration. */
export function bruteMinFlips(beta: number[], labels: number[], classes: number): number {
  const to = bruteMinFlipsTo(beta, labels, classes);
  const clean = predictFromBeta(beta, labels, classes);
  return Math.min(...to.filter((_, l) => l !== clean));
}

/** Applies witness flips, checking that each names the current label and a new one, once per row. */
export function applyFlips(labels: number[], flips: { train: number; from: number; to: number }[], classes: number): number[] {
  const out = labels.slice();
  const seen = new Set<number>();
  for (const f of flips) {
    if (!Number.isInteger(f.train) || f.train < 0 || f.train >= labels.length) throw new Error(`bad row ${f.train}`);
    if (seen.has(f.train)) throw new Error(`row ${f.train} flipped twice`);
    if (f.from !== labels[f.train]) throw new Error(`row ${f.train}: from ${f.from} but label is ${labels[f.train]}`);
    if (f.to === f.from || f.to < 0 || f.to >= classes) throw new Error(`row ${f.train}: bad target ${f.to}`);
    seen.add(f.train);
    out[f.train] = f.to;
  }
  return out;
}

/** Number of positions where two label vectors differ. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/**
 * docs/spec.md §4 count for "t overtakes b" by sorting the gains of this one pair,
 * with the rounding rule of the README ("Rounding"): success when
 * S > M − eps·(A_b + A_t + S); near unless S > M + eps·(A_b + A_t + S), i.e.
 * whenever the outcome lies within the band on either side. `minFlips` = 1
 * forbids the empty attack (b is the prediction) and then needs a strictly
 * positive gain; `voteNear` says that the clean margin itself is within the band.
 */
export function pairBySort(
  beta: number[],
  labels: number[],
  classes: number,
  b: number,
  t: number,
  eps: number,
  minFlips: 0 | 1,
): { flips: number; near: boolean; voteNear: boolean } {
  const scores = new Array<number>(classes).fill(0);
  for (let i = 0; i < beta.length; i++) scores[labels[i]] += beta[i];
  const margin = scores[b] - scores[t];
  let scale = 0;
  const gains: number[] = [];
  for (let i = 0; i < beta.length; i++) {
    const x = beta[i];
    if (labels[i] === b || labels[i] === t) scale += Math.abs(x);
    if (labels[i] === b) gains.push(x + Math.abs(x));
    else if (labels[i] === t) gains.push(Math.abs(x) - x);
    else gains.push(Math.abs(x));
  }
  gains.sort((x, y) => y - x);
  const orEqual = t < b;
  const clear = (s: number) => s - margin > eps * (scale + s);
  const tolerant = (s: number) => s > margin - eps * (scale + s) || (orEqual && s === margin - eps * (scale + s));
  if (tolerant(0)) {
    if (minFlips === 0) return { flips: 0, near: !clear(0), voteNear: false };
    // Some flip must change something: the first strictly positive gain.
    return gains[0] > 0 ? { flips: 1, near: true, voteNear: true } : { flips: UNREACHABLE, near: true, voteNear: true };
  }
  let sum = 0;
  for (let s = 1; s <= gains.length; s++) {
    sum += gains[s - 1];
    if (tolerant(sum)) return { flips: s, near: !clear(sum), voteNear: false };
  }
  return { flips: UNREACHABLE, near: false, voteNear: false };
}

/**
 * Single-model radii by brute force through the reference model: for every
 * label vector, re-solve the model from scratch (test/reference.ts) and record
 * the fewest flips that change each test prediction. Radius = that − 1, n when
 * none does. Shares no code with the library.
 */
export function oracleRadii(trainX: Rows, labels: number[], testX: Rows, classes: number, params: ModelParams): number[] {
  const n = labels.length;
  const clean = predict(trainX, labels, testX, classes, params);
  const best = clean.map(() => n + 1);
  forEachLabelVector(labels, classes, (current, flips) => {
    if (flips === 0 || best.every((b) => b <= flips)) return;
    predict(trainX, current, testX, classes, params).forEach((p, t) => {
      if (p !== clean[t] && flips < best[t]) best[t] = flips;
    });
  });
  return best.map((b) => Math.min(b - 1, n));
}
