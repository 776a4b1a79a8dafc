#!/usr/bin/env python3
"""Independent NumPy reference for the wavelet scattering of docs/spec.md §13.1.

Written from the specification, not from assembly/features/: every convolution is
a full-size numpy.fft product and the sampling is done in space (y[::2^J, ::2^J]),
one channel at a time, where the core folds spectra and pairs channels.

Usage: reference_scattering.py IN.f64 ROWS H W J L ORDER OUT.f64
  IN: rows × H × W float64 (little-endian, C order); OUT: rows × dims float64.
  Prints {"seconds": …} (the transform alone, not the file I/O) on stdout.
scatter_rows() is also imported by bench/represent_numpy.py (the whole --represent pipeline).
"""
import json
import sys
import time

import numpy as np


def grid(n, J):
    p = 1
    while p < n + 2 ** J:
        p *= 2
    return p


def frequencies(n):
    k = np.arange(n)
    return 2 * np.pi * np.where(k < n // 2, k, k - n) / n


def filters(P, Q, J, L):
    wr = frequencies(P)[:, None]
    wc = frequencies(Q)[None, :]
    sJ = 0.8 * 2 ** J
    phi = np.exp(-0.5 * sJ ** 2 * (wr ** 2 + wc ** 2))
    slant = 4 / L if L > 4 else 1.0
    psi = []
    for j in range(J):
        s = 0.8 * 2 ** j
        xi = 0.75 * np.pi / 2 ** j
        for l in range(L):
            th = np.pi * l / L
            a = wr * np.cos(th) + wc * np.sin(th)
            b = -wr * np.sin(th) + wc * np.cos(th)

            def gauss(u, v):
                return np.exp(-0.5 * s ** 2 * (u ** 2 + v ** 2 / slant ** 2))

            psi.append(gauss(a - xi, b) - np.exp(-0.5 * s ** 2 * xi ** 2) * gauss(a, b))
    return phi, psi


def scatter(x, J, L, order):
    n, H, W = x.shape
    P, Q = grid(H, J), grid(W, J)
    Ho, Wo = -(-H // 2 ** J), -(-W // 2 ** J)
    phi, psi = filters(P, Q, J, L)
    padded = np.zeros((n, P, Q))
    padded[:, :H, :W] = x
    X = np.fft.fft2(padded)

    def low(spectrum):
        y = np.fft.ifft2(spectrum * phi).real
        return y[:, :: 2 ** J, :: 2 ** J][:, :Ho, :Wo]

    channels = [low(X)]
    first = [np.abs(np.fft.ifft2(X * psi[c])) for c in range(J * L)]
    channels += [low(np.fft.fft2(u)) for u in first]
    if order >= 2:
        for j1 in range(J):
            for l1 in range(L):
                U1 = np.fft.fft2(first[j1 * L + l1])
                for j2 in range(j1 + 1, J):
                    for l2 in range(L):
                        channels.append(low(np.fft.fft2(np.abs(np.fft.ifft2(U1 * psi[j2 * L + l2])))))
    return np.stack(channels, axis=1).reshape(n, -1)


def scatter_rows(x, J, L, order, block=2000):
    """scatter() over rows × H × W images in blocks of `block` rows (bounded memory)."""
    if len(x) == 0:
        return np.zeros((0, 0))
    return np.concatenate([scatter(x[i:i + block], J, L, order) for i in range(0, len(x), block)])


def main():
    src, rows, H, W, J, L, order, dst = sys.argv[1:9]
    rows, H, W, J, L, order = map(int, (rows, H, W, J, L, order))
    x = np.fromfile(src, dtype='<f8').reshape(rows, H, W)
    start = time.perf_counter()
    out = scatter_rows(x, J, L, order)
    seconds = time.perf_counter() - start
    out.astype('<f8').tofile(dst)
    print(json.dumps({'seconds': seconds}))


if __name__ == '__main__':
    main()
