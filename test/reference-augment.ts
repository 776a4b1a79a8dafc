// Plain oracle for docs/spec.md §10: each transform applied as its own image
// operation (rotate, then mirror, then shift), in the documented copy order,
// written independently of assembly/kernel/augment.ts.
import type { Rows } from './reference.js';

type Image = number[][][]; // [row][col][channel]

function toImage(row: number[], h: number, w: number, c: number): Image {
  return Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, q) => row.slice((r * w + q) * c, (r * w + q + 1) * c)));
}

const at = (img: Image, r: number, q: number, ch: number): number =>
  r >= 0 && r < img.length && q >= 0 && q < img[0].length ? img[r][q][ch] : 0;

/** Counter-clockwise by `deg` about the centre, bilinear, zero outside. */
function rotate(img: Image, deg: number): Image {
  if (deg === 0) return img;
  const h = img.length;
  const w = img[0].length;
  const exact: Record<number, [number, number]> = { 90: [0, 1], '-90': [0, -1], 180: [-1, 0] };
  const [cos, sin] = exact[deg] ?? [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  return img.map((line, r) =>
    line.map((pixel, q) => {
      // The output point (x, y) (y up) shows the input point rotated by −θ.
      const x = q - cx;
      const y = cy - r;
      const srcX = x * cos + y * sin;
      const srcY = y * cos - x * sin;
      const sr = cy - srcY;
      const sq = cx + srcX;
      const r0 = Math.floor(sr);
      const q0 = Math.floor(sq);
      const a = sr - r0;
      const b = sq - q0;
      return pixel.map((_, ch) =>
        (1 - a) * (1 - b) * at(img, r0, q0, ch) + (1 - a) * b * at(img, r0, q0 + 1, ch) +
        a * (1 - b) * at(img, r0 + 1, q0, ch) + a * b * at(img, r0 + 1, q0 + 1, ch),
      );
    }),
  );
}

const mirror = (img: Image): Image => img.map((line) => line.slice().reverse());
const shift = (img: Image, dy: number, dx: number): Image =>
  img.map((line, r) => line.map((pixel, q) => pixel.map((_, ch) => at(img, r - dy, q - dx, ch))));

/** The copies of one row, in the documented order (angles 0, −θ, +θ; no flip, flip; shifts (0,0) then dy-major). */
export function augmentRow(row: number[], shape: [number, number, number], t: { shift?: number; hflip?: boolean; rotate?: number }): Rows {
  const [h, w, c] = shape;
  const img = toImage(row, h, w, c);
  const R = t.shift ?? 0;
  const offsets: [number, number][] = [[0, 0]];
  for (let dy = -R; dy <= R; dy++) for (let dx = -R; dx <= R; dx++) if (dy || dx) offsets.push([dy, dx]);
  const out: Rows = [];
  for (const angle of t.rotate ? [0, -t.rotate, t.rotate] : [0]) {
    for (const flip of t.hflip ? [false, true] : [false]) {
      for (const [dy, dx] of offsets) {
        const rotated = rotate(img, angle);
        out.push(shift(flip ? mirror(rotated) : rotated, dy, dx).flat(2));
      }
    }
  }
  return out;
}
