/**
 * The elementary functions of the embeddings (docs/spec.md §13.3). Every
 * exponential of the spectral stage goes through {@link expInPlace}, so that
 * one place decides how it is computed. For now that is Math.exp, whose
 * rounding may differ between JavaScript engines; the Wasm core's
 * deterministic exponential replaces it when that lands.
 */

/** values[i] ← exp(values[i]) for every i. */
export function expInPlace(values: Float64Array): void {
  for (let i = 0; i < values.length; i++) values[i] = Math.exp(values[i]);
}
