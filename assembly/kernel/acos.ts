// arccos of two lanes at once, bit for bit AssemblyScript's scalar Math.acos
// (a port of musl's acos.c) in each lane. The scalar function branches on
// |x| < 0.5 and on the sign, and in the NTK recursion those branches follow the
// data, so the processor mispredicts them often; here every lane computes the
// three branches' common part once (one rational approximation R(z) on the
// lane's own z) and the finishing steps of each branch, then selects. Every
// operation is the scalar one, in the same order, on IEEE lanes (add, mul, div,
// sqrt and bitwise and are correctly rounded or exact lane by lane), so each
// lane equals Math.acos exactly. The edges the vector form does not reproduce
// (|x| ≥ 1, |x| below 2⁻⁵⁷, NaN) go through the scalar function.

const PIO2_HI = reinterpret<f64>(0x3FF921FB54442D18);
const PIO2_LO = reinterpret<f64>(0x3C91A62633145C07);
const PS0 = reinterpret<f64>(0x3FC5555555555555);
const PS1 = reinterpret<f64>(0xBFD4D61203EB6F7D);
const PS2 = reinterpret<f64>(0x3FC9C1550E884455);
const PS3 = reinterpret<f64>(0xBFA48228B5688F3B);
const PS4 = reinterpret<f64>(0x3F49EFE07501B288);
const PS5 = reinterpret<f64>(0x3F023DE10DFDF709);
const QS1 = reinterpret<f64>(0xC0033A271C8A2D4B);
const QS2 = reinterpret<f64>(0x40002AE59C598AC8);
const QS3 = reinterpret<f64>(0xBFE6066C1B8D0159);
const QS4 = reinterpret<f64>(0x3FB3B8C5B12E9282);
/** The scalar function's "tiny" test is on the high word: |x| with high word ≤ 0x3C600000, i.e. |x| below this. */
const TINY_BOUND = reinterpret<f64>(0x3C60000100000000);

/** musl's R(z) = p(z)/q(z), the rational approximation of (asin(x) − x)/x³, lane by lane. */
// @ts-ignore: decorator
@inline function rational(z: v128): v128 {
  const p = f64x2.mul(z, f64x2.add(f64x2.splat(PS0), f64x2.mul(z, f64x2.add(f64x2.splat(PS1), f64x2.mul(z, f64x2.add(f64x2.splat(PS2),
    f64x2.mul(z, f64x2.add(f64x2.splat(PS3), f64x2.mul(z, f64x2.add(f64x2.splat(PS4), f64x2.mul(z, f64x2.splat(PS5))))))))))));
  const q = f64x2.add(f64x2.splat(1.0), f64x2.mul(z, f64x2.add(f64x2.splat(QS1), f64x2.mul(z, f64x2.add(f64x2.splat(QS2),
    f64x2.mul(z, f64x2.add(f64x2.splat(QS3), f64x2.mul(z, f64x2.splat(QS4)))))))));
  return f64x2.div(p, q);
}

/** The |x| < 0.5 branch: π/2 − (x − (pio2_lo − x·R(x²))). */
// @ts-ignore: decorator
@inline function fromSmall(x: v128, r: v128): v128 {
  return f64x2.sub(f64x2.splat(PIO2_HI), f64x2.sub(x, f64x2.sub(f64x2.splat(PIO2_LO), f64x2.mul(x, r))));
}

/** [Math.acos(x₀), Math.acos(x₁)], bit for bit. */
// @ts-ignore: decorator
@inline export function acos2(x: v128): v128 {
  const ax = f64x2.abs(x);
  // Not (tiny ≤ |x| < 1) also catches NaN: those lanes take the scalar path.
  const regular = v128.and(f64x2.ge(ax, f64x2.splat(TINY_BOUND)), f64x2.lt(ax, f64x2.splat(1)));
  if (!i64x2.all_true(regular)) {
    const lo = Math.acos(f64x2.extract_lane(x, 0));
    return f64x2.replace_lane(f64x2.splat(lo), 1, Math.acos(f64x2.extract_lane(x, 1)));
  }
  const half = f64x2.splat(0.5), two = f64x2.splat(2);
  const pio2Hi = f64x2.splat(PIO2_HI), pio2Lo = f64x2.splat(PIO2_LO);
  const small = f64x2.lt(ax, half);
  // Both lanes below 0.5 (centred data, layer one) need neither the square root nor the second division.
  if (i64x2.all_true(small)) return fromSmall(x, rational(f64x2.mul(x, x)));
  // z = x² below 0.5; above, (1 − |x|)/2 written as the scalar code writes it
  // (0.5 + x·0.5 for negative x is the same IEEE operation as 0.5 − |x|·0.5).
  const z = v128.bitselect(f64x2.mul(x, x), f64x2.sub(half, f64x2.mul(ax, half)), small);
  const r = rational(z);
  const s = f64x2.sqrt(z);
  const nearZero = fromSmall(x, r);
  // x ≤ −0.5: 2·(π/2 − (s + (R·s − pio2_lo))).
  const fromNegative = f64x2.mul(two, f64x2.sub(pio2Hi, f64x2.add(s, f64x2.sub(f64x2.mul(r, s), pio2Lo))));
  // x ≥ 0.5: s split into a high part df (low word cleared) and a correction c.
  const df = v128.and(s, i64x2.splat(0xFFFFFFFF00000000));
  const c = f64x2.div(f64x2.sub(z, f64x2.mul(df, df)), f64x2.add(s, df));
  const fromPositive = f64x2.mul(two, f64x2.add(df, f64x2.add(f64x2.mul(r, s), c)));
  const large = v128.bitselect(fromNegative, fromPositive, f64x2.lt(x, f64x2.splat(0)));
  return v128.bitselect(nearZero, large, small);
}
