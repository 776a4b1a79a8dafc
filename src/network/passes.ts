/**
 * Forward and backward passes of the network (docs/spec.md §11) on the Wasm
 * core, over n rows at once. A {@link Passes} reserves its buffers on the heap
 * (the caller's heap scope frees them) and offers the products the training
 * needs, each from the activations of the last {@link Passes.forward} and the
 * deltas of the last {@link Passes.backward}:
 * - the Jacobian–vector products J·v and Jᵀ·w, J = ∂f/∂θ of the n·U outputs
 *   (point x, unit u) at row x·U + u;
 * - the empirical NTK J·Jᵀ (n·U × n·U), from per-layer Gram products:
 *   ⟨∂f_u(x)/∂θ, ∂f_u'(x')/∂θ⟩ = Σ_l (δ^l_u(x)·δ^l_u'(x'))·(s_l²·a^{l−1}(x)·a^{l−1}(x') + bVar),
 *   δ^l the back-propagated deltas of layer l's outputs, a^{l−1} its inputs.
 */
import { FlipcertError } from '../errors.js';
import type { Core } from '../wasm/core.js';
import { layerLayout, type LayerLayout, type NetworkShape } from './network.js';

/** A copy of a {@link Passes} state on the heap (see Passes.save). */
export interface SavedPasses {
  copies: number[];
  sizes: number[];
  theta: number;
  x: number;
  unit0: number;
}

export class Passes {
  readonly layers: LayerLayout[];
  /** Hidden activations a^1 … a^L, each n×width. */
  private readonly acts: number[];
  /** Deltas δ^1 … δ^L of the hidden layers, each (n·units)×width. */
  private readonly deltas: number[];
  /** Network outputs, n×C. */
  readonly out: number;
  private readonly scratch: number;
  private readonly beta: number;
  private theta = 0;
  private x = 0;
  private unit0 = 0;

  constructor(
    private readonly core: Core,
    readonly shape: NetworkShape,
    /** Rows per pass. */
    readonly n: number,
    /** Output units whose deltas backward() computes (C for training, 1 for a one-unit kernel, 0 for forward passes only). */
    readonly units: number,
  ) {
    const { heap, exports: wasm } = core;
    this.layers = layerLayout(shape);
    this.beta = Math.sqrt(shape.bVar);
    this.acts = Array.from({ length: shape.depth }, () => heap.f64(n * shape.width));
    this.deltas = units > 0 ? Array.from({ length: shape.depth }, () => heap.f64(n * units * shape.width)) : [];
    this.out = heap.f64(n * shape.classes);
    this.scratch = heap.f64(wasm.packedScratchDoubles());
  }

  /** Inputs of Dense layer i (0-based): the features, then the hidden activations. */
  private input(i: number): number {
    return i === 0 ? this.x : this.acts[i - 1];
  }

  /** f(x; θ) for the n rows at `x` (n×d heap matrix) into {@link out}; keeps the activations. */
  forward(theta: number, x: number): void {
    const { exports: wasm, heap } = this.core;
    this.theta = theta;
    this.x = x;
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const dst = i === last ? this.out : this.acts[i];
      heap.viewF64(dst, this.n * layer.fanOut).fill(0);
      wasm.gemmNT(this.input(i), layer.fanIn, theta + 8 * layer.weights, layer.fanIn, dst, layer.fanOut, this.n, layer.fanOut, layer.fanIn, layer.scale);
      wasm.biasActivate(dst, this.n, layer.fanOut, theta + 8 * layer.biases, this.beta, i < last);
    });
  }

  /** Deltas ∂f_u/∂h^l of every hidden layer for units unit0 ..< unit0 + units, at the last forward(). */
  backward(unit0 = 0): void {
    if (this.units === 0) throw new FlipcertError('Passes.backward: these passes hold no deltas (units 0)', 'EINTERNAL');
    const { exports: wasm } = this.core;
    const { n, units, theta } = this;
    const { width, depth } = this.shape;
    this.unit0 = unit0;
    const output = this.layers[depth];
    wasm.outputDeltas(this.deltas[depth - 1], theta + 8 * output.weights, unit0, units, this.acts[depth - 1], n, width, output.scale);
    for (let l = depth - 2; l >= 0; l--) {
      const next = this.layers[l + 1];
      this.core.heap.viewF64(this.deltas[l], n * units * width).fill(0);
      wasm.gemmNN(this.deltas[l + 1], width, theta + 8 * next.weights, width, this.deltas[l], width, n * units, width, width, next.scale, this.scratch);
      wasm.reluMask(this.deltas[l], this.acts[l], n, units, width);
    }
  }

  /** k (n·units × n·units, heap) ← J·Jᵀ at the last forward() and backward(). */
  kernel(k: number): void {
    const { heap, exports: wasm } = this.core;
    const { n, units } = this;
    const N = n * units;
    const { bVar, width } = this.shape;
    heap.viewF64(k, N * N).fill(0);
    heap.scoped(() => {
      const gram = heap.f64(n * n);
      const deltaGram = heap.f64(N * N);
      this.layers.forEach((layer, i) => {
        wasm.gramSym(this.input(i), gram, n, layer.fanIn);
        if (i === this.layers.length - 1) {
          wasm.ntkAddOutput(k, gram, n, units, layer.scale ** 2, bVar);
        } else {
          wasm.gramSym(this.deltas[i], deltaGram, N, width);
          wasm.ntkAddLayer(k, deltaGram, gram, n, units, layer.scale ** 2, bVar);
        }
      });
    });
  }

  /**
   * out (n·units, heap) ← J·v for a parameter-space vector v (heap, the
   * parameter layout), as Σ_l δ^l·(s_l·v_W^l·a^{l−1} + √bVar·v_b^l).
   */
  jacobianTimes(v: number, out: number): void {
    const { heap, exports: wasm } = this.core;
    const { n, units, unit0 } = this;
    heap.viewF64(out, n * units).fill(0);
    const last = this.layers.length - 1;
    heap.scoped(() => {
      const t = heap.f64(n * Math.max(this.shape.width, this.shape.classes));
      this.layers.forEach((layer, i) => {
        heap.viewF64(t, n * layer.fanOut).fill(0);
        wasm.gemmNT(this.input(i), layer.fanIn, v + 8 * layer.weights, layer.fanIn, t, layer.fanOut, n, layer.fanOut, layer.fanIn, layer.scale);
        wasm.biasActivate(t, n, layer.fanOut, v + 8 * layer.biases, this.beta, false);
        if (i < last) {
          wasm.deltaDots(out, this.deltas[i], t, n, units, layer.fanOut);
        } else {
          const tv = heap.viewF64(t, n * layer.fanOut);
          const o = heap.viewF64(out, n * units);
          for (let x = 0; x < n; x++) for (let u = 0; u < units; u++) o[x * units + u] += tv[x * layer.fanOut + unit0 + u];
        }
      });
    });
  }

  /**
   * Adds Jᵀ·w to layer i's segment of the parameter-space vector at `out`
   * (heap, the parameter layout), for w (heap, n·units). Needs units = C.
   */
  transposeTimesLayer(i: number, w: number, out: number): void {
    if (this.units !== this.shape.classes) {
      throw new FlipcertError(`Passes.transposeTimes needs the deltas of all ${this.shape.classes} units, these hold ${this.units}`, 'EINTERNAL');
    }
    const { heap, exports: wasm } = this.core;
    const { n, units } = this;
    const layer = this.layers[i];
    heap.scoped(() => {
      let g = w; // the output layer's deltas are unit vectors: its G is w itself (n×C)
      if (i < this.layers.length - 1) {
        g = heap.f64(n * layer.fanOut);
        wasm.combineDeltas(g, this.deltas[i], w, n, units, layer.fanOut);
      }
      wasm.gemmTN(g, layer.fanOut, this.input(i), layer.fanIn, out + 8 * layer.weights, layer.fanIn, layer.fanOut, layer.fanIn, n, layer.scale, this.scratch);
      wasm.columnSums(out + 8 * layer.biases, g, n, layer.fanOut, this.beta);
    });
  }

  /**
   * Copies the state of the last forward() and backward() (activations, deltas,
   * outputs, and which θ and rows they belong to) into new heap buffers, for
   * {@link restore}.
   */
  save(): SavedPasses {
    const { heap } = this.core;
    const sizes = [...this.acts.map(() => this.n * this.shape.width), ...this.deltas.map(() => this.n * this.units * this.shape.width), this.n * this.shape.classes];
    const from = [...this.acts, ...this.deltas, this.out];
    const copies = sizes.map((size) => heap.f64(size));
    copies.forEach((to, i) => heap.viewF64(to, sizes[i]).set(heap.viewF64(from[i], sizes[i])));
    return { copies, sizes, theta: this.theta, x: this.x, unit0: this.unit0 };
  }

  /** Puts back a state from {@link save}: the passes are then exactly as they were. */
  restore(saved: SavedPasses): void {
    const { heap } = this.core;
    const to = [...this.acts, ...this.deltas, this.out];
    saved.copies.forEach((from, i) => heap.viewF64(to[i], saved.sizes[i]).set(heap.viewF64(from, saved.sizes[i])));
    this.theta = saved.theta;
    this.x = saved.x;
    this.unit0 = saved.unit0;
  }

  /** Adds Jᵀ·w to the whole parameter-space vector at `out`. */
  transposeTimes(w: number, out: number): void {
    for (let i = 0; i < this.layers.length; i++) this.transposeTimesLayer(i, w, out);
  }
}
