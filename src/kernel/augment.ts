/**
 * Label-preserving image augmentation (docs/spec.md §10): the `augment` and
 * `imageShape` options, resolved into the per-copy parameters that the core's
 * augmentRows (assembly/kernel/augment.ts) applies. Each training image becomes a
 * group of S copies sharing its label; the certificates count groups.
 */
import { describe, invalid } from '../checks/values.js';
import { resolveImageShape } from '../checks/image-shape.js';

/** Five f64 per copy, as assembly/kernel/augment.ts reads them: dy, dx, flip, cos θ, sin θ. */
export const COPY_PARAMS = 5;

/** The resolved augmentation: what a partition task carries. */
export interface Augmentation {
  /** The spec as given, normalised (transforms in canonical order, comma-separated). */
  spec: string;
  height: number;
  width: number;
  channels: number;
  /** Copies per image, S ≥ 1 (copy 0 is the image itself). */
  copies: number;
  /** COPY_PARAMS × copies values. */
  params: Float64Array;
}

interface Parsed {
  shift: number;
  hflip: boolean;
  rotate: number;
}

const MAX_SHIFT = 64;
const MAX_ROTATE = 180;

/**
 * Parses `spec` ('shift:2,hflip,rotate:10'; 'identity' alone for one copy)
 * for images of `shape` [H, W, C] (default 28×28×1 when d = 784) and builds
 * the copy parameters in the documented order.
 */
export function resolveAugmentation(spec: unknown, shape: unknown, d: number): Augmentation {
  const parsed = parseSpec(spec);
  const [height, width, channels] = resolveImageShape(shape, d, 'options.augment');
  if (parsed.shift >= Math.max(height, width)) {
    throw invalid('options.augment', `options.augment: shift:${parsed.shift} must be smaller than the ${height}×${width} image`, 'EOPTION');
  }
  const params = copyParams(parsed);
  return { spec: normalise(parsed), height, width, channels, copies: params.length / COPY_PARAMS, params };
}

function parseSpec(spec: unknown): Parsed {
  if (typeof spec !== 'string') {
    throw invalid('options.augment', `options.augment must be a string such as 'shift:1,hflip', got ${describe(spec)}`, 'EOPTION');
  }
  const parsed: Parsed = { shift: 0, hflip: false, rotate: 0 };
  const seen = new Set<string>();
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    const [name, value, extra] = item.split(':');
    const bad = (why: string) =>
      invalid('options.augment', `options.augment: ${JSON.stringify(item)} ${why} (transforms: shift:R, hflip, rotate:DEG, identity)`, 'EOPTION');
    if (seen.has(name)) throw bad('is given twice');
    seen.add(name);
    if (extra !== undefined) throw bad('has too many parts');
    if (name === 'hflip' || name === 'identity') {
      if (value !== undefined) throw bad('takes no value');
      if (name === 'hflip') parsed.hflip = true;
    } else if (name === 'shift') {
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > MAX_SHIFT) throw bad(`needs an integer radius 0..${MAX_SHIFT}`);
      parsed.shift = Number(value);
    } else if (name === 'rotate') {
      const deg = value === undefined || !/^\d+(\.\d+)?$/.test(value) ? NaN : Number(value);
      if (!(deg > 0 && deg <= MAX_ROTATE)) throw bad(`needs an angle in degrees, > 0 and ≤ ${MAX_ROTATE}`);
      parsed.rotate = deg;
    } else {
      throw bad('is not a transform');
    }
  }
  return parsed;
}

/** The canonical spelling, in the order the copies are enumerated. */
function normalise(p: Parsed): string {
  const parts = [p.rotate ? `rotate:${p.rotate}` : '', p.hflip ? 'hflip' : '', p.shift ? `shift:${p.shift}` : ''].filter(Boolean);
  return parts.length ? parts.join(',') : 'identity';
}

/**
 * The copies in docs/spec.md §10's order: angles (0, −θ, +θ) slowest, then
 * flips (none, mirrored), then shifts ((0, 0) first, then every other (dy, dx)
 * with dy, dx in −R..R, dy-major). Copy 0 is the identity.
 */
function copyParams(p: Parsed): Float64Array {
  const angles = p.rotate ? [0, -p.rotate, p.rotate] : [0];
  const flips = p.hflip ? [0, 1] : [0];
  const shifts: [number, number][] = [[0, 0]];
  for (let dy = -p.shift; dy <= p.shift; dy++) {
    for (let dx = -p.shift; dx <= p.shift; dx++) if (dy !== 0 || dx !== 0) shifts.push([dy, dx]);
  }
  const out: number[] = [];
  for (const angle of angles) {
    const [cos, sin] = cosSin(angle);
    for (const flip of flips) for (const [dy, dx] of shifts) out.push(dy, dx, flip, cos, sin);
  }
  return Float64Array.from(out);
}

/** cos and sin of `deg` degrees; exact at multiples of 90°. */
export function cosSin(deg: number): [number, number] {
  if (deg % 90 === 0) {
    const quarter = (((deg / 90) % 4) + 4) % 4;
    return [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ][quarter] as [number, number];
  }
  const rad = (deg * Math.PI) / 180;
  return [Math.cos(rad), Math.sin(rad)];
}
