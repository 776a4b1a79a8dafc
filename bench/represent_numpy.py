#!/usr/bin/env python3
"""The whole --represent scattering+log+pca+spectral pipeline (docs/spec.md §13.1-13.4) in NumPy/SciPy,
built from test/reference_scattering.py (scattering) and bench/embedding_numpy.py (PCA, spectral), for
bench/represent.mjs. Defaults are the stages' defaults: scattering J=2 L=8 order 1, log(x + 1e-3),
pca dims 100 whitened, spectral dims 10, 10 neighbours, scale 7, Nyström for the test rows.

usage: represent_numpy.py --train-size N --test-size M --train-out A.npy --test-out B.npy
                          [--against-train F.npy --against-test G.npy]
Prints one JSON line: per-step seconds (the transform; loading the images is timed apart), the spectral
eigenvalues, and with --against-*: agreement with those (flipcert's) embeddings, measured after the timing."""
import argparse, json, os, sys, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'test'))
from reference_scattering import scatter_rows  # noqa: E402
from embedding_numpy import images, pca_fit, pca_apply, spectral_fit, spectral_train, spectral_embed  # noqa: E402

J, L, ORDER, LOG_SHIFT, PCA_DIMS, DIMS, K, SCALE = 2, 8, 1, 1e-3, 100, 10, 10, 7


def pipeline(X, T, times):
    """Train and test representations of the images X, T (rows × 784), every stage fitted on X alone."""
    def timed(name, f):
        t0 = time.perf_counter(); out = f(); times[name] = time.perf_counter() - t0; return out
    S = timed('scattering (train)', lambda: scatter_rows(X.reshape(-1, 28, 28), J, L, ORDER))
    St = timed('scattering (test)', lambda: scatter_rows(T.reshape(-1, 28, 28), J, L, ORDER))
    S, St = timed('log', lambda: (np.log(S + LOG_SHIFT), np.log(St + LOG_SHIFT)))
    pfit = timed('pca fit', lambda: pca_fit(S, PCA_DIMS))
    Y = timed('pca apply (train)', lambda: pca_apply(pfit, S))
    Yt = timed('pca apply (test)', lambda: pca_apply(pfit, St))
    sfit = timed('spectral fit', lambda: spectral_fit(Y, DIMS, K, SCALE, times))
    E = spectral_train(sfit)
    F = timed('spectral embed (test)', lambda: spectral_embed(sfit, Y, Yt, K, SCALE))
    return E, F, sfit


def agreement(E, F, sfit, mineE, mineF):
    """flipcert's embeddings (mineE, mineF) against NumPy's: columns aligned by the sign of their inner
    product on the training rows (both use the §13.2 rule, so no flip is expected), then max |Δ|; and
    flipcert's eigenvalues read back as Rayleigh quotients uᵀAu of its unit training columns on NumPy's graph."""
    if mineE.shape != E.shape or mineF.shape != F.shape:
        raise SystemExit(f'shape mismatch: flipcert {mineE.shape}/{mineF.shape}, NumPy {E.shape}/{F.shape}')
    s = np.sign((mineE * E).sum(0)); s[s == 0] = 1
    A = sfit['A']
    u = mineE / np.linalg.norm(mineE, axis=0)
    Au = A @ u
    rayleigh = (u * Au).sum(0)
    return {
        'flipped_columns': int((s < 0).sum()),
        'train_max_abs_diff': float(np.abs(mineE - s * E).max()),
        'test_max_abs_diff': float(np.abs(mineF - s * F).max()),
        'train_max_abs_diff_per_column': np.abs(mineE - s * E).max(0).tolist(),
        'test_max_abs_diff_per_column': np.abs(mineF - s * F).max(0).tolist(),
        'train_max_abs': float(np.abs(E).max()), 'test_max_abs': float(np.abs(F).max()),
        'flipcert_rayleigh': rayleigh.tolist(),
        'flipcert_residual_max': float(np.linalg.norm(Au - rayleigh * u, axis=0).max()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--train-size', type=int, default=60000)
    ap.add_argument('--test-size', type=int, default=10000)
    ap.add_argument('--train-out'); ap.add_argument('--test-out')
    ap.add_argument('--against-train'); ap.add_argument('--against-test')
    a = ap.parse_args()
    t0 = time.perf_counter()
    X, T = images('train-images-idx3-ubyte', a.train_size), images('t10k-images-idx3-ubyte', a.test_size)
    times = {'load images': time.perf_counter() - t0}
    E, F, sfit = pipeline(X, T, times)
    times['transform total'] = sum(v for k, v in times.items() if k != 'load images' and not k.startswith('of which'))
    out = {'times': times, 'spec_values': sfit['lam'][1:].tolist(), 'top_value': float(sfit['lam'][0])}
    if a.train_out: np.save(a.train_out, E)
    if a.test_out: np.save(a.test_out, F)
    if a.against_train and a.against_test:
        out['agreement'] = agreement(E, F, sfit, np.load(a.against_train), np.load(a.against_test))
    blas = np.show_config(mode='dicts').get('Build Dependencies', {}).get('blas', {})
    out['numpy'] = f"NumPy {np.__version__}, BLAS {blas.get('name', '?')} {blas.get('version', '')}".strip()
    print(json.dumps(out))


if __name__ == '__main__':
    main()
