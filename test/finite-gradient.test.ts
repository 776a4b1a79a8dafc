// The network's passes on the Wasm core (src/network/passes.ts, scores.ts)
// against the plain JavaScript network of test/reference-network.ts: forward
// values, Jacobian products against central finite differences, the adjoint
// identity between J·v and Jᵀ·w, the empirical NTK against explicit Jacobian
// inner products, and the training objective's gradient against finite differences.
import { beforeAll, describe, expect, it } from 'vitest';
import { initialParameters, parameterCount, type NetworkShape } from '../src/network/network.js';
import { Passes } from '../src/network/passes.js';
import { empiricalNtk, networkScores } from '../src/network/scores.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { referenceForward, referenceObjective, referenceScores } from './reference-network.js';
import { rng } from './reference.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const shapes: NetworkShape[] = [
  { inputDim: 5, width: 7, depth: 1, classes: 2, wVar: 2, bVar: 0 },
  { inputDim: 4, width: 9, depth: 2, classes: 3, wVar: 2, bVar: 0.3 },
  { inputDim: 6, width: 6, depth: 3, classes: 2, wVar: 1.5, bVar: 0.1 },
];

function randomVector(random: () => number, length: number): Float64Array {
  return Float64Array.from({ length }, () => random());
}

/** Runs `body` with the passes at θ on x (n rows), heap-scoped. */
function withPasses<T>(shape: NetworkShape, theta: Float64Array, x: Float64Array, n: number, body: (p: Passes, thetaPtr: number) => T): T {
  return core.heap.scoped(() => {
    const p = new Passes(core, shape, n, shape.classes);
    const thetaPtr = core.heap.putF64(theta);
    p.forward(thetaPtr, core.heap.putF64(x));
    p.backward();
    return body(p, thetaPtr);
  });
}

/** J·v by the core (n·C). */
function jv(shape: NetworkShape, theta: Float64Array, x: Float64Array, n: number, v: Float64Array): Float64Array {
  return withPasses(shape, theta, x, n, (p) => {
    const vPtr = core.heap.putF64(v);
    const out = core.heap.f64(n * shape.classes);
    p.jacobianTimes(vPtr, out);
    return core.heap.viewF64(out, n * shape.classes).slice();
  });
}

/** Jᵀ·w by the core (parameter space). */
function jtw(shape: NetworkShape, theta: Float64Array, x: Float64Array, n: number, w: Float64Array): Float64Array {
  const P = parameterCount(shape);
  return withPasses(shape, theta, x, n, (p) => {
    const wPtr = core.heap.putF64(w);
    const out = core.heap.f64(P);
    core.heap.viewF64(out, P).fill(0);
    p.transposeTimes(wPtr, out);
    return core.heap.viewF64(out, P).slice();
  });
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Central difference of the reference outputs along v, step h. */
function finiteDifference(shape: NetworkShape, theta: Float64Array, x: Float64Array, n: number, v: Float64Array, h: number): Float64Array {
  const plus = theta.map((t, i) => t + h * v[i]);
  const minus = theta.map((t, i) => t - h * v[i]);
  const zero = new Float64Array(theta.length);
  const fp = referenceScores(shape, plus, zero, x, n);
  const fm = referenceScores(shape, minus, zero, x, n);
  return fp.map((v2, i) => (v2 - fm[i]) / (2 * h));
}

describe.each(shapes)('network d=$inputDim width=$width depth=$depth C=$classes bVar=$bVar', (shape) => {
  const n = 5;
  const random = rng(17 + shape.depth);
  const x = randomVector(random, n * shape.inputDim);
  const P = parameterCount(shape);
  const theta0 = initialParameters(shape, 3);
  // A point away from θ₀, so that the checks do not rely on the initialisation.
  const theta = theta0.map((t) => t + 0.3 * random());

  it('forward pass equals the reference network', () => {
    const got = withPasses(shape, theta, x, n, (p) => core.heap.viewF64(p.out, n * shape.classes).slice());
    for (let i = 0; i < n; i++) {
      const want = referenceForward(shape, theta, x.subarray(i * shape.inputDim, (i + 1) * shape.inputDim));
      for (let c = 0; c < shape.classes; c++) expect(got[i * shape.classes + c]).toBeCloseTo(want[c], 12);
    }
  });

  it('centred scores are exactly 0 at θ₀ and equal the reference elsewhere', () => {
    const m = { data: x, rows: n, cols: shape.inputDim };
    expect(Array.from(networkScores(core, shape, theta0, theta0, m))).toEqual(new Array(n * shape.classes).fill(0));
    const got = networkScores(core, shape, theta, theta0, m);
    const want = referenceScores(shape, theta, theta0, x, n);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
  });

  it('J·v matches central finite differences of the reference network', () => {
    for (let trial = 0; trial < 3; trial++) {
      const v = randomVector(random, P);
      const got = jv(shape, theta, x, n, v);
      const want = finiteDifference(shape, theta, x, n, v, 1e-5);
      const scale = Math.max(...want.map(Math.abs));
      // Central differences err by O(h²·f''') ≈ 1e-10 here, except across a ReLU kink, which a random θ avoids.
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-7 * scale);
    }
  });

  it('Jᵀ·w is the adjoint of J·v: wᵀ(Jv) = (Jᵀw)ᵀv to rounding', () => {
    const v = randomVector(random, P);
    const w = randomVector(random, n * shape.classes);
    const left = dot(w, jv(shape, theta, x, n, v));
    const right = dot(jtw(shape, theta, x, n, w), v);
    expect(Math.abs(left - right)).toBeLessThan(1e-12 * (Math.abs(left) + 1));
  });

  it('the empirical NTK of each unit equals explicit Jacobian inner products', () => {
    const C = shape.classes;
    // Row (i, c) of J is Jᵀe_(i,c).
    const rows = Array.from({ length: n * C }, (_, k) => {
      const e = new Float64Array(n * C);
      e[k] = 1;
      return jtw(shape, theta, x, n, e);
    });
    for (let unit = 0; unit < C; unit++) {
      const k = empiricalNtk(core, shape, theta, { data: x, rows: n, cols: shape.inputDim }, unit);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const want = dot(rows[i * C + unit], rows[j * C + unit]);
          expect(Math.abs(k[i * n + j] - want)).toBeLessThan(1e-12 * Math.max(1, Math.abs(want)));
        }
      }
    }
  });

  it('∇E = 2(Jᵀr + λ̃(θ − θ₀)) matches central finite differences of the reference objective', () => {
    const targets = Float64Array.from({ length: n * shape.classes }, (_, i) => (i % shape.classes === i % 2 ? 1 : 0));
    const ridge = 0.7;
    const r = referenceScores(shape, theta, theta0, x, n).map((s, i) => s - targets[i]);
    const jtr = jtw(shape, theta, x, n, r);
    const grad = jtr.map((g, i) => 2 * (g + ridge * (theta[i] - theta0[i])));
    for (let trial = 0; trial < 3; trial++) {
      const v = randomVector(random, P);
      const h = 1e-5;
      const ep = referenceObjective(shape, theta.map((t, i) => t + h * v[i]), theta0, x, n, targets, ridge);
      const em = referenceObjective(shape, theta.map((t, i) => t - h * v[i]), theta0, x, n, targets, ridge);
      const fd = (ep - em) / (2 * h);
      expect(Math.abs(fd - dot(grad, v))).toBeLessThan(1e-6 * (Math.abs(fd) + 1));
    }
  });
});
