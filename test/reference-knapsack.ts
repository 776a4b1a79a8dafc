// EnsembleCert's knapsack (docs/spec.md §5) the plain way, as an oracle for the
// fast one in src/ensemble/knapsack.ts.
import { UNREACHABLE } from '../src/types.js';

/**
 * Plain O(k·G) dynamic program for the problem of src/ensemble/knapsack.ts's
 * minFlipCost, straight from docs/spec.md §5: an independent cross-check of its
 * sorting-based solution (tests and bench/knapsack.mjs compare the two).
 */
export function minFlipCostDp(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  prediction: number,
  rival: number,
): number {
  const counts = new Int32Array(classes);
  for (let p = 0; p < votes.length; p++) counts[votes[p]]++;
  // G = N_c − N_c' + [c' > c] (docs/spec.md §5).
  const need = counts[prediction] - counts[rival] + (rival > prediction ? 1 : 0);
  if (need <= 0) return 0;
  // best[g] = cheapest cost reaching gain ≥ g (gains beyond `need` are clamped).
  let best = new Float64Array(need + 1).fill(Infinity);
  best[0] = 0;
  for (let p = 0; p < votes.length; p++) {
    const options = partitionOptions(votes[p], costs, p, classes, prediction, rival);
    if (options.length === 0) continue;
    const next = best.slice();
    for (let g = 0; g <= need; g++) {
      if (best[g] === Infinity) continue;
      for (const [gain, cost] of options) {
        const to = Math.min(need, g + gain);
        next[to] = Math.min(next[to], best[g] + cost);
      }
    }
    best = next;
  }
  return best[need];
}

/** The (gain, cost) options of partition p against `rival`, straight from docs/spec.md §5. */
export function partitionOptions(
  vote: number,
  costs: Int32Array,
  p: number,
  classes: number,
  prediction: number,
  rival: number,
): [gain: number, cost: number][] {
  const row = p * classes;
  const options: [number, number][] = [];
  if (vote === rival) return options;
  if (vote !== prediction) {
    if (costs[row + rival] !== UNREACHABLE) options.push([1, costs[row + rival]]);
    return options;
  }
  if (costs[row + rival] !== UNREACHABLE) options.push([2, costs[row + rival]]);
  let other = UNREACHABLE;
  for (let l = 0; l < classes; l++) {
    if (l !== prediction && l !== rival) other = Math.min(other, costs[row + l]);
  }
  if (other !== UNREACHABLE) options.push([1, other]);
  return options;
}
