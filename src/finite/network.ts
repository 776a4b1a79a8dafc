// STAND-IN until branch `finite` is merged (it provides the real network): the interface only.
export interface NetworkShape { inputDim: number; width: number; depth: number; classes: number; wVar: number; bVar: number }
export function parameterCount(shape: NetworkShape): number {
  const { inputDim: d, width: w, depth: L, classes: C } = shape;
  return d * w + w + (L - 1) * (w * w + w) + w * C + C;
}
export function initialParameters(shape: NetworkShape, seed: number): Float64Array {
  throw new Error(`stand-in: no network yet (${shape.width}, ${seed})`);
}
