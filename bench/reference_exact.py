"""Exact multi-class vote costs and the per-point refinement of docs/spec.md §5.7, for the NumPy reference.

Written from the specification, not from flipcert's code: a greedy maximin attack gives an upper
bound, an iterative-deepening branch and bound over the three useful relabelling kinds (§5.7's
table) decides "can s flips make the partition vote l?" for s = lower, lower + 1, ..., and a plain
dynamic program with a traceback (§5.4) picks the entries whose exact cost the point needs.
Plain Python per point: only the few points whose cheap bounds disagree ever get here.
"""
import math
import sys

import numpy as np

EPS = 1e-12            # §7.2 relative rounding band
NODE_BUDGET = 400_000  # nodes per exact search before it answers 'budget'
INF = math.inf


# ---------------------------------------------------------------- scores and the strict win test

def scores_exact(beta, labels, classes):
    """Correctly rounded class scores F_c and absolute sums A_c, plus which classes hold nonzero weight."""
    F, A, held = [], [], []
    for c in range(classes):
        w = beta[labels == c]
        F.append(math.fsum(w))
        A.append(math.fsum(np.abs(w)))
        held.append(bool(np.any(w != 0)))
    return F, A, held


def wins_strictly(beta, labels, classes, target):
    """§7.2 strict rule, re-scored from scratch: `target` beats every class by more than the band;
    two classes without nonzero weight both score exactly 0, and then the tie rule decides."""
    return verdict(beta, labels, classes, target) == 'win'


def verdict(beta, labels, classes, target):
    """'win' (strict rule), 'lose' (decided: a tie of two classes without nonzero weight, which no
    rounding can change) or 'band' (the target fails against a class within rounding distance)."""
    F, A, held = scores_exact(beta, labels, classes)
    outcome = 'win'
    for j in range(classes):
        if j == target:
            continue
        if not held[j] and not held[target]:
            if j < target:
                return 'lose'
            continue
        if not F[target] - F[j] > EPS * (A[target] + A[j]):
            outcome = 'band'
    return outcome


# ---------------------------------------------------------------- the useful moves

def move_gains(value, source, dest, target, classes):
    """Change of every margin F_target − F_j when a point of weight `value` moves source → dest."""
    gain = np.zeros(classes)
    into_target = (dest == target) - (source == target)
    gain += into_target * value
    gain[dest] -= value
    gain[source] += value
    gain[target] = 0.0
    return gain


def useful_moves(value, source, target, classes):
    """Destinations of the relabelling kinds A, B, C of §5.7 (the others are dominated)."""
    if value > 0:
        return [] if source == target else [target]                            # A
    if value < 0:
        if source == target:
            return [d for d in range(classes) if d != target]                  # B
        return [d for d in range(classes) if d not in (target, source)]       # C
    return []


# ---------------------------------------------------------------- the search

class Search:
    """Decides, level by level, whether s flips can make a partition (weights beta, labels) vote target."""

    def __init__(self, beta, labels, classes, target):
        self.beta = np.asarray(beta, dtype=np.float64)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.classes, self.target = classes, target
        F, A, _ = scores_exact(self.beta, self.labels, classes)
        # deficit against j: M_j = F_j − F_target; the target needs gains beyond it (level suffices for j > target)
        self.deficit = np.array([F[j] - F[target] for j in range(classes)])
        self.deficit[target] = -INF
        n = len(self.beta)
        self.band = (4e-12 + (n + 8) * 2.0 ** -52) * float(np.abs(self.beta).sum())
        self.nodes = 0

    def candidates(self, s):
        """Points that may move, by decreasing |β|: the s largest kind-A points of each class and the
        s largest kind-B points (exchange arguments of §5.7), every kind-C point."""
        order = np.lexsort((np.arange(len(self.beta)), -np.abs(self.beta)))
        taken_a = [0] * self.classes
        taken_b = 0
        out = []
        for i in order:
            v, y = float(self.beta[i]), int(self.labels[i])
            dests = useful_moves(v, y, self.target, self.classes)
            if not dests:
                continue
            kind = 'A' if v > 0 else ('B' if y == self.target else 'C')
            if kind == 'A':
                if taken_a[y] >= s:
                    continue
                taken_a[y] += 1
            elif kind == 'B':
                if taken_b >= s:
                    continue
                taken_b += 1
            moves = [(d, move_gains(v, y, d, self.target, self.classes)) for d in dests]
            out.append((int(i), kind, y, moves))
        return out

    def suffix_best(self, cands, s):
        """best[t][r] (a vector over rivals): the sum of the r largest single-point gains against
        each rival among candidates t, t+1, ... (each point's best move, or nothing)."""
        C = self.classes
        best = np.zeros((len(cands) + 1, s + 1, C))
        top = np.zeros((C, s))
        for t in range(len(cands) - 1, -1, -1):
            g = np.max(np.stack([m[1] for m in cands[t][3]] + [np.zeros(C)]), axis=0)
            top = -np.sort(-np.concatenate([top, g[:, None]], axis=1), axis=1)[:, :s]
            best[t, 1:, :] = np.cumsum(top, axis=1).T
        return best

    def attempt(self, s):
        """'yes' (with flips), 'no', 'rounding' or 'budget' for "at most s flips make target win"."""
        cands = self.candidates(s)
        best = self.suffix_best(cands, s)
        need = self.deficit - self.band  # tolerant: below this no evaluation can let the target win
        state = {'rounding': False, 'found': None}
        chosen = []
        closed_a = set()

        def dfs(t, left, gains, closed_b):
            self.nodes += 1
            if self.nodes > NODE_BUDGET:
                raise _Budget()
            if np.all(gains > need):
                # only a strict win, re-scored from scratch, counts; anything else lies within the band
                flips = list(chosen)
                seen = self.verify(flips)
                if seen == 'win':
                    state['found'] = flips
                    return True
                state['rounding'] = state['rounding'] or seen == 'band'
            if left == 0 or t == len(cands):
                return False
            if np.any(gains + best[t, left] <= need):
                return False
            i, kind, y, moves = cands[t]
            usable = not ((kind == 'A' and y in closed_a) or (kind == 'B' and closed_b))
            if usable:
                lacking = self.deficit - gains
                for d, g in sorted(moves, key=lambda m: -lacking[m[0]] if m[0] != self.target else -INF):
                    chosen.append((i, d))
                    if dfs(t + 1, left - 1, gains + g, closed_b):
                        return True
                    chosen.pop()
            # skip this point: for A and B the smaller ones of the same kind (and class) close too
            if usable and kind == 'A':
                closed_a.add(y)
                try:
                    return dfs(t + 1, left, gains, closed_b)
                finally:
                    closed_a.discard(y)
            return dfs(t + 1, left, gains, closed_b or (usable and kind == 'B'))

        # one frame per candidate on the deepest path (every point skipped): allow for all of them
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * len(cands) + 1000))
        try:
            dfs(0, s, np.zeros(self.classes), False)
        except (_Budget, RecursionError):
            return 'budget', None
        if state['found'] is not None:
            return 'yes', state['found']
        return ('rounding' if state['rounding'] else 'no'), None

    def verify(self, flips):
        labels = self.labels.copy()
        for i, d in flips:
            labels[i] = d
        return verdict(self.beta, labels, self.classes, self.target)


class _Budget(Exception):
    pass


def greedy_attack(beta, labels, classes, target):
    """An upper bound: repeatedly apply the move that raises the worst margin most, then drop the flips
    not needed. Returns the flips (point, new label) of a strictly winning attack, or None."""
    beta = np.asarray(beta, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64).copy()
    original = labels.copy()
    points, dests, gain_rows = [], [], []
    for i in np.flatnonzero(beta):
        for d in useful_moves(float(beta[i]), int(labels[i]), target, classes):
            points.append(int(i)); dests.append(d)
            gain_rows.append(move_gains(float(beta[i]), int(labels[i]), d, target, classes))
    if not points:
        return None if not wins_strictly(beta, labels, classes, target) else []
    points, dests, gains = np.array(points), np.array(dests), np.array(gain_rows)
    F, _, _ = scores_exact(beta, labels, classes)
    margin = np.array([F[target] - F[j] for j in range(classes)])
    margin[target] = INF
    used = np.zeros(len(beta), dtype=bool)
    flips = []
    while not wins_strictly(beta, labels, classes, target):
        after = margin[None, :] + gains
        worst = np.min(after, axis=1)
        short = np.minimum(after, 0).sum(axis=1)   # what is still missing, over all rivals
        worst[used[points]] = -INF
        pick = int(np.lexsort((short, worst))[-1])
        if worst[pick] == -INF or (worst[pick] <= margin.min() and short[pick] <= np.minimum(margin, 0).sum()):
            return None  # no move helps any more
        i, d = int(points[pick]), int(dests[pick])
        used[i] = True
        labels[i] = d
        margin += gains[pick]
        flips.append((i, d))
    for f in list(flips):  # put back flips the attack turns out not to need
        trial = original.copy()
        for i, d in flips:
            if (i, d) != f:
                trial[i] = d
        if wins_strictly(beta, trial, classes, target):
            flips.remove(f)
    return flips


def exact_cost(beta, labels, classes, target, lower):
    """ρ_p(target) for one partition and test point, searched from `lower` (a sound lower bound).
    Returns (status, cost): 'exact' with ρ (INF when impossible), or 'rounding'/'budget' with a raised
    lower bound."""
    attack = greedy_attack(beta, labels, classes, target)
    upper = INF if attack is None else len(attack)
    search = Search(beta, labels, classes, target)
    n = len(beta)
    s = max(int(lower), 1)
    while s < upper and s <= n:
        verdict, _ = search.attempt(s)
        if verdict == 'yes':
            return 'exact', s
        if verdict != 'no':
            return verdict, s
        s += 1
    return 'exact', upper


# ---------------------------------------------------------------- §5.4 knapsack with a traceback

def knapsack_choice(votes, cost, classes):
    """Cheapest attack of §5.4 on the cost table (k × C) of one point: (total, [(p, l), ...])."""
    k = len(votes)
    counts = np.bincount(votes, minlength=classes)
    pred = int(np.argmax(counts))
    best_total, best_choice = INF, []
    for rival in range(classes):
        if rival == pred:
            continue
        need = int(counts[pred] - counts[rival] + (rival > pred))
        options = []  # per partition: [(gain, cost, class)]
        for p in range(k):
            if votes[p] == pred:
                opts = [(2, cost[p][rival], rival)]
                others = [(cost[p][l], l) for l in range(classes) if l not in (pred, rival)]
                if others:
                    c, l = min(others)
                    opts.append((1, c, l))
            elif votes[p] != rival:
                opts = [(1, cost[p][rival], rival)]
            else:
                opts = []
            options.append([o for o in opts if o[1] < INF])
        # dp[p][g]: least cost of gain ≥ g from partitions p, p+1, ...
        dp = [[INF] * (need + 1) for _ in range(k + 1)]
        dp[k][0] = 0.0
        for p in range(k - 1, -1, -1):
            for g in range(need + 1):
                v = dp[p + 1][g]
                for gain, c, _ in options[p]:
                    v = min(v, c + dp[p + 1][max(0, g - gain)])
                dp[p][g] = v
        total = dp[0][need]
        if total < best_total:
            choice, g = [], need
            for p in range(k):
                if dp[p][g] == dp[p + 1][g]:
                    continue
                for gain, c, l in options[p]:
                    if c + dp[p + 1][max(0, g - gain)] == dp[p][g]:
                        choice.append((p, l))
                        g = max(0, g - gain)
                        break
            best_total, best_choice = total, choice
    return best_total, best_choice


def refine_point(votes, lower, known, betas, labels, classes, rounds=64):
    """§5.7 "which entries": settle the non-exact entries the cheapest choice picks, until it picks exact
    ones only (the point is exact) or one cannot be settled (it stays open). Returns (total, exact)."""
    cost = [list(map(float, row)) for row in lower]
    known = [list(map(bool, row)) for row in known]
    for _ in range(rounds):
        total, choice = knapsack_choice(votes, cost, classes)
        todo = [(p, l) for p, l in choice if not known[p][l]]
        if not todo:
            return total, True
        settled = True
        for p, l in todo:
            status, value = exact_cost(betas[p], labels[p], classes, l, cost[p][l])
            cost[p][l] = max(cost[p][l], value)
            known[p][l] = status == 'exact'
            settled = settled and known[p][l]
        if not settled:
            return knapsack_choice(votes, cost, classes)[0], False
    return knapsack_choice(votes, cost, classes)[0], False
