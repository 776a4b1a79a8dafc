// The page's data: files the user picks or drops (parsed with the CLI's own
// .npy and CSV parsers, so errors read the same), or the built-in MNIST sample.
import type { CsvText } from '../data/csv.js';
import { npyLabels, npyMatrix, parseNpy } from '../data/npy-format.js';
import { FlipcertError } from '../errors.js';
import type { Matrix } from '../types.js';
import { SAMPLE, decodeSample } from './sample-format.js';

export type Source = 'npy' | 'csv' | 'mnist17-sample';
export type NpySlot = 'train-x' | 'train-y' | 'test-x' | 'test-y';
export type CsvSlot = 'train-csv' | 'test-csv';
export type Slot = NpySlot | CsvSlot;

export const NPY_SLOTS: readonly NpySlot[] = ['train-x', 'train-y', 'test-x', 'test-y'];
export const CSV_SLOTS: readonly CsvSlot[] = ['train-csv', 'test-csv'];

/** One parsed file, kept until another file replaces it. */
export type Loaded =
  | { kind: 'matrix'; name: string; matrix: Matrix }
  | { kind: 'labels'; name: string; labels: Int32Array }
  | { kind: 'table'; name: string; file: CsvText };

/** What certify needs, and where it came from (the JSON's config.source). */
export interface DataSet {
  train: { x: Matrix; y: Int32Array };
  test: { x: Matrix; y?: Int32Array };
  source: Record<string, unknown>;
  /** How error messages name the data fields (`train.x`, …): the files that gave them, as the CLI names its flags. */
  fields: Record<string, string>;
}

export function sourceOf(slot: Slot): Source {
  return slot.endsWith('csv') ? 'csv' : 'npy';
}

/** The slots as the page labels them: the page's names for the CLI's --train-x, --train, … */
export const SLOT_LABELS: Record<Slot, string> = {
  'train-x': 'Train X',
  'train-y': 'Train y',
  'test-x': 'Test X',
  'test-y': 'Test y',
  'train-csv': 'Train CSV',
  'test-csv': 'Test CSV',
};

/**
 * Runs a parser; an error about file `name` is restated with the slot's label
 * in front, as the CLI puts the flag in front (`--train-x a.npy: …`).
 */
function labelled<T>(slot: Slot, name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FlipcertError && error.message.startsWith(`${name}: `)) {
      throw new FlipcertError(`${SLOT_LABELS[slot]} ${error.message}`, error.code, { field: error.field });
    }
    throw error;
  }
}

/** Parses one file for its slot; errors are FlipcertErrors naming the file, as in the CLI. */
export async function readSlot(slot: Slot, file: File): Promise<Loaded> {
  if (slot === 'train-csv' || slot === 'test-csv') {
    const text: CsvText = { name: file.name, text: await file.text() };
    // A training file is checked at once; a test file is read against it at run time (columns matched by name).
    if (slot === 'train-csv') {
      const { parseCsv } = await csvReader();
      labelled(slot, file.name, () => parseCsv(text));
    }
    return { kind: 'table', name: file.name, file: text };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  return labelled(slot, file.name, () => {
    const values = parseNpy(bytes, file.name);
    return slot.endsWith('-x')
      ? { kind: 'matrix', name: file.name, matrix: npyMatrix(values, file.name) }
      : { kind: 'labels', name: file.name, labels: npyLabels(values, file.name) };
  });
}

/** A short description of a loaded file, shown under its input. */
export function describe(loaded: Loaded): string {
  if (loaded.kind === 'matrix') return `${loaded.name}: ${loaded.matrix.rows} × ${loaded.matrix.cols}`;
  if (loaded.kind === 'labels') return `${loaded.name}: ${loaded.labels.length} labels`;
  const lines = loaded.file.text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return `${loaded.name}: ${Math.max(lines.length - 1, 0)} rows, ${lines[0]?.split(',').length ?? 0} columns`;
}

/**
 * The CSV reader (src/data/csv.ts, with csv-parse: a third of the app's code),
 * loaded the first time someone picks a CSV file: the page itself does not carry it.
 */
function csvReader(): Promise<typeof import('../data/csv.js')> {
  return import('../data/csv.js');
}

/** The data set from the loaded files of one source; names what is still missing. */
export async function fromFiles(source: 'npy' | 'csv', files: ReadonlyMap<Slot, Loaded>): Promise<DataSet> {
  if (source === 'csv') {
    const train = need(files, 'train-csv', 'Train CSV', 'table');
    const test = need(files, 'test-csv', 'Test CSV', 'table');
    const { parseCsvPair } = await csvReader();
    const { train: a, test: b } = labelled('test-csv', test.name, () => parseCsvPair(train.file, test.file));
    return {
      train: a,
      test: b,
      source: { train: train.name, test: test.name },
      fields: { train: `Train CSV ${train.name}`, test: `Test CSV ${test.name}` },
    };
  }
  const trainX = need(files, 'train-x', 'Train X', 'matrix');
  const trainY = need(files, 'train-y', 'Train y', 'labels');
  const testX = need(files, 'test-x', 'Test X', 'matrix');
  const testY = files.get('test-y') as Extract<Loaded, { kind: 'labels' }> | undefined;
  return {
    train: { x: trainX.matrix, y: trainY.labels },
    test: { x: testX.matrix, y: testY?.labels },
    source: { trainX: trainX.name, trainY: trainY.name, testX: testX.name, testY: testY?.name ?? null },
    fields: {
      'train.x': `Train X ${trainX.name}`,
      'train.y': `Train y ${trainY.name}`,
      'test.x': `Test X ${testX.name}`,
      ...(testY ? { 'test.y': `Test y ${testY.name}` } : {}),
    },
  };
}

function need<K extends Loaded['kind']>(files: ReadonlyMap<Slot, Loaded>, slot: Slot, label: string, kind: K): Extract<Loaded, { kind: K }> {
  const loaded = files.get(slot);
  if (!loaded || loaded.kind !== kind) {
    const all = slot.endsWith('csv') ? 'Train CSV and Test CSV' : 'Train X, Train y and Test X';
    throw new FlipcertError(`missing ${label}: choose a file (this source needs ${all})`, 'EOPTION');
  }
  return loaded as Extract<Loaded, { kind: K }>;
}

/** Fetches and unpacks the MNIST 1-vs-7 sample shipped next to the page. */
export async function loadSample(): Promise<DataSet> {
  const response = await fetch(SAMPLE.file);
  if (!response.ok) {
    throw new FlipcertError(`${SAMPLE.file}: cannot load the sample (HTTP ${response.status})`, 'EFILE');
  }
  const data = decodeSample(await gunzipOnce(new Uint8Array(await response.arrayBuffer())));
  return {
    ...data,
    source: { dataset: SAMPLE.name, description: SAMPLE.description },
    fields: { train: 'the MNIST sample (training set)', test: 'the MNIST sample (test set)' },
  };
}

/**
 * The sample's bytes, unpacked: a static host that serves `.gz` files with
 * `Content-Encoding: gzip` (Apache's `AddEncoding`, for one) has the browser
 * unpack them already; gzip's magic bytes say whether that happened.
 */
async function gunzipOnce(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const unpacked = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(unpacked).arrayBuffer());
}
