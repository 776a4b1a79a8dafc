// An exact-arithmetic oracle for the certificate tests, sharing nothing with the
// float code: every finite double is an integer multiple of 2^-1074, so a row of
// weights becomes a row of BigInts over one common power of two and every class
// score is summed without rounding. Enumerating label vectors with these exact
// scores gives the true answers for the doubles actually given, whatever the
// float evaluation order would make of them.

/** x · 2^1074 as a BigInt (exact for every finite double). */
function scaledDouble(x: number): bigint {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const magnitude = exponent === 0 ? fraction : ((1n << 52n) | fraction) << BigInt(exponent - 1);
  return negative ? -magnitude : magnitude;
}

/** The weights as exact integers over one common power of two (the smallest one needed). */
export function exactRow(beta: readonly number[]): bigint[] {
  const scaled = beta.map(scaledDouble);
  let shift = 1074n;
  for (const v of scaled) {
    if (v === 0n) continue;
    let z = 0n;
    let a = v < 0n ? -v : v;
    while ((a & 1n) === 0n && z < shift) {
      a >>= 1n;
      z++;
    }
    if (z < shift) shift = z;
  }
  return scaled.map((v) => v >> shift);
}

/** Argmax of exact class scores, ties to the lowest class (docs/spec.md §3). */
export function exactPredict(row: readonly bigint[], labels: ArrayLike<number>, classes: number): number {
  const scores = new Array<bigint>(classes).fill(0n);
  for (let i = 0; i < row.length; i++) scores[labels[i]] += row[i];
  return argmax(scores);
}

function argmax(scores: readonly bigint[]): number {
  let best = 0;
  for (let c = 1; c < scores.length; c++) if (scores[c] > scores[best]) best = c;
  return best;
}

/**
 * For every class l, the fewest label changes after which the exact scores
 * predict l (Infinity where none), by enumerating all classes^n label vectors
 * depth-first with incrementally updated exact scores.
 */
export function exactMinFlipsTo(beta: readonly number[], labels: readonly number[], classes: number): number[] {
  const row = exactRow(beta);
  const n = row.length;
  const best = new Array<number>(classes).fill(Infinity);
  const scores = new Array<bigint>(classes).fill(0n);
  const visit = (i: number, changed: number): void => {
    if (i === n) {
      const p = argmax(scores);
      if (changed < best[p]) best[p] = changed;
      return;
    }
    for (let c = 0; c < classes; c++) {
      scores[c] += row[i];
      visit(i + 1, changed + (c === labels[i] ? 0 : 1));
      scores[c] -= row[i];
    }
  };
  visit(0, 0);
  return best;
}

/** Fewest changes that alter the exact prediction (Infinity if none). */
export function exactMinFlips(beta: readonly number[], labels: readonly number[], classes: number): number {
  const to = exactMinFlipsTo(beta, labels, classes);
  const clean = exactPredict(exactRow(beta), labels, classes);
  return Math.min(...to.filter((_, l) => l !== clean));
}
