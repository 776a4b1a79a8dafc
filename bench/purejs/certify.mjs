// docs/spec.md §3–§5 with plain loops: base-model weights via ml-matrix's Cholesky, flip
// counts by sorting gains, per-partition vote costs, the ensemble knapsack and DPA.
import { CholeskyDecomposition } from 'ml-matrix';
import { crossMatrix, gramMatrix } from './ntk.mjs';

// flipcert counts a comparison within this relative distance of its threshold as an attack success.
const RELATIVE_TOLERANCE = 1e-12;

/**
 * docs/spec.md §3 weights for every test point: an array of Float64Array(n).
 * Returns { betas, fixedSeconds } where fixedSeconds is the part that does not grow with test points.
 */
export function baseModelBetas(trainRows, testRows, opts) {
  const started = performance.now();
  let chol = null;
  if (opts.model === 'krr') {
    const k = gramMatrix(trainRows, opts.kernel);
    const n = trainRows.length;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += k.get(i, i);
    const lambda = (opts.reg * trace) / n; // relative ridge λ̃ = reg·trace(K)/n
    for (let i = 0; i < n; i++) k.set(i, i, k.get(i, i) + lambda);
    chol = new CholeskyDecomposition(k);
  }
  const fixedSeconds = (performance.now() - started) / 1000;
  const kt = crossMatrix(trainRows, testRows, opts.kernel);
  const solved = chol ? chol.solve(kt) : kt; // small-C SVM: β = k(X, x)
  const betas = testRows.map((_, j) => Float64Array.from(solved.getColumn(j)));
  return { betas, fixedSeconds };
}

/** F_c = Σ_{y_i = c} β_i, and Σ|β_i|. */
export function classScores(beta, labels, classes) {
  const scores = new Float64Array(classes);
  let sumAbs = 0;
  for (let i = 0; i < beta.length; i++) {
    scores[labels[i]] += beta[i];
    sumAbs += Math.abs(beta[i]);
  }
  return { scores, sumAbs };
}

/** argmax with ties to the lowest index. */
export function argmax(values) {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c] > values[best]) best = c;
  return best;
}

/**
 * docs/spec.md §4: flips for `challenger` to overtake `leader`; 0 when it already beats it,
 * Infinity when no number of flips does. Near-ties (within the tolerance) count as success.
 */
export function pairFlips(beta, labels, scores, sumAbs, leader, challenger) {
  const margin = scores[leader] - scores[challenger];
  if (margin < 0 || (margin === 0 && challenger < leader)) return 0;
  const n = beta.length;
  const gains = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = beta[i];
    const abs = Math.abs(b);
    gains[i] = labels[i] === leader ? b + abs : labels[i] === challenger ? abs - b : abs;
  }
  gains.sort();
  const need = margin - RELATIVE_TOLERANCE * (sumAbs + Math.abs(margin));
  let sum = 0;
  for (let s = 1; s <= n; s++) {
    sum += gains[n - s];
    if (sum >= need) return s;
  }
  return Infinity;
}

/** ScaLabelCert (k = 1): prediction and r* = min_{c'} s(c') − 1, n when unreachable. */
export function singleModel(beta, labels, classes) {
  const { scores, sumAbs } = classScores(beta, labels, classes);
  const prediction = argmax(scores);
  let flips = Infinity;
  for (let other = 0; other < classes; other++) {
    if (other !== prediction) flips = Math.min(flips, pairFlips(beta, labels, scores, sumAbs, prediction, other));
  }
  return { prediction, radius: flips === Infinity ? labels.length : flips - 1 };
}

/** One partition's vote and ρ_p(l) per class: exact for C = 2, LB_p(l) = max_j pair(l over j) above. */
export function voteCosts(beta, labels, classes) {
  const { scores, sumAbs } = classScores(beta, labels, classes);
  const rho = new Float64Array(classes);
  for (let target = 0; target < classes; target++) {
    for (let leader = 0; leader < classes; leader++) {
      if (leader !== target) rho[target] = Math.max(rho[target], pairFlips(beta, labels, scores, sumAbs, leader, target));
    }
  }
  return { vote: argmax(scores), rho };
}

/** Vote counts N_l per class. */
export function voteCounts(votes, classes) {
  const counts = new Array(classes).fill(0);
  for (const v of votes) counts[v]++;
  return counts;
}

/** r_DPA = min_{c'≠c} ⌊(N_c − N_c' − [c' < c]) / 2⌋. */
export function dpaRadius(counts, prediction) {
  let best = Infinity;
  for (let c = 0; c < counts.length; c++) {
    if (c !== prediction) best = Math.min(best, Math.floor((counts[prediction] - counts[c] - (c < prediction ? 1 : 0)) / 2));
  }
  return best;
}

/**
 * EnsembleCert for one test point: votes[p] and rhos[p] (Float64Array(C)) per partition.
 * For every target c' a multiple-choice knapsack over gains 0..G gives the least flips.
 */
export function ensembleRadius(votes, rhos, classes, nTrain) {
  const counts = voteCounts(votes, classes);
  const prediction = argmax(counts);
  let best = Infinity;
  for (let target = 0; target < classes; target++) {
    if (target === prediction) continue;
    const need = counts[prediction] - counts[target] + (target > prediction ? 1 : 0);
    best = Math.min(best, knapsack(votes, rhos, prediction, target, need));
  }
  return { prediction, counts, radius: best === Infinity ? nTrain : best - 1 };
}

/** Least total cost reaching vote gain ≥ need; dp[g] = least cost reaching gain ≥ g. */
function knapsack(votes, rhos, prediction, target, need) {
  let dp = new Array(need + 1).fill(Infinity);
  dp[0] = 0;
  for (let p = 0; p < votes.length; p++) {
    const rho = rhos[p];
    let two = Infinity;
    let one = Infinity;
    if (votes[p] === prediction) {
      two = rho[target];
      for (let l = 0; l < rho.length; l++) if (l !== prediction && l !== target) one = Math.min(one, rho[l]);
    } else if (votes[p] !== target) {
      one = rho[target];
    }
    const next = dp.slice();
    for (let g = 1; g <= need; g++) {
      next[g] = Math.min(next[g], dp[Math.max(0, g - 2)] + two, dp[g - 1] + one);
    }
    dp = next;
  }
  return dp[need];
}
