// The scattering filters of docs/spec.md §13.1, sampled in the frequency domain
// of a P×Q periodic grid. Frequencies: ω(k) = 2πk/P for k < P/2, 2π(k − P)/P
// otherwise (so [−π, π)); rows first (ω_r), then columns (ω_c). All filters are
// real in frequency, P·Q f64 each, row-major.
//
//   φ̂_J(ω)     = exp(−σ_J²·|ω|²/2)
//   ψ̂_{j,ℓ}(ω) = G_j(a − ξ_j, b) − κ·G_j(a, b),   κ = exp(−σ_j²ξ_j²/2)
//   G_j(a, b)   = exp(−σ_j²·(a² + b²/s²)/2)
//   a = ω_r cos θ + ω_c sin θ,  b = −ω_r sin θ + ω_c cos θ,  θ = πℓ/L
//   σ_j = 0.8·2^j,  ξ_j = (3π/4)·2^−j,  s = min(1, 4/L)
//
// ψ̂(0) = 0 exactly (κ is G_j(−ξ_j, 0)): each wavelet has zero mean.

import { cos, exp, sin } from './elementary';

const PI: f64 = 3.141592653589793;

/** ω(k) on a grid of n points: 2πk/n, wrapped into [−π, π). */
@inline export function frequency(k: i32, n: i32): f64 {
  const kk = k < (n >> 1) ? k : k - n;
  return (2.0 * PI * <f64>kk) / <f64>n;
}

/** The low-pass φ̂_J into out (P·Q f64). */
export function fillLowPass(out: usize, P: i32, Q: i32, J: i32): void {
  const sigma = 0.8 * <f64>(1 << J);
  const c = -0.5 * sigma * sigma;
  for (let r = 0; r < P; r++) {
    const wr = frequency(r, P);
    for (let q = 0; q < Q; q++) {
      const wc = frequency(q, Q);
      store<f64>(out + (<usize>(r * Q + q) << 3), exp(c * (wr * wr + wc * wc)));
    }
  }
}

/** The wavelet ψ̂_{j,ℓ} into out (P·Q f64). */
export function fillWavelet(out: usize, P: i32, Q: i32, j: i32, l: i32, L: i32): void {
  const sigma = 0.8 * <f64>(1 << j);
  const xi = (0.75 * PI) / <f64>(1 << j);
  const slant = L > 4 ? 4.0 / <f64>L : 1.0;
  const theta = (PI * <f64>l) / <f64>L;
  const ct = cos(theta);
  const st = sin(theta);
  const c = -0.5 * sigma * sigma;
  const across = 1.0 / (slant * slant);
  const kappa = exp(c * (xi * xi)); // the same rounding as at ω = 0 below, so ψ̂(0) = 0 exactly
  for (let r = 0; r < P; r++) {
    const wr = frequency(r, P);
    for (let q = 0; q < Q; q++) {
      const wc = frequency(q, Q);
      const a = wr * ct + wc * st;
      const b = wc * ct - wr * st;
      const bb = b * b * across;
      const d = a - xi;
      const v = exp(c * (d * d + bb)) - kappa * exp(c * (a * a + bb));
      store<f64>(out + (<usize>(r * Q + q) << 3), v);
    }
  }
}
