/**
 * The finite-width network of docs/spec.md §11 (see network.ts for the
 * conventions every function here follows).
 */
export { initialParameters, layerLayout, parameterCount, type LayerLayout, type NetworkShape } from './network.js';
export { empiricalNtk, networkScores } from './scores.js';
export {
  DEFAULT_GRAD_TOL, DEFAULT_MAX_ITERATIONS, DEFAULT_STEP_TOL, trainNetwork, trainNetworks, type StopReason, type TrainedNetwork, type TrainOptions,
} from './train.js';
