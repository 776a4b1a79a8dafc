// The CLI's error contract, one row per bad input: the exit status, exactly one
// `flipcert: error:` line (plus one usage hint line for a usage error), nothing
// on stdout, and no output or temporary file left behind. Runs the bundle
// (dist/cli.js) on tiny data; the rows run a few at a time.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dump } from 'npyjs';
import { flagFor, flagMap, translateMessage } from '../src/cli/flags.js';
import { reportError } from '../src/cli/report-error.js';
import { FlipcertError } from '../src/errors.js';

const CLI = resolve('dist/cli.js');
const root = mkdtempSync(join(tmpdir(), 'flipcert-cli-errors-'));
const inputs = join(root, 'in');
mkdirSync(inputs);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function save(name: string, bytes: ArrayBuffer | Uint8Array | string): string {
  const path = join(inputs, name);
  writeFileSync(path, typeof bytes === 'string' ? bytes : new Uint8Array(bytes));
  return path;
}

const matrix = (name: string, rows: number[][]) => save(name, dump(new Float64Array(rows.flat()), [rows.length, rows[0].length]));
const labels = (name: string, values: number[]) => save(name, dump(new Int32Array(values), [values.length]));
const floats = (name: string, values: number[]) => save(name, dump(new Float64Array(values), [values.length]));

// Two separable clusters, 12 training and 4 test points, 3 features.
const point = (c: number, i: number) => [c * 4 + (i % 3) * 0.1, (c ? -1 : 1) + i * 0.05, 0.3 * ((i * 7) % 5)];
const trainX = Array.from({ length: 12 }, (_, i) => point(i % 2, i));
const trainY = trainX.map((_, i) => i % 2);
const testX = Array.from({ length: 4 }, (_, i) => point(i % 2, i + 20));
const testY = testX.map((_, i) => i % 2);
const csvOf = (header: string[], rows: number[][]) => [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';

const f = {
  tx: matrix('tx.npy', trainX),
  ty: labels('ty.npy', trainY),
  sx: matrix('sx.npy', testX),
  sy: labels('sy.npy', testY),
  nan: matrix('nan.npy', trainX.map((r, i) => (i === 4 ? [r[0], NaN, r[2]] : r))),
  big: labels('big.npy', trainY.map((y, i) => (i === 3 ? 7 : y))),
  typo: labels('typo.npy', trainY.map((y, i) => (i === 3 ? 60000 : y))),
  testTypo: labels('test-typo.npy', testY.map((y, i) => (i === 2 ? 5 : y))),
  short: labels('short.npy', trainY.slice(1)),
  one: labels('one.npy', trainY.map(() => 1)),
  frac: floats('frac.npy', trainY.map((y, i) => (i === 2 ? 0.5 : y))),
  junk: save('junk.npy', 'not numpy'),
  wide: matrix('wide.npy', testX.map((r) => [...r, 1])),
  ids: labels('ids.npy', trainY.map((_, i) => i % 3)),
  idsShort: labels('ids-short.npy', [0, 1, 2]),
  trainCsv: save('train.csv', csvOf(['a', 'b', 'c', 'label'], trainX.map((r, i) => [...r, trainY[i]]))),
  testCsv: save('test.csv', csvOf(['c', 'a', 'b', 'label'], testX.map((r, i) => [r[2], r[0], r[1], testY[i]]))),
  testCsvMissing: save('test-missing.csv', csvOf(['a', 'c', 'label'], testX.map((r, i) => [r[0], r[2], testY[i]]))),
  testCsvNoLabel: save('test-unlabelled.csv', csvOf(['b', 'a', 'c'], testX.map((r) => [r[1], r[0], r[2]]))),
  badCsv: save('bad.csv', 'a,b,c,label\n1,2,3,0\n4,x,6,1\n'),
  folder: join(inputs, 'folder'),
  folderNpy: join(inputs, 'folder.npy'),
};
mkdirSync(f.folder);
mkdirSync(f.folderNpy);

const npy = ['--train-x', f.tx, '--train-y', f.ty, '--test-x', f.sx, '--test-y', f.sy];
const quiet = [...npy, '--quiet', '--threads', '1'];

/** The good .npy arguments with some flags' values replaced (a flag given twice is itself an error). */
function quietWith(replace: Record<string, string>): string[] {
  const args = quiet.map((arg, i) => (i > 0 && quiet[i - 1] in replace ? replace[quiet[i - 1]] : arg));
  return [...args, ...Object.entries(replace).filter(([flag]) => !quiet.includes(flag)).flat()];
}

interface Case {
  args: string[];
  /** The error line after `flipcert: error: ` must match this. */
  message: RegExp;
  /** A usage error: the hint line follows. */
  usage?: boolean;
  status?: number;
}

const USAGE = true;
const cases: Record<string, Case> = {
  // The argument parser's own rejections.
  'no command': { args: [], message: /no command given/, usage: USAGE },
  'an unknown command': { args: ['certfy'], message: /unknown command 'certfy'/, usage: USAGE },
  '--reg abc': { args: ['certify', ...quiet, '--reg', 'abc'], message: /^--reg must be a number, got "abc"$/, usage: USAGE },
  '--reg 0x10 (hex)': { args: ['certify', ...quiet, '--reg', '0x10'], message: /^--reg must be a number/, usage: USAGE },
  '--svm-c Infinity': { args: ['certify', ...quiet, '--model', 'svm', '--svm-c', 'Infinity'], message: /^--svm-c must be a number/, usage: USAGE },
  '--partitions 0': { args: ['certify', ...quiet, '--partitions', '0'], message: /^--partitions must be an integer ≥ 1, got "0"$/, usage: USAGE },
  '--partitions 2.5': { args: ['certify', ...quiet, '--partitions', '2.5'], message: /^--partitions must be an integer/, usage: USAGE },
  '--threads 0': { args: ['certify', ...quietWith({ '--threads': '0' })], message: /^--threads must be an integer ≥ 1/, usage: USAGE },
  '--depth 0': { args: ['certify', ...quiet, '--depth', '0'], message: /^--depth must be an integer ≥ 1/, usage: USAGE },
  'kernel --depth 0': { args: ['kernel', '--x', f.tx, '--out', 'K.npy', '--depth', '0'], message: /^--depth must be an integer ≥ 1/, usage: USAGE },
  '--classes 1': { args: ['certify', ...quiet, '--classes', '1'], message: /^--classes must be an integer ≥ 2/, usage: USAGE },
  '--train-size 0': { args: ['certify', ...quiet, '--train-size', '0'], message: /^--train-size must be an integer ≥ 1/, usage: USAGE },
  '--model rf': { args: ['certify', ...quiet, '--model', 'rf'], message: /^--model must be krr or svm, got "rf"$/, usage: USAGE },
  '--dataset mnist3': { args: ['certify', '--dataset', 'mnist3'], message: /^--dataset must be mnist or mnist17/, usage: USAGE },
  '--partitioning random': { args: ['certify', ...quiet, '--partitioning', 'random'], message: /^--partitioning must be hash, sorted or a \.npy file/, usage: USAGE },
  'an unknown flag': { args: ['certify', ...quiet, '--partition', '3'], message: /unknown option '--partition'.*Did you mean --partitions\?/, usage: USAGE },
  'a stray argument': { args: ['certify', ...quiet, 'extra'], message: /too many arguments for 'certify'/, usage: USAGE },
  'a flag without its value': { args: ['certify', ...quiet, '--out'], message: /'--out <file>' argument missing/, usage: USAGE },
  'a repeated flag': { args: ['certify', ...quiet, '--reg', '1', '--reg', '2'], message: /^--reg is given more than once/, usage: USAGE },
  'a repeated file flag': { args: ['certify', ...quiet, '--out', 'a.json', '--out', 'b.json'], message: /^--out is given more than once/, usage: USAGE },
  'kernel without --x': { args: ['kernel', '--out', 'K.npy'], message: /required option '--x <file>' not specified/, usage: USAGE },
  '--test-y with --dataset': { args: ['certify', '--dataset', 'mnist17', '--test-y', f.sy], message: /^give one data source/, usage: USAGE },
  'two data sources': { args: ['certify', ...quiet, '--train', f.trainCsv], message: /^give one data source/, usage: USAGE },
  'missing --test-x': { args: ['certify', '--train-x', f.tx, '--train-y', f.ty, '--quiet'], message: /^missing --test-x/, usage: USAGE },
  'missing --test (CSV)': { args: ['certify', '--train', f.trainCsv, '--quiet'], message: /^missing --test \(CSV input needs --train and --test\)/, usage: USAGE },
  // Outputs, checked before any work.
  '--out equal to an input': { args: ['certify', ...quiet, '--out', f.ty], message: /^--out .*ty\.npy is the same file as --train-y/, usage: USAGE },
  '--out equal to an input, by another path': { args: ['certify', ...quiet, '--out', join(inputs, '.', '..', 'in', 'sx.npy')], message: /is the same file as --test-x/, usage: USAGE },
  'kernel --out equal to --x': { args: ['kernel', '--x', f.tx, '--out', f.tx], message: /^--out .* is the same file as --x/, usage: USAGE },
  '--plot equal to --out': { args: ['certify', ...quiet, '--out', 'r.svg', '--plot', 'r.svg'], message: /^--plot r\.svg is the same file as --out r\.svg/, usage: USAGE },
  '--plot x.png': { args: ['certify', ...quiet, '--plot', 'x.png'], message: /^--plot x\.png: the file is written as SVG; give a name ending in \.svg$/, usage: USAGE },
  '--plot -': { args: ['certify', ...quiet, '--plot', '-'], message: /^--plot cannot write to standard output/, usage: USAGE },
  '--plot without test labels': { args: ['certify', '--train-x', f.tx, '--train-y', f.ty, '--test-x', f.sx, '--plot', 'p.svg', '--quiet'], message: /^--plot needs test labels/, usage: USAGE },
  '--out in a missing folder, with --plot': { args: ['certify', ...quiet, '--out', 'bad/dir/r.json', '--plot', 'ok.svg'], message: /^--out bad\/dir\/r\.json: the folder bad\/dir does not exist$/ },
  '--out naming a folder': { args: ['certify', ...quiet, '--out', f.folder], message: /folder is a directory; give a file name/ },
  // Input files and data (library errors restated with flags).
  'a missing file': { args: ['certify', ...quietWith({ '--train-x': join(inputs, 'nope.npy') })], message: /^--train-x .*nope\.npy: file not found$/ },
  'a directory as --train-x': { args: ['certify', ...quietWith({ '--train-x': f.folder })], message: /^--train-x .*folder: is a directory, not a file$/ },
  'a directory as --partitioning': { args: ['certify', ...quiet, '--partitions', '3', '--partitioning', f.folderNpy], message: /^--partitioning .*folder\.npy: is a directory, not a file$/ },
  'kernel --y of another width': { args: ['kernel', '--x', f.tx, '--y', f.wide, '--out', 'K.npy'], message: /^--y .*wide\.npy has 4 columns but --x .*tx\.npy has 3/ },
  'a directory as kernel --x': { args: ['kernel', '--x', f.folder, '--out', 'K.npy'], message: /^--x .*folder: is a directory, not a file$/ },
  'a directory as --train (CSV)': { args: ['certify', '--train', f.folder, '--test', f.testCsv, '--quiet'], message: /^--train .*folder: is a directory, not a file$/ },
  'a file that is not .npy': { args: ['certify', ...quietWith({ '--test-x': f.junk })], message: /junk\.npy/ },
  'NaN in the features': { args: ['certify', ...quietWith({ '--train-x': f.nan })], message: /nan\.npy.*row 4.*NaN|nan\.npy.*NaN.*row 4/ },
  'a label out of range for --classes': { args: ['certify', ...quietWith({ '--train-y': f.big }), '--classes', '2'], message: /row 3/ },
  'a typo training label (60000) with --partitions 4': { args: ['certify', ...quietWith({ '--train-y': f.typo }), '--partitions', '4'], message: /^--train-y .*typo\.npy: row 3 is 60000/ },
  'a test label outside the training classes': { args: ['certify', ...quietWith({ '--test-y': f.testTypo })], message: /^--test-y .*test-typo\.npy: row 2 is 5/ },
  'labels of the wrong length': { args: ['certify', ...quietWith({ '--train-y': f.short })], message: /short\.npy.*11 labels for 12 rows/ },
  'non-integer labels': { args: ['certify', ...quietWith({ '--train-y': f.frac })], message: /^--train-y .*frac\.npy.*row 2/ },
  'one class only': { args: ['certify', ...quietWith({ '--train-y': f.one })], message: /class/ },
  'test features of another width': { args: ['certify', ...quietWith({ '--test-x': f.wide })], message: /column|shape|4/ },
  'partition ids of the wrong length': { args: ['certify', ...quiet, '--partitions', '3', '--partitioning', f.idsShort], message: /^--partitioning .*ids-short\.npy/ },
  '--train-size above the rows': { args: ['certify', ...quiet, '--train-size', '13'], message: /^--train-size 13 exceeds the 12 rows available$/ },
  '--reg 0': { args: ['certify', ...quiet, '--reg', '0'], message: /^--reg must be/ },
  '--depth 1001': { args: ['certify', ...quiet, '--depth', '1001'], message: /^--depth must be an integer in 1\.\.1000/ },
  'an SVM C above the small-C bound': { args: ['certify', ...quiet, '--model', 'svm', '--svm-c', '1000'], message: /--svm-c.*small-C/ },
  'an empty partition': { args: ['certify', ...quiet, '--partitions', '4', '--partitioning', f.ids], message: /partition 3 is empty|empty/i },
  'a CSV cell that is not a number': { args: ['certify', '--train', f.badCsv, '--test', f.testCsv, '--quiet'], message: /^--train .*bad\.csv: line 3 \(data row 2\), column "b" is "x"/ },
  '--image-shape 2x': { args: ['certify', ...quiet, '--augment', 'hflip', '--image-shape', '2x'], message: /^--image-shape must be HxWxC/, usage: USAGE },
  '--augment without --image-shape (3 features)': { args: ['certify', ...quiet, '--augment', 'hflip'], message: /^--image-shape is required with --augment when the features are not 784/ },
  '--image-shape not matching the features': { args: ['certify', ...quiet, '--augment', 'hflip', '--image-shape', '2x2x1'], message: /^--image-shape 2×2×1 has 4 values but the features have 3 columns$/ },
  '--augment twist': { args: ['certify', ...quiet, '--augment', 'twist:2', '--image-shape', '1x3x1'], message: /^--augment: "twist:2" is not a transform/ },
  '--image-shape without --augment': { args: ['certify', ...quiet, '--image-shape', '1x3x1'], message: /^--image-shape applies with --augment or a scattering stage of --represent only$/ },
  'a test CSV without a training column': { args: ['certify', '--train', f.trainCsv, '--test', f.testCsvMissing, '--quiet'], message: /^--test .*test-missing\.csv: lacks column "b" of .*train\.csv/ },
};

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
  /** Files in the run's working folder afterwards (it starts empty). */
  left: string[];
  cwd: string;
}

let counter = 0;
function runCli(args: string[]): Promise<Outcome> {
  const cwd = join(root, `case-${counter++}`);
  mkdirSync(cwd);
  return new Promise((done) => {
    execFile('node', [CLI, ...args], { cwd, env: { ...process.env, FLIPCERT_DEBUG: '' } }, (error, stdout, stderr) => {
      const status = error ? ((error as { code?: number }).code ?? -1) : 0;
      done({ status, stdout, stderr, left: readdirSync(cwd), cwd });
    });
  });
}

/** Every file under the input folder with a digest of its bytes: inputs must come out untouched. */
function snapshot(): Record<string, string> {
  const files = readdirSync(inputs, { recursive: true, encoding: 'utf8' }).sort();
  return Object.fromEntries(
    files.map((name) => {
      const path = join(inputs, name);
      const digest = [f.folder, f.folderNpy].includes(path) ? 'dir' : createHash('sha256').update(readFileSync(path)).digest('hex');
      return [name, digest];
    }),
  );
}

describe('CLI error contract', () => {
  let before: Record<string, string>;
  beforeAll(() => {
    before = snapshot();
  });
  afterAll(() => {
    // No case wrote into, or left a temporary file beside, the inputs.
    expect(snapshot()).toEqual(before);
  });

  it.concurrent.each(Object.entries(cases))('%s', async (_, c) => {
    const { status, stdout, stderr, left } = await runCli(c.args);
    const lines = stderr.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(status).toBe(c.status ?? 2);
    expect(lines[0]).toMatch(/^flipcert: error: /);
    expect(lines[0].slice('flipcert: error: '.length)).toMatch(c.message);
    if (c.usage) {
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^Run 'flipcert( certify| kernel)? --help' for usage\.$/);
    } else {
      expect(lines).toHaveLength(1);
    }
    expect(stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
    expect(stdout).toBe('');
    expect(left).toEqual([]);
  });

  it('the hint names the command that was being parsed', async () => {
    expect((await runCli(['kernel', '--x', f.tx, '--out', 'K.npy', '--w-var', 'x'])).stderr).toContain("Run 'flipcert kernel --help' for usage.");
    expect((await runCli(['certfy'])).stderr).toContain("Run 'flipcert --help' for usage.");
  });
});

describe('what a user supplied is echoed with its control characters escaped', () => {
  // ESC starts terminal escape sequences (here: clear the screen, set the window title),
  // BEL rings, CR rewrites the line, U+009B is the one-character CSI, U+202E reverses text.
  const evil = '\x1b[2J\x1b[31mevil\x07\r\u009b\u202e';
  const shown = '\\x1b[2J\\x1b[31mevil\\x07\\r\\x9b\\u202e';
  const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const header = ['a', 'b', `"${evil}"`, 'label']; // quoted: CR may stand inside quotes
  const cases: Record<string, { args: () => string[]; message: RegExp }> = {
    'a CSV header name': {
      args: () => ['certify', '--train', save('evil-header.csv', csvOf(header, trainX.map((r, i) => [r[0], r[1], i === 1 ? Number.NaN : r[2], trainY[i]]))), '--test', f.testCsv, '--quiet'],
      message: /column "\\x1b\[2J\\x1b\[31mevil\\x07\\r\\x9b\\u202e" is "NaN", not a finite number$/,
    },
    'a file name': {
      args: () => ['certify', ...quietWith({ '--train-x': join(inputs, `${evil}.npy`) })],
      message: /: file not found$/,
    },
    'an .npy header': {
      args: () => ['certify', ...quietWith({ '--train-x': save('evil-shape.npy', npyHeaderOnly(`{'descr': '<f8', 'fortran_order': False, 'shape': (3,${evil}), }`)) })],
      message: /malformed \.npy header/,
    },
    'an unknown flag': { args: () => ['certify', ...quiet, `--${evil}`], message: /unknown option/ },
  };
  it.each(Object.entries(cases))('%s', async (_, c) => {
    const { status, stderr } = await runCli(c.args());
    expect(status).toBe(2);
    expect(stderr).toMatch(/^flipcert: error: /);
    expect(stderr.split('\n')[0]).toMatch(c.message);
    expect(stderr).not.toMatch(UNSAFE);
    if (!/npy header/.test(_)) expect(stderr).toContain(shown);
  });
});

/** An .npy file of header text only (version 1.0), for header errors. */
function npyHeaderOnly(dict: string): Uint8Array {
  const text = dict + '\n';
  const bytes = Buffer.alloc(10 + Buffer.byteLength(text, 'latin1'));
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  bytes.writeUInt16LE(bytes.length - 10, 8);
  bytes.write(text, 10, 'latin1');
  return bytes;
}

describe('CLI outputs and version', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { status, stdout, stderr } = await runCli([flag]);
      expect([status, stdout, stderr]).toEqual([0, `${version}\n`, '']);
    }
  });

  it('--out - writes the JSON to stdout and the table to stderr; --out and --plot together write both', async () => {
    const piped = await runCli(['certify', ...npy, '--threads', '1', '--out', '-']);
    expect(piped.status).toBe(0);
    const result = JSON.parse(piped.stdout) as { points: unknown[]; summary: { nTest: number } };
    expect(result.points).toHaveLength(4);
    expect(piped.stderr).toMatch(/^flipcert: 12 train \/ 4 test points[\s\S]*EnsembleCert/);
    expect(piped.left).toEqual([]);
    const quietPiped = await runCli(['certify', ...quiet, '--out', '-']);
    expect(quietPiped.stderr).toBe('');
    expect(JSON.parse(quietPiped.stdout)).toHaveProperty('points');
    const files = await runCli(['certify', ...quiet, '--out', 'r.json', '--plot', 'p.svg']);
    expect(files.status).toBe(0);
    expect(files.left.sort()).toEqual(['p.svg', 'r.json']);
  });

  it('--threads above what can be used runs fewer, with a note on stderr (none with --quiet)', async () => {
    const asked = await runCli(['certify', ...npy, '--partitions', '3', '--threads', '64', '--out', 'r.json']);
    expect(asked.status).toBe(0);
    const used = (JSON.parse(readFileSync(join(asked.cwd, 'r.json'), 'utf8')) as { summary: { threads: number } }).summary.threads;
    expect(used).toBeLessThanOrEqual(3);
    expect(asked.stderr).toBe(`flipcert: note: --threads 64: ran ${used} (at most one per partition and per core)\n`);
    const quietly = await runCli(['certify', ...npy, '--partitions', '3', '--threads', '64', '--quiet']);
    expect([quietly.status, quietly.stderr]).toEqual([0, '']);
    const byDefault = await runCli(['certify', ...npy, '--partitions', '3']);
    expect(byDefault.stderr).toBe(''); // no note when --threads was not given
    // A single model runs on every core (a thread team on one shared memory): only the cores cap it.
    const single = await runCli(['certify', ...npy, '--threads', '64', '--out', 'r.json']);
    const ran = (JSON.parse(readFileSync(join(single.cwd, 'r.json'), 'utf8')) as { summary: { threads: number } }).summary.threads;
    expect(ran).toBe(availableParallelism());
    expect(single.stderr).toBe(`flipcert: note: --threads 64: ran ${ran} (at most one per core)\n`);
  });

  it('a test CSV with columns in another order and no label column gives the same predictions', async () => {
    const ordered = await runCli(['certify', ...quiet, '--out', '-']);
    const csv = await runCli(['certify', '--train', f.trainCsv, '--test', f.testCsvNoLabel, '--quiet', '--out', '-']);
    expect(csv.status).toBe(0);
    const a = JSON.parse(ordered.stdout) as { points: { prediction: number; radius: number }[] };
    const b = JSON.parse(csv.stdout) as { points: { prediction: number; radius: number; label: number | null }[]; summary: { accuracy: number | null } };
    expect(b.points.map((p) => [p.prediction, p.radius])).toEqual(a.points.map((p) => [p.prediction, p.radius]));
    expect(b.points.every((p) => p.label === null)).toBe(true);
    expect(b.summary.accuracy).toBeNull();
  });

  it('a reader that closes stdout early ends the run quietly', async () => {
    // `| true`: the reader is gone before the summary table is written.
    const script = `node ${CLI} certify ${npy.join(' ')} --threads 1 | true; echo "status \${PIPESTATUS[0]}" >&2`;
    const stderr = await new Promise<string>((done) => execFile('bash', ['-c', script], (_, __, err) => done(err)));
    expect(stderr).toBe('status 0\n');
  });
});

describe('CLI error messages', () => {
  it('translate API fields into flags, and data fields into the files that gave them', () => {
    const flags = flagMap({ 'train.y': '--train-y ty.npy', test: '--test t.csv' });
    const say = (message: string, field?: string) => translateMessage(new FlipcertError(message, 'EOPTION', { field }), flags);
    expect(say('options.partitions must be an integer ≥ 1, got 0', 'partitions')).toBe('--partitions must be an integer ≥ 1, got 0');
    expect(say('options.kernel.depth must be at most 1000, got 1001', 'kernel.depth')).toBe('--depth must be at most 1000, got 1001');
    expect(say('options.svmC is above the bound 0.5', 'svmC')).toBe('--svm-c is above the bound 0.5');
    expect(say('options.train.y: row 3 is 60000 (options.classes is 2)', 'train.y')).toBe('--train-y ty.npy: row 3 is 60000 (--classes is 2)');
    expect(say('options.test.x.data has 3 columns', 'test.x')).toBe('--test t.csv has 3 columns');
    expect(say('options.onProgress must be a function')).toBe('options.onProgress must be a function');
    expect(flagFor('blockSize', flags)).toBe('--block-size');
    expect(flagFor('kernel.wVar', flags)).toBe('--w-var');
  });

  it('status 2 for errors a user can fix, 70 and a short line for anything else; the stack only with FLIPCERT_DEBUG=1', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const debug = process.env.FLIPCERT_DEBUG;
    try {
      const context = { command: 'certify', flags: flagMap() };
      delete process.env.FLIPCERT_DEBUG;
      expect(reportError(new FlipcertError('options.reg must be > 0, got 0', 'EOPTION', { field: 'reg' }), context)).toBe(2);
      expect(written.splice(0)).toEqual(['flipcert: error: --reg must be > 0, got 0\n']);
      expect(reportError(new FlipcertError('--x is odd', 'EUSAGE'), context)).toBe(2);
      expect(written.splice(0)).toEqual(["flipcert: error: --x is odd\nRun 'flipcert certify --help' for usage.\n"]);
      expect(reportError(new TypeError("Cannot read properties of undefined (reading 'rows')"), context)).toBe(70);
      expect(written.splice(0)).toEqual([
        "flipcert: internal error: Cannot read properties of undefined (reading 'rows') (a bug in flipcert, please report it; FLIPCERT_DEBUG=1 shows the stack trace)\n",
      ]);
      expect(reportError(new FlipcertError('heap invariant broken', 'EINTERNAL'), context)).toBe(70);
      expect(written.splice(0).join('')).toMatch(/^flipcert: internal error: heap invariant broken \(a bug/);
      process.env.FLIPCERT_DEBUG = '1';
      expect(reportError(new Error('boom'), context)).toBe(70);
      expect(written.join('')).toMatch(/^flipcert: internal error: boom .*\nError: boom\n\s+at /);
    } finally {
      spy.mockRestore();
      if (debug === undefined) delete process.env.FLIPCERT_DEBUG;
      else process.env.FLIPCERT_DEBUG = debug;
    }
  });
});
