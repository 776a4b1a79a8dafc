// Exact power-of-two rescaling, used to keep the NTK inside float64's range
// (src/kernel/scale.ts decides the exponents). Multiplying by 2^k changes
// only the exponent, so it is exact unless the result leaves the normal range;
// NativeMath.scalbn (musl's) applies exponents beyond ±1023 in safe steps.

/** logb of a row whose entries are all zero. */
export const ZERO_ROW: i32 = i32.MIN_VALUE;

/** ⌊log₂ v⌋ for finite v > 0, subnormals included. */
// @ts-ignore: decorator
@inline function ilogb(v: f64): i32 {
  const e = <i32>((reinterpret<u64>(v) >> 52) & 0x7ff);
  if (e != 0) return e - 1023;
  // Subnormal: 2^64·v is normal and exact.
  return <i32>((reinterpret<u64>(v * 18446744073709551616.0) >> 52) & 0x7ff) - 1023 - 64;
}

/** out[i] = ⌊log₂ max_k |x[i][k]|⌋ for the m×d row-major x (ZERO_ROW for a zero row). */
export function rowLogb(x: usize, m: i32, d: i32, out: usize): void {
  for (let i = 0; i < m; i++) {
    const row = x + ((<usize>i * <usize>d) << 3);
    let big: f64 = 0;
    for (let k = 0; k < d; k++) big = max<f64>(big, abs<f64>(load<f64>(row + (<usize>k << 3))));
    store<i32>(out + (<usize>i << 2), big == 0 ? ZERO_ROW : ilogb(big));
  }
}

/** In place: row i of the m×d x is multiplied by 2^shift[i]. */
export function scaleRows(x: usize, m: i32, d: i32, shift: usize): void {
  for (let i = 0; i < m; i++) {
    const s = load<i32>(shift + (<usize>i << 2));
    if (s == 0) continue;
    const row = x + ((<usize>i * <usize>d) << 3);
    for (let k = 0; k < d; k++) {
      const at = row + (<usize>k << 3);
      store<f64>(at, NativeMath.scalbn(load<f64>(at), s));
    }
  }
}

/** In place: c[i][j] (m×n) is multiplied by 2^(ea[i] + eb[j]). */
export function scaleEntries(c: usize, m: i32, n: i32, ea: usize, eb: usize): void {
  for (let i = 0; i < m; i++) {
    const row = c + ((<usize>i * <usize>n) << 3);
    const si = load<i32>(ea + (<usize>i << 2));
    for (let j = 0; j < n; j++) {
      const s = si + load<i32>(eb + (<usize>j << 2));
      if (s == 0) continue;
      const at = row + (<usize>j << 3);
      store<f64>(at, NativeMath.scalbn(load<f64>(at), s));
    }
  }
}
