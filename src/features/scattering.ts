/**
 * Wavelet scattering features of images (docs/spec.md §13.1), the
 * `scattering:J=…,L=…,order=…` stage of `options.represent`, on the Wasm core's
 * scatterRows (assembly/features/scattering.ts). The filters are built once per
 * call inside the core; rows go through in blocks, so memory stays bounded
 * whatever the number of rows, and a row's features never depend on the other
 * rows of its batch.
 */
import { FlipcertError } from '../errors.js';
import { invalid } from '../checks/values.js';
import type { ScatteringStage } from '../represent/spec.js';
import { createFeatures, type Features } from './module.js';

const NAME = 'options.represent';

/** The core's f64 workspace must stay addressable with 32-bit offsets; 2²⁸ f64 = 2 GiB. */
const MAX_WORKSPACE_DOUBLES = 2 ** 28;

/** About this many f64 of images and features per block (8 MiB). */
const BLOCK_DOUBLES = 2 ** 20;

/** Channels of a stage: 1 + J·L, plus L²·J(J−1)/2 with order 2. */
export function scatteringChannels(stage: ScatteringStage): number {
  const { J, L, order } = stage;
  return 1 + J * L + (order >= 2 ? (L * L * J * (J - 1)) / 2 : 0);
}

/** Features per image: channels × ⌈height/2^J⌉ × ⌈width/2^J⌉ (docs/spec.md §13.1). */
export function scatteringDims(height: number, width: number, stage: ScatteringStage): number {
  checkStage(stage);
  checkImageSize(height, width, stage);
  const step = 2 ** stage.J;
  return scatteringChannels(stage) * Math.ceil(height / step) * Math.ceil(width / step);
}

/** The side of the zero-padded periodic grid: the smallest power of two ≥ n + 2^J. */
export function scatteringGrid(n: number, J: number): number {
  let p = 1;
  while (p < n + 2 ** J) p *= 2;
  return p;
}

/**
 * The scattering features of `rows` images (rows × height × width float64, C
 * order) as rows × scatteringDims(...) float64, on the calling thread with a
 * fresh core (compiled once per thread, as ntk() does). `onRows(done)` reports
 * progress after each block.
 */
export async function scatter(
  images: Float64Array,
  rows: number,
  height: number,
  width: number,
  stage: ScatteringStage,
  onRows?: (done: number) => void,
): Promise<Float64Array> {
  return scatterOn(await createFeatures(), images, rows, height, width, stage, onRows);
}

/** {@link scatter} on a core the caller holds (synchronous: the pipeline's and the tests' entry). */
export function scatterOn(
  features: Features,
  images: Float64Array,
  rows: number,
  height: number,
  width: number,
  stage: ScatteringStage,
  onRows?: (done: number) => void,
): Float64Array {
  checkInputs(images, rows, height, width, stage);
  const { J, L, order } = stage;
  const pixels = height * width;
  const dims = scatteringDims(height, width, stage);
  const out = new Float64Array(rows * dims);
  const block = Math.max(1, Math.min(rows, Math.floor(BLOCK_DOUBLES / (pixels + dims))));
  const { exports: e, heap } = features;
  heap.scoped(() => {
    const ws = heap.f64(e.scatteringWorkspaceDoubles(height, width, J, L, order));
    const inPtr = heap.f64(block * pixels);
    const outPtr = heap.f64(block * dims);
    e.scatteringPlan(ws, height, width, J, L, order);
    for (let start = 0; start < rows; start += block) {
      const count = Math.min(block, rows - start);
      heap.viewF64(inPtr, count * pixels).set(images.subarray(start * pixels, (start + count) * pixels));
      e.scatterRows(ws, inPtr, count, height, width, J, L, order, outPtr);
      out.set(heap.viewF64(outPtr, count * dims), start * dims);
      onRows?.(start + count);
    }
  });
  return out;
}

function checkInputs(images: Float64Array, rows: number, height: number, width: number, stage: ScatteringStage): void {
  checkStage(stage);
  checkImageSize(height, width, stage);
  if (!Number.isSafeInteger(rows) || rows < 0) throw new FlipcertError(`scattering: rows must be an integer ≥ 0, got ${String(rows)}`, 'EINPUT');
  if (!(images instanceof Float64Array)) throw new FlipcertError('scattering: images must be a Float64Array (rows × height × width, C order)', 'EINPUT');
  const pixels = height * width;
  if (images.length !== rows * pixels) {
    throw new FlipcertError(
      `scattering: ${rows} images of ${height}×${width} need ${rows * pixels} values, got ${images.length}`,
      'EINPUT',
    );
  }
  for (let i = 0; i < images.length; i++) {
    if (!Number.isFinite(images[i])) {
      const row = Math.floor(i / pixels);
      const at = i - row * pixels;
      throw new FlipcertError(
        `scattering: image row ${row} has ${String(images[i])} at pixel (${Math.floor(at / width)}, ${at % width}); pixels must be finite`,
        'EINPUT',
      );
    }
  }
}

function checkStage(stage: ScatteringStage): void {
  const ok = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
  if (stage?.kind !== 'scattering' || !ok(stage.J, 1, 6) || !ok(stage.L, 1, 16) || !ok(stage.order, 1, 2)) {
    throw invalid(NAME, `${NAME}: scattering needs integers J in 1..6, L in 1..16 and order 1 or 2, got ${JSON.stringify(stage)}`, 'EOPTION');
  }
}

function checkImageSize(height: number, width: number, stage: ScatteringStage): void {
  const step = 2 ** stage.J;
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < step || width < step) {
    throw invalid(
      NAME,
      `${NAME}: scattering:J=${stage.J} needs images of at least ${step}×${step} pixels (2^J), got ${String(height)}×${String(width)}; ` +
        'use a smaller J or give the image shape',
      'EOPTION',
    );
  }
  const P = scatteringGrid(height, stage.J);
  const Q = scatteringGrid(width, stage.J);
  const workspace = P * Q * (stage.J * stage.L + 1 + 6 + (stage.order >= 2 ? 6 : 0));
  if (workspace > MAX_WORKSPACE_DOUBLES) {
    throw invalid(
      NAME,
      `${NAME}: scattering of ${height}×${width} images (a ${P}×${Q} padded grid) with J=${stage.J}, L=${stage.L} needs ` +
        `${Math.ceil((workspace * 8) / 2 ** 20)} MiB of filters and scratch, over the features module's 2 GiB; use smaller images, J or L`,
      'EMEMORY',
    );
  }
}
