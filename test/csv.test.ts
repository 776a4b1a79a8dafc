import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../src/data/csv.js';
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

  it('reports a missing file by name', async () => {
    const err = await failure(join(scratch, 'nope.csv'));
    expect(err.message).toMatch(/file not found/);
  });
});
