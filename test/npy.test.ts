import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as npyjsParse } from 'npyjs';
import { afterAll, describe, expect, it } from 'vitest';
import { npyLabels, npyMatrix, parseNpy, readNpyLabels, readNpyMatrix, writeNpy } from '../src/data/npy.js';
import { FlipcertError } from '../src/errors.js';

const FIX = join(import.meta.dirname, 'fixtures', 'npy');
const fixture = (name: string) => join(FIX, name);
/** Values NumPy itself read from each fixture (written by make_fixtures.py). */
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Record<string, { shape: number[]; values: number[] }>;

const scratch = mkdtempSync(join(tmpdir(), 'flipcert-npy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** Asserts that `promise` rejects with a FlipcertError whose message names `file` and matches `pattern`. */
async function rejectsNaming(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlipcertError);
  const message = (err as Error).message;
  expect(message).toContain(file);
  expect(message).toMatch(pattern);
}

describe('readNpyMatrix', () => {
  for (const name of ['f8.npy', 'f4.npy', 'u1.npy', 'i4.npy', 'i8.npy', 'v2.npy']) {
    it(`reads ${name} exactly as NumPy does`, async () => {
      const m = await readNpyMatrix(fixture(name));
      expect([m.rows, m.cols]).toEqual(expected[name].shape);
      expect(m.data).toBeInstanceOf(Float64Array);
      expect(Array.from(m.data)).toEqual(expected[name].values);
    });
  }

  it('keeps float32 values exact (no decimal round trip)', async () => {
    const m = await readNpyMatrix(fixture('f4.npy'));
    expect(m.data[1]).toBe(Math.fround(-1.25));
    expect(m.data[4]).toBe(Math.fround(2 / 3));
    expect(m.data[4]).not.toBe(2 / 3);
  });

  it('reads a 1-D file only when told whether it is a row or a column', async () => {
    await rejectsNaming(readNpyMatrix(fixture('vector_f8.npy')), 'vector_f8.npy', /1-D.*reshape/);
    const row = await readNpyMatrix(fixture('vector_f8.npy'), { vector: 'row' });
    expect([row.rows, row.cols]).toEqual([1, 3]);
    const col = await readNpyMatrix(fixture('vector_f8.npy'), { vector: 'column' });
    expect([col.rows, col.cols]).toEqual([3, 1]);
    expect(Array.from(col.data)).toEqual([1.5, 2.5, -3.5]);
  });

  const rejected: [string, RegExp][] = [
    ['big_endian.npy', /big-endian/],
    ['fortran.npy', /Fortran/],
    ['bool.npy', /dtype '\|b1' is not supported/],
    ['int16.npy', /dtype '<i2' is not supported/],
    ['structured.npy', /structured/],
    ['three_d.npy', /3 dimensions/],
    ['empty_rows.npy', /empty/],
    ['nan.npy', /row 1, column 1 is NaN/],
    ['i8_too_big.npy', /row 1, column 1 is 9007199254740993, outside ±2\^53/],
    ['truncated.npy', /truncated data: shape \(3, 4\) of float64 needs 96 bytes, file has 91/],
    ['trailing.npy', /8 unexpected bytes/],
    ['bad_magic.npy', /not an \.npy file \(bad magic/],
    ['no_such_file.npy', /file not found/],
  ];
  for (const [name, pattern] of rejected) {
    it(`rejects ${name} with a message naming the file`, async () => {
      await rejectsNaming(readNpyMatrix(fixture(name)), name, pattern);
    });
  }

  it('rejects a file too short to hold a header', async () => {
    const p = join(scratch, 'tiny.npy');
    writeFileSync(p, Buffer.from([0x93, 0x4e, 0x55]));
    await rejectsNaming(readNpyMatrix(p), 'tiny.npy', /only 3 bytes/);
  });

  it('rejects a header cut short', async () => {
    const p = join(scratch, 'cut-header.npy');
    writeFileSync(p, readFileSync(fixture('f8.npy')).subarray(0, 40));
    await rejectsNaming(readNpyMatrix(p), 'cut-header.npy', /truncated header/);
  });
});

describe('readNpyLabels', () => {
  it('reads 1-D and one-column label files of every integer-valued dtype', async () => {
    for (const name of ['labels_i8.npy', 'labels_col_i4.npy', 'labels_f4.npy', 'labels_u1.npy']) {
      const y = await readNpyLabels(fixture(name));
      expect(y).toBeInstanceOf(Int32Array);
      expect(Array.from(y)).toEqual(expected[name].values);
    }
  });

  it('names the file and row of a bad label', async () => {
    await rejectsNaming(readNpyLabels(fixture('labels_frac.npy')), 'labels_frac.npy', /row 2 is 2\.5, labels must be integers/);
    await rejectsNaming(readNpyLabels(fixture('labels_neg.npy')), 'labels_neg.npy', /row 1 is -1/);
    await rejectsNaming(readNpyLabels(fixture('labels_2col.npy')), 'labels_2col.npy', /1-D or one column, got shape \(2, 2\)/);
    await rejectsNaming(readNpyLabels(fixture('big_endian.npy')), 'big_endian.npy', /big-endian/);
  });
});

/** Result or error message, to compare the in-memory parser with the file reader. */
async function outcome<T>(run: () => T | Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await run() };
  } catch (e) {
    expect(e).toBeInstanceOf(FlipcertError);
    return { error: (e as Error).message };
  }
}

describe('parseNpy (bytes in memory, as the web app reads them)', () => {
  const names = readdirSync(FIX).filter((f) => f.endsWith('.npy'));
  it('agrees with the file reader on every fixture, values and errors alike', async () => {
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const path = fixture(name);
      const bytes = new Uint8Array(readFileSync(path));
      const asMatrix = await outcome(() => npyMatrix(parseNpy(bytes, path), path));
      expect(asMatrix, name).toEqual(await outcome(() => readNpyMatrix(path)));
      const asLabels = await outcome(() => npyLabels(parseNpy(bytes, path), path));
      expect(asLabels, name).toEqual(await outcome(() => readNpyLabels(path)));
    }
  });

  it('rejects bytes cut anywhere in the header or data, naming the file', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('v2.npy')));
    for (let cut = 0; cut < bytes.length; cut += 7) {
      expect(() => parseNpy(bytes.subarray(0, cut), 'cut.npy')).toThrow(/^cut\.npy: (not an \.npy file|truncated)/);
    }
  });
});

describe('writeNpy', () => {
  const values = Float64Array.from([0.1, -2, Math.PI, 1e-310, -0, Number.MAX_VALUE]);

  it('round trips through readNpyMatrix and an independent parser (npyjs)', async () => {
    const p = join(scratch, 'out.npy');
    await writeNpy(p, values, [2, 3]);
    const back = await readNpyMatrix(p);
    expect([back.rows, back.cols]).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(values));
    const bytes = readFileSync(p);
    const other = npyjsParse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(other.shape).toEqual([2, 3]);
    expect(other.fortranOrder).toBe(false);
    expect(Array.from(other.data as Float64Array)).toEqual(Array.from(values));
    // The data starts at a 64-byte boundary, as NumPy writes it.
    expect((bytes.length - values.byteLength) % 64).toBe(0);
  });

  it('writes only the subarray it is given', async () => {
    const p = join(scratch, 'sub.npy');
    await writeNpy(p, values.subarray(2, 4), [2]);
    const back = await readNpyMatrix(p, { vector: 'column' });
    expect(Array.from(back.data)).toEqual([Math.PI, 1e-310]);
  });

  it.skipIf(!hasNumpy)('writes files NumPy loads with the same values', async () => {
    const p = join(scratch, 'for-numpy.npy');
    await writeNpy(p, values, [3, 2]);
    const script = `import numpy as np, sys, json; a = np.load(sys.argv[1]); print(json.dumps([a.dtype.str, list(a.shape), [float(v) for v in a.ravel()]]))`;
    const run = spawnSync('python3', ['-c', script, p], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const [dtype, shape, got] = JSON.parse(run.stdout) as [string, number[], number[]];
    expect(dtype).toBe('<f8');
    expect(shape).toEqual([3, 2]);
    expect(got).toEqual(Array.from(values));
  });

  it('refuses a shape that does not match the data, and leaves no file', async () => {
    const p = join(scratch, 'mismatch.npy');
    await expect(writeNpy(p, values, [4, 2])).rejects.toThrow(/shape \(4, 2\) needs 8 values, data has 6/);
    expect(readdirSync(scratch)).not.toContain('mismatch.npy');
  });

  it('replaces an existing file whole and leaves no temporary file behind', async () => {
    const p = join(scratch, 'replace.npy');
    writeFileSync(p, 'old contents');
    await writeNpy(p, values, [6]);
    expect(Array.from((await readNpyMatrix(p, { vector: 'row' })).data)).toEqual(Array.from(values));
    expect(readdirSync(scratch).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with a FlipcertError naming the path when the folder does not exist', async () => {
    const p = join(scratch, 'missing-dir', 'x.npy');
    await rejectsNaming(writeNpy(p, values, [6]), 'missing-dir', /cannot write \(ENOENT: its folder does not exist\)/);
  });
});

/** An .npy file with the header text `dict` (padded as NumPy pads it) and `data` after it; version 1 or 2. */
function npyWith(dict: string, data: Uint8Array, major = 1): Uint8Array {
  const preamble = major === 1 ? 10 : 12;
  const total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  const text = dict + ' '.repeat(total - preamble - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[preamble + i] = text.charCodeAt(i);
  out.set(data, total);
  return out;
}

/** What NumPy's np.load makes of each file: [dtype, shape, values] or the error's class. */
function numpyLoads(paths: string[]): ({ dtype: string; shape: number[]; values: (number | null)[] } | { error: string })[] {
  const script = `
import json, sys, warnings
import numpy as np
warnings.simplefilter('ignore')
out = []
for p in sys.argv[1:]:
    try:
        a = np.load(p, allow_pickle=False)
        vals = a.ravel().tolist() if a.dtype.kind in 'fiub' else None
        out.append({'dtype': a.dtype.str, 'shape': list(a.shape), 'values': None if vals is None else [float(v) for v in vals]})
    except Exception as e:
        out.append({'error': type(e).__name__})
print(json.dumps(out))`;
  const run = spawnSync('python3', ['-c', script, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('.npy headers, read as NumPy reads them', () => {
  const f8 = new Uint8Array(new Float64Array([1, 2, 3, 4]).buffer);
  const c16 = new Uint8Array(new Float64Array([1, 2, 3, 4]).buffer); // two complex128 values: 1+2j, 3+4j

  it('refuses a header whose extra key holds a fake descr: the real dtype is complex', async () => {
    // Patterns found `'descr': '<f8'` and `'shape': (4,)` inside the string and read four float64 values.
    const dict = `{'x': "'descr': '<f8', 'fortran_order': False, 'shape': (4,)", 'descr': '<c16', 'fortran_order': False, 'shape': (2,), }`;
    const p = join(scratch, 'fake-descr.npy');
    writeFileSync(p, npyWith(dict, c16));
    await rejectsNaming(readNpyMatrix(p, { vector: 'column' }), 'fake-descr.npy', /unknown key 'x'; an \.npy header has exactly 'descr', 'fortran_order' and 'shape'/);
    expect(() => parseNpy(npyWith(dict, c16), 'mem.npy')).toThrow(/^mem\.npy: the header has the unknown key 'x'/);
    if (hasNumpy) expect(numpyLoads([p])).toEqual([{ error: 'ValueError' }]); // NumPy refuses it too
  });

  it.each([
    ['a repeated key (Python would keep the last)', `{'descr': '<f8', 'descr': '<c16', 'fortran_order': False, 'shape': (4,), }`, /the key 'descr' twice/],
    ['a missing key', `{'descr': '<f8', 'shape': (4,), }`, /lacks the key 'fortran_order'/],
    ['a header that is not a dict', `['descr', '<f8']`, /not a dict/],
    ['a shape that is not a tuple', `{'descr': '<f8', 'fortran_order': False, 'shape': 4, }`, /'shape' is not a tuple of integers/],
    ['(4) is the number 4, not a tuple', `{'descr': '<f8', 'fortran_order': False, 'shape': (4), }`, /'shape' is not a tuple of integers/],
    ['a negative dimension', `{'descr': '<f8', 'fortran_order': False, 'shape': (-4,), }`, /'shape' is not a tuple of integers ≥ 0/],
    ['fortran_order as a string', `{'descr': '<f8', 'fortran_order': 'False', 'shape': (4,), }`, /'fortran_order' is not True or False/],
    ['text after the dict', `{'descr': '<f8', 'fortran_order': False, 'shape': (4,), } x`, /malformed \.npy header \(unexpected text after the dict/],
    ['an unterminated string', `{'descr': '<f8, 'fortran_order': False, 'shape': (4,), }`, /malformed \.npy header/],
    ['a shape with a float', `{'descr': '<f8', 'fortran_order': False, 'shape': (4.0,), }`, /malformed \.npy header \(not an integer/],
  ])('refuses %s', (_, dict, pattern) => {
    expect(() => parseNpy(npyWith(dict, f8), 'h.npy')).toThrow(pattern);
  });

  it('reads what NumPy writes and Python 2 wrote: any key order, double quotes, 3L, no trailing comma', () => {
    for (const dict of [
      `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }`,
      `{"shape": (2, 2), "fortran_order": False, "descr": "<f8"}`,
      `{'descr': u'<f8', 'fortran_order': False, 'shape': (2L, 2L)}`,
      `{ 'descr' : '<f8' ,\t'fortran_order' : False , 'shape' : ( 2 , 2 , ) }`,
    ]) {
      const { shape, data } = parseNpy(npyWith(dict, f8), 'ok.npy');
      expect(shape, dict).toEqual([2, 2]);
      expect(Array.from(data)).toEqual([1, 2, 3, 4]);
    }
    // Version 3 headers are Python 3 text: no 3L there.
    expect(() => parseNpy(npyWith(`{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 2L)}`, f8, 3), 'v3.npy')).toThrow(/not an integer/);
  });

  it('a v2 header length above the file is refused before anything is allocated (a flipped bit made it 2^31 + …)', () => {
    const bytes = npyWith(`{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }`, f8, 2);
    bytes[11] ^= 0x80; // the top bit of the 4-byte header length
    const length = new DataView(bytes.buffer).getUint32(8, true);
    expect(length).toBeGreaterThanOrEqual(2 ** 31);
    const p = join(scratch, 'flipped-length.npy');
    writeFileSync(p, bytes);
    // In a child process: before the fix, Node aborted (SIGABRT) reading 2 GB of header.
    const run = spawnSync('node', ['dist/cli.js', 'kernel', '--x', p, '--out', join(scratch, 'never.npy')], { encoding: 'utf8' });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`flipcert: error: --x ${p}: truncated header: expected ${length} bytes at offset 12, file ends after ${bytes.length - 12}\n`);
    expect(() => parseNpy(bytes, 'mem.npy')).toThrow(`mem.npy: truncated header: expected ${length} bytes at offset 12`);
  });

  it.skipIf(!hasNumpy)('never accepts a one-bit flip of a header that NumPy refuses or reads differently (every bit of v1 and v2 headers)', async () => {
    const cases: { name: string; bytes: Uint8Array }[] = [];
    const values = new Float64Array([0.5, -1.5, 2.25, 3, -4, 5.5]);
    for (const major of [1, 2]) {
      const good = npyWith(`{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }`, new Uint8Array(values.buffer), major);
      const headerEnd = good.length - values.byteLength;
      for (let byte = 6; byte < headerEnd; byte++) {
        for (let bit = 0; bit < 8; bit++) {
          const bytes = good.slice();
          bytes[byte] ^= 1 << bit;
          cases.push({ name: `v${major}-${byte}-${bit}.npy`, bytes });
        }
      }
    }
    const dir = mkdtempSync(join(scratch, 'flips-'));
    for (const c of cases) writeFileSync(join(dir, c.name), c.bytes);
    const numpy = numpyLoads(cases.map((c) => join(dir, c.name)));
    let accepted = 0;
    for (let i = 0; i < cases.length; i++) {
      let ours: { shape: number[]; data: Float64Array } | undefined;
      try {
        ours = parseNpy(cases[i].bytes, cases[i].name);
      } catch (error) {
        expect(error, cases[i].name).toBeInstanceOf(FlipcertError);
        continue;
      }
      accepted++;
      const theirs = numpy[i];
      expect('error' in theirs ? theirs : { shape: theirs.shape, values: theirs.values }, cases[i].name).toEqual({ shape: ours.shape, values: Array.from(ours.data) });
    }
    expect(cases.length).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(0); // flips in the padding, which NumPy reads the same
  });
});
