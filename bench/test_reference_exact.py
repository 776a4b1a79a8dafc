#!/usr/bin/env python3
"""Brute-force checks of the NumPy reference's multi-class ensemble certificate (docs/spec.md §5.4–§5.7).

    python3 bench/test_reference_exact.py

On tiny random partitions (3 and 4 classes, up to 6 points) it enumerates every label vector:
- the exact per-partition cost (reference_exact.exact_cost) equals the enumerated ρ_p(l), searched from 1
  and from the reference's lower bound, and that lower bound never exceeds it; entries the reference marks
  exact equal it;
- the refined ensemble cost (knapsack + §5.7 refinement) equals the brute force over every combination of
  partition votes, each at its enumerated cost.
Exact arithmetic (fractions) decides who wins in the enumeration, so it shares no rounding rule with the
code under test; the random weights make exact ties improbable, and any that occur are skipped.
Exits non-zero on the first disagreement. Needs NumPy and SciPy (as bench/reference_numpy.py does).
"""
import itertools
import math
import os
import sys
from fractions import Fraction

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from reference_exact import exact_cost, knapsack_choice, refine_point  # noqa: E402
from reference_numpy import vote_costs  # noqa: E402


def wins(beta, labels, classes, target):
    """Exact arithmetic: target strictly ahead of every class, or level with a higher-indexed one.
    """
    F = [Fraction(0)] * classes
    for b, y in zip(beta, labels):
        F[y] += b
    for j in range(classes):
        if j != target and F[target] <= F[j]:
            if F[target] == F[j] and j > target:
                continue
            return False
    return True


def brute_cost(beta, labels, classes, target):
    """Fewest label changes making the partition vote target (math.inf when none does)."""
    beta = [Fraction(float(b)) for b in beta]
    best = math.inf
    for cand in itertools.product(range(classes), repeat=len(labels)):
        d = sum(a != b for a, b in zip(cand, labels))
        if d < best and wins(beta, cand, classes, target):
            best = d
    return best


def random_partition(rng, classes):
    n = int(rng.integers(2, 7))
    labels = rng.integers(0, classes, size=n)
    beta = rng.normal(size=n) * rng.choice([0.1, 1.0, 3.0], size=n)
    if rng.random() < 0.2:
        beta[rng.integers(0, n)] = 0.0  # a zero weight never helps
    return beta, labels


def check_costs(rng, trials):
    checked = gaps = marked = 0
    for t in range(trials):
        classes = int(rng.choice([3, 4]))
        beta, labels = random_partition(rng, classes)
        vote, lower, known = vote_costs(beta[None, :], labels, classes)
        for l in range(classes):
            truth = brute_cost(beta, labels, classes, l)
            lb = lower[0, l]
            ctx = f'trial {t}: classes={classes} beta={beta.tolist()} labels={labels.tolist()} target={l}'
            assert lb <= truth, f'lower bound {lb} above the truth {truth}; {ctx}'
            if known[0, l]:
                marked += l != int(vote[0])
                assert lb == truth, f'entry marked exact at {lb} but the truth is {truth}; {ctx}'
            for start in (1, lb):
                if l == int(vote[0]):
                    continue
                status, value = exact_cost(beta, labels, classes, l, start)
                assert status == 'exact', f'search answered {status} ({value}); {ctx}'
                assert value == truth, f'search from {start} gave {value}, truth {truth}; {ctx}'
            checked += 1
            gaps += bool(lb < truth)
    return checked, gaps, marked


def brute_ensemble(votes, costs, classes):
    """Least total cost of partition votes that change the plurality prediction (ties to the lowest index)."""
    k = len(votes)
    pred = int(np.argmax(np.bincount(votes, minlength=classes)))
    best = math.inf
    for new in itertools.product(range(classes), repeat=k):
        c = sum(0 if new[p] == votes[p] else costs[p][new[p]] for p in range(k))
        if c < best and int(np.argmax(np.bincount(new, minlength=classes))) != pred:
            best = c
    return best


def partition_pool(rng, classes, size):
    """Tiny partitions with their votes, lower bounds, exactness marks and enumerated costs; half of
    them with a lower bound below the truth somewhere (the entries §5.7 exists for)."""
    pool, gaps = [], 0
    while len(pool) < size:
        beta, labels = random_partition(rng, classes)
        v, lb, kn = vote_costs(beta[None, :], labels, classes)
        costs = [0 if l == v[0] else brute_cost(beta, labels, classes, l) for l in range(classes)]
        gap = bool(np.any(lb[0] < np.array(costs, dtype=float)))
        if gap or gaps >= size // 2:
            gaps += gap
            pool.append((beta, labels, int(v[0]), lb[0], kn[0], costs))
    return pool


def check_ensembles(rng, trials):
    """Refined ensemble costs against brute force over partition votes; returns how often the
    plain lower-bound knapsack was below the truth (the refinement had work to do)."""
    raised = 0
    pools = {classes: partition_pool(rng, classes, 40) for classes in (3, 4)}
    for t in range(trials):
        classes = int(rng.choice([3, 4]))
        k = int(rng.integers(2, 6))
        parts = [pools[classes][i] for i in rng.integers(0, len(pools[classes]), size=k)]
        votes = np.array([p[2] for p in parts])
        lower, known, truth = [p[3] for p in parts], [p[4] for p in parts], [p[5] for p in parts]
        want = brute_ensemble(votes, truth, classes)
        got, exact = refine_point(votes, lower, known, [p[0] for p in parts], [p[1] for p in parts], classes)
        ctx = f'trial {t}: classes={classes} parts={[(p[0].tolist(), p[1].tolist()) for p in parts]}'
        assert exact, f'refinement left the point open; {ctx}'
        assert got == want, f'refined cost {got}, brute force {want}; {ctx}'
        assert knapsack_choice(votes, truth, classes)[0] == want, f'knapsack on true costs differs; {ctx}'
        raised += knapsack_choice(votes, lower, classes)[0] < want
    return raised


def main():
    rng = np.random.default_rng(int(os.environ.get('SEED', '20261126')))
    checked, gaps, marked = check_costs(rng, 300)
    print(f'exact costs: {checked} (partition, class) entries equal the enumeration; {gaps} had LB < truth; '
          f'{marked} non-vote entries marked exact by the pair attack, all correctly')
    trials = 1500
    raised = check_ensembles(rng, trials)
    print(f'ensembles: {trials} refined costs equal the brute force; on {raised} the lower-bound knapsack was below it')
    assert raised > 0, 'no ensemble exercised the refinement'


if __name__ == '__main__':
    main()
