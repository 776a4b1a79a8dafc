// Radix-2 complex FFTs for the scattering transform (docs/spec.md §13.1).
// Complex numbers are interleaved (re, im) f64 pairs. The forward transform is
// X[k] = Σ x[n]·e^{−2πi·kn/n_len}; the inverse uses e^{+2πi·kn/n_len} and is NOT
// scaled (the caller scales once). Twiddles come from a table the caller filled
// with fillTwiddles: e^{−2πik/T} for k < T/2, T a power of two ≥ every length used
// with it. Decimation in time, fixed loop order: deterministic bits.

import { cos, sin } from './elementary';

/** tw[k] = (cos 2πk/T, −sin 2πk/T) for k < T/2: T f64 at tw. */
export function fillTwiddles(tw: usize, T: i32): void {
  const step = 6.283185307179586 / <f64>T;
  for (let k = 0; k < T >> 1; k++) {
    const a = <f64>k * step;
    store<f64>(tw + (<usize>k << 4), cos(a));
    store<f64>(tw + (<usize>k << 4) + 8, -sin(a));
  }
}

/** In-place FFT of n complex values at ptr, `stride` complex values apart. n a power of two dividing T. */
export function fft1(ptr: usize, n: i32, stride: i32, tw: usize, T: i32, inverse: bool): void {
  const s = <usize>stride << 4;
  // Bit-reversal permutation, the reversed index carried incrementally (no table).
  let j = 0;
  for (let i = 0; i < n - 1; i++) {
    if (i < j) {
      const pi = ptr + <usize>i * s;
      const pj = ptr + <usize>j * s;
      const re = load<f64>(pi);
      const im = load<f64>(pi + 8);
      store<f64>(pi, load<f64>(pj));
      store<f64>(pi + 8, load<f64>(pj + 8));
      store<f64>(pj, re);
      store<f64>(pj + 8, im);
    }
    let bit = n >> 1;
    while (j & bit) {
      j ^= bit;
      bit >>= 1;
    }
    j |= bit;
  }
  const sign: f64 = inverse ? -1.0 : 1.0;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const twStep = <usize>(T / len) << 4;
    for (let k = 0; k < half; k++) {
      const w = tw + <usize>k * twStep;
      const wr = load<f64>(w);
      const wi = sign * load<f64>(w + 8);
      for (let i = k; i < n; i += len) {
        const a = ptr + <usize>i * s;
        const b = a + <usize>half * s;
        const br = load<f64>(b);
        const bi = load<f64>(b + 8);
        const vr = br * wr - bi * wi;
        const vi = br * wi + bi * wr;
        const ar = load<f64>(a);
        const ai = load<f64>(a + 8);
        store<f64>(a, ar + vr);
        store<f64>(a + 8, ai + vi);
        store<f64>(b, ar - vr);
        store<f64>(b + 8, ai - vi);
      }
    }
  }
}

/**
 * In-place 2-D FFT of a P×Q complex grid (row-major): the rows first, then the
 * columns. Rows at or after `rowsUsed` are taken to be zero and skipped in the
 * row pass (they stay zero), which saves the padded rows of an image.
 */
export function fft2(ptr: usize, P: i32, Q: i32, twP: usize, TP: i32, twQ: usize, TQ: i32, inverse: bool, rowsUsed: i32): void {
  for (let r = 0; r < rowsUsed; r++) fft1(ptr + (<usize>(r * Q) << 4), Q, 1, twQ, TQ, inverse);
  for (let c = 0; c < Q; c++) fft1(ptr + (<usize>c << 4), P, Q, twP, TP, inverse);
}
