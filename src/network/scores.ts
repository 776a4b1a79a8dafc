/**
 * Centred class scores and the empirical NTK of the network (docs/spec.md §11)
 * on a set of rows, on the Wasm core.
 */
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import type { Core } from '../wasm/core.js';
import { checkParameters, withNetworkMemory, type NetworkShape } from './network.js';
import { Passes } from './passes.js';

/** Rows per forward pass of {@link networkScores}: bounds the activations to block × width values per layer. */
const SCORE_BLOCK = 256;

/** Throws unless x is a rows×inputDim matrix with at least one row. */
export function checkRows(shape: NetworkShape, x: Matrix, what: string): void {
  if (!Number.isInteger(x.rows) || x.rows < 1 || x.cols !== shape.inputDim || x.data.length !== x.rows * x.cols) {
    throw new FlipcertError(
      `${what}: expected rows × ${shape.inputDim} features, got ${x.rows}×${x.cols} with ${x.data.length} values`,
      'EINPUT',
    );
  }
}

/**
 * Centred class scores f(x; θ) − f(x; θ₀) of the m rows of x, m×C row-major.
 * Both forward passes run the same code on the same rows, so at θ = θ₀ every
 * score is exactly 0.
 */
export function networkScores(core: Core, shape: NetworkShape, theta: Float64Array, theta0: Float64Array, x: Matrix): Float64Array {
  checkParameters(shape, theta, 'theta');
  checkParameters(shape, theta0, 'theta0');
  checkRows(shape, x, 'network scores');
  const C = shape.classes;
  const scores = new Float64Array(x.rows * C);
  const { heap } = core;
  withNetworkMemory(shape, () => heap.scoped(() => {
    const thetaPtr = heap.putF64(theta);
    const theta0Ptr = heap.putF64(theta0);
    const block = Math.min(SCORE_BLOCK, x.rows);
    // Forward passes only: no deltas (units 0).
    const passes = new Passes(core, shape, block, 0);
    const xPtr = heap.f64(block * shape.inputDim);
    const tail = x.rows % block === 0 ? passes : new Passes(core, shape, x.rows % block, 0);
    for (let start = 0; start < x.rows; start += block) {
      const rows = Math.min(block, x.rows - start);
      const p = rows === block ? passes : tail;
      heap.viewF64(xPtr, rows * shape.inputDim).set(x.data.subarray(start * shape.inputDim, (start + rows) * shape.inputDim));
      p.forward(theta0Ptr, xPtr);
      const base = heap.viewF64(p.out, rows * C).slice();
      p.forward(thetaPtr, xPtr);
      const out = heap.viewF64(p.out, rows * C);
      for (let i = 0; i < rows * C; i++) scores[start * C + i] = out[i] - base[i];
    }
  }));
  return scores;
}

/**
 * The empirical NTK of output unit `unit` at θ on the n rows of x (n×n,
 * row-major): K̂[i][j] = ⟨∂f_unit(x_i)/∂θ, ∂f_unit(x_j)/∂θ⟩ over all weights and
 * biases, from per-layer Gram products of activations and deltas.
 */
export function empiricalNtk(core: Core, shape: NetworkShape, theta: Float64Array, x: Matrix, unit = 0): Float64Array {
  checkParameters(shape, theta, 'theta');
  checkRows(shape, x, 'empirical NTK');
  if (!Number.isInteger(unit) || unit < 0 || unit >= shape.classes) {
    throw new FlipcertError(`empirical NTK: unit must be an integer in 0..${shape.classes - 1}, got ${String(unit)}`, 'EINTERNAL');
  }
  const { heap } = core;
  const n = x.rows;
  return withNetworkMemory(shape, () => heap.scoped(() => {
    const thetaPtr = heap.putF64(theta);
    const xPtr = heap.putF64(x.data);
    const passes = new Passes(core, shape, n, 1);
    const k = heap.f64(n * n);
    passes.forward(thetaPtr, xPtr);
    passes.backward(unit);
    passes.kernel(k);
    return heap.viewF64(k, n * n).slice();
  }));
}
