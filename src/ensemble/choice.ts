// The knapsack's choice (docs/spec.md §5.4), not only its cost: which partitions an
// attacker switches, and to which class, in a cheapest way to change the
// ensemble's vote. Used for ensemble witnesses (src/ensemble/witness.ts), so it
// runs only on points that need one; the plain dynamic program with a
// traceback is simpler to trust than a traceback through the counting-sort
// solver of knapsack.ts, and the tests check that both give the same cost.
import { FlipcertError } from '../errors.js';
import { UNREACHABLE } from '../types.js';
import { majority } from './dpa.js';

/** One partition switched by the attack: make `partition` vote `to`, at `cost` flips inside it. */
export interface KnapsackPick {
  partition: number;
  to: number;
  cost: number;
}

/** A cheapest vote change: the rival that overtakes the prediction and the partitions switched for it. */
export interface KnapsackChoice {
  rival: number;
  /** Total flips, the sum of the picks' costs. */
  cost: number;
  picks: KnapsackPick[];
}

/**
 * A cheapest choice of options (docs/spec.md §5.4) over all rivals for the costs
 * `costs[p * classes + l]` (UNREACHABLE = impossible); null when no choice
 * changes the vote. Among rivals of equal cost the lowest index wins.
 */
export function knapsackChoice(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  prediction: number,
): KnapsackChoice | null {
  const k = votes.length;
  if (costs.length !== k * classes) {
    throw new FlipcertError(`knapsackChoice: expected ${k} × ${classes} costs, got ${costs.length}`, 'EINTERNAL');
  }
  const counts = new Int32Array(classes);
  for (let p = 0; p < k; p++) counts[votes[p]]++;
  if (majority(counts) !== prediction) {
    throw new FlipcertError(`knapsackChoice: prediction ${prediction} is not the majority vote`, 'EINTERNAL');
  }
  let best: KnapsackChoice | null = null;
  for (let rival = 0; rival < classes; rival++) {
    if (rival === prediction) continue;
    const need = counts[prediction] - counts[rival] + (rival > prediction ? 1 : 0);
    const choice = choiceFor(votes, costs, classes, prediction, rival, need);
    if (choice && (!best || choice.cost < best.cost)) best = choice;
  }
  return best;
}

/** The options of partition p against `rival` (docs/spec.md §5.4 table), each with the class it switches to. */
function options(vote: number, costs: Int32Array, p: number, classes: number, c: number, rival: number): KnapsackPick[] {
  const row = p * classes;
  const out: KnapsackPick[] = [];
  if (vote === rival) return out;
  if (costs[row + rival] !== UNREACHABLE) out.push({ partition: p, to: rival, cost: costs[row + rival] });
  if (vote !== c) return out;
  let other = -1;
  for (let l = 0; l < classes; l++) {
    if (l === c || l === rival) continue;
    if (costs[row + l] !== UNREACHABLE && (other < 0 || costs[row + l] < costs[row + other])) other = l;
  }
  if (other >= 0) out.push({ partition: p, to: other, cost: costs[row + other] });
  return out;
}

/** Gain of switching a partition that votes `vote` to `to`, against `rival` (docs/spec.md §5.4). */
function gainOf(vote: number, to: number, c: number, rival: number): number {
  return vote === c && to === rival ? 2 : 1;
}

/** O(k·G) dynamic program over "gain reached, clamped at need", with a traceback. */
function choiceFor(
  votes: ArrayLike<number>,
  costs: Int32Array,
  classes: number,
  c: number,
  rival: number,
  need: number,
): KnapsackChoice | null {
  if (need <= 0) return { rival, cost: 0, picks: [] };
  const k = votes.length;
  const width = need + 1;
  // best[p][g]: cheapest cost over partitions < p reaching gain g (clamped at need).
  const best = new Float64Array((k + 1) * width).fill(Infinity);
  const from = new Int32Array((k + 1) * width).fill(-1); // previous gain, −1 = partition skipped
  const picked: (KnapsackPick | null)[] = new Array((k + 1) * width).fill(null);
  best[0] = 0;
  for (let p = 0; p < k; p++) {
    const opts = options(votes[p], costs, p, classes, c, rival);
    const here = p * width;
    const next = (p + 1) * width;
    for (let g = 0; g < width; g++) best[next + g] = best[here + g];
    for (let g = 0; g < width; g++) {
      if (best[here + g] === Infinity) continue;
      for (const o of opts) {
        const to = Math.min(need, g + gainOf(votes[p], o.to, c, rival));
        const cost = best[here + g] + o.cost;
        if (cost < best[next + to]) {
          best[next + to] = cost;
          from[next + to] = g;
          picked[next + to] = o;
        }
      }
    }
  }
  const total = best[k * width + need];
  if (total === Infinity) return null;
  const picks: KnapsackPick[] = [];
  for (let p = k, g = need; p > 0; p--) {
    const at = p * width + g;
    const pick = picked[at];
    if (pick) {
      picks.push(pick);
      g = from[at];
    }
  }
  picks.reverse();
  return { rival, cost: total, picks };
}
