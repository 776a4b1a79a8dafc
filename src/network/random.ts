/**
 * Seeded standard normal numbers that are the same bits in every JavaScript
 * engine (docs/spec.md §11.2): xoshiro128** (32-bit integer operations only,
 * seeded through splitmix32) for uniforms, and Marsaglia's polar method for
 * normals, whose only non-arithmetic step, ln, is {@link portableLog} below
 * rather than Math.log (which engines may round differently). √ is correctly
 * rounded by IEEE 754 everywhere.
 */

/** The first 32-bit outputs of splitmix32 from `state`, used only to seed the generator. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** xoshiro128** (Blackman and Vigna), 32-bit outputs. */
class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is a safe integer ≥ 0: its low and high 32-bit words both reach the state. */
  constructor(seed: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d) ^ 0x5bd1e995);
    const hiMix = splitmix32(hi);
    this.s0 = mix() ^ hiMix();
    this.s1 = mix();
    this.s2 = mix() ^ hiMix();
    this.s3 = mix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fills `out` with independent N(0, 1) numbers from `seed` (a safe integer ≥ 0). */
export function fillNormal(out: Float64Array, seed: number): void {
  const rng = new Xoshiro128(seed);
  let i = 0;
  while (i < out.length) {
    const u = 2 * rng.uniform() - 1;
    const v = 2 * rng.uniform() - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const factor = Math.sqrt((-2 * portableLog(s)) / s);
    out[i++] = u * factor;
    if (i < out.length) out[i++] = v * factor;
  }
}

// fdlibm's e_log.c (Sun Microsystems, freely distributable), transcribed with
// JavaScript arithmetic only, so the result does not depend on the engine's libm.
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LG = [
  6.666666666666735130e-1, 3.999999999940941908e-1, 2.857142874366239149e-1, 2.222219843214978396e-1,
  1.818357216161805012e-1, 1.531383769920937332e-1, 1.479819860511658591e-1,
];
const bits = new DataView(new ArrayBuffer(8));

/** ln x for finite x > 0 (normal or subnormal), to within 1 ulp, identically in every engine. */
export function portableLog(x: number): number {
  let k = 0;
  if (x < 2 ** -1022) {
    k -= 54;
    x *= 2 ** 54; // subnormal: scale up exactly
  }
  bits.setFloat64(0, x);
  let hx = bits.getUint32(0);
  k += (hx >>> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  bits.setUint32(0, hx | (i ^ 0x3ff00000)); // x or x/2 into [√2/2, √2)
  k += i >>> 20;
  const f = bits.getFloat64(0) - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^-20
    if (f === 0) return dk * LN2_HI + dk * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : dk * LN2_HI - (R - dk * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  let j = hx - 0x6147a;
  const w = z * z;
  const j2 = 0x6b851 - hx;
  const t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
  const t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
  j |= j2;
  const R = t2 + t1;
  if (j > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - (hfsq - (s * (hfsq + R) + dk * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * LN2_HI - (s * (f - R) - dk * LN2_LO - f);
}
