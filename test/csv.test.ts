import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { readCsv, readCsvPair } from '../src/data/csv-file.js';
import { parseCsv, parseCsvLike, parseCsvPair } from '../src/data/csv.js';
import { FlipcertError } from '../src/errors.js';

const scratch = mkdtempSync(join(tmpdir(), 'flipcert-csv-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** Writes `text` to a fresh file and returns its path. */
function csvFile(text: string): string {
  const p = join(scratch, `data-${counter++}.csv`);
  writeFileSync(p, text);
  return p;
}

async function failure(path: string): Promise<FlipcertError> {
  const err = await readCsv(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlipcertError);
  expect((err as Error).message).toContain(path);
  return err as FlipcertError;
}

describe('readCsv', () => {
  it('takes the column named label (any case) from the middle; the rest are features in order', async () => {
    const p = csvFile('a, LABEL ,b,c\n1.5,1,2,3\n-4,0,5e-3,6\n');
    const { x, y } = await readCsv(p);
    expect([x.rows, x.cols]).toEqual([2, 3]);
    expect(Array.from(x.data)).toEqual([1.5, 2, 3, -4, 0.005, 6]);
    expect(y).toBeInstanceOf(Int32Array);
    expect(Array.from(y)).toEqual([1, 0]);
  });

  it('uses the last column when none is named label', async () => {
    const p = csvFile('f1,f2,class\n0.25,1,2\n3,4,0\n5,6,1\n');
    const { x, y } = await readCsv(p);
    expect([x.rows, x.cols]).toEqual([3, 2]);
    expect(Array.from(x.data)).toEqual([0.25, 1, 3, 4, 5, 6]);
    expect(Array.from(y)).toEqual([2, 0, 1]);
  });

  it('accepts a BOM, CRLF line ends, quoted cells, blank lines and integer-valued labels like 1.0', async () => {
    const p = csvFile('\ufeff"x","y",label\r\n"1",2,1.0\r\n\r\n3,"4",0\r\n');
    const { x, y } = await readCsv(p);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(y)).toEqual([1, 0]);
  });

  it('names file, line, data row and column of a non-numeric cell', async () => {
    const p = csvFile('a,b,label\n1,2,0\n3,4,1\n5,abc,1\n');
    const err = await failure(p);
    expect(err.message).toMatch(/line 4 \(data row 3\), column "b" is "abc", not a finite number/);
  });

  it('counts blank lines in the line number but not in the data row', async () => {
    const p = csvFile('a,b,label\n1,2,0\n\n3,,1\n');
    const err = await failure(p);
    expect(err.message).toMatch(/line 4 \(data row 2\), column "b" is empty/);
  });

  it('rejects hex, NaN and infinite cells that Number() would accept or produce', async () => {
    for (const bad of ['0x10', 'NaN', 'Infinity', '1e999']) {
      const err = await failure(csvFile(`a,label\n${bad},0\n`));
      expect(err.message).toContain('line 2 (data row 1), column "a"');
    }
  });

  it('names the label column, line and row of a bad label', async () => {
    const err = await failure(csvFile('a,label,b\n1,0,2\n3,2.5,4\n'));
    expect(err.message).toMatch(/line 3 \(data row 2\), column "label" is 2\.5; labels must be integers/);
    const neg = await failure(csvFile('a,b\n1,-1\n'));
    expect(neg.message).toMatch(/line 2 \(data row 1\), column "b" is -1/);
  });

  it('rejects files without a usable header or data', async () => {
    expect((await failure(csvFile(''))).message).toMatch(/empty file/);
    expect((await failure(csvFile('1,2,0\n3,4,1\n'))).message).toMatch(/looks like data, not a header/);
    expect((await failure(csvFile('label\n1\n'))).message).toMatch(/need at least one feature column/);
    expect((await failure(csvFile('a,label\n'))).message).toMatch(/no data rows/);
    expect((await failure(csvFile('a,Label,label\n1,2,3\n'))).message).toMatch(/2 columns are named "label"/);
  });

  it('reports ragged rows with the file name and line', async () => {
    const err = await failure(csvFile('a,b,label\n1,2,0\n3,4\n'));
    expect(err.message).toMatch(/line 3/);
  });

  it('reports a missing file and a directory by name', async () => {
    const err = await failure(join(scratch, 'nope.csv'));
    expect(err.message).toMatch(/file not found/);
    expect((await failure(scratch)).message).toMatch(/is a directory/);
  });

  it('rejects two columns with the same name', async () => {
    expect((await failure(csvFile('a,b,a,label\n1,2,3,0\n'))).message).toMatch(/columns 1 and 3 are both named "a"/);
  });
});

/** The error thrown by `f`, checked to be a FlipcertError (EFILE) naming `name`. */
function thrown(f: () => unknown, name: string): FlipcertError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FlipcertError);
  expect((err as FlipcertError).code).toBe('EFILE');
  expect((err as Error).message).toContain(name);
  return err as FlipcertError;
}

describe('train/test CSV pairing by header name', () => {
  const train = { name: 'train.csv', text: 'a,b,label,c\n1,2,0,3\n4,5,1,6\n' };

  it('matches test columns given in another order to the training features by name', () => {
    const pair = parseCsvPair(train, { name: 'test.csv', text: 'c,label,a,b\n30,1,10,20\n60,0,40,50\n' });
    expect(Array.from(pair.train.x.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // Train feature order is a, b, c: the test matrix follows it whatever the file's order.
    expect([pair.test.x.rows, pair.test.x.cols]).toEqual([2, 3]);
    expect(Array.from(pair.test.x.data)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(Array.from(pair.test.y!)).toEqual([1, 0]);
  });

  it('allows a test file without the label column (no test labels)', () => {
    const pair = parseCsvPair(train, { name: 'test.csv', text: 'b,c,a\n2,3,1\n' });
    expect(pair.test.y).toBeUndefined();
    expect(Array.from(pair.test.x.data)).toEqual([1, 2, 3]);
  });

  it('finds the label column by the training name when it is not called "label"', () => {
    const a = parseCsv({ name: 'train.csv', text: 'f1,f2,class\n1,2,1\n' });
    expect(a.layout).toEqual({ features: ['f1', 'f2'], label: 'class' });
    const b = parseCsvLike({ name: 'test.csv', text: 'class,f2,f1\n0,20,10\n' }, a.layout);
    expect(Array.from(b.x.data)).toEqual([10, 20]);
    expect(Array.from(b.y!)).toEqual([0]);
    // Without the label column, the remaining columns must be exactly the features.
    expect(parseCsvLike({ name: 'test.csv', text: 'f2,f1\n20,10\n' }, a.layout).y).toBeUndefined();
  });

  it('names the file and the missing and extra columns', () => {
    const missing = thrown(() => parseCsvPair(train, { name: 'test.csv', text: 'a,c,label\n1,3,0\n' }), 'test.csv');
    expect(missing.message).toMatch(/lacks column "b" of train\.csv/);
    const extra = thrown(() => parseCsvPair(train, { name: 'test.csv', text: 'a,b,c,d,e\n1,2,3,4,5\n' }), 'test.csv');
    expect(extra.message).toMatch(/has columns "d", "e" that train\.csv lacks/);
    const both = thrown(() => parseCsvPair(train, { name: 'test.csv', text: 'a,B,c\n1,2,3\n' }), 'test.csv');
    expect(both.message).toMatch(/lacks column "b" of train\.csv and has a column "B" that train\.csv lacks/);
  });

  it('checks test cells and labels with the same messages', () => {
    const bad = thrown(() => parseCsvPair(train, { name: 'test.csv', text: 'c,a,b\n3,x,2\n' }), 'test.csv');
    expect(bad.message).toMatch(/line 2 \(data row 1\), column "a" is "x", not a finite number/);
    const label = thrown(() => parseCsvPair(train, { name: 'test.csv', text: 'a,b,c,label\n1,2,3,-2\n' }), 'test.csv');
    expect(label.message).toMatch(/column "label" is -2; labels must be integers/);
  });

  it('readCsvPair reads both files and names each in its errors', async () => {
    const a = csvFile('x1,x2,label\n1,2,0\n3,4,1\n');
    const b = csvFile('x2,x1\n20,10\n');
    const pair = await readCsvPair(a, b);
    expect(Array.from(pair.test.x.data)).toEqual([10, 20]);
    const c = csvFile('x1,x3\n1,2\n');
    await expect(readCsvPair(a, c)).rejects.toThrow(new RegExp(`^${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: lacks column "x2"`));
  });

  it('parsing is browser-safe: the module bundles for the browser with no Node built-ins', async () => {
    const out = await build({ entryPoints: ['src/data/csv.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    const code = out.outputFiles[0].text;
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/require\(["'](fs|path|buffer)["']\)/);
  });
});
