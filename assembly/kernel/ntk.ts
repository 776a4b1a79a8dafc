// NTK of a fully connected ReLU network (docs/spec.md §2), applied entry by entry to a
// matrix of dot products. Each entry follows docs/spec.md §2 line by line, except for
// algebraically exact rewrites of the ReLU step (see ntkEntry) that make the
// diagonal exact and save two transcendental calls per layer. Its TypeScript
// front is src/kernel/ntk.ts.

import { acos2 } from './acos';

/** K(x, x') from x·x', |x|², |x'|² and the input dimension d (docs/spec.md §2). */
// @ts-ignore: decorator
@inline function ntkEntry(dot: f64, qx: f64, qy: f64, d: f64, depth: i32, wVar: f64, bVar: f64): f64 {
  let sigma = wVar * (dot / d) + bVar;
  let q = wVar * (qx / d) + bVar;
  let qp = wVar * (qy / d) + bVar;
  let theta = sigma;
  for (let layer = 0; layer < depth; layer++) {
    const norm = Math.sqrt(q * qp);
    // ρ is clipped because rounding can push |Σ| just past √(q q').
    const rho = norm == 0 ? 0 : min<f64>(1, max<f64>(-1, sigma / norm));
    const angle = Math.acos(rho);
    // docs/spec.md §2: Σ ← √(qq')·(sin θ + (π − θ)cos θ)/(2π) and Θ ← Θ·(π − θ)/(2π).
    // Two algebraically exact rewrites:
    // 1. Grouping around f = (π − θ)/π. At θ = 0 (x, x' in the same
    //    direction) f = 1 exactly, so Σ = √(qq')/2 and Θ/2 come out exact and
    //    the next layer sees ρ = 1 again. The literal grouping can round
    //    √(qq')·π/(2π) one ulp low, giving ρ = 1 − 2⁻⁵³, θ ≈ 1.5e-8 and a
    //    spurious ~5e-9 relative error per layer in K(x, x). (π − θ is exact
    //    near θ = π, so f keeps its relative accuracy there.)
    // 2. cos θ = ρ and sin θ = √((1 − ρ)(1 + ρ)): exact inputs instead of
    //    two more transcendental calls (this halves the cost of the
    //    recursion), and sin θ = 0 exactly at ρ = ±1.
    const f = (Math.PI - angle) / Math.PI;
    const sine = Math.sqrt((1 - rho) * (1 + rho));
    sigma = norm * (sine / Math.PI + f * rho) * 0.5;
    theta = theta * f * 0.5;
    q = q / 2;
    qp = qp / 2;
    sigma = wVar * sigma + bVar;
    q = wVar * q + bVar;
    qp = wVar * qp + bVar;
    theta = wVar * theta + sigma;
  }
  return theta;
}

/**
 * ntkEntry for two entries of one row at once (lanes j, j + 1): the same
 * operations in the same order, as f64x2 lanes. IEEE division, square root,
 * min and max are correctly rounded lane by lane as in scalar code, and acos2
 * is Math.acos lane by lane (acos.ts), so each lane is bit for bit ntkEntry's
 * result, without the branches of the scalar arccos that the data decide.
 */
// @ts-ignore: decorator
@inline function ntkEntry2(dot: v128, qx: f64, qy: v128, d: f64, depth: i32, wVar: f64, bVar: f64): v128 {
  const w = f64x2.splat(wVar), b = f64x2.splat(bVar), fd = f64x2.splat(d);
  const pi = f64x2.splat(Math.PI), half = f64x2.splat(0.5);
  const one = f64x2.splat(1), minusOne = f64x2.splat(-1), zero = f64x2.splat(0);
  let sigma = f64x2.add(f64x2.mul(w, f64x2.div(dot, fd)), b);
  let q = wVar * (qx / d) + bVar;
  let qp = f64x2.add(f64x2.mul(w, f64x2.div(qy, fd)), b);
  let theta = sigma;
  for (let layer = 0; layer < depth; layer++) {
    const norm = f64x2.sqrt(f64x2.mul(f64x2.splat(q), qp));
    const clipped = f64x2.min(one, f64x2.max(minusOne, f64x2.div(sigma, norm)));
    const rho = v128.bitselect(zero, clipped, f64x2.eq(norm, zero));
    const angle = acos2(rho);
    const f = f64x2.div(f64x2.sub(pi, angle), pi);
    const sine = f64x2.sqrt(f64x2.mul(f64x2.sub(one, rho), f64x2.add(one, rho)));
    sigma = f64x2.mul(f64x2.mul(norm, f64x2.add(f64x2.div(sine, pi), f64x2.mul(f, rho))), half);
    theta = f64x2.mul(f64x2.mul(theta, f), half);
    q = q / 2;
    qp = f64x2.mul(qp, half); // = qp / 2 exactly: halving is exact in binary floating point
    sigma = f64x2.add(f64x2.mul(w, sigma), b);
    q = wVar * q + bVar;
    qp = f64x2.add(f64x2.mul(w, qp), b);
    theta = f64x2.add(f64x2.mul(w, theta), sigma);
  }
  return theta;
}

/**
 * In place over `count` entries of one row: row[j] = x·y_j becomes K(x, y_j),
 * given qx = |x|² and qb[j] = |y_j|². Two entries at a time (ntkEntry2), an
 * odd last one by ntkEntry: every entry bit for bit ntkEntry's.
 */
function ntkRow(row: usize, qx: f64, qb: usize, count: i32, fd: f64, depth: i32, wVar: f64, bVar: f64): void {
  let j = 0;
  for (; j + 2 <= count; j += 2) {
    const at = row + (<usize>j << 3);
    v128.store(at, ntkEntry2(v128.load(at), qx, v128.load(qb + (<usize>j << 3)), fd, depth, wVar, bVar));
  }
  if (j < count) {
    const at = row + (<usize>j << 3);
    store<f64>(at, ntkEntry(load<f64>(at), qx, load<f64>(qb + (<usize>j << 3)), fd, depth, wVar, bVar));
  }
}

/**
 * In place: c[i][j] = x_i·y_j (m×n) becomes K(x_i, y_j), given qa[i] = |x_i|²
 * and qb[j] = |y_j|².
 */
export function ntkFromDot(
  c: usize, qa: usize, qb: usize, m: i32, n: i32, d: i32, depth: i32, wVar: f64, bVar: f64,
): void {
  const fd = <f64>d;
  for (let i = 0; i < m; i++) {
    ntkRow(c + ((<usize>i * <usize>n) << 3), load<f64>(qa + (<usize>i << 3)), qb, n, fd, depth, wVar, bVar);
  }
}

/** out[i] = K(x_i, x_i) from q[i] = |x_i|², equal to the Gram path's diagonal (x·x = |x|² there). */
export function ntkDiag(q: usize, out: usize, m: i32, d: i32, depth: i32, wVar: f64, bVar: f64): void {
  const fd = <f64>d;
  for (let i = 0; i < m; i++) {
    const qi = load<f64>(q + (<usize>i << 3));
    store<f64>(out + (<usize>i << 3), ntkEntry(qi, qi, qi, fd, depth, wVar, bVar));
  }
}

/**
 * Symmetric variant of ntkFromDot for c = X·Xᵀ (n×n): evaluates the lower
 * triangle and mirrors it, halving the transcendental work. The formula is
 * symmetric in (x, x') operation by operation, so the result is the same.
 */
export function ntkFromDotSym(c: usize, q: usize, n: i32, d: i32, depth: i32, wVar: f64, bVar: f64): void {
  const fd = <f64>d;
  const s = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const row = c + <usize>i * s;
    ntkRow(row, load<f64>(q + (<usize>i << 3)), q, i + 1, fd, depth, wVar, bVar);
    for (let j = 0; j < i; j++) store<f64>(c + <usize>j * s + (<usize>i << 3), load<f64>(row + (<usize>j << 3)));
  }
}

/**
 * Rows r0 ≤ i < r1 of ntkFromDotSym, lower part only (j ≤ i), without the
 * mirror: threads owning disjoint row ranges run it concurrently, then
 * mirrorLowerRows (linalg/gemm.ts) completes the matrix. Each entry is computed
 * exactly as ntkFromDotSym computes it.
 */
export function ntkFromDotLowerRows(
  c: usize, q: usize, n: i32, d: i32, depth: i32, wVar: f64, bVar: f64, r0: i32, r1: i32,
): void {
  const fd = <f64>d;
  const s = <usize>n << 3;
  for (let i = r0; i < r1; i++) ntkRow(c + <usize>i * s, load<f64>(q + (<usize>i << 3)), q, i + 1, fd, depth, wVar, bVar);
}
