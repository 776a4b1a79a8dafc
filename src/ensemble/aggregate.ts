// Turns the per-partition base-model results for a block of test points into
// the ensemble's prediction and its three radii (docs/spec.md §5).
import { FlipcertError } from '../errors.js';
import { dpaRadius, majority } from './dpa.js';
import { ensembleRadius, KnapsackScratch } from './knapsack.js';

export interface AggregateInput {
  /** Per partition: its vote for each of the m test points. */
  votes: Int32Array[];
  /** Per partition: m × C row-major sound lower bounds on ρ_p(l). */
  lower: Int32Array[];
  /** Per partition: m × C row-major costs of real attacks (upper bounds on ρ_p(l)). */
  upper: Int32Array[];
  classes: number;
  nTrain: number;
  m: number;
}

export interface AggregateResult {
  /** Ensemble prediction per point (majority, ties to the lowest class). */
  prediction: Int32Array;
  /** m × C vote counts. */
  votes: Int32Array;
  /** EnsembleCert certificate from the lower costs, in [0, nTrain]. */
  radius: Int32Array;
  /** The same knapsack on the upper costs: no smaller certificate is provable beyond it. */
  upper: Int32Array;
  /** Black-box DPA radius from the vote counts alone. */
  dpaRadius: Int32Array;
}

/**
 * Aggregates k partitions' votes and per-class flip costs for m test points.
 * A point is exact when radius === upper.
 */
export function aggregateBlock(input: AggregateInput): AggregateResult {
  checkAggregateInput(input);
  const { classes, nTrain, m } = input;
  const k = input.votes.length;
  const scratch = new KnapsackScratch(k);
  const pointVotes = new Int32Array(k);
  const lowerCosts = new Int32Array(k * classes);
  const upperCosts = new Int32Array(k * classes);
  const result: AggregateResult = {
    prediction: new Int32Array(m),
    votes: new Int32Array(m * classes),
    radius: new Int32Array(m),
    upper: new Int32Array(m),
    dpaRadius: new Int32Array(m),
  };
  for (let j = 0; j < m; j++) {
    gatherPoint(input, j, pointVotes, lowerCosts, upperCosts);
    const counts = result.votes.subarray(j * classes, (j + 1) * classes);
    for (let p = 0; p < k; p++) counts[pointVotes[p]]++;
    const c = majority(counts);
    result.prediction[j] = c;
    result.dpaRadius[j] = Math.min(dpaRadius(counts, c), nTrain);
    result.radius[j] = ensembleRadius(pointVotes, lowerCosts, classes, c, nTrain, scratch);
    result.upper[j] = ensembleRadius(pointVotes, upperCosts, classes, c, nTrain, scratch);
  }
  return result;
}

/** Copies point j's column out of the per-partition arrays into k-major scratch. */
function gatherPoint(
  input: AggregateInput,
  j: number,
  votes: Int32Array,
  lower: Int32Array,
  upper: Int32Array,
): void {
  const C = input.classes;
  // Plain loops: a subarray per partition per point cost more than the copy.
  for (let p = 0; p < votes.length; p++) {
    votes[p] = input.votes[p][j];
    const lo = input.lower[p];
    const up = input.upper[p];
    for (let l = 0, from = j * C, to = p * C; l < C; l++) {
      lower[to + l] = lo[from + l];
      upper[to + l] = up[from + l];
    }
  }
}

/** Internal invariants (EINTERNAL): the inputs come from the workers, never from a user. */
function checkAggregateInput(input: AggregateInput): void {
  const { votes, lower, upper, classes, nTrain, m } = input;
  const k = votes.length;
  if (!Number.isInteger(classes) || classes < 1) throw new FlipcertError(`aggregate: classes must be a positive integer, got ${classes}`, 'EINTERNAL');
  if (!Number.isInteger(nTrain) || nTrain < 0) throw new FlipcertError(`aggregate: nTrain must be a non-negative integer, got ${nTrain}`, 'EINTERNAL');
  if (!Number.isInteger(m) || m < 0) throw new FlipcertError(`aggregate: m must be a non-negative integer, got ${m}`, 'EINTERNAL');
  if (k === 0) throw new FlipcertError('aggregate: no partitions', 'EINTERNAL');
  if (lower.length !== k || upper.length !== k) {
    throw new FlipcertError(`aggregate: ${k} vote arrays but ${lower.length} lower and ${upper.length} upper cost arrays`, 'EINTERNAL');
  }
  for (let p = 0; p < k; p++) {
    if (votes[p].length !== m) throw new FlipcertError(`aggregate: partition ${p} has ${votes[p].length} votes, expected ${m}`, 'EINTERNAL');
    for (const [name, costs] of [['lower', lower[p]], ['upper', upper[p]]] as const) {
      if (costs.length !== m * classes) {
        throw new FlipcertError(`aggregate: partition ${p} ${name} costs have ${costs.length} entries, expected ${m} × ${classes}`, 'EINTERNAL');
      }
    }
  }
}
