// What an output name may replace (src/data/output-target.ts, src/data/atomic.ts):
// outputs are written to a temporary sibling and renamed over their name, and a
// rename replaces whatever node has that name. So a named pipe, a device (a copy
// of /dev/null or /dev/full), a link to /proc/self/fd/1 that leads to one, or a
// read-only file is refused with one line before any work, and left as it was;
// a link to a regular file is written through (the link stays). Names: a legal
// 245-byte name works (the temporary name is shortened to fit NAME_MAX), a
// 300-byte one is one error line. Standard output on a full disk is one line too,
// and a part above 2 GiB is written (Node refuses one write() that large).
import { execFile, spawnSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'npyjs';
import { tempPath, writeAll, writeFilesAtomic } from '../src/data/atomic.js';
import { FlipcertError } from '../src/errors.js';
import { checkRoom } from '../src/cli/outputs.js';

const CLI = resolve('dist/cli.js');
const root = mkdtempSync(join(tmpdir(), 'flipcert-cli-outputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const inputs = join(root, 'in');
mkdirSync(inputs);
const point = (c: number, i: number) => [c * 4 + (i % 3) * 0.1, (c ? -1 : 1) + i * 0.05, 0.3 * ((i * 7) % 5)];
const save = (name: string, bytes: ArrayBuffer) => {
  writeFileSync(join(inputs, name), new Uint8Array(bytes));
  return join(inputs, name);
};
const trainX = Array.from({ length: 12 }, (_, i) => point(i % 2, i));
const npy = [
  '--train-x', save('tx.npy', dump(new Float64Array(trainX.flat()), [12, 3])),
  '--train-y', save('ty.npy', dump(new Int32Array(trainX.map((_, i) => i % 2)), [12])),
  '--test-x', save('sx.npy', dump(new Float64Array(trainX.slice(0, 4).flat()), [4, 3])),
  '--test-y', save('sy.npy', dump(new Int32Array([0, 1, 0, 1]), [4])),
  '--quiet', '--threads', '1',
];

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

let counter = 0;
function freshDir(): string {
  const dir = join(root, `run-${counter++}`);
  mkdirSync(dir);
  return dir;
}

function run(cwd: string, args: string[], shell?: string): Promise<Outcome> {
  return new Promise((done) => {
    const [file, argv] = shell === undefined ? ['node', [CLI, ...args]] : ['bash', ['-c', shell]];
    execFile(file, argv, { cwd, env: { ...process.env, FLIPCERT_DEBUG: '' }, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** What a node is, for checking that it was left as it was. */
function describeNode(path: string): string {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return `link → ${readlinkSync(path)}`;
  if (stat.isFIFO()) return 'fifo';
  if (stat.isCharacterDevice()) return `char ${stat.rdev}`;
  return `file ${stat.mode & 0o777} ${readFileSync(path, 'utf8')}`;
}

const mknod = (path: string, source: string) => spawnSync('mknod', [path, 'c', ...(spawnSync('stat', ['-c', '%t %T', source], { encoding: 'utf8' }).stdout.trim().split(' ').map((h) => String(parseInt(h, 16))))]).status === 0;

describe('--out onto what a rename would destroy: refused with one line before any work, left as it was', () => {
  const cases: [string, (dir: string) => boolean, RegExp][] = [
    ['a named pipe', (dir) => spawnSync('mkfifo', [join(dir, 'r.json')]).status === 0, /is a named pipe \(FIFO\), not a regular file/],
    ['a copy of /dev/null', (dir) => mknod(join(dir, 'r.json'), '/dev/null'), /is a character device, not a regular file/],
    ['a copy of /dev/full', (dir) => mknod(join(dir, 'r.json'), '/dev/full'), /is a character device, not a regular file/],
    ['a link to /proc/self/fd/1 (a pipe or socket here)', (dir) => (symlinkSync('/proc/self/fd/1', join(dir, 'r.json')), true), /is a (named pipe \(FIFO\)|socket) \(through a symbolic link\)/],
    ['a link to a missing file', (dir) => (symlinkSync('nowhere.json', join(dir, 'r.json')), true), /is a symbolic link to a file that does not exist/],
    ['a read-only file', (dir) => (writeFileSync(join(dir, 'r.json'), 'keep me'), chmodSync(join(dir, 'r.json'), 0o444), true), /is read-only; make it writable/],
  ];
  it.each(cases)('%s', async (_, make, message) => {
    const cwd = freshDir();
    if (!make(cwd)) return; // mknod needs root; the other cases run everywhere
    const before = describeNode(join(cwd, 'r.json'));
    for (const command of [['certify', ...npy, '--out', 'r.json'], ['kernel', '--x', npy[1], '--out', 'r.json']]) {
      const { status, stdout, stderr } = await run(cwd, command);
      expect(status).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^flipcert: error: --out r\.json: [^\n]*\n$/);
      expect(stderr).toMatch(message);
      expect(describeNode(join(cwd, 'r.json'))).toBe(before);
      expect(readdirSync(cwd)).toEqual(['r.json']);
    }
  });

  it('a link to a regular file is written through: the file gets the result, the link stays', async () => {
    const cwd = freshDir();
    writeFileSync(join(cwd, 'real.json'), 'old');
    symlinkSync('real.json', join(cwd, 'r.json'));
    const { status, stderr } = await run(cwd, ['certify', ...npy, '--out', 'r.json']);
    expect([status, stderr]).toEqual([0, '']);
    expect(describeNode(join(cwd, 'r.json'))).toBe('link → real.json');
    expect(JSON.parse(readFileSync(join(cwd, 'real.json'), 'utf8'))).toHaveProperty('points');
    expect(readdirSync(cwd).sort()).toEqual(['r.json', 'real.json']);
  });
});

describe('output names', () => {
  it('a legal 245-byte name works: its temporary name is shortened to fit NAME_MAX', async () => {
    const cwd = freshDir();
    const name = `${'é'.repeat(120)}.json`; // 245 bytes in UTF-8
    expect(Buffer.byteLength(name)).toBe(245);
    const { status, stderr } = await run(cwd, ['certify', ...npy, '--out', name, '--plot', 'p.svg']);
    expect([status, stderr]).toEqual([0, '']);
    expect(readdirSync(cwd).sort()).toEqual([name, 'p.svg'].sort());
    expect(JSON.parse(readFileSync(join(cwd, name), 'utf8'))).toHaveProperty('points');
    for (const target of [join(cwd, name), join(cwd, 'x'.repeat(255)), join(cwd, '✓'.repeat(85))]) {
      const temp = tempPath(target);
      expect(Buffer.byteLength(temp.slice(cwd.length + 1))).toBeLessThanOrEqual(255);
      expect(temp).toMatch(/\/\.[^/]+\.[0-9a-f]{12}\.tmp$/);
    }
  });

  it('a 300-byte name is one error line, exit 2, before any work', async () => {
    const cwd = freshDir();
    const name = `${'b'.repeat(295)}.json`;
    const { status, stdout, stderr } = await run(cwd, ['certify', ...npy, '--out', name]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`flipcert: error: --out ${name}: cannot write (ENAMETOOLONG: name too long for the file system)\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('writing', () => {
  it('--out - onto a full device: one error line, exit 2', async () => {
    const cwd = freshDir();
    const { status, stdout, stderr } = await run(cwd, [], `node ${CLI} certify ${npy.join(' ')} --out - > /dev/full`);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('flipcert: error: standard output: cannot write (ENOSPC: no space left on the device)\n');
  });

  it('a failure writing the second output removes the first: all or none', async () => {
    const dir = freshDir();
    const error = await writeFilesAtomic([
      { path: join(dir, 'a.json'), parts: ['{}'] },
      { path: join(dir, 'gone', 'b.json'), parts: ['{}'] },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlipcertError);
    expect((error as Error).message).toBe(`${join(dir, 'gone', 'b.json')}: cannot write (ENOENT: its folder does not exist)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an output whose size is known up front is checked against the free space before the work', () => {
    const dir = freshDir();
    expect(() => checkRoom('--out', join(dir, 'K.npy'), 1e18)).toThrow(/^--out .*K\.npy: needs 1000000000\.0 GB, and its file system has [\d.]+ (GB|MB|bytes) free$/);
    expect(() => checkRoom('--out', join(dir, 'K.npy'), 1000)).not.toThrow();
  });

  it('a part above 2 GiB is written whole, in chunks (one write() of it would be refused)', async () => {
    // /dev/null takes the bytes without reading them, so the zero-filled buffer is never touched.
    const part = new Uint8Array(2 ** 31 + 4096);
    const fd = openSync('/dev/null', 'w');
    try {
      await writeAll(fd, part, 0);
    } finally {
      closeSync(fd);
    }
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});
