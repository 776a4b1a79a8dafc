// Global setup (once per vitest run): the CLI and browser tests run the bundles
// in dist/, so rebuild them when any source is newer, and the Wasm core when an
// assembly/ file is newer than it. A test never runs against a stale build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export default function setup(): void {
  // The shared target is only the oracle of test/team.test.ts (the bundles make it from the release bytes).
  const core = ['build/flipcert.wasm', 'build/flipcert.shared.wasm'];
  if (Math.min(...core.map(mtime)) <= newest(['assembly'], ['asconfig.json'])) {
    for (const target of ['release', 'shared']) execFileSync('npx', ['asc', 'assembly/index.ts', '--target', target], { stdio: 'inherit' });
  }
  const bundles = [
    'dist/cli.js', 'dist/index.js', 'dist/index.cjs', 'dist/lowlevel.js',
    'dist/browser.js', 'dist/browser-worker.js', 'dist/flipcert.wasm', 'dist/app/app.js',
  ];
  const oldestBundle = Math.min(...bundles.map(mtime));
  const scripts = ['scripts/build.mjs', 'scripts/build-app.mjs', 'scripts/worker-source.mjs'];
  if (oldestBundle <= newest(['src'], ['build/flipcert.wasm', ...scripts])) {
    execFileSync('node', ['scripts/build.mjs', '--no-types'], { stdio: 'inherit' });
  }
}

function newest(dirs: string[], files: string[]): number {
  const inDirs = dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => mtime(join(dir, f))),
  );
  return Math.max(...inDirs, ...files.map(mtime));
}

/** Modification time in ms; −∞ for a missing file, so that it counts as stale. */
function mtime(path: string): number {
  return existsSync(path) ? statSync(path).mtimeMs : -Infinity;
}
