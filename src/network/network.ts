/**
 * The finite-width ReLU network whose neural tangent kernel is flipcert's
 * kernel (docs/spec.md §11): its shape, the layout of its flat parameter
 * vector, and the seeded initial parameters θ₀.
 *
 * Conventions for the other src/network/ modules (and their callers, such as
 * `flipcert validate`):
 * - `core` is the instantiated Wasm core of src/wasm/core.ts (`createCore()`);
 *   every function reserves its scratch on `core.heap` and releases it before
 *   returning, so a caller may hold one core per worker and call repeatedly.
 * - Feature matrices are src/types.ts `Matrix` values (row-major float64);
 *   class scores and targets are n×C row-major Float64Arrays.
 * - Parameters are one Float64Array of {@link parameterCount} values: for each
 *   layer l = 1 … depth + 1 in order, its weights W^l (out×in, row-major), then
 *   its biases b^l (out). All are N(0, 1) at initialisation; the layer scales
 *   √(wVar/fan-in) and √bVar are applied in the forward pass (NTK
 *   parametrisation), not stored.
 */
import { FlipcertError } from '../errors.js';
import { HEAP_LIMIT } from '../wasm/heap.js';
import { fillNormal } from './random.js';

export interface NetworkShape {
  /** Input features d. */
  inputDim: number;
  /** Units of every hidden layer. */
  width: number;
  /** Hidden ReLU layers L (the kernel's `depth`). */
  depth: number;
  /** Output units C (classes). */
  classes: number;
  /** Weight variance (the kernel's `wVar`). */
  wVar: number;
  /** Bias variance (the kernel's `bVar`). */
  bVar: number;
}

/** One Dense layer's place in the parameter vector. */
export interface LayerLayout {
  /** Units in (fan-in) and out. */
  fanIn: number;
  fanOut: number;
  /** Offsets (in values) of W (fanOut×fanIn) and b (fanOut). */
  weights: number;
  biases: number;
  /** √(wVar/fanIn): the weight scale of the NTK parametrisation. */
  scale: number;
}

/** The depth + 1 Dense layers of the network, input layer first. */
export function layerLayout(shape: NetworkShape): LayerLayout[] {
  checkShape(shape);
  const { inputDim, width, depth, classes, wVar } = shape;
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l <= depth; l++) {
    const fanIn = l === 0 ? inputDim : width;
    const fanOut = l === depth ? classes : width;
    layers.push({ fanIn, fanOut, weights: offset, biases: offset + fanIn * fanOut, scale: Math.sqrt(wVar / fanIn) });
    offset += fanIn * fanOut + fanOut;
  }
  return layers;
}

/** Weights and biases of all layers: d·w + w + (depth − 1)·(w² + w) + w·C + C. */
export function parameterCount(shape: NetworkShape): number {
  const layers = layerLayout(shape);
  const last = layers[layers.length - 1];
  return last.biases + last.fanOut;
}

/**
 * θ₀: every weight and bias drawn independently from N(0, 1), in parameter
 * order, from `seed` (a safe integer ≥ 0). The same seed gives the same bits
 * in every runtime (src/network/random.ts).
 */
export function initialParameters(shape: NetworkShape, seed: number): Float64Array {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new FlipcertError(`network seed must be an integer in 0..2^53 − 1, got ${String(seed)}`, 'EOPTION', { field: 'seeds' });
  }
  const count = parameterCount(shape);
  if (count > MAX_PARAMETERS) throw networkMemoryError(shape);
  const theta = new Float64Array(count);
  fillNormal(theta, seed);
  return theta;
}

/** Largest width accepted (shapes are also limited by {@link MAX_PARAMETERS}). */
export const MAX_WIDTH = 1 << 16;

/** Most parameters: training keeps four parameter vectors in WebAssembly's 4 GiB (128 Mi values at most, 1 GiB each). */
export const MAX_PARAMETERS = HEAP_LIMIT / 32;

/** Throws EOPTION unless the shape is one docs/spec.md §11 defines. */
export function checkShape(shape: NetworkShape): void {
  const { inputDim, width, depth, classes, wVar, bVar } = shape;
  const integer = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!integer(inputDim, 1, 2 ** 24)) throw shapeError(`inputDim must be an integer ≥ 1, got ${String(inputDim)}`, 'train.x');
  if (!integer(width, 1, MAX_WIDTH)) throw shapeError(`width must be an integer in 1..${MAX_WIDTH}, got ${String(width)}`, 'widths');
  if (!integer(depth, 1, 1000)) throw shapeError(`depth must be an integer in 1..1000, got ${String(depth)}`, 'kernel.depth');
  if (!integer(classes, 2, 2 ** 16)) throw shapeError(`classes must be an integer ≥ 2, got ${String(classes)}`, 'classes');
  if (!(Number.isFinite(wVar) && wVar > 0)) throw shapeError(`wVar must be > 0, got ${String(wVar)}`, 'kernel.wVar');
  if (!(Number.isFinite(bVar) && bVar >= 0)) throw shapeError(`bVar must be ≥ 0, got ${String(bVar)}`, 'kernel.bVar');
}

function shapeError(message: string, field: string): FlipcertError {
  return new FlipcertError(`network ${message}`, 'EOPTION', { field });
}

/** Throws unless `theta` has the shape's parameter count. */
export function checkParameters(shape: NetworkShape, theta: Float64Array, what: string): void {
  const count = parameterCount(shape);
  if (!(theta instanceof Float64Array) || theta.length !== count) {
    throw new FlipcertError(`${what} must be a Float64Array of ${count} parameters for this network, got ${theta?.length}`, 'EINTERNAL');
  }
}

/**
 * Runs `body`, restating the heap's EMEMORY (which speaks of partitions and
 * blocks) in terms of the network: its parameter vectors dominate.
 */
export function withNetworkMemory<T>(shape: NetworkShape, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof FlipcertError && error.code === 'EMEMORY') throw networkMemoryError(shape);
    throw error;
  }
}

function networkMemoryError(shape: NetworkShape): FlipcertError {
  const count = parameterCount(shape);
  return new FlipcertError(
    `not enough memory for a network of width ${shape.width} and depth ${shape.depth} (${count} parameters, ` +
      `${Math.ceil((count * 8) / 2 ** 20)} MiB per parameter vector; training holds four in WebAssembly's 4 GiB): ` +
      'use a smaller width (options.widths) or depth',
    'EMEMORY',
    { field: 'widths' },
  );
}
