// The built-in MNIST 1-vs-7 sample the web app ships: the first SAMPLE.trainSize
// training and SAMPLE.testSize test images of `--dataset mnist17` (digit 1 →
// class 0, 7 → class 1), stored as raw uint8 pixels and labels, gzipped.
// Layout: train pixels (n × 784), train labels (n), test pixels (m × 784), test labels (m).
import type { Matrix } from '../types.js';

export const SAMPLE = {
  name: 'mnist17-sample',
  file: 'mnist17-sample.u8.gz',
  trainSize: 3000,
  testSize: 500,
  cols: 784,
  side: 28,
  description: 'MNIST 1 vs 7 (digit 1 → class 0, digit 7 → class 1): first 3000 train / 500 test images, 784 features (pixels / 255)',
} as const;

export interface SampleData {
  train: { x: Matrix; y: Int32Array };
  test: { x: Matrix; y: Int32Array };
}

/** Bytes of the uncompressed sample. */
export function sampleBytes(): number {
  return (SAMPLE.trainSize + SAMPLE.testSize) * (SAMPLE.cols + 1);
}

/** Encodes pixels / 255 (exactly, as loadMnist gives them) and labels as the sample's bytes. */
export function encodeSample(data: SampleData): Uint8Array {
  const out = new Uint8Array(sampleBytes());
  let at = 0;
  for (const split of [data.train, data.test]) {
    for (const v of split.x.data) {
      const byte = Math.round(v * 255);
      if (byte / 255 !== v) throw new Error(`sample: pixel ${v} is not a multiple of 1/255`);
      out[at++] = byte;
    }
    for (const label of split.y) out[at++] = label;
  }
  return out;
}

/** The inverse of encodeSample: float64 pixels / 255, the same values the CLI's loader gives. */
export function decodeSample(bytes: Uint8Array): SampleData {
  if (bytes.length !== sampleBytes()) throw new Error(`the MNIST sample has ${bytes.length} bytes, expected ${sampleBytes()}`);
  let at = 0;
  const split = (rows: number) => {
    const data = Float64Array.from(bytes.subarray(at, at + rows * SAMPLE.cols), (b) => b / 255);
    at += rows * SAMPLE.cols;
    const y = Int32Array.from(bytes.subarray(at, at + rows));
    at += rows;
    return { x: { data, rows, cols: SAMPLE.cols }, y };
  };
  const train = split(SAMPLE.trainSize);
  const test = split(SAMPLE.testSize);
  return { train, test };
}
