// Ensemble witnesses (docs/spec.md §5.6): for every point whose attack succeeded, the
// flips behind `upper`, i.e. the knapsack's choice on the attack costs (which
// partitions switch, to which class) filled in with each chosen partition's
// attack, re-checked by re-voting.
//
// Memory: the first pass keeps only costs. The flips are recomputed afterwards,
// in a second pass over the partitions the choices touch, for the chosen
// (point, partition, class) triples only.
import { majority } from './dpa.js';
import { knapsackChoice, type KnapsackPick } from './choice.js';
import type { PartitionResult } from '../partition/task.js';
import type { WitnessFlip } from '../types.js';

/** What the witness pass needs to know per point. */
export interface WitnessPlan {
  /** Per point: the picks of its knapsack choice on the attack costs, or null (no witness). */
  picks: (KnapsackPick[] | null)[];
  /** Per partition: (point, target, cost) triples, flat, by ascending point; empty when untouched. */
  requests: Int32Array[];
}

/**
 * Plans the witness pass from the first pass's votes and attack costs:
 * points whose `upper` is below n (an attack succeeded) get the knapsack's choice.
 */
export function planWitnesses(results: PartitionResult[], prediction: Int32Array, upper: Int32Array, classes: number, nTrain: number): WitnessPlan {
  const k = results.length;
  const m = prediction.length;
  const votes = new Int32Array(k);
  const costs = new Int32Array(k * classes);
  const requests: number[][] = Array.from({ length: k }, () => []);
  const picks: (KnapsackPick[] | null)[] = new Array(m).fill(null);
  for (let j = 0; j < m; j++) {
    if (upper[j] >= nTrain) continue;
    for (let p = 0; p < k; p++) {
      votes[p] = results[p].votes[j];
      costs.set(results[p].upper!.subarray(j * classes, (j + 1) * classes), p * classes);
    }
    const choice = knapsackChoice(votes, costs, classes, prediction[j]);
    if (!choice) continue;
    picks[j] = choice.picks;
    for (const pick of choice.picks) requests[pick.partition].push(j, pick.to, pick.cost);
  }
  return { picks, requests: requests.map((r) => Int32Array.from(r)) };
}

/** One point's witness: flips in full-training-set rows, with the partition each lies in. */
export interface EnsembleWitness {
  witness: (WitnessFlip & { partition: number })[];
  /** Every touched partition re-scored clearly votes its new class, and the re-vote changes the prediction. */
  verified: boolean;
}

/**
 * Assembles each point's witness from the witness pass's results (`attacks[p]`
 * for every partition with requests) and re-votes: the clean votes, with every
 * touched partition's vote replaced by what its re-scored attack votes.
 * `groups[p]` maps partition p's local rows to full-training-set rows.
 */
export function assembleWitnesses(
  plan: WitnessPlan,
  attacks: (PartitionResult | undefined)[],
  cleanVotes: Int32Array[],
  prediction: Int32Array,
  groups: readonly Int32Array[],
  classes: number,
): (EnsembleWitness | null)[] {
  const cursor = new Int32Array(attacks.length);
  return plan.picks.map((picks, j) => {
    if (!picks) return null;
    const counts = new Int32Array(classes);
    for (const v of cleanVotes) counts[v[j]]++;
    const witness: EnsembleWitness['witness'] = [];
    let verified = true;
    for (const { partition: p, to } of picks) {
      const result = attacks[p]!;
      const a = cursor[p]++;
      verified &&= result.attackVerified![a] === 1;
      counts[cleanVotes[p][j]]--;
      counts[to]++;
      for (let f = result.attackStart![a]; f < result.attackStart![a + 1]; f++) {
        const flips = result.attackFlips!;
        witness.push({ train: groups[p][flips[3 * f]], from: flips[3 * f + 1], to: flips[3 * f + 2], partition: p });
      }
    }
    return { witness, verified: verified && majority(counts) !== prediction[j] };
  });
}
