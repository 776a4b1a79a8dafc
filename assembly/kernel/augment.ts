// Label-preserving image augmentation (docs/spec.md §10): writes S transformed
// copies of each of `rows` images. Images are H×W×C, channel last, row-major.
// Copy s of image i is output row i·S + s. Copy s is described by five f64 at
// params + 40·s: dy, dx (integer shift, applied last, zero fill), flip (1:
// mirror columns, applied before the shift), cos θ and sin θ of the rotation
// (applied first, about the image centre, bilinear, zero fill). The caller
// (src/kernel/augment.ts) builds the parameters; θ = 0 takes the exact integer path.

@inline function pixel(src: usize, r: i32, c: i32, ch: i32, h: i32, w: i32, channels: i32): f64 {
  if (r < 0 || r >= h || c < 0 || c >= w) return 0;
  return load<f64>(src + (<usize>((r * w + c) * channels + ch) << 3));
}

function augmentImage(
  src: usize, out: usize, h: i32, w: i32, channels: i32, dy: i32, dx: i32, flip: bool, cs: f64, sn: f64,
): void {
  const rotate = !(cs == 1.0 && sn == 0.0);
  const cy = <f64>(h - 1) * 0.5;
  const cx = <f64>(w - 1) * 0.5;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const base = out + (<usize>((r * w + c) * channels) << 3);
      // Undo the shift, then the flip: (r1, c1) is a pixel of the rotated image.
      const r1 = r - dy;
      let c1 = c - dx;
      if (r1 < 0 || r1 >= h || c1 < 0 || c1 >= w) {
        for (let ch = 0; ch < channels; ch++) store<f64>(base + (<usize>ch << 3), 0);
        continue;
      }
      if (flip) c1 = w - 1 - c1;
      if (!rotate) {
        for (let ch = 0; ch < channels; ch++) store<f64>(base + (<usize>ch << 3), pixel(src, r1, c1, ch, h, w, channels));
        continue;
      }
      // Counter-clockwise by θ as displayed (x right, y up): the source point is the output point turned by −θ.
      const x = <f64>c1 - cx;
      const y = cy - <f64>r1;
      const sc = cx + (x * cs + y * sn);
      const sr = cy - (y * cs - x * sn);
      const r0f = Math.floor(sr);
      const c0f = Math.floor(sc);
      const fr = sr - r0f;
      const fc = sc - c0f;
      const r0 = <i32>r0f;
      const c0 = <i32>c0f;
      for (let ch = 0; ch < channels; ch++) {
        const v =
          (1 - fr) * ((1 - fc) * pixel(src, r0, c0, ch, h, w, channels) + fc * pixel(src, r0, c0 + 1, ch, h, w, channels)) +
          fr * ((1 - fc) * pixel(src, r0 + 1, c0, ch, h, w, channels) + fc * pixel(src, r0 + 1, c0 + 1, ch, h, w, channels));
        store<f64>(base + (<usize>ch << 3), v);
      }
    }
  }
}

/** out[(i·S + s)·d ..] = copy s of image i (d = h·w·channels), for i < rows, s < copies. */
export function augmentRows(
  src: usize, rows: i32, h: i32, w: i32, channels: i32, params: usize, copies: i32, out: usize,
): void {
  const d = h * w * channels;
  for (let i = 0; i < rows; i++) {
    const image = src + (<usize>(i * d) << 3);
    for (let s = 0; s < copies; s++) {
      const p = params + (<usize>(s * 5) << 3);
      const target = out + (<usize>((i * copies + s) * d) << 3);
      augmentImage(
        image, target, h, w, channels,
        <i32>load<f64>(p), <i32>load<f64>(p + 8), load<f64>(p + 16) != 0, load<f64>(p + 24), load<f64>(p + 32),
      );
    }
  }
}
