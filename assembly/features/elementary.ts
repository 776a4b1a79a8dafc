// Table-free elementary functions in f64 (docs/spec.md §13.1): exp, log, sin,
// cos. The core imports its memory and has no data segment, so nothing here
// reads a table: each function is an argument reduction by exactly stored
// constants and a polynomial (Taylor coefficients 1/n!, 1/(2n+1)), evaluated in
// a fixed order so that every runtime gets the same bits. sin and cos of huge
// arguments need 2/π to 1,248 bits: those are constants in code (a switch), not
// data. Accuracy: within 2 ulp of the true value (test/elementary.test.ts
// measures it against mpmath: 1 ulp at worst over its arguments).

// ln 2 = LN2_HI + LN2_LO, LN2_HI with 32 significant bits, so k·LN2_HI is exact for |k| < 2²¹.
const LN2_HI: f64 = 0.6931471806019545;
const LN2_LO: f64 = -4.2009150726810846e-11;
const INV_LN2: f64 = 1.4426950408889634;
// exp overflows above ln(max f64) and rounds to 0 below ln(2⁻¹⁰⁷⁵).
const EXP_OVER: f64 = 709.782712893384;
const EXP_UNDER: f64 = -745.1332191019412;

/** 2^k for −1022 ≤ k ≤ 1023, built from its bits. */
@inline function pow2(k: i32): f64 {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

/** e^x. Reduction x = k·ln2 + r, |r| ≤ ln2/2; e^r by its Taylor series to r¹³/13!. */
export function exp(x: f64): f64 {
  if (x != x) return x;
  if (x > EXP_OVER) return Infinity;
  if (x < EXP_UNDER) return 0;
  const k = Math.round(x * INV_LN2);
  const hi = x - k * LN2_HI; // exact
  const lo = -k * LN2_LO; // x − k·ln2 = hi + lo
  const r = hi + lo;
  // q = (e^r − 1 − r)/r² = 1/2! + r/3! + … + r¹¹/13!
  let q: f64 = 1.6059043836821613e-10;
  q = q * r + 2.08767569878681e-9;
  q = q * r + 2.505210838544172e-8;
  q = q * r + 2.755731922398589e-7;
  q = q * r + 2.7557319223985893e-6;
  q = q * r + 2.48015873015873e-5;
  q = q * r + 0.0001984126984126984;
  q = q * r + 0.001388888888888889;
  q = q * r + 0.008333333333333333;
  q = q * r + 0.041666666666666664;
  q = q * r + 0.16666666666666666;
  q = q * r + 0.5;
  // e^r = 1 + (hi + (lo + r²q)): the rounding of r does not reach the result.
  const e = 1.0 + (hi + (lo + r * r * q));
  const ki = <i32>k;
  if (ki > 1023) return e * 2.0 * pow2(ki - 1);
  if (ki < -1022) return e * pow2(ki + 54) * 5.551115123125783e-17; // · 2⁻⁵⁴: one rounding, into the subnormals
  return e * pow2(ki);
}

/** Natural logarithm. x = 2^k·(1 + f), √2/2 ≤ 1 + f < √2; log(1 + f) = 2·atanh(s), s = f/(2 + f). */
export function log(x: f64): f64 {
  if (x != x || x == Infinity) return x;
  if (x < 0) return NaN;
  if (x == 0) return -Infinity;
  let k: i32 = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984.0; // 2⁵⁴: subnormals become normal
    k = -54;
  }
  const bits = reinterpret<u64>(x);
  k += <i32>(bits >> 52) - 1023;
  let m = reinterpret<f64>((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000); // in [1, 2)
  if (m > 1.4142135623730951) {
    m *= 0.5;
    k++;
  }
  const f = m - 1.0; // exact (Sterbenz)
  const s = f / (2.0 + f);
  const z = s * s;
  // R = 2·(z/3 + z²/5 + … + z¹¹/23); log(1 + f) = f − f²/2 + s·(f²/2 + R).
  let p: f64 = 2.0 / 23.0;
  p = p * z + 2.0 / 21.0;
  p = p * z + 2.0 / 19.0;
  p = p * z + 2.0 / 17.0;
  p = p * z + 2.0 / 15.0;
  p = p * z + 2.0 / 13.0;
  p = p * z + 2.0 / 11.0;
  p = p * z + 2.0 / 9.0;
  p = p * z + 2.0 / 7.0;
  p = p * z + 2.0 / 5.0;
  p = p * z + 2.0 / 3.0;
  const R = p * z;
  const hfsq = 0.5 * f * f;
  const kf = <f64>k;
  return kf * LN2_HI + (f - (hfsq - (s * (hfsq + R) + kf * LN2_LO)));
}

// π/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_4 (33, 33, 33 and 53 significant bits):
// n·PIO2_1..3 are exact for n < 2²⁰.
const PIO2_1: f64 = 1.5707963267341256;
const PIO2_2: f64 = 6.077100506303966e-11;
const PIO2_3: f64 = 2.0222662487111665e-21;
const PIO2_4: f64 = 8.4784276603689e-32;
const TWO_OVER_PI: f64 = 0.6366197723675814;
/** Below this |x| the quadrant n is < 2²⁰ and the 4-part reduction is exact enough. */
const REDUCE_LIMIT: f64 = 1647099.3291652855; // 2²⁰·π/2

// The reduced argument: x − n·π/2 = RED_HI + RED_LO, and n mod 4. Globals, not memory (no static data).
let RED_HI: f64 = 0;
let RED_LO: f64 = 0;
let RED_N: i32 = 0;

/** RED_HI + RED_LO = (a − t) + lo as a normalised double-double, a − t carried exactly. */
@inline function subtractExact(a: f64, t: f64, lo: f64): void {
  const s = a - t;
  const bb = s - a;
  const err = (a - (s - bb)) + (-t - bb); // TwoSum: a − t = s + err exactly
  const l = lo + err;
  const h = s + l;
  RED_HI = h;
  RED_LO = l - (h - s);
}

/** Reduces |x| < REDUCE_LIMIT by the nearest multiple n of π/2 (Cody–Waite, four parts). */
function reduce(x: f64): void {
  const n = Math.round(x * TWO_OVER_PI);
  RED_N = (<i32>n) & 3;
  const r1 = x - n * PIO2_1; // exact
  subtractExact(r1, n * PIO2_2, 0.0);
  subtractExact(RED_HI, n * PIO2_3, RED_LO);
  subtractExact(RED_HI, n * PIO2_4, RED_LO);
}

/** sin(y + yl), |y| ≤ π/4 + ε, |yl| ≤ ulp(y): Taylor series to y¹⁹/19!. */
function sinKernel(y: f64, yl: f64): f64 {
  const z = y * y;
  // P = −1/3! + z/5! − … − z⁸/19!
  let p: f64 = -8.22063524662433e-18;
  p = p * z + 2.8114572543455206e-15;
  p = p * z - 7.647163731819816e-13;
  p = p * z + 1.6059043836821613e-10;
  p = p * z - 2.505210838544172e-8;
  p = p * z + 2.7557319223985893e-6;
  p = p * z - 0.0001984126984126984;
  p = p * z + 0.008333333333333333;
  p = p * z - 0.16666666666666666;
  return y + (y * z * p + yl * (1.0 - 0.5 * z));
}

/** cos(y + yl), |y| ≤ π/4 + ε: Taylor series to y¹⁸/18!, 1 − y²/2 carried exactly. */
function cosKernel(y: f64, yl: f64): f64 {
  const z = y * y;
  // Q = 1/4! − z/6! + … − z⁷/18!
  let q: f64 = -1.5619206968586225e-16;
  q = q * z + 4.779477332387385e-14;
  q = q * z - 1.1470745597729725e-11;
  q = q * z + 2.08767569878681e-9;
  q = q * z - 2.755731922398589e-7;
  q = q * z + 2.48015873015873e-5;
  q = q * z - 0.001388888888888889;
  q = q * z + 0.041666666666666664;
  const hz = 0.5 * z;
  const w = 1.0 - hz;
  return w + (((1.0 - w) - hz) + (z * z * q - y * yl));
}

/**
 * sin(x + shift·π/2) for shift 0 (sin) or 1 (cos): reduce x to y in [−π/4, π/4]
 * and its quadrant n, then sin or cos of y by the quadrant n + shift. One body
 * for both keeps each polynomial in the core once.
 */
function sinQuadrant(x: f64, shift: i32): f64 {
  if (!isFinite(x)) return NaN;
  const ax = Math.abs(x);
  // |x| < 2⁻²⁷: sin x = x − x³/6 rounds to x (keeping −0) and cos x = 1 − x²/2 to 1.
  if (ax < 7.450580596923828e-9) return shift == 0 ? x : 1.0;
  if (ax <= 0.7853981633974483) {
    RED_HI = x;
    RED_LO = 0.0;
    RED_N = 0;
  } else if (ax < REDUCE_LIMIT) {
    reduce(x);
  } else {
    reduceLarge(x);
  }
  const q = (RED_N + shift) & 3;
  const v = q & 1 ? cosKernel(RED_HI, RED_LO) : sinKernel(RED_HI, RED_LO);
  return q & 2 ? -v : v;
}

/** sin x. */
export function sin(x: f64): f64 {
  return sinQuadrant(x, 0);
}

/** cos x. */
export function cos(x: f64): f64 {
  return sinQuadrant(x, 1);
}

/**
 * 24-bit chunk k of 2/π = Σ_k chunk(k)·2^(−24(k+1)); 0 for k < 0. Constants in code
 * (a br_table), not a data segment; 52 chunks cover |x| up to the largest f64.
 */
function twoOverPiChunk(k: i32): i64 {
  switch (k) {
    case 0: return 0xA2F983;
    case 1: return 0x6E4E44;
    case 2: return 0x1529FC;
    case 3: return 0x2757D1;
    case 4: return 0xF534DD;
    case 5: return 0xC0DB62;
    case 6: return 0x95993C;
    case 7: return 0x439041;
    case 8: return 0xFE5163;
    case 9: return 0xABDEBB;
    case 10: return 0xC561B7;
    case 11: return 0x246E3A;
    case 12: return 0x424DD2;
    case 13: return 0xE00649;
    case 14: return 0x2EEA09;
    case 15: return 0xD1921C;
    case 16: return 0xFE1DEB;
    case 17: return 0x1CB129;
    case 18: return 0xA73EE8;
    case 19: return 0x8235F5;
    case 20: return 0x2EBB44;
    case 21: return 0x84E99C;
    case 22: return 0x7026B4;
    case 23: return 0x5F7E41;
    case 24: return 0x3991D6;
    case 25: return 0x398353;
    case 26: return 0x39F49C;
    case 27: return 0x845F8B;
    case 28: return 0xBDF928;
    case 29: return 0x3B1FF8;
    case 30: return 0x97FFDE;
    case 31: return 0x05980F;
    case 32: return 0xEF2F11;
    case 33: return 0x8B5A0A;
    case 34: return 0x6D1F6D;
    case 35: return 0x367ECF;
    case 36: return 0x27CB09;
    case 37: return 0xB74F46;
    case 38: return 0x3F669E;
    case 39: return 0x5FEA2D;
    case 40: return 0x7527BA;
    case 41: return 0xC7EBE5;
    case 42: return 0xF17B3D;
    case 43: return 0x0739F7;
    case 44: return 0x8A5292;
    case 45: return 0xEA6BFB;
    case 46: return 0x5FB11F;
    case 47: return 0x8D5D08;
    case 48: return 0x560330;
    case 49: return 0x46FC7B;
    case 50: return 0x6BABF0;
    case 51: return 0xCFBC20;
    default: return 0;
  }
}

// π/2 = PIO2_HI + PIO2_LO to 107 bits, and Dekker's splitter 2²⁷ + 1 (no fused multiply-add in Wasm).
const PIO2_HI: f64 = 1.5707963267948966;
const PIO2_LO: f64 = 6.123233995736766e-17;
const SPLITTER: f64 = 134217729.0;

/**
 * Reduces |x| ≥ REDUCE_LIMIT (Payne–Hanek, in integers): |x| = X·2^ex with X a
 * 53-bit integer in three 24-bit digits x_a; x·2/π mod 4 is the product of X by
 * the chunks of 2/π that reach bits below 2², carried in 24-bit digits down to
 * 2^(r−192), r < 24 — enough for the closest f64 to a multiple of π/2 (about
 * 2⁻⁶¹ away). The fraction, as a double-double, times π/2 is the reduced argument.
 */
function reduceLarge(x: f64): void {
  const bits = reinterpret<u64>(x) & 0x7FFFFFFFFFFFFFFF;
  const ex = <i32>(bits >> 52) - 1075;
  const X = <i64>((bits & 0x000FFFFFFFFFFFFF) | 0x0010000000000000);
  const x0 = X & 0xFFFFFF;
  const x1 = (X >> 24) & 0xFFFFFF;
  const x2 = X >> 48;
  // Term x_a·chunk(k) weighs 2^(24(a − k) + ex − 24) = 2^(24·D + r), D = a − k + q.
  const e1 = ex - 24;
  const q = e1 >= 0 ? e1 / 24 : -((23 - e1) / 24);
  const r = e1 - 24 * q;
  // Digits D = −8 … 0 (D ≥ 1 weighs a multiple of 4), carried upwards.
  let carry: i64 = 0;
  let c8: i64 = 0, c7: i64 = 0, c6: i64 = 0, c5: i64 = 0, c4: i64 = 0, c3: i64 = 0, c2: i64 = 0, c1: i64 = 0, c0: i64 = 0;
  // Digit D takes chunks k, k + 1, k + 2 (k = q − D) for x0, x1, x2: a window sliding down one chunk per digit.
  let g1 = twoOverPiChunk(q + 9);
  let g2 = twoOverPiChunk(q + 10);
  for (let D = -8; D <= 0; D++) {
    const g0 = twoOverPiChunk(q - D);
    const v = carry + x0 * g0 + x1 * g1 + x2 * g2;
    g2 = g1;
    g1 = g0;
    const digit = v & 0xFFFFFF;
    carry = v >> 24;
    if (D == -8) c8 = digit;
    else if (D == -7) c7 = digit;
    else if (D == -6) c6 = digit;
    else if (D == -5) c5 = digit;
    else if (D == -4) c4 = digit;
    else if (D == -3) c3 = digit;
    else if (D == -2) c2 = digit;
    else if (D == -1) c1 = digit;
    else c0 = digit;
  }
  // V = Σ c_D·2^(24D + r): A holds 2^(r+1) … 2^(r−48), then B, C, E 48 bits each.
  const A = ((c0 & 3) << 48) | (c1 << 24) | c2;
  const shift = <i64>(48 - r);
  let n = <i32>((A >> shift) & 3);
  let fa = <f64>(A & ((<i64>1 << shift) - 1)) * pow2(r - 48);
  const fb = <f64>((c3 << 24) | c4) * pow2(r - 96);
  const fc = <f64>((c5 << 24) | c6) * pow2(r - 144);
  const fd = <f64>((c7 << 24) | c8) * pow2(r - 192);
  if (fa >= 0.5) {
    fa -= 1.0; // exact
    n++;
  }
  // f = fa + fb + fc + fd as a double-double (h, l).
  const s = fa + fb;
  const bb = s - fa;
  let l = (fa - (s - bb)) + (fb - bb);
  l += fc + fd;
  const h = s + l;
  l = l - (h - s);
  // (h + l)·(PIO2_HI + PIO2_LO): Dekker's exact product of the leading terms.
  const p = h * PIO2_HI;
  const hs = SPLITTER * h;
  const hh = hs - (hs - h);
  const ht = h - hh;
  const ps = SPLITTER * PIO2_HI;
  const ph = ps - (ps - PIO2_HI);
  const pt = PIO2_HI - ph;
  const err = ((hh * ph - p) + hh * pt + ht * ph) + ht * pt;
  const lo = err + (h * PIO2_LO + l * PIO2_HI);
  const yh = p + lo;
  const yl = lo - (yh - p);
  if (x < 0) {
    RED_HI = -yh;
    RED_LO = -yl;
    RED_N = (4 - (n & 3)) & 3;
  } else {
    RED_HI = yh;
    RED_LO = yl;
    RED_N = n & 3;
  }
}

/** x[i] ← e^x[i] for i < n (ptr: n f64). */
export function expInPlace(ptr: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 3);
    store<f64>(p, exp(load<f64>(p)));
  }
}

/** x[i] ← log(x[i] + shift) for i < n (ptr: n f64); the sum is rounded first. */
export function logShiftedInPlace(ptr: usize, n: i32, shift: f64): void {
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 3);
    store<f64>(p, log(load<f64>(p) + shift));
  }
}

/** x[i] ← sin x[i] (tests, filters). */
export function sinInPlace(ptr: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 3);
    store<f64>(p, sin(load<f64>(p)));
  }
}

/** x[i] ← cos x[i] (tests, filters). */
export function cosInPlace(ptr: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 3);
    store<f64>(p, cos(load<f64>(p)));
  }
}
