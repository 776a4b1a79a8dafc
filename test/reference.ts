// Plain, obviously-correct oracles, written straight from docs/spec.md with
// scalar loops and no cleverness. Tests compare the fast paths against these.

export type Rows = number[][];

export interface KernelParams {
  depth: number;
  wVar: number;
  bVar: number;
}

export const DEFAULT_KERNEL: KernelParams = { depth: 2, wVar: 2, bVar: 0 };

/** docs/spec.md §2 for one pair of rows, line by line. */
export function ntkPair(x: number[], xp: number[], { depth, wVar, bVar }: KernelParams): number {
  const d = x.length;
  let sigma = dot(x, xp) / d;
  let q = dot(x, x) / d;
  let qp = dot(xp, xp) / d;
  sigma = wVar * sigma + bVar;
  q = wVar * q + bVar;
  qp = wVar * qp + bVar;
  let theta = sigma;
  for (let layer = 0; layer < depth; layer++) {
    const norm = Math.sqrt(q * qp);
    const rho = norm === 0 ? 0 : Math.min(1, Math.max(-1, sigma / norm));
    const angle = Math.acos(rho);
    sigma = (norm * (Math.sin(angle) + (Math.PI - angle) * Math.cos(angle))) / (2 * Math.PI);
    theta = (theta * (Math.PI - angle)) / (2 * Math.PI);
    q = q / 2;
    qp = qp / 2;
    sigma = wVar * sigma + bVar;
    q = wVar * q + bVar;
    qp = wVar * qp + bVar;
    theta = wVar * theta + sigma;
  }
  return theta;
}

export function ntkMatrix(a: Rows, b: Rows, params: KernelParams = DEFAULT_KERNEL): Rows {
  return a.map((x) => b.map((xp) => ntkPair(x, xp, params)));
}

export function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is copied). */
export function solve(a: Rows, b: number[]): number[] {
  const n = a.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let c = r + 1; c < n; c++) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

/** Unblocked textbook Cholesky: returns lower-triangular L with L Lᵀ = A. */
export function cholesky(a: Rows): Rows {
  const n = a.length;
  const l: Rows = a.map(() => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let s = a[j][j];
    for (let k = 0; k < j; k++) s -= l[j][k] * l[j][k];
    l[j][j] = Math.sqrt(s);
    for (let i = j + 1; i < n; i++) {
      let t = a[i][j];
      for (let k = 0; k < j; k++) t -= l[i][k] * l[j][k];
      l[i][j] = t / l[j][j];
    }
  }
  return l;
}

export interface ModelParams {
  model: 'krr' | 'svm';
  reg: number;
  kernel: KernelParams;
}

/**
 * docs/spec.md §3 weights β(x) for every test row, by re-solving from scratch:
 * KRR solves (K + λ̃ I) β = k(X, x); the small-C SVM uses β = k(X, x).
 */
export function betaRows(trainX: Rows, testX: Rows, p: ModelParams): Rows {
  const kt = ntkMatrix(testX, trainX, p.kernel);
  if (p.model === 'svm') return kt;
  const k = ntkMatrix(trainX, trainX, p.kernel);
  const n = trainX.length;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += k[i][i];
  const lambda = (p.reg * trace) / n;
  const a = k.map((row, i) => row.map((v, j) => (i === j ? v + lambda : v)));
  return kt.map((col) => solve(a, col));
}

/** Class scores F_c = Σ_{y_i = c} β_i and the argmax with ties to the lowest class. */
export function predictFromBeta(beta: number[], labels: number[], classes: number): number {
  const scores = new Array<number>(classes).fill(0);
  for (let i = 0; i < beta.length; i++) scores[labels[i]] += beta[i];
  let best = 0;
  for (let c = 1; c < classes; c++) if (scores[c] > scores[best]) best = c;
  return best;
}

/**
 * Predictions of the model trained on (trainX, labels), re-solved from scratch
 * with one-hot targets: the brute-force oracle's notion of "the model".
 */
export function predict(trainX: Rows, labels: number[], testX: Rows, classes: number, p: ModelParams): number[] {
  return betaRows(trainX, testX, p).map((beta) => predictFromBeta(beta, labels, classes));
}

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomRows(random: () => number, rows: number, cols: number): Rows {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => random() * 2 - 1));
}

/**
 * Calls `visit` with every label vector over `classes` classes (the same array,
 * rewritten in place) and its number of flips against `labels`: classesⁿ calls.
 */
export function forEachLabelVector(labels: number[], classes: number, visit: (current: number[], flips: number) => void): void {
  const n = labels.length;
  const current = labels.slice();
  for (let code = 0; code < classes ** n; code++) {
    let rest = code;
    let flips = 0;
    for (let i = 0; i < n; i++) {
      current[i] = rest % classes;
      rest = Math.floor(rest / classes);
      if (current[i] !== labels[i]) flips++;
    }
    visit(current, flips);
  }
}
