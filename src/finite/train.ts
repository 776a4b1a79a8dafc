// STAND-IN until branch `finite` is merged (it provides the real training): the interface only.
import type { Matrix } from '../types.js';
import type { Core } from '../wasm/core.js';
import type { NetworkShape } from './network.js';
export interface TrainOptions { reg: number; gradTol?: number; maxIterations?: number; signal?: AbortSignal }
export interface TrainedNetwork { theta: Float64Array; iterations: number; gradNorm: number; initialGradNorm: number; ridge: number; objective: number; converged: boolean }
export function trainNetwork(core: Core, shape: NetworkShape, theta0: Float64Array, x: Matrix, targets: Float64Array, options: TrainOptions): TrainedNetwork {
  throw new Error(`stand-in ${String(core)} ${shape.width} ${theta0.length} ${x.rows} ${targets.length} ${options.reg}`);
}
export function networkScores(core: Core, shape: NetworkShape, theta: Float64Array, theta0: Float64Array, x: Matrix): Float64Array {
  throw new Error(`stand-in ${String(core)} ${shape.width} ${theta.length} ${theta0.length} ${x.rows}`);
}
export function empiricalNtk(core: Core, shape: NetworkShape, theta: Float64Array, x: Matrix): Float64Array {
  throw new Error(`stand-in ${String(core)} ${shape.width} ${theta.length} ${x.rows}`);
}
