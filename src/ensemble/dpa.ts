// The black-box certificate of Deep Partition Aggregation (docs/spec.md §5): it only
// sees vote counts, and assumes every flip can move one vote anywhere.
import { FlipcertError } from '../errors.js';

/** The class with the most votes; ties go to the lowest class index. */
export function majority(votes: ArrayLike<number>): number {
  if (votes.length === 0) throw new FlipcertError('majority: no classes to vote for', 'EINTERNAL');
  let best = 0;
  for (let l = 1; l < votes.length; l++) if (votes[l] > votes[best]) best = l;
  return best;
}

/**
 * DPA radius: min over c' ≠ c of ⌊(N_c − N_c' − [c' < c]) / 2⌋, where
 * `votes[l]` = N_l and c = `prediction`, which must be the majority vote.
 * Infinity when there is no other class (nothing can change the prediction).
 */
export function dpaRadius(votes: ArrayLike<number>, prediction: number): number {
  if (!Number.isInteger(prediction) || prediction < 0 || prediction >= votes.length) {
    throw new FlipcertError(`dpaRadius: prediction ${prediction} is not a class in 0..${votes.length - 1}`, 'EINTERNAL');
  }
  if (majority(votes) !== prediction) {
    throw new FlipcertError(`dpaRadius: prediction ${prediction} is not the majority vote`, 'EINTERNAL');
  }
  let radius = Infinity;
  for (let rival = 0; rival < votes.length; rival++) {
    if (rival === prediction) continue;
    // A lower-indexed rival wins ties, so it needs one vote less.
    const gap = votes[prediction] - votes[rival] - (rival < prediction ? 1 : 0);
    radius = Math.min(radius, Math.floor(gap / 2));
  }
  return radius;
}
