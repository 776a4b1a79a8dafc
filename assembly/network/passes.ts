// Element-wise steps of the finite-width ReLU network (docs/spec.md §11) around
// the matrix products of linalg/gemm.ts and linalg/gemm-packed.ts: bias and
// ReLU, the ReLU mask on back-propagated deltas, per-row combinations of
// deltas, and the assembly of the empirical NTK from per-layer Gram matrices.
// Its TypeScript front is src/network/passes.ts. All buffers are row-major
// float64 given by JavaScript with explicit sizes; every loop sums in a fixed
// order, so equal inputs give bit-equal outputs.

/** h[r][j] ← h[r][j] + beta·bias[j] for the rows×cols h, then ReLU when `relu`. */
export function biasActivate(h: usize, rows: i32, cols: i32, bias: usize, beta: f64, relu: bool): void {
  for (let r = 0; r < rows; r++) {
    const row = h + ((<usize>r * <usize>cols) << 3);
    for (let j = 0; j < cols; j++) {
      const at = row + (<usize>j << 3);
      const v = load<f64>(at) + beta * load<f64>(bias + (<usize>j << 3));
      store<f64>(at, relu ? (v > 0 ? v : 0.0) : v);
    }
  }
}

/**
 * Deltas of the last hidden layer for output units u0 ..< u0 + units:
 * delta[x·units + u][j] = s·w[u0 + u][j]·[act[x][j] > 0] (w the output
 * layer's units×width weights, act the n×width last activations).
 */
export function outputDeltas(delta: usize, w: usize, u0: i32, units: i32, act: usize, n: i32, width: i32, s: f64): void {
  const rowBytes = <usize>width << 3;
  for (let x = 0; x < n; x++) {
    const a = act + <usize>x * rowBytes;
    for (let u = 0; u < units; u++) {
      const wr = w + <usize>(u0 + u) * rowBytes;
      const d = delta + <usize>(x * units + u) * rowBytes;
      for (let j = 0; j < width; j++) {
        const o = <usize>j << 3;
        store<f64>(d + o, load<f64>(a + o) > 0 ? s * load<f64>(wr + o) : 0.0);
      }
    }
  }
}

/** delta[x·units + u][j] ← 0 where act[x][j] ≤ 0 (the ReLU derivative), for n·units rows of `width`. */
export function reluMask(delta: usize, act: usize, n: i32, units: i32, width: i32): void {
  const rowBytes = <usize>width << 3;
  for (let x = 0; x < n; x++) {
    const a = act + <usize>x * rowBytes;
    for (let u = 0; u < units; u++) {
      const d = delta + <usize>(x * units + u) * rowBytes;
      for (let j = 0; j < width; j++) {
        const o = <usize>j << 3;
        if (!(load<f64>(a + o) > 0)) store<f64>(d + o, 0.0);
      }
    }
  }
}

/** out[x][j] = Σ_u coef[x·units + u]·delta[x·units + u][j] (u in order), n rows of `width`. */
export function combineDeltas(out: usize, delta: usize, coef: usize, n: i32, units: i32, width: i32): void {
  const rowBytes = <usize>width << 3;
  for (let x = 0; x < n; x++) {
    const o = out + <usize>x * rowBytes;
    memory.fill(o, 0, rowBytes);
    for (let u = 0; u < units; u++) {
      const c = load<f64>(coef + (<usize>(x * units + u) << 3));
      const d = delta + <usize>(x * units + u) * rowBytes;
      for (let j = 0; j < width; j++) {
        const at = o + (<usize>j << 3);
        store<f64>(at, load<f64>(at) + c * load<f64>(d + (<usize>j << 3)));
      }
    }
  }
}

/** out[x·units + u] += delta[x·units + u]·t[x] (dot products of `width`, summed in index order). */
export function deltaDots(out: usize, delta: usize, t: usize, n: i32, units: i32, width: i32): void {
  const rowBytes = <usize>width << 3;
  for (let x = 0; x < n; x++) {
    const tr = t + <usize>x * rowBytes;
    for (let u = 0; u < units; u++) {
      const i = x * units + u;
      const d = delta + <usize>i * rowBytes;
      let s: f64 = 0;
      for (let j = 0; j < width; j++) s += load<f64>(d + (<usize>j << 3)) * load<f64>(tr + (<usize>j << 3));
      const at = out + (<usize>i << 3);
      store<f64>(at, load<f64>(at) + s);
    }
  }
}

/** out[j] += alpha·Σ_x g[x][j] (x in order) for the rows×cols g. */
export function columnSums(out: usize, g: usize, rows: i32, cols: i32, alpha: f64): void {
  for (let j = 0; j < cols; j++) {
    let s: f64 = 0;
    for (let x = 0; x < rows; x++) s += load<f64>(g + ((<usize>x * <usize>cols + <usize>j) << 3));
    const at = out + (<usize>j << 3);
    store<f64>(at, load<f64>(at) + alpha * s);
  }
}

/**
 * One hidden layer's share of the empirical NTK over N = n·units rows
 * (row x·units + u is point x, output unit u): k[i][j] += d[i][j]·(s2·g[x_i][x_j] + b2),
 * with d the N×N Gram of the layer's deltas and g the n×n Gram of its inputs.
 */
export function ntkAddLayer(k: usize, d: usize, g: usize, n: i32, units: i32, s2: f64, b2: f64): void {
  const N = n * units;
  for (let i = 0; i < N; i++) {
    const gi = g + ((<usize>(i / units) * <usize>n) << 3);
    const ki = k + ((<usize>i * <usize>N) << 3);
    const di = d + ((<usize>i * <usize>N) << 3);
    for (let j = 0; j < N; j++) {
      const o = <usize>j << 3;
      const factor = s2 * load<f64>(gi + (<usize>(j / units) << 3)) + b2;
      store<f64>(ki + o, load<f64>(ki + o) + load<f64>(di + o) * factor);
    }
  }
}

/** The output layer's share: its deltas are unit vectors, so k[x·units + u][x'·units + u] += s2·g[x][x'] + b2. */
export function ntkAddOutput(k: usize, g: usize, n: i32, units: i32, s2: f64, b2: f64): void {
  const N = n * units;
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      const v = s2 * load<f64>(g + ((<usize>x * <usize>n + <usize>y) << 3)) + b2;
      for (let u = 0; u < units; u++) {
        const at = k + ((<usize>(x * units + u) * <usize>N + <usize>(y * units + u)) << 3);
        store<f64>(at, load<f64>(at) + v);
      }
    }
  }
}

/** out[i] = x[i] − y[i] for i < len. */
export function subtractInto(out: usize, x: usize, y: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 3;
    store<f64>(out + o, load<f64>(x + o) - load<f64>(y + o));
  }
}

/** out[i] = alpha·x[i] for i < len (out may be x). */
export function scaleInto(out: usize, x: usize, alpha: f64, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 3;
    store<f64>(out + o, alpha * load<f64>(x + o));
  }
}

/** out[i] = x[i] + t·(y[i] − x[i]) for i < len: a point on the segment from x to y. */
export function lerpInto(out: usize, x: usize, y: usize, t: f64, len: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 3;
    const a = load<f64>(x + o);
    store<f64>(out + o, a + t * (load<f64>(y + o) - a));
  }
}

/** Σ_i (x[i] − y[i])², lane 0 summing even and lane 1 odd positions, then the lanes, then an odd last term. */
export function squaredDistance(x: usize, y: usize, len: i32): f64 {
  let acc = f64x2.splat(0);
  const end = (<usize>(len & ~1)) << 3;
  for (let k: usize = 0; k < end; k += 16) {
    const diff = f64x2.sub(v128.load(x + k), v128.load(y + k));
    acc = f64x2.add(acc, f64x2.mul(diff, diff));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (len & 1) {
    const last = (<usize>(len - 1)) << 3;
    const diff = load<f64>(x + last) - load<f64>(y + last);
    s += diff * diff;
  }
  return s;
}
