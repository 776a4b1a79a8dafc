// `flipcert validate` through the bundle (dist/cli.js): the table, the JSON and
// the SVG of a tiny run, written all or none; errors naming flags, with no output.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve('dist/cli.js');
const root = mkdtempSync(join(tmpdir(), 'flipcert-cli-validate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const point = (c: number, i: number) => [c * 2 + (i % 3) * 0.3, (c ? -1 : 1) + i * 0.15, 0.3 * ((i * 7) % 5)];
const csv = (rows: number[][], labels: number[]) => ['a,b,c,label', ...rows.map((r, i) => [...r, labels[i]].join(','))].join('\n') + '\n';
const trainX = Array.from({ length: 10 }, (_, i) => point(i % 2, i));
const testX = Array.from({ length: 4 }, (_, i) => point(i % 2, i + 20));
writeFileSync(join(root, 'train.csv'), csv(trainX, trainX.map((_, i) => (i === 3 ? 0 : i % 2))));
writeFileSync(join(root, 'test.csv'), csv(testX, testX.map((_, i) => i % 2)));
const data = ['--train', join(root, 'train.csv'), '--test', join(root, 'test.csv')];

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'validate', ...args], { cwd: root }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('flipcert validate', () => {
  it('prints the table and writes the JSON and the SVG', async () => {
    const out = join(root, 'v.json');
    const plot = join(root, 'v.svg');
    const run = await cli([...data, '--widths', '8,16', '--seeds', '2', '--reg', '0.5', '--threads', '2', '--out', out, '--plot', plot]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.config.source).toEqual({ train: join(root, 'train.csv'), test: join(root, 'test.csv') });
    expect(json.widths.map((w: { width: number }) => w.width)).toEqual([8, 16]);
    expect(json.points).toHaveLength(2 * 2 * 4);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^flipcert validate: 10 train \/ 4 test points, 2 classes, depth 2, 2 seeds per width, [\d.]+ s$/);
    const header = lines.findIndex((l) => /width\s+kernel error\s+agreement\s+score error\s+tightness\s+violations/.test(l));
    expect(header).toBeGreaterThan(0);
    for (const [k, w] of json.widths.entries()) {
      const row = lines[header + 1 + k];
      expect(row.trim().startsWith(String(w.width))).toBe(true);
      expect(row).toContain(`${w.violations} / ${w.attacks}`);
      expect(row).toContain(w.kernelError.mean.toFixed(3));
    }
    const svg = readFileSync(plot, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const label of ['agreement', 'tightness', 'violations', 'attacks of radius flips', 'hidden width (log scale)']) expect(svg).toContain(label);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("uses the README example's sizes on the built-in data without sizes, and records --step-tol", async () => {
    const out = join(root, 'sizes.json');
    const run = await cli(['--widths', '4', '--seeds', '1', '--step-tol', '0.05', '--out', out, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.config).toMatchObject({ nTrain: 200, nTest: 20, stepTol: 0.05, source: { dataset: 'mnist17' } });
    const sized = join(root, 'sized.json');
    expect((await cli(['--dataset', 'mnist17', '--train-size', '30', '--test-size', '3', '--widths', '4', '--seeds', '1', '--out', sized, '--quiet'])).code).toBe(0);
    expect(JSON.parse(readFileSync(sized, 'utf8')).config).toMatchObject({ nTrain: 30, nTest: 3, stepTol: 0.01 });
  });

  it.each([
    [['--model', 'svm'], /^flipcert: error: --model 'svm' is not supported by validate: .* use --model krr$/],
    [['--partitions', '3'], /^flipcert: error: --partitions 3 is not supported by validate: .* use --partitions 1$/],
    [['--widths', '8,8'], /^flipcert: error: --widths lists 8 twice; give each width once$/],
    [['--reg', '0'], /^flipcert: error: --reg must be a positive number, got 0$/],
  ])('%j: one error line naming the flag, exit 2, no output', async (args, message) => {
    const out = join(root, 'never.json');
    const run = await cli([...data, ...args, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['--widths', '8,x'], /--widths must be comma-separated integers ≥ 1/],
    [['--seeds', '0'], /--seeds must be an integer ≥ 1/],
    [['--plot', 'v.png'], /--plot v.png: the file is written as SVG/],
  ])('%j: a usage error with a hint', async (args, message) => {
    const run = await cli([...data, ...args]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toBe("Run 'flipcert validate --help' for usage.");
  });

  it('shows progress on a terminal, and Ctrl-C stops it with status 130, the cursor back and no output', () => {
    const out = join(root, 'interrupted.json');
    const reply = execFileSync('python3', [
      resolve('test/support/pty-run.py'),
      ' [1-9][0-9]*/[0-9]+ network trainings \\| elapsed',
      'ctrl-c',
      process.execPath, CLI, 'validate', '--dataset', 'mnist17', '--train-size', '60', '--test-size', '8', '--widths', '32,64', '--out', out,
    ], { encoding: 'utf8' });
    const { status, seen, output } = JSON.parse(reply) as { status: number; seen: boolean; output: string };
    expect(seen).toBe(true);
    expect(status).toBe(130);
    expect(output).toMatch(/validating \|.*\| 0\/\d+ network trainings/);
    expect(output.endsWith('\x1b[?25h\x1b[?7h')).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
