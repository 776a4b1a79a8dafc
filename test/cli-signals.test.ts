// Interrupting the CLI: Ctrl-C and SIGTERM on a terminal restore the cursor and
// line wrap that the progress bar turned off, end the process by the signal (a
// shell sees 130 / 143), and leave no output or temporary file, also when the
// kill lands in the final write, at the very moment a temporary file is being
// created, at random moments, or while a thread of Node's pool is stuck in a
// FIFO no one writes to. Terminal runs go through test/support/pty-run.py (a real
// pseudo-terminal); the worst moments are made by preloaded helpers
// (test/support/signal-on-temp.cjs, block-pool.cjs) that only send the signal or
// block a thread, the CLI itself running unchanged.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'npyjs';

const CLI = resolve('dist/cli.js');
const PTY = resolve('test/support/pty-run.py');
const SIGNAL_ON_TEMP = resolve('test/support/signal-on-temp.cjs');
const BLOCK_POOL = resolve('test/support/block-pool.cjs');
const root = mkdtempSync(join(tmpdir(), 'flipcert-cli-signals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HIDE_CURSOR = '\x1b[?25l';
const NO_WRAP = '\x1b[?7l';
const SHOW_CURSOR = '\x1b[?25h';
const WRAP = '\x1b[?7h';

let counter = 0;
function freshDir(): string {
  const dir = join(root, `run-${counter++}`);
  mkdirSync(dir);
  return dir;
}

interface PtyOutcome {
  status: number;
  seen: boolean;
  output: string;
}

/** Runs the CLI on a pseudo-terminal; once its output matches `waitFor`, performs `action`. */
function onTerminal(cwd: string, waitFor: string, action: 'ctrl-c' | 'sigterm', args: string[]): Promise<PtyOutcome> {
  return new Promise((done, fail) => {
    execFile('python3', [PTY, waitFor, action, 'node', CLI, ...args], { cwd, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`pty-run failed: ${stderr}`));
      else done(JSON.parse(stdout) as PtyOutcome);
    });
  });
}

/** Long enough to be interrupted (seconds of work), short to start. */
const singleModel = ['certify', '--dataset', 'mnist17', '--train-size', '3000', '--test-size', '2000', '--block-size', '20', '--threads', '1'];
const ensemble = ['certify', '--dataset', 'mnist17', '--train-size', '6000', '--test-size', '2000', '--partitions', '20', '--threads', '2'];

describe('CLI on a terminal, interrupted', () => {
  it.each([
    ['Ctrl-C during a single model on one thread', 'ctrl-c', singleModel, 130],
    ['SIGTERM during an ensemble on two threads', 'sigterm', ensemble, 143],
  ] as const)('%s: terminal restored, status for the signal, nothing written', async (_, action, args, status) => {
    const cwd = freshDir();
    const run = await onTerminal(cwd, 'certifying \\|', action, [...args, '--out', 'r.json', '--plot', 'p.svg']);
    expect(run.seen).toBe(true); // the progress bar was up when the signal came
    expect(run.status).toBe(status);
    const hidden = run.output.indexOf(HIDE_CURSOR);
    expect(hidden).toBeGreaterThanOrEqual(0);
    expect(run.output.indexOf(NO_WRAP)).toBeGreaterThanOrEqual(0);
    // Both are turned back on after the bar turned them off, and nothing turns them off again.
    const shown = run.output.lastIndexOf(SHOW_CURSOR);
    const wrapped = run.output.lastIndexOf(WRAP);
    expect(shown).toBeGreaterThan(run.output.lastIndexOf(HIDE_CURSOR));
    expect(wrapped).toBeGreaterThan(run.output.lastIndexOf(NO_WRAP));
    expect(run.output).not.toMatch(/error|at .*\.js:\d+/);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('CLI killed during its final write', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: no output and no temporary file left', async (signal, status) => {
    const cwd = freshDir();
    // A 4,000 × 4,000 float64 kernel: 128 MB to write and flush, long enough to be caught mid-write.
    const rows = 4000;
    const x = new Float64Array(rows * 2).map((_, i) => ((i * 7919) % 1000) / 1000);
    writeFileSync(join(root, `kx-${signal}.npy`), new Uint8Array(dump(x, [rows, 2])));
    const child = spawn('node', [CLI, 'kernel', '--x', join(root, `kx-${signal}.npy`), '--out', 'K.npy'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let caught: string | undefined;
    const poll = setInterval(() => {
      caught ??= readdirSync(cwd).find((name) => name.endsWith('.tmp'));
      if (caught !== undefined) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 2);
    const ended = await exited(child);
    clearInterval(poll);
    expect(caught).toMatch(/^\.K\.npy\.[0-9a-f]+\.tmp$/); // the kill came while the temporary file existed
    expect(ended).toEqual({ status, signal });
    expect(stderr).toBe('');
    expect(readdirSync(cwd)).toEqual([]); // neither K.npy (never renamed) nor the temporary file
  });
});

/** How a child ended, as a shell reports it (128 + the signal's number when a signal ended it). */
function exited(child: ReturnType<typeof spawn>): Promise<{ status: number; signal: NodeJS.Signals | null }> {
  return new Promise((done) => {
    child.on('exit', (code, signal) => done({ status: code ?? 128 + constants.signals[signal!], signal }));
  });
}

/** A kernel input of `rows` rows × 2 columns. */
function kernelInput(name: string, rows: number): string {
  const path = join(root, name);
  const x = new Float64Array(rows * 2).map((_, i) => ((i * 7919) % 1000) / 1000);
  writeFileSync(path, new Uint8Array(dump(x, [rows, 2])));
  return path;
}

const tiny = {
  tx: join(root, 'tiny-tx.npy'),
  ty: join(root, 'tiny-ty.npy'),
  sx: join(root, 'tiny-sx.npy'),
  sy: join(root, 'tiny-sy.npy'),
};
{
  const rows = Array.from({ length: 30 }, (_, i) => [(i % 2) * 3 + (i % 5) * 0.1, (i % 3) * 0.2]);
  writeFileSync(tiny.tx, new Uint8Array(dump(new Float64Array(rows.flat()), [30, 2])));
  writeFileSync(tiny.ty, new Uint8Array(dump(new Int32Array(rows.map((_, i) => i % 2)), [30])));
  writeFileSync(tiny.sx, new Uint8Array(dump(new Float64Array(rows.slice(0, 8).flat()), [8, 2])));
  writeFileSync(tiny.sy, new Uint8Array(dump(new Int32Array(rows.slice(0, 8).map((_, i) => i % 2)), [8])));
}
const tinyCertify = ['certify', '--train-x', tiny.tx, '--train-y', tiny.ty, '--test-x', tiny.sx, '--test-y', tiny.sy, '--threads', '1'];

describe('a signal at the moment a temporary file is being created', () => {
  // Before the fix the file was registered for removal only once its creation had
  // returned; a signal in between (or an exit that let the pending creation
  // finish) left `.r.json.<hex>.tmp` behind.
  it.each([
    ['kernel, its one output', ['kernel', '--x', tiny.tx, '--out', 'K.npy'], 1, 'SIGTERM'],
    ['certify --witness, the first of --plot and --out', [...tinyCertify, '--quiet', '--partitions', '3', '--witness', '--plot', 'r.svg', '--out', 'r.json'], 1, 'SIGINT'],
    ['certify --witness, the second of --plot and --out', [...tinyCertify, '--quiet', '--partitions', '3', '--witness', '--plot', 'r.svg', '--out', 'r.json'], 2, 'SIGTERM'],
  ] as const)('%s: no file left, the status of the signal', async (_, args, at, signal) => {
    const cwd = freshDir();
    const child = spawn('node', [CLI, ...args], {
      cwd,
      stdio: 'ignore',
      env: { ...process.env, NODE_OPTIONS: `--require ${SIGNAL_ON_TEMP}`, FLIPCERT_TEST_SIGNAL: signal, FLIPCERT_TEST_AT: String(at) },
    });
    const ended = await exited(child);
    expect(readdirSync(cwd)).toEqual([]);
    expect(ended).toEqual({ status: signal === 'SIGINT' ? 130 : 143, signal });
  });
});

describe('signals at random moments of a run that writes its outputs', () => {
  it('leaves no temporary file, and its outputs all or none, whenever the signal lands', async () => {
    const x = kernelInput('kx-random.npy', 1500); // an 18 MB kernel, written and flushed
    const runs: string[] = [];
    // How long an uninterrupted run takes here, to spread the signals over it.
    const started = performance.now();
    const whole = spawnSync('node', [CLI, 'kernel', '--x', x, '--out', join(freshDir(), 'K.npy')]);
    expect(whole.status).toBe(0);
    const span = performance.now() - started;
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let interrupted = 0;
    for (let i = 0; i < 10; i++) {
      const cwd = freshDir();
      const signal = i % 2 === 0 ? 'SIGINT' : 'SIGTERM';
      const child = spawn('node', [CLI, 'kernel', '--x', x, '--out', 'K.npy'], { cwd, stdio: 'ignore' });
      const delay = random() * span;
      const timer = setTimeout(() => child.kill(signal), delay);
      const ended = await exited(child);
      clearTimeout(timer);
      const left = readdirSync(cwd);
      runs.push(`${signal} at ${delay.toFixed(0)} ms: ${JSON.stringify(ended)} ${left.join(' ')}`);
      expect(left.filter((name) => name.endsWith('.tmp')), runs.at(-1)).toEqual([]);
      if (ended.signal === null) {
        expect(ended.status, runs.at(-1)).toBe(0);
        expect(left).toEqual(['K.npy']);
      } else {
        interrupted++;
        expect(ended.status, runs.at(-1)).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(left.length === 0 || left[0] === 'K.npy', runs.at(-1)).toBe(true);
      }
      // A K.npy present is whole: the rename comes only after the flush.
      if (left.includes('K.npy')) expect(readFileSync(join(cwd, 'K.npy')).length, runs.at(-1)).toBe(128 + 1500 * 1500 * 8);
    }
    expect(interrupted, runs.join('\n')).toBeGreaterThan(0);
  });
});

describe('a run held up by a named pipe', () => {
  it('--train-x naming a FIFO is one error line at once, exit 2, whether or not anyone writes to it', () => {
    const cwd = freshDir();
    expect(spawnSync('mkfifo', [join(cwd, 'in.fifo')]).status).toBe(0);
    const run = spawnSync('node', [CLI, 'certify', '--train-x', 'in.fifo', '--train-y', tiny.ty, '--test-x', tiny.sx, '--quiet'], { cwd, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    expect(run.signal).toBeNull(); // not killed by the timeout: it did not wait for a writer
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('flipcert: error: --train-x in.fifo: is a named pipe (FIFO), not a regular file; save the data to a file and give its name\n');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s ends a process whose thread pool is stuck in a FIFO open, at once', async (signal, status) => {
    // process.exit() would first wait for the pool's threads, one of which never returns.
    const cwd = freshDir();
    expect(spawnSync('mkfifo', [join(cwd, 'stuck.fifo')]).status).toBe(0);
    const child = spawn('node', [CLI, ...tinyCertify], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, NODE_OPTIONS: `--require ${BLOCK_POOL}`, FLIPCERT_TEST_FIFO: join(cwd, 'stuck.fifo') },
    });
    // Its work done (the table printed), the process is alive only for the stuck open.
    await new Promise<void>((done) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('EnsembleCert') && done()));
    const ending = exited(child);
    child.kill(signal);
    const late = setTimeout(() => child.kill('SIGKILL'), 10_000); // what a hang would need
    const ended = await ending;
    clearTimeout(late);
    expect(ended).toEqual({ status, signal });
    expect(readdirSync(cwd)).toEqual(['stuck.fifo']);
  });
});
