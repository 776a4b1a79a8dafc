// options.imageShape: how a row's features are laid out as an image, for the
// options that read images (augment, docs/spec.md §10; a scattering stage, §13.1).
import { describe, invalid } from './values.js';

/** [H, W, C]: `shape` checked against the d features, or 28×28×1 for d = 784; `usedBy` names the option that needs it. */
export function resolveImageShape(shape: unknown, d: number, usedBy: string): [number, number, number] {
  if (shape === undefined) {
    if (d === 784) return [28, 28, 1];
    throw invalid('options.imageShape', `options.imageShape is required with ${usedBy} when the features are not 784 (28×28) pixels; the data have ${d} columns`, 'EOPTION');
  }
  const ok = Array.isArray(shape) && shape.length === 3 && shape.every((v) => Number.isInteger(v) && v >= 1);
  if (!ok) throw invalid('options.imageShape', `options.imageShape must be [height, width, channels] (positive integers), got ${describe(shape)}`, 'EOPTION');
  const [h, w, c] = shape as number[];
  if (h * w * c !== d) {
    throw invalid('options.imageShape', `options.imageShape ${h}×${w}×${c} has ${h * w * c} values but the features have ${d} columns`, 'EOPTION');
  }
  return [h, w, c];
}
