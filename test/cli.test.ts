// The bundled CLI end to end: same radii as the library, same JSON whatever the
// thread count, and clear errors with no output left behind on bad input.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { certify } from '../src/index.js';
import { ntkMatrix } from './reference.js';
import { readNpyMatrix } from '../src/data/npy.js';
import { clusters } from './support/clusters.js';


const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'flipcert-cli-'));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['dist/cli.js', ...args], { maxBuffer: 1 << 28 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function saveMatrix(name: string, rows: number[][]): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(dump(new Float64Array(rows.flat()), [rows.length, rows[0].length])));
  return path;
}

function saveLabels(name: string, labels: number[]): string {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(dump(new Int32Array(labels), [labels.length])));
  return path;
}

/** Two or three noisy clusters (wider than the default): a problem with a spread of radii. */
const problem = (seed: number, n: number, m: number, classes: number, d = 5) => clusters(seed, n, m, classes, d, 0.9);

/** The result without what describes the run rather than the certificates: time and threads used. */
function withoutTiming(json: string): unknown {
  const result = JSON.parse(json);
  delete result.summary.seconds;
  delete result.summary.threads;
  return result;
}

describe('flipcert certify (CLI)', () => {
  it.each([
    ['binary, 1,000 training points', 2, 1000],
    ['3 classes', 3, 300],
  ])('matches the library on a %s problem', async (_, classes, n) => {
    const { train, test } = problem(classes, n, 40, classes);
    const out = join(dir, `lib-${classes}.json`);
    const files = [
      '--train-x', saveMatrix(`tx${classes}.npy`, train.x),
      '--train-y', saveLabels(`ty${classes}.npy`, train.y),
      '--test-x', saveMatrix(`sx${classes}.npy`, test.x),
      '--test-y', saveLabels(`sy${classes}.npy`, test.y),
    ];
    const { code, stderr } = await cli('certify', ...files, '--out', out, '--quiet');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const fromCli = JSON.parse(readFileSync(out, 'utf8'));
    const fromLibrary = await certify({ train, test, threads: 1 });
    expect(fromCli.points.map((p: { radius: number }) => p.radius)).toEqual(fromLibrary.points.map((p) => p.radius));
    expect(fromCli.points.map((p: { prediction: number }) => p.prediction)).toEqual(
      fromLibrary.points.map((p) => p.prediction),
    );
    expect(new Set(fromLibrary.points.map((p) => p.radius)).size).toBeGreaterThan(3);
  });

  it('writes the same JSON with one and with two threads', async () => {
    const outs = [join(dir, 't1.json'), join(dir, 't2.json')];
    const common = ['certify', '--dataset', 'mnist', '--train-size', '1200', '--test-size', '60', '--partitions', '6', '--quiet'];
    const [one, two] = await Promise.all([
      cli(...common, '--threads', '1', '--out', outs[0]),
      cli(...common, '--threads', '2', '--out', outs[1]),
    ]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(withoutTiming(readFileSync(outs[0], 'utf8'))).toEqual(withoutTiming(readFileSync(outs[1], 'utf8')));
  });

  it('--profile prints the time split on stderr and leaves the JSON as without it', async () => {
    const outs = [join(dir, 'p0.json'), join(dir, 'p1.json')];
    // Large enough that each phase outlasts the granularity of the threads' CPU clocks (/proc/thread-self/schedstat is
    // brought up to date at scheduler ticks): with 600 rows the Gram phase sometimes read 0.00 s.
    const common = ['certify', '--dataset', 'mnist', '--train-size', '2400', '--test-size', '40', '--partitions', '4', '--threads', '2', '--quiet'];
    const [plain, profiled] = await Promise.all([cli(...common, '--out', outs[0]), cli(...common, '--profile', '--out', outs[1])]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    expect(profiled.code).toBe(0);
    expect(profiled.stderr).toMatch(/^flipcert: profile \(2 threads, 4 partition tasks\)/);
    const seconds = Object.fromEntries(
      [...profiled.stderr.matchAll(/^ {2}(\S.*?) {2,}([\d.]+)/gm)].map((m) => [m[1], Number(m[2])]),
    );
    for (const phase of ['Gram (dot products)', 'NTK recursion', 'Cholesky', 'triangular solves', 'certificates', 'aggregation', 'certify, wall']) {
      expect(seconds[phase], phase).toBeGreaterThanOrEqual(0);
    }
    expect(seconds['Gram (dot products)']).toBeGreaterThan(0);
    expect(seconds['total busy']).toBeGreaterThan(0);
    // Phases with counted flops show their rate beside the Gram kernel's, measured alone in the same process.
    for (const phase of ['Gram (dot products)', 'Cholesky', 'triangular solves']) {
      expect(profiled.stderr, phase).toMatch(new RegExp(`^ {2}${phase.replace(/[()]/g, '\\$&')} .* %\\s+\\d+\\.\\d\\d GFLOP/s \\(\\d+ % of the kernel alone\\)$`, 'm'));
    }
    expect(profiled.stderr).not.toMatch(/NTK recursion.*GFLOP/);
    expect(profiled.stderr).toMatch(/^ {2}Gram kernel alone, one thread, same process: \d+\.\d\d GFLOP\/s/m);
    // The run against its arithmetic: counted flops (test Gram 2·m·n·w, training Gram n²·w, Cholesky n³/3, solves
    // 2·m·n² per partition, w ≤ 784 the columns a partition keeps: src/kernel/columns.ts) lie between four equal
    // partitions' Cholesky and solves and one partition's whole count (each term is convex in n), and the printed
    // ratio is wall ÷ (flops at the kernel's rate on both threads).
    const bound = /^ {2}counted flops ([\d.]+) GFLOP: ([\d.]+) s at that rate on 2 threads; certify wall ÷ that = ([\d.]+)×$/m.exec(profiled.stderr);
    expect(bound).not.toBeNull();
    const count = (n: number, w: number) => 2 * 40 * n * w + n * n * w + (n * n * n) / 3 + 2 * 40 * n * n;
    expect(Number(bound![1]) * 1e9).toBeGreaterThanOrEqual(4 * count(600, 0) * (1 - 1e-3));
    expect(Number(bound![1]) * 1e9).toBeLessThanOrEqual(count(2400, 784));
    const rateAlone = Number(/same process: ([\d.]+) GFLOP/.exec(profiled.stderr)![1]);
    const expectedBound = Number(bound![1]) / (2 * rateAlone);
    expect(Math.abs(Number(bound![2]) - expectedBound)).toBeLessThanOrEqual(0.005 + 0.01 * expectedBound);
    // Relative: the printed figures are rounded to two decimals.
    expect(Math.abs(Number(bound![3]) * expectedBound - seconds['certify, wall'])).toBeLessThanOrEqual(0.01 + 0.05 * seconds['certify, wall']);
    expect(withoutTiming(readFileSync(outs[1], 'utf8'))).toEqual(withoutTiming(readFileSync(outs[0], 'utf8')));
    const shard = await cli('certify', '--dataset', 'mnist17', '--partitions', '4', '--shard', '0/2', '--out', join(dir, 's.fcshard'), '--profile');
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('--profile applies to whole runs');
  });

  it('--profile of a single model on a thread team: its phases and flops, and which clock timed them', async () => {
    const single = await cli('certify', '--dataset', 'mnist', '--train-size', '1500', '--test-size', '40', '--partitions', '1', '--threads', '2', '--quiet', '--profile', '--out', join(dir, 'team.json'));
    expect(single.code).toBe(0);
    expect(single.stderr).toMatch(/^flipcert: profile \(2 threads, 1 partition task\): seconds per phase on the threads that ran it \(their CPU time; the thread team's chunks: their busy wall time\)/);
    // A rate is printed only for a phase with both seconds and flops.
    for (const phase of ['Gram (dot products)', 'Cholesky', 'triangular solves']) {
      expect(single.stderr, phase).toMatch(new RegExp(`^ {2}${phase.replace(/[()]/g, '\\$&')} .* GFLOP/s`, 'm'));
    }
    const flops = Number(/^ {2}counted flops ([\d.]+) GFLOP/m.exec(single.stderr)![1]) * 1e9;
    // One partition of 1,500 rows: the test Gram and the solves exactly, the training Gram over the kept columns, and the
    // team's Cholesky between n³/3 and n³/3 plus its panel solves and diagonal blocks (n²·NB/2 + n·NB²/3 with NB ≤ 256).
    const n = 1500;
    expect(flops).toBeGreaterThan(2 * 40 * n * n + (n * n * n) / 3);
    expect(flops).toBeLessThan(2 * 40 * n * 784 + n * n * 784 + (n * n * n) / 3 + 2 * 40 * n * n + (n * n * 256) / 2 + (n * 256 * 256) / 3 + 1e8);
  });

  it('--witness with --partitions: every flip set, applied and certified again, changes the prediction', async () => {
    const { train, test } = problem(7, 240, 20, 4);
    const files = [
      '--train-x', saveMatrix('wtx.npy', train.x),
      '--train-y', saveLabels('wty.npy', train.y),
      '--test-x', saveMatrix('wsx.npy', test.x),
    ];
    const out = join(dir, 'witness.json');
    const { code, stderr } = await cli('certify', ...files, '--partitions', '5', '--witness', '--threads', '2', '--out', out, '--quiet');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const points = JSON.parse(readFileSync(out, 'utf8')).points as {
      prediction: number; upper: number; witnessVerified: boolean; witness: { train: number; from: number; to: number; partition: number }[];
    }[];
    let checked = 0;
    for (const [i, point] of points.entries()) {
      if (point.upper >= train.y.length) continue;
      expect(point.witnessVerified).toBe(true);
      expect(point.witness).toHaveLength(point.upper + 1);
      const y = train.y.slice();
      for (const f of point.witness) {
        expect(y[f.train]).toBe(f.from);
        y[f.train] = f.to;
      }
      const again = await certify({ train: { x: train.x, y }, test: { x: [test.x[i]] }, classes: 4, partitions: 5, threads: 1 });
      expect(again.points[0].prediction).not.toBe(point.prediction);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('prints a summary table and writes a plot', async () => {
    const plot = join(dir, 'curve.svg');
    const { code, stdout } = await cli(
      'certify', '--dataset', 'mnist17', '--train-size', '400', '--test-size', '50', '--partitions', '5', '--plot', plot,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/EnsembleCert/);
    expect(stdout).toMatch(/DPA/);
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
});

describe('flipcert certify (CLI) inputs', () => {
  const { train, test } = problem(11, 80, 12, 3);

  it('reads CSV files with a label column anywhere', async () => {
    const header = ['f0', 'f1', 'label', 'f2', 'f3', 'f4'];
    const csv = (set: { x: number[][]; y: number[] }) =>
      [header.join(','), ...set.x.map((r, i) => [r[0], r[1], set.y[i], ...r.slice(2)].join(','))].join('\n');
    writeFileSync(join(dir, 'train.csv'), csv(train));
    writeFileSync(join(dir, 'test.csv'), csv(test));
    const out = join(dir, 'csv.json');
    const { code } = await cli('certify', '--train', join(dir, 'train.csv'), '--test', join(dir, 'test.csv'), '--out', out, '--quiet');
    expect(code).toBe(0);
    const expected = await certify({ train, test, threads: 1 });
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.points.map((p: { radius: number }) => p.radius)).toEqual(expected.points.map((p) => p.radius));
    expect(got.summary.accuracy).toBe(expected.summary.accuracy);
  });

  it('takes explicit partition ids from a .npy file', async () => {
    const ids = train.y.map((_, i) => i % 4);
    const out = join(dir, 'ids.json');
    const { code } = await cli(
      'certify',
      '--train-x', saveMatrix('itx.npy', train.x),
      '--train-y', saveLabels('ity.npy', train.y),
      '--test-x', saveMatrix('isx.npy', test.x),
      '--partitions', '4',
      '--partitioning', saveLabels('ids.npy', ids),
      '--out', out,
      '--quiet',
    );
    expect(code).toBe(0);
    const expected = await certify({ train, test, partitions: 4, partitioning: ids, threads: 1 });
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.config.partitioning).toBe('ids');
    expect(got.points.map((p: { radius: number }) => p.radius)).toEqual(expected.points.map((p) => p.radius));
  });

  it('computes the NTK with `flipcert kernel`', async () => {
    const out = join(dir, 'K.npy');
    const x = saveMatrix('kx.npy', train.x.slice(0, 7));
    const y = saveMatrix('ky.npy', test.x.slice(0, 5));
    const { code, stderr } = await cli('kernel', '--x', x, '--y', y, '--depth', '3', '--b-var', '0.5', '--out', out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const K = await readNpyMatrix(out);
    const expected = ntkMatrix(train.x.slice(0, 7), test.x.slice(0, 5), { depth: 3, wVar: 2, bVar: 0.5 });
    expect([K.rows, K.cols]).toEqual([7, 5]);
    expected.flat().forEach((v, i) => expect(Math.abs(K.data[i] - v)).toBeLessThan(1e-12 * Math.abs(v)));
  });
});

describe('flipcert certify (CLI) on bad input', () => {
  const { train, test } = problem(7, 30, 5, 2);
  const good = () => [
    '--train-x', saveMatrix('gtx.npy', train.x),
    '--train-y', saveLabels('gty.npy', train.y),
    '--test-x', saveMatrix('gsx.npy', test.x),
  ];

  it.each([
    ['a missing file', ['--train-x', join(dir, 'nope.npy')], /nope\.npy/],
    ['NaN in the features', ['--train-x', saveMatrix('nan.npy', train.x.map((r, i) => (i === 4 ? [r[0], NaN, ...r.slice(2)] : r)))], /row 4.*NaN|NaN.*row 4/],
    ['labels out of range', ['--train-y', saveLabels('big.npy', train.y.map((y, i) => (i === 3 ? 7 : y))), '--classes', '2'], /row 3/],
    ['a label vector of the wrong length', ['--train-y', saveLabels('short.npy', train.y.slice(1))], /train-y|29|30/],
    ['one class only', ['--train-y', saveLabels('one.npy', train.y.map(() => 1))], /class/],
    ['a file that is not .npy', ['--test-x', (writeFileSync(join(dir, 'junk.npy'), 'not numpy'), join(dir, 'junk.npy'))], /junk\.npy/],
    ['test features of another width', ['--test-x', saveMatrix('wide.npy', test.x.map((r) => [...r, 1]))], /columns|shape|6/],
    ['non-integer labels', ['--train-y', (writeFileSync(join(dir, 'frac.npy'), new Uint8Array(dump(new Float64Array(train.y.map((y, i) => (i === 2 ? 0.5 : y))), [train.y.length]))), join(dir, 'frac.npy'))], /row 2/],
    // The library names API fields (options.reg); the CLI translates them to its flags.
    ['reg ≤ 0', ['--reg', '0'], /^flipcert: error: --reg must be a positive number, got 0$/m],
    ['depth < 1', ['--depth', '0'], /--depth/],
    ['SVM C above the small-C bound', ['--model', 'svm', '--svm-c', '10'], /^flipcert: error: --svm-c 10 is outside the small-C regime/m],
    ['an empty partition', ['--partitions', '15', '--train-size', '20'], /partition \d+ is empty|empty/i],
  ])('rejects %s with a clear message and no output', async (_, args, message) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    const base = good();
    for (let i = 0; i < args.length; i += 2) {
      const at = base.indexOf(args[i]);
      if (at >= 0) base.splice(at, 2);
    }
    const { code, stderr } = await cli('certify', ...base, ...args, '--out', out, '--quiet');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(existsSync(out)).toBe(false);
  });
});

// Beside the consistency checks above (CLI vs library, 1 vs 2 threads), one
// answer against an oracle that shares no code with flipcert: brute force over
// every label vector, re-solving the reference model each time.
it('certifies a tiny problem to the radii found by brute force', async () => {
  const { train, test } = problem(13, 10, 6, 2, 3);
  const out = join(dir, 'oracle.json');
  const { code } = await cli(
    'certify', '--train-x', saveMatrix('ox.npy', train.x), '--train-y', saveLabels('oy.npy', train.y),
    '--test-x', saveMatrix('osx.npy', test.x), '--out', out, '--quiet',
  );
  expect(code).toBe(0);
  const points = JSON.parse(readFileSync(out, 'utf8')).points as { radius: number; nearTie: boolean; exact: boolean }[];
  const { oracleRadii } = await import('./reference-cert.js');
  const { DEFAULT_KERNEL } = await import('./reference.js');
  const truth = oracleRadii(train.x, train.y, test.x, 2, { model: 'krr', reg: 1, kernel: DEFAULT_KERNEL });
  expect(points.map((p) => [p.radius, p.nearTie, p.exact])).toEqual(truth.map((r) => [r, false, true]));
  expect(new Set(truth).size).toBeGreaterThan(1);
});
