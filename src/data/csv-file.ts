/** Reading CSV data files for the CLI: the file side of csv.ts, whose parsing is shared with browsers. */
import { parseCsv, parseCsvPair } from './csv.js';
import { readInputText } from './input-file.js';
import type { Matrix } from '../types.js';

/** Reads one labelled CSV file (see parseCsv). */
export async function readCsv(path: string): Promise<{ x: Matrix; y: Int32Array }> {
  const { x, y } = parseCsv({ name: path, text: await readInputText(path) });
  return { x, y };
}

/** Reads a training and a test CSV file; the test columns are matched to the training ones by header name. */
export async function readCsvPair(trainPath: string, testPath: string): Promise<ReturnType<typeof parseCsvPair>> {
  const [train, test] = await Promise.all([readInputText(trainPath), readInputText(testPath)]);
  return parseCsvPair({ name: trainPath, text: train }, { name: testPath, text: test });
}
