// docs/spec.md §2 NTK with plain loops, and the two kernel matrices KRR needs.
import { Matrix } from 'ml-matrix';

function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** NTK of one pair, given Σ = x·x'/d and the squared norms q = |x|²/d, q' = |x'|²/d. */
export function ntkFromDots(sigma, q, qp, { depth, wVar, bVar }) {
  sigma = wVar * sigma + bVar;
  q = wVar * q + bVar;
  qp = wVar * qp + bVar;
  let theta = sigma;
  for (let layer = 0; layer < depth; layer++) {
    const norm = Math.sqrt(q * qp);
    const rho = norm === 0 ? 0 : Math.min(1, Math.max(-1, sigma / norm));
    const angle = Math.acos(rho);
    sigma = (norm * (Math.sin(angle) + (Math.PI - angle) * rho)) / (2 * Math.PI);
    theta = (theta * (Math.PI - angle)) / (2 * Math.PI);
    q /= 2;
    qp /= 2;
    sigma = wVar * sigma + bVar;
    q = wVar * q + bVar;
    qp = wVar * qp + bVar;
    theta = wVar * theta + sigma;
  }
  return theta;
}

const sqNorms = (rows) => rows.map((x) => dot(x, x) / x.length);

/** Training Gram matrix (n×n), filled once per unordered pair so it is exactly symmetric. */
export function gramMatrix(rows, kernel) {
  const n = rows.length;
  const q = sqNorms(rows);
  const k = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    // The diagonal uses q itself, so ρ = 1 exactly there.
    k.set(i, i, ntkFromDots(q[i], q[i], q[i], kernel));
    for (let j = 0; j < i; j++) {
      const v = ntkFromDots(dot(rows[i], rows[j]) / rows[i].length, q[i], q[j], kernel);
      k.set(i, j, v);
      k.set(j, i, v);
    }
  }
  return k;
}

/** Kernel columns k(X, x) of the test points: an n×m matrix (column j for test point j). */
export function crossMatrix(trainRows, testRows, kernel) {
  const qa = sqNorms(trainRows);
  const qb = sqNorms(testRows);
  const k = new Matrix(trainRows.length, testRows.length);
  for (let i = 0; i < trainRows.length; i++) {
    for (let j = 0; j < testRows.length; j++) {
      k.set(i, j, ntkFromDots(dot(trainRows[i], testRows[j]) / trainRows[i].length, qa[i], qb[j], kernel));
    }
  }
  return k;
}
