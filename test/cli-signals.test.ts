// Interrupting the CLI: Ctrl-C and SIGTERM on a terminal restore the cursor and
// line wrap that the progress bar turned off, exit 130 / 143, and leave no
// output or temporary file, also when the kill lands in the final write.
// Terminal runs go through test/support/pty-run.py (a real pseudo-terminal).
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'npyjs';

const CLI = resolve('dist/cli.js');
const PTY = resolve('test/support/pty-run.py');
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
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    clearInterval(poll);
    expect(caught).toMatch(/^\.K\.npy\.[0-9a-f]+\.tmp$/); // the kill came while the temporary file existed
    expect(code).toBe(status);
    expect(stderr).toBe('');
    expect(readdirSync(cwd)).toEqual([]); // neither K.npy (never renamed) nor the temporary file
  });
});
