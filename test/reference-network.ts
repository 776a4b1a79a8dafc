// Plain, obviously-correct JavaScript versions of the finite network of
// docs/spec.md §11, written from the spec's formulas and not from the core's
// code paths: the forward pass, and the objective of the training.
import type { NetworkShape } from '../src/network/network.js';

/** f(x; θ) for one row x (length d), C outputs, straight from h^{l+1} = √(wVar/fanIn)·W·a + √bVar·b. */
export function referenceForward(shape: NetworkShape, theta: ArrayLike<number>, x: ArrayLike<number>): number[] {
  const { inputDim, width, depth, classes, wVar, bVar } = shape;
  let a = Array.from(x);
  let offset = 0;
  for (let l = 0; l <= depth; l++) {
    const fanIn = l === 0 ? inputDim : width;
    const fanOut = l === depth ? classes : width;
    const h: number[] = [];
    for (let o = 0; o < fanOut; o++) {
      let s = 0;
      for (let i = 0; i < fanIn; i++) s += theta[offset + o * fanIn + i] * a[i];
      h.push(Math.sqrt(wVar / fanIn) * s + Math.sqrt(bVar) * theta[offset + fanIn * fanOut + o]);
    }
    offset += fanIn * fanOut + fanOut;
    a = l === depth ? h : h.map((v) => Math.max(v, 0));
  }
  return a;
}

/** Centred scores f(x; θ) − f(x; θ₀) of n rows (row-major, d columns), n×C. */
export function referenceScores(shape: NetworkShape, theta: ArrayLike<number>, theta0: ArrayLike<number>, x: Float64Array, n: number): Float64Array {
  const d = shape.inputDim;
  const out = new Float64Array(n * shape.classes);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * d, (i + 1) * d);
    const f = referenceForward(shape, theta, row);
    const f0 = referenceForward(shape, theta0, row);
    for (let c = 0; c < shape.classes; c++) out[i * shape.classes + c] = f[c] - f0[c];
  }
  return out;
}

/** E(θ) = Σ‖f(x_i; θ) − f(x_i; θ₀) − Y_i‖² + λ̃‖θ − θ₀‖². */
export function referenceObjective(
  shape: NetworkShape,
  theta: ArrayLike<number>,
  theta0: ArrayLike<number>,
  x: Float64Array,
  n: number,
  targets: Float64Array,
  ridge: number,
): number {
  const s = referenceScores(shape, theta, theta0, x, n);
  let e = 0;
  for (let i = 0; i < s.length; i++) e += (s[i] - targets[i]) ** 2;
  let u = 0;
  for (let i = 0; i < theta.length; i++) u += (theta[i] - theta0[i]) ** 2;
  return e + ridge * u;
}
