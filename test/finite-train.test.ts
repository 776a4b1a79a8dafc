// Training the finite network (docs/spec.md §11.3): the objective and ridge it
// reports against independent computations, convergence to the stated
// tolerances, agreement of a very wide trained network with flipcert's KRR
// model (src/kernel/model.ts), bit-for-bit determinism, and input errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { FlipcertError } from '../src/errors.js';
import { initialParameters, parameterCount, type NetworkShape } from '../src/network/network.js';
import { Passes } from '../src/network/passes.js';
import { empiricalNtk, networkScores, trainNetwork, trainNetworks, type TrainedNetwork } from '../src/network/train.js';
import { KernelModel } from '../src/kernel/model.js';
import { ntkGram } from '../src/kernel/ntk.js';
import type { Matrix } from '../src/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { referenceObjective } from './reference-network.js';
import { rng } from './reference.js';

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

const d = 4;
const n = 8;
const m = 6;
const C = 2;
const random = rng(11);
const rows = Float64Array.from({ length: (n + m) * d }, () => random());
const train: Matrix = { data: rows.slice(0, n * d), rows: n, cols: d };
const test: Matrix = { data: rows.slice(n * d), rows: m, cols: d };
const both: Matrix = { data: rows, rows: n + m, cols: d };
const labels = [0, 1, 1, 0, 1, 0, 0, 1];
const targets = new Float64Array(n * C);
labels.forEach((c, i) => (targets[i * C + c] = 1));

const shape = (width: number, depth: number, bVar = 0): NetworkShape => ({ inputDim: d, width, depth, classes: C, wVar: 2, bVar });

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function relativeDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return norm(Array.from(a, (v, i) => v - b[i])) / norm(b);
}

/** ∇E = 2(Jᵀr + λ̃(θ − θ₀)) at θ, through the passes (checked against finite differences in finite-gradient.test.ts). */
function objectiveGradient(s: NetworkShape, theta: Float64Array, theta0: Float64Array, ridge: number): Float64Array {
  const P = parameterCount(s);
  const { heap } = core;
  return heap.scoped(() => {
    const p = new Passes(core, s, n, C);
    p.forward(heap.putF64(theta0), heap.putF64(train.data));
    const f0 = heap.viewF64(p.out, n * C).slice();
    p.forward(heap.putF64(theta), heap.putF64(train.data));
    p.backward();
    const r = heap.viewF64(p.out, n * C).map((v, i) => v - f0[i] - targets[i]);
    const out = heap.putF64(theta.map((t, i) => ridge * (t - theta0[i])));
    p.transposeTimes(heap.putF64(r), out);
    return heap.viewF64(out, P).map((g) => 2 * g);
  });
}

describe('trainNetwork', () => {
  it('reports λ̃ = reg·(mean diagonal of the one-unit empirical kernels at θ₀) and the objective at the returned θ', () => {
    const s = shape(64, 2, 0.1);
    const theta0 = initialParameters(s, 4);
    const result = trainNetwork(core, s, theta0, train, targets, { reg: 0.5 });
    let trace = 0;
    for (let unit = 0; unit < C; unit++) {
      const k = empiricalNtk(core, s, theta0, train, unit);
      for (let i = 0; i < n; i++) trace += k[i * n + i];
    }
    expect(result.ridge).toBeCloseTo((0.5 * trace) / (n * C), 12);
    const want = referenceObjective(s, result.theta, theta0, train.data, n, targets, result.ridge);
    expect(Math.abs(result.objective - want)).toBeLessThan(1e-10 * want);
    // Training decreased E from its value at θ₀, ‖Y‖² = n.
    expect(result.objective).toBeLessThan(n);
    expect(result.converged).toBe(true);
  });

  it('stops at the gradient tolerance where the kinks allow it, and the reported gradient norm is the true one', () => {
    // Width 65 536: the ReLU kinks leave a gradient floor of about |r|/√(n·width) ≈ 1e-3 relative, below gradTol.
    const s = shape(65536, 1);
    const theta0 = initialParameters(s, 2);
    const result = trainNetwork(core, s, theta0, train, targets, { reg: 1, gradTol: 5e-3, stepTol: 0 });
    expect(result.stoppedBy).toBe('gradient');
    expect(result.converged).toBe(true);
    expect(result.gradNorm).toBeLessThanOrEqual(5e-3);
    const grad = objectiveGradient(s, result.theta, theta0, result.ridge);
    expect(norm(grad) / result.initialGradNorm).toBeCloseTo(result.gradNorm, 10);
    // ‖∇E(θ₀)‖ = 2‖J₀ᵀY‖, independently: the gradient at θ₀ itself.
    expect(norm(objectiveGradient(s, theta0, theta0, result.ridge))).toBeCloseTo(result.initialGradNorm, 10);
    // The directional derivative of the reference objective along ∇E is ‖∇E‖ (central differences).
    const h = 1e-6 / norm(grad);
    const e = (t: number) => referenceObjective(s, result.theta.map((v, i) => v + t * grad[i]), theta0, train.data, n, targets, result.ridge);
    const slope = (e(h) - e(-h)) / (2 * h) / norm(grad);
    expect(Math.abs(slope - norm(grad))).toBeLessThan(0.05 * norm(grad));
  });

  it('with the default tolerances converges in function space within a few steps', () => {
    for (const [width, depth] of [[256, 1], [512, 2], [256, 3]]) {
      const s = shape(width, depth);
      const result = trainNetwork(core, s, initialParameters(s, 7), train, targets, { reg: 1 });
      expect(result.converged).toBe(true);
      expect(['gradient', 'step']).toContain(result.stoppedBy);
      expect(result.iterations).toBeGreaterThanOrEqual(1);
      expect(result.iterations).toBeLessThanOrEqual(20);
      if (result.stoppedBy === 'step') expect(result.lastStep).toBeLessThanOrEqual(1e-3);
    }
  });

  it('finalGradient false skips only the final gradient: the same θ, gradNorm NaN', () => {
    const s = shape(256, 2);
    const theta0 = initialParameters(s, 3);
    const full = trainNetwork(core, s, theta0, train, targets, { reg: 1, stepTol: 1e-2 });
    const quick = trainNetwork(core, s, theta0, train, targets, { reg: 1, stepTol: 1e-2, finalGradient: false });
    expect(full.stoppedBy).toBe('step');
    expect(quick.stoppedBy).toBe('step');
    expect(Number.isNaN(quick.gradNorm)).toBe(true);
    expect(Number.isFinite(full.gradNorm)).toBe(true);
    expect(Buffer.from(quick.theta.buffer).equals(Buffer.from(full.theta.buffer))).toBe(true);
    expect(quick.objective).toBe(full.objective);
  });

  it('maxIterations 0 returns θ₀ with the gradient at θ₀', () => {
    const s = shape(32, 2);
    const theta0 = initialParameters(s, 1);
    const result = trainNetwork(core, s, theta0, train, targets, { reg: 1, maxIterations: 0 });
    expect(result.iterations).toBe(0);
    expect(result.stoppedBy).toBe('maxIterations');
    expect(result.converged).toBe(false);
    expect(Array.from(result.theta)).toEqual(Array.from(theta0));
    expect(result.gradNorm).toBeCloseTo(1, 12);
    expect(result.objective).toBe(n);
  });

  // KRR scores are a smooth function of the kernel: at reg = 1, λ̃ is the mean diagonal, ‖(K + λ̃I)⁻¹‖ ≤ 1/λ̃,
  // and a relative kernel error ε moves the scores by about ε (observed 0.15ε … 1.4ε over eight networks of
  // these shapes); training's non-linear corrections are of the same order O(1/√width). So the trained
  // network's scores must be within 2ε of the KRR model's, with ε the relative Frobenius error of the same
  // network's one-unit empirical kernel at θ₀ on the training and test rows together.
  it.each([
    { depth: 1, width: 65536, seed: 1 },
    { depth: 2, width: 4096, seed: 1 },
  ])('a wide network (depth $depth, width $width) reproduces the krr model’s class scores', ({ depth, width, seed }) => {
    const kernel = { depth, wVar: 2, bVar: 0 };
    const model = KernelModel.fit(core, train, { model: 'krr', reg: 1, kernel });
    const beta = core.heap.viewF64(model.weights(test, 0, m), m * n).slice();
    model.dispose();
    const krr = new Float64Array(m * C);
    for (let t = 0; t < m; t++) for (let i = 0; i < n; i++) krr[t * C + labels[i]] += beta[t * n + i];

    const s = shape(width, depth);
    const theta0 = initialParameters(s, seed);
    const result = trainNetwork(core, s, theta0, train, targets, { reg: 1 });
    const scores = networkScores(core, s, result.theta, theta0, test);
    const kernelError = relativeDistance(empiricalNtk(core, s, theta0, both), ntkGram(core, both, undefined, kernel));
    const scoreError = relativeDistance(scores, krr);
    expect(scoreError).toBeLessThan(2 * kernelError);
    if (width === 65536) expect(scoreError).toBeLessThan(0.01);
    // Predictions agree wherever the KRR margin is clear of the score error.
    for (let t = 0; t < m; t++) {
      const margin = krr[t * C + 1] - krr[t * C];
      if (Math.abs(margin) > 4 * scoreError * norm(krr)) expect(Math.sign(scores[t * C + 1] - scores[t * C])).toBe(Math.sign(margin));
    }
  });

  it('is deterministic: the same seed gives the same bits on separate cores, another seed does not', async () => {
    const s = shape(128, 2, 0.2);
    const run = async (seed: number) => {
      const own = await createCore();
      const theta0 = initialParameters(s, seed);
      const result = trainNetwork(own, s, theta0, train, targets, { reg: 1 });
      return { theta: result.theta, scores: networkScores(own, s, result.theta, theta0, test), result };
    };
    const a = await run(9);
    const b = await run(9);
    const c = await run(10);
    expect(Buffer.from(a.theta.buffer).equals(Buffer.from(b.theta.buffer))).toBe(true);
    expect(Buffer.from(a.scores.buffer).equals(Buffer.from(b.scores.buffer))).toBe(true);
    expect(a.result.iterations).toBe(b.result.iterations);
    expect(Buffer.from(a.theta.buffer).equals(Buffer.from(c.theta.buffer))).toBe(false);
  });

  it('trainNetworks gives, target set by target set, the same bits as trainNetwork', () => {
    const s = shape(96, 2, 0.1);
    const theta0 = initialParameters(s, 5);
    // The clean labels, two with flips, and the clean ones again (the reused state at θ₀ must not drift).
    const flipped = (rowsToFlip: number[]) => {
      const t = targets.slice();
      for (const i of rowsToFlip) [t[i * C], t[i * C + 1]] = [t[i * C + 1], t[i * C]];
      return t;
    };
    const sets = [targets, flipped([0]), flipped([2, 5]), targets];
    const options = { reg: 1, stepTol: 1e-2, finalGradient: false } as const;
    const batch: [number, TrainedNetwork][] = [];
    trainNetworks(core, s, theta0, train, sets, options, (i, result) => batch.push([i, result]));
    expect(batch.map(([i]) => i)).toEqual([0, 1, 2, 3]);
    batch.forEach(([i, result]) => {
      const alone = trainNetwork(core, s, theta0, train, sets[i], options);
      expect(Buffer.from(result.theta.buffer).equals(Buffer.from(alone.theta.buffer))).toBe(true);
      expect({ ...result, theta: undefined }).toEqual({ ...alone, theta: undefined });
    });
    // Different labels give different networks.
    expect(Buffer.from(batch[0][1].theta.buffer).equals(Buffer.from(batch[1][1].theta.buffer))).toBe(false);
  });

  it('rejects bad input with errors that name it, and stops on an aborted signal', () => {
    const s = shape(16, 2);
    const theta0 = initialParameters(s, 1);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(FlipcertError);
        return `${(error as FlipcertError).code} ${(error as Error).message}`;
      }
      return 'no error';
    };
    expect(code(() => trainNetwork(core, s, theta0, train, targets.subarray(1), { reg: 1 }))).toMatch(/^EINPUT .*targets must have n·C = 16 values, got 15/);
    expect(code(() => trainNetwork(core, s, theta0, { ...train, cols: 3 }, targets, { reg: 1 }))).toMatch(/^EINPUT .*expected rows × 4 features/);
    expect(code(() => trainNetwork(core, s, theta0, train, targets, { reg: 0 }))).toMatch(/^EOPTION options.reg must be a number > 0/);
    expect(code(() => trainNetwork(core, s, theta0, train, targets, { reg: 1, gradTol: Number.NaN }))).toMatch(/^EOPTION .*gradTol/);
    expect(code(() => initialParameters(s, -1))).toMatch(/^EOPTION network seed/);
    expect(code(() => initialParameters({ ...s, width: 0 }, 1))).toMatch(/^EOPTION network width must be/);
    expect(code(() => initialParameters({ ...s, width: 20000 }, 1))).toMatch(/^EMEMORY not enough memory for a network of width 20000 and depth 2/);
    const controller = new AbortController();
    controller.abort();
    expect(code(() => trainNetwork(core, s, theta0, train, targets, { reg: 1, signal: controller.signal }))).toMatch(/^EABORTED/);
  });
});
