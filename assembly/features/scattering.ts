// 2-D wavelet scattering of a batch of images (docs/spec.md §13.1).
//
// An H×W image sits at the top-left of a P×Q grid of zeros, P = the smallest
// power of two ≥ H + 2^J (Q likewise from W), and every convolution is periodic
// on that grid, computed by FFT with the filters of filters.ts. Channels:
//   0                      x ⋆ φ_J
//   1 + j·L + ℓ            |x ⋆ ψ_{j,ℓ}| ⋆ φ_J                       (j < J, ℓ < L)
//   then, with order 2,    ||x ⋆ ψ_{j1,ℓ1}| ⋆ ψ_{j2,ℓ2}| ⋆ φ_J      (j1 < j2 < J), in (j1, ℓ1, j2, ℓ2) order
// each sampled at (2^J·u_r, 2^J·u_c), u_r < ⌈H/2^J⌉, u_c < ⌈W/2^J⌉. A row of
// output is channel-major: feature (c·Ho + u_r)·Wo + u_c.
//
// Sampling after φ̂ is done in frequency: the spectrum folded onto the
// (P/2^J)×(Q/2^J) grid and inverted there. Two real signals share one complex
// FFT (u + i·v): φ̂ is real and even, so the real and imaginary parts of the
// result are the two channels.
//
// Memory: the workspace (scatteringWorkspaceDoubles f64, filled once by
// scatteringPlan) holds twiddles, filters and scratch; nothing is allocated.

import { fft1, fft2, fillTwiddles } from './fft';
import { fillLowPass, fillWavelet } from './filters';

/** The smallest power of two ≥ n. */
function pow2AtLeast(n: i32): i32 {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/** The padded grid's side for an image side `n`. */
export function scatteringGrid(n: i32, J: i32): i32 {
  return pow2AtLeast(n + (1 << J));
}

/** Output channels: 1 + J·L (+ L²·J(J−1)/2 with order 2). */
export function scatteringChannels(J: i32, L: i32, order: i32): i32 {
  return 1 + J * L + (order >= 2 ? (L * L * J * (J - 1)) >> 1 : 0);
}

// The workspace layout, in f64 offsets from its start, computed per call into globals (no allocation, no static data).
let LP: i32 = 0, LQ: i32 = 0, LN: i32 = 0, LPs: i32 = 0, LQs: i32 = 0;
let O_TWP: i32 = 0, O_TWQ: i32 = 0, O_PHI: i32 = 0, O_PSI: i32 = 0, O_X: i32 = 0, O_Z: i32 = 0, O_W: i32 = 0;
let O_SMALL: i32 = 0, O_UA: i32 = 0, O_UB: i32 = 0, O_W2: i32 = 0, O_END: i32 = 0;

function layout(H: i32, W: i32, J: i32, L: i32, order: i32): void {
  LP = scatteringGrid(H, J);
  LQ = scatteringGrid(W, J);
  LN = LP * LQ;
  LPs = LP >> J;
  LQs = LQ >> J;
  O_TWP = 0;
  O_TWQ = O_TWP + LP;
  O_PHI = O_TWQ + LQ;
  O_PSI = O_PHI + LN;
  O_X = O_PSI + J * L * LN;
  O_Z = O_X + 2 * LN;
  O_W = O_Z + 2 * LN;
  O_SMALL = O_W + 2 * LN;
  O_UA = O_SMALL + 2 * LPs * LQs;
  O_UB = order >= 2 ? O_UA + 2 * LN : O_UA;
  O_W2 = order >= 2 ? O_UB + 2 * LN : O_UB;
  O_END = order >= 2 ? O_W2 + 2 * LN : O_W2;
}

/** f64 slots the workspace needs. */
export function scatteringWorkspaceDoubles(H: i32, W: i32, J: i32, L: i32, order: i32): i32 {
  layout(H, W, J, L, order);
  return O_END;
}

@inline function at(ws: usize, offset: i32): usize {
  return ws + (<usize>offset << 3);
}

/** Fills the workspace's twiddles and filters (docs/spec.md §13.1). */
export function scatteringPlan(ws: usize, H: i32, W: i32, J: i32, L: i32, order: i32): void {
  layout(H, W, J, L, order);
  fillTwiddles(at(ws, O_TWP), LP);
  fillTwiddles(at(ws, O_TWQ), LQ);
  fillLowPass(at(ws, O_PHI), LP, LQ, J);
  for (let j = 0; j < J; j++) {
    for (let l = 0; l < L; l++) fillWavelet(at(ws, O_PSI + (j * L + l) * LN), LP, LQ, j, l, L);
  }
}

/** dst = src·filter, entry by entry (complex × real), N entries. */
function multiplyFilter(dst: usize, src: usize, filter: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const f = load<f64>(filter + (<usize>i << 3));
    const p = <usize>i << 4;
    store<f64>(dst + p, load<f64>(src + p) * f);
    store<f64>(dst + p + 8, load<f64>(src + p + 8) * f);
  }
}

/** dst[i] (re or im, by `part`: 0 or 8 bytes) = |z[i]|·scale; z complex, N entries. */
function modulusInto(dst: usize, part: usize, z: usize, n: i32, scale: f64): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 4;
    const re = load<f64>(z + p);
    const im = load<f64>(z + p + 8);
    store<f64>(dst + p + part, Math.sqrt(re * re + im * im) * scale);
  }
}

/** The im parts of N complex entries set to 0. */
function clearImaginary(dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f64>(dst + (<usize>i << 4) + 8, 0.0);
}

/**
 * Low-pass and sample: the spectrum `spec` (P×Q complex) times φ̂, folded onto
 * the Ps×Qs grid, inverted there and scaled by 1/(P·Q). Writes the real part
 * to channel `ca` and (when cb ≥ 0) the imaginary part to channel `cb` of `out`.
 */
function lowPassSample(ws: usize, spec: usize, out: usize, ca: i32, cb: i32, Ho: i32, Wo: i32): void {
  const small = at(ws, O_SMALL);
  const phi = at(ws, O_PHI);
  const Ps = LPs, Qs = LQs, Q = LQ;
  for (let i = 0; i < Ps * Qs; i++) {
    store<f64>(small + (<usize>i << 4), 0.0);
    store<f64>(small + (<usize>i << 4) + 8, 0.0);
  }
  // Fold in a fixed order: grid row r lands on r mod Ps, column q on q mod Qs.
  for (let r = 0; r < LP; r++) {
    const rs = r & (Ps - 1);
    for (let q = 0; q < Q; q++) {
      const k = r * Q + q;
      const f = load<f64>(phi + (<usize>k << 3));
      const d = small + (<usize>(rs * Qs + (q & (Qs - 1))) << 4);
      const s = spec + (<usize>k << 4);
      store<f64>(d, load<f64>(d) + load<f64>(s) * f);
      store<f64>(d + 8, load<f64>(d + 8) + load<f64>(s + 8) * f);
    }
  }
  fft2(small, Ps, Qs, at(ws, O_TWP), LP, at(ws, O_TWQ), LQ, true, Ps);
  const scale = 1.0 / <f64>LN;
  const plane = Ho * Wo;
  for (let ur = 0; ur < Ho; ur++) {
    for (let uc = 0; uc < Wo; uc++) {
      const s = small + (<usize>(ur * Qs + uc) << 4);
      const o = ur * Wo + uc;
      store<f64>(out + (<usize>(ca * plane + o) << 3), load<f64>(s) * scale);
      if (cb >= 0) store<f64>(out + (<usize>(cb * plane + o) << 3), load<f64>(s + 8) * scale);
    }
  }
}

/** |IDFT(spec·ψ̂_c)|/(P·Q) into the re (part 0) or im (part 8) slots of dst, via Z. */
function waveletModulus(ws: usize, spec: usize, c: i32, dst: usize, part: usize): void {
  const z = at(ws, O_Z);
  multiplyFilter(z, spec, at(ws, O_PSI + c * LN), LN);
  fft2(z, LP, LQ, at(ws, O_TWP), LP, at(ws, O_TWQ), LQ, true, LP);
  modulusInto(dst, part, z, LN, 1.0 / <f64>LN);
}

/** Splits the spectrum of u + i·v (at w) into û (ua) and v̂ (ub): û[k] = (w[k] + conj w[−k])/2, v̂[k] = (w[k] − conj w[−k])/(2i). */
function splitPair(w: usize, ua: usize, ub: usize): void {
  const P = LP, Q = LQ;
  for (let r = 0; r < P; r++) {
    const rn = (P - r) & (P - 1);
    for (let q = 0; q < Q; q++) {
      const qn = (Q - q) & (Q - 1);
      const a = w + (<usize>(r * Q + q) << 4);
      const b = w + (<usize>(rn * Q + qn) << 4);
      const ar = load<f64>(a), ai = load<f64>(a + 8);
      const br = load<f64>(b), bi = load<f64>(b + 8);
      const o = <usize>(r * Q + q) << 4;
      store<f64>(ua + o, 0.5 * (ar + br));
      store<f64>(ua + o + 8, 0.5 * (ai - bi));
      store<f64>(ub + o, 0.5 * (ai + bi));
      store<f64>(ub + o + 8, 0.5 * (br - ar));
    }
  }
}

/**
 * Channels first, first + 1, …, first + count − 1 of `out`: |IDFT(spec·ψ̂_{filter0 + i})| ⋆ φ_J,
 * two at a time through one complex FFT.
 */
function modulusLowPass(ws: usize, spec: usize, filter0: i32, count: i32, first: i32, out: usize, Ho: i32, Wo: i32, pair: usize): void {
  for (let i = 0; i < count; i += 2) {
    const two = i + 1 < count;
    waveletModulus(ws, spec, filter0 + i, pair, 0);
    if (two) waveletModulus(ws, spec, filter0 + i + 1, pair, 8);
    else clearImaginary(pair, LN);
    fft2(pair, LP, LQ, at(ws, O_TWP), LP, at(ws, O_TWQ), LQ, false, LP);
    lowPassSample(ws, pair, out, first + i, two ? first + i + 1 : -1, Ho, Wo);
  }
}

/** The order-2 channels that start from order-1 channel (j1, ℓ1), whose spectrum is at spec. */
function secondOrder(ws: usize, spec: usize, j1: i32, l1: i32, J: i32, L: i32, out: usize, Ho: i32, Wo: i32): void {
  // Order-2 channels before (j1, ·): Σ_{j<j1} L·(J−1−j)·L; then ℓ1's block of (J−1−j1)·L.
  let first = 1 + J * L;
  for (let j = 0; j < j1; j++) first += L * (J - 1 - j) * L;
  const count = (J - 1 - j1) * L;
  first += l1 * count;
  modulusLowPass(ws, spec, (j1 + 1) * L, count, first, out, Ho, Wo, at(ws, O_W2));
}

/** The features of one image (H×W at img) into out (channels·Ho·Wo f64). */
function scatterImage(ws: usize, img: usize, out: usize, H: i32, W: i32, J: i32, L: i32, order: i32): void {
  const x = at(ws, O_X);
  const Q = LQ;
  for (let r = 0; r < LP; r++) {
    for (let q = 0; q < Q; q++) {
      const v = r < H && q < W ? load<f64>(img + (<usize>(r * W + q) << 3)) : 0.0;
      store<f64>(x + (<usize>(r * Q + q) << 4), v);
      store<f64>(x + (<usize>(r * Q + q) << 4) + 8, 0.0);
    }
  }
  fft2(x, LP, LQ, at(ws, O_TWP), LP, at(ws, O_TWQ), LQ, false, H);
  const Ho = (H + (1 << J) - 1) >> J;
  const Wo = (W + (1 << J) - 1) >> J;
  // Order 0: the fold only reads X̂, which the wavelets below still need.
  lowPassSample(ws, x, out, 0, -1, Ho, Wo);
  const channels = J * L;
  const w = at(ws, O_W);
  for (let c = 0; c < channels; c += 2) {
    const two = c + 1 < channels;
    waveletModulus(ws, x, c, w, 0);
    if (two) waveletModulus(ws, x, c + 1, w, 8);
    else clearImaginary(w, LN);
    fft2(w, LP, LQ, at(ws, O_TWP), LP, at(ws, O_TWQ), LQ, false, LP);
    lowPassSample(ws, w, out, 1 + c, two ? 2 + c : -1, Ho, Wo);
    if (order < 2) continue;
    const ua = at(ws, O_UA);
    const ub = at(ws, O_UB);
    splitPair(w, ua, ub);
    if (c / L < J - 1) secondOrder(ws, ua, c / L, c % L, J, L, out, Ho, Wo);
    if (two && (c + 1) / L < J - 1) secondOrder(ws, ub, (c + 1) / L, (c + 1) % L, J, L, out, Ho, Wo);
  }
}

/**
 * Scattering features of `rows` images (rows × H × W f64 at images, C order)
 * into out (rows × channels·⌈H/2^J⌉·⌈W/2^J⌉ f64). The workspace must hold
 * scatteringWorkspaceDoubles(H, W, J, L, order) f64 filled by scatteringPlan.
 */
export function scatterRows(ws: usize, images: usize, rows: i32, H: i32, W: i32, J: i32, L: i32, order: i32, out: usize): void {
  layout(H, W, J, L, order);
  const dims = scatteringChannels(J, L, order) * ((H + (1 << J) - 1) >> J) * ((W + (1 << J) - 1) >> J);
  for (let i = 0; i < rows; i++) {
    scatterImage(ws, images + (<usize>(i * H * W) << 3), out + (<usize>(i * dims) << 3), H, W, J, L, order);
  }
}
