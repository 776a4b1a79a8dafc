// The exact cost ρ(l) of "make this base model vote l" (docs/spec.md §5.7), for
// entries where the sound lower bound and the attack's upper bound differ:
// a branch and bound over which training labels change and where they go.
//
// Gain of a flip against rival j: Δ(F_l − F_j). Only three kinds of flips are
// ever needed (every other relabelling is dominated, componentwise, by one of
// these or by no flip; see the spec):
//   A  a point of rival class j0 with β > 0, moved to l:  +β against every rival, +2β against j0
//   B  a point of l with β < 0, moved to rival j:         +|β| against every rival, +2|β| against j
//   C  a point of rival j0 with β < 0, moved to rival j1: +|β| against j1, −|β| against j0
// Exchange arguments shrink the search: the A flips of one class can be taken
// to be its largest ones, and so can the B flips; so items are visited by
// decreasing |β| and skipping an A item of class j0 (or a B item) forbids the
// later, smaller ones of the same kind. A rival whose deficit cannot be made
// up by the best r remaining gains against it (a suffix table) prunes the node.
//
// Rounding: infeasibility is decided with the tolerant rule (a deficit within
// the band counts as made up), feasibility with the strict one, so "s flips
// cannot" is sound and "these flips do" is re-scored by the caller. A search
// whose only obstacle was the band, or that runs out of its node budget,
// answers "unknown".
import { TIE_TOLERANCE } from '../types.js';
import { classScores, votesClearly } from './rescore.js';

/** Outcome of {@link exactVoteCost}. */
export interface ExactCost {
  /** `exact`: ρ(l) = cost. `unknown`: the bounds stay as they were (budget or rounding). */
  status: 'exact' | 'budget' | 'rounding';
  /** ρ(l) when exact; otherwise the best proven lower bound (≥ the given one). */
  lower: number;
  /** With status exact and cost < the given upper bound: the cheaper attack, as (row, new label) pairs. */
  flips?: Int32Array;
}

/** Nodes one search may visit before it gives up (status `budget`). */
export const EXACT_NODE_BUDGET = 200_000;

/** Larger upper bounds are not searched (status `budget`). */
const MAX_SEARCH_FLIPS = 4096;
const MAX_TABLE = 8 * 2 ** 20;

const ITEM_A = 0;
const ITEM_B = 1;
const ITEM_C = 2;

/**
 * ρ(l) for the model with weights `beta` and labels `labels`, given sound
 * bounds lower ≤ ρ(l) ≤ upper (upper from a real attack), l not the vote.
 * Searches s = lower, lower + 1, …, upper − 1 for flips that make l win.
 */
export function exactVoteCost(
  beta: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  l: number,
  lower: number,
  upper: number,
  budget = EXACT_NODE_BUDGET,
): ExactCost {
  // The suffix tables hold (items + 1)·upper entries per rival: keep them small.
  if (upper - 1 > MAX_SEARCH_FLIPS || (beta.length + 1) * upper * (classes - 1) > MAX_TABLE) return { status: 'budget', lower };
  const search = new Search(beta, labels, classes, l, upper - 1);
  for (let s = Math.max(lower, 1); s < upper; s++) {
    const outcome = search.run(s, budget);
    if (outcome === 'found') return { status: 'exact', lower: s, flips: search.flips() };
    if (outcome !== 'none') return { status: outcome, lower: s };
  }
  return { status: 'exact', lower: upper };
}

class Search {
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private readonly kind: Uint8Array;
  private readonly cls: Int32Array;
  private readonly m: number;
  /**
   * Deficits M_j − G_j per depth (classes entries each); l beats j once it is
   * below 0 (or 0 when l < j). A copy per depth, so undoing a flip never rounds.
   */
  private readonly deficit: Float64Array;
  private readonly band: number;
  /** suffix[j][pos·(R+1) + r]: the r largest gains against j among items pos…m−1. */
  private readonly suffix: (Float64Array | null)[];
  private readonly closedA: Uint8Array;
  private closedB = false;
  private readonly chosenRow: Int32Array;
  private readonly chosenTo: Int32Array;
  private depth = 0;
  private nodes = 0;
  private budget = 0;
  private uncertain = false;

  constructor(
    private readonly beta: ArrayLike<number>,
    private readonly labels: ArrayLike<number>,
    private readonly classes: number,
    private readonly l: number,
    private readonly most: number,
  ) {
    const n = beta.length;
    const { score, mass } = classScores(beta, labels, classes);
    let total = 0;
    for (let c = 0; c < classes; c++) total += mass[c];
    // Wider than any float error of these sums (n·2⁻⁵² relative) and than §7.2's band.
    this.band = (4 * TIE_TOLERANCE + (n + 8) * 2 ** -52) * total;
    const order: number[] = [];
    const kinds = new Uint8Array(n).fill(255);
    for (let i = 0; i < n; i++) {
      const b = beta[i];
      const y = labels[i];
      if (b > 0 && y !== l) kinds[i] = ITEM_A;
      else if (b < 0 && y === l) kinds[i] = ITEM_B;
      else if (b < 0 && classes > 2) kinds[i] = ITEM_C;
      if (kinds[i] !== 255) order.push(i);
    }
    order.sort((a, b) => Math.abs(beta[b]) - Math.abs(beta[a]) || a - b);
    this.m = order.length;
    this.idx = Int32Array.from(order);
    this.val = Float64Array.from(order, (i) => Math.abs(beta[i]));
    this.kind = Uint8Array.from(order, (i) => kinds[i]);
    this.cls = Int32Array.from(order, (i) => labels[i]);
    this.deficit = new Float64Array(classes * (Math.max(most, 0) + 1));
    for (let j = 0; j < classes; j++) this.deficit[j] = j === l ? -Infinity : score[j] - score[l];
    this.suffix = Array.from({ length: classes }, (_, j) => (j === l ? null : this.suffixTable(j)));
    this.closedA = new Uint8Array(classes);
    this.chosenRow = new Int32Array(Math.max(most, 0));
    this.chosenTo = new Int32Array(Math.max(most, 0));
  }

  /** The best gain of one item against rival j (over its moves, or 0). */
  private gainAgainst(pos: number, j: number): number {
    const v = this.val[pos];
    switch (this.kind[pos]) {
      case ITEM_A:
        return this.cls[pos] === j ? 2 * v : v;
      case ITEM_B:
        return 2 * v;
      default:
        return this.cls[pos] === j ? 0 : v;
    }
  }

  private suffixTable(j: number): Float64Array {
    const R = this.most;
    const table = new Float64Array((this.m + 1) * (R + 1));
    const top = new Float64Array(R + 1);
    let size = 0;
    for (let pos = this.m - 1; pos >= 0; pos--) {
      const g = this.gainAgainst(pos, j);
      let k = size < R ? size++ : R;
      // Insert g into the descending list of the R largest (the last slot falls off).
      while (k > 0 && top[k - 1] < g) {
        top[k] = top[k - 1];
        k--;
      }
      if (k < R) top[k] = g;
      let sum = 0;
      for (let r = 1; r <= R; r++) {
        if (r <= size) sum += top[r - 1];
        table[pos * (R + 1) + r] = sum;
      }
    }
    return table;
  }

  run(s: number, budget: number): 'found' | 'none' | 'budget' | 'rounding' {
    this.nodes = 0;
    this.budget = budget;
    this.uncertain = false;
    this.depth = 0;
    this.closedA.fill(0);
    this.closedB = false;
    try {
      if (this.visit(0, s)) return 'found';
    } catch (error) {
      if (error === BUDGET) return 'budget';
      throw error;
    }
    return this.uncertain ? 'rounding' : 'none';
  }

  /** The labels with the flips chosen so far applied. */
  private attacked(): Int32Array {
    const out = Int32Array.from(this.labels);
    for (let d = 0; d < this.depth; d++) out[this.chosenRow[d]] = this.chosenTo[d];
    return out;
  }

  flips(): Int32Array {
    const out = new Int32Array(2 * this.depth);
    for (let d = 0; d < this.depth; d++) {
      out[2 * d] = this.chosenRow[d];
      out[2 * d + 1] = this.chosenTo[d];
    }
    return out;
  }

  /** l beats j by the strict rule (surely) or the tolerant one (possibly). */
  private beats(j: number, deficit: number, strict: boolean): boolean {
    if (strict) return deficit < -this.band;
    return j < this.l ? deficit < this.band : deficit <= this.band;
  }

  private visit(pos: number, r: number): boolean {
    if (++this.nodes > this.budget) throw BUDGET;
    const { classes, l } = this;
    const at = this.depth * classes;
    const deficit = this.deficit;
    let done = true;
    for (let j = 0; j < classes; j++) {
      if (j !== l && !this.beats(j, deficit[at + j], true)) {
        done = false;
        break;
      }
    }
    if (done) return true;
    const R = this.most;
    for (let j = 0; j < classes; j++) {
      if (j === l) continue;
      const best = r === 0 || pos >= this.m ? 0 : this.suffix[j]![pos * (R + 1) + r];
      if (!this.beats(j, deficit[at + j] - best, false)) return false;
    }
    if (r === 0 || pos >= this.m) {
      // Every rival is beaten within rounding, not surely by the incremental
      // deficits: re-score these flips from scratch, where classes left empty
      // score exactly 0 (src/partition/rescore.ts). Otherwise undecidable here.
      if (votesClearly(this.beta, this.attacked(), classes, l)) return true;
      this.uncertain = true;
      return false;
    }
    const v = this.val[pos];
    const kind = this.kind[pos];
    const from = this.cls[pos];
    if (kind === ITEM_A && !this.closedA[from]) {
      if (this.take(pos, r, l, v, from, 2)) return true;
    } else if (kind === ITEM_B && !this.closedB) {
      for (const j of this.rivalsByDeficit(-1)) if (this.take(pos, r, j, v, j, 1)) return true;
    } else if (kind === ITEM_C) {
      for (const j of this.rivalsByDeficit(from)) if (this.take(pos, r, j, v, from, 0)) return true;
    }
    // Skip the item; a skipped A (B) item closes its class's A items (all B items).
    const wasA = this.closedA[from];
    const wasB = this.closedB;
    if (kind === ITEM_A) this.closedA[from] = 1;
    if (kind === ITEM_B) this.closedB = true;
    const found = this.visit(pos + 1, r);
    this.closedA[from] = wasA;
    this.closedB = wasB;
    return found;
  }

  /**
   * Applies one flip (row of item pos → class `to`), recurses, undoes it.
   * mode 2 (A): +v against all, +v more against `other` (its class);
   * mode 1 (B): the same with `other` the destination; mode 0 (C): +v against
   * the destination `to`, −v against `other` (its class).
   */
  private take(pos: number, r: number, to: number, v: number, other: number, mode: number): boolean {
    const { deficit, classes } = this;
    const at = this.depth * classes;
    const next = at + classes;
    if (mode === 0) {
      for (let j = 0; j < classes; j++) deficit[next + j] = deficit[at + j];
      deficit[next + to] -= v;
      deficit[next + other] += v;
    } else {
      for (let j = 0; j < classes; j++) deficit[next + j] = deficit[at + j] - v;
      deficit[next + other] -= v;
    }
    this.chosenRow[this.depth] = this.idx[pos];
    this.chosenTo[this.depth] = to;
    this.depth++;
    if (this.visit(pos + 1, r - 1)) return true;
    this.depth--;
    return false;
  }

  /** Rivals other than `except`, largest deficit first (the likeliest useful destination). */
  private rivalsByDeficit(except: number): number[] {
    const out: number[] = [];
    for (let j = 0; j < this.classes; j++) if (j !== this.l && j !== except) out.push(j);
    const at = this.depth * this.classes;
    return out.sort((a, b) => this.deficit[at + b] - this.deficit[at + a] || a - b);
  }
}

const BUDGET = Symbol('budget');
