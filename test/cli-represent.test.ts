// `flipcert represent` and `--represent` through the bundled CLI (docs/spec.md §13):
// certify on the files `represent` writes (with its partition ids) gives exactly
// the certificates of `certify --represent`; labels are refused; shards record
// the representation and merge refuses shards of another one.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { loadMnist } from '../src/data/mnist.js';
import { readNpyLabels, readNpyMatrix } from '../src/data/npy.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'flipcert-represent-'));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['dist/cli.js', ...args], { maxBuffer: 1 << 28 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const SPEC = 'scattering+log+pca:dims=20+spectral:dims=4,neighbors=8,scale=5';
const SIZES = ['--train-size', '400', '--test-size', '60'];
const file = (name: string) => join(dir, name);

describe('flipcert represent', () => {
  it('writes files on which certify gives exactly the certificates of certify --represent', async () => {
    const made = await cli(['represent', '--dataset', 'mnist17', ...SIZES, '--represent', SPEC, '--train-out', file('t.npy'), '--test-out', file('s.npy'),
      '--partitions', '7', '--ids-out', file('ids.npy')]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^flipcert: scattering:J=2,L=8,order=1\+log\+pca:dims=20,whiten=true\+spectral:dims=4,neighbors=8,scale=5: 400 training and 60 test rows → 4 dimensions in [\d.]+ s\n$/);
    const train = await readNpyMatrix(file('t.npy'));
    expect([train.rows, train.cols]).toEqual([400, 4]);
    expect((await readNpyLabels(file('ids.npy'))).length).toBe(400);

    const data = await loadMnist('mnist17', { trainSize: 400, testSize: 60 });
    writeFileSync(file('ty.npy'), new Uint8Array(dump(data.train.y, [400])));
    writeFileSync(file('sy.npy'), new Uint8Array(dump(data.test.y!, [60])));
    const direct = await cli(['certify', '--dataset', 'mnist17', ...SIZES, '--represent', SPEC, '--partitions', '7', '--reg', '0.5', '--quiet', '--out', file('direct.json')]);
    expect(direct.code, direct.stderr).toBe(0);
    const viaFiles = await cli(['certify', '--train-x', file('t.npy'), '--train-y', file('ty.npy'), '--test-x', file('s.npy'), '--test-y', file('sy.npy'),
      '--partitioning', file('ids.npy'), '--partitions', '7', '--reg', '0.5', '--quiet', '--out', file('files.json')]);
    expect(viaFiles.code, viaFiles.stderr).toBe(0);
    const a = JSON.parse(readFileSync(file('direct.json'), 'utf8'));
    const b = JSON.parse(readFileSync(file('files.json'), 'utf8'));
    expect(a.config.represent).toBe('scattering:J=2,L=8,order=1+log+pca:dims=20,whiten=true+spectral:dims=4,neighbors=8,scale=5');
    expect(a.config.imageShape).toEqual([28, 28, 1]);
    expect(b.config.represent).toBeNull();
    expect(a.points).toEqual(b.points);
    expect({ ...a.summary, seconds: 0 }).toEqual({ ...b.summary, seconds: 0 });
    expect(a.summary.accuracy).toBeGreaterThan(0.9);
  });

  it('refuses labels, and options that make no sense, with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--train-x', file('t.npy'), '--train-y', file('ty.npy'), '--represent', 'pca', '--train-out', file('x.npy')], /^flipcert: error: --train-y: represent never reads labels/],
      [['--dataset', 'mnist17', '--represent', 'pca'], /needs --train-out and\/or --test-out/],
      [['--dataset', 'mnist17', '--represent', 'pca', '--train-out', file('x.npy'), '--partitions', '3'], /--ids-out and --partitions go together/],
      [['--dataset', 'mnist17', ...SIZES, '--represent', 'pca:dim=3', '--train-out', file('x.npy')], /--represent: pca: "dim=3" is not a parameter \(dims=, whiten=\)/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(['represent', ...args]);
      expect(code).toBe(2);
      expect(stderr.trimEnd().split('\n')[0]).toMatch(message);
      expect(existsSync(file('x.npy'))).toBe(false);
    }
  });

  it('shards carry the representation; merge refuses a shard of another one', async () => {
    const shard = (spec: string, i: number) =>
      cli(['certify', '--dataset', 'mnist17', '--train-size', '200', '--test-size', '20', '--represent', spec, '--partitions', '4', '--shard', `${i}/2`, '--quiet',
        '--out', file(`${spec.replace(/\W/g, '')}-${i}.fcshard`)]);
    const a = 'scattering+log+pca:dims=10';
    const b = 'scattering+log+pca:dims=12';
    for (const [spec, i] of [[a, 0], [a, 1], [b, 1]] as const) expect((await shard(spec, i)).code).toBe(0);
    const merged = await cli(['merge', file(`${a.replace(/\W/g, '')}-0.fcshard`), file(`${a.replace(/\W/g, '')}-1.fcshard`), '--quiet', '--out', file('merged.json')]);
    expect(merged.code, merged.stderr).toBe(0);
    const direct = await cli(['certify', '--dataset', 'mnist17', '--train-size', '200', '--test-size', '20', '--represent', a, '--partitions', '4', '--quiet', '--out', file('whole.json')]);
    expect(direct.code).toBe(0);
    const m = JSON.parse(readFileSync(file('merged.json'), 'utf8'));
    const w = JSON.parse(readFileSync(file('whole.json'), 'utf8'));
    expect(m.config.represent).toBe('scattering:J=2,L=8,order=1+log+pca:dims=10,whiten=true');
    expect(m.points).toEqual(w.points);
    const refused = await cli(['merge', file(`${a.replace(/\W/g, '')}-0.fcshard`), file(`${b.replace(/\W/g, '')}-1.fcshard`), '--out', file('bad.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/its settings differ \(.*represent scattering:J=2,L=8,order=1\+log\+pca:dims=12,whiten=true vs .*dims=10/);
    expect(existsSync(file('bad.json'))).toBe(false);
  });
});
