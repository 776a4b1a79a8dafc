// Bundles the TypeScript front (src/) with the compiled core (build/*.wasm,
// inlined as bytes) into dist/, then bundles the public type declarations.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { buildApp } from './build-app.mjs';

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  loader: { '.wasm': 'binary' },
  logLevel: 'warning',
};

rmSync('dist', { recursive: true, force: true });

// Node: dependencies stay external and are resolved from node_modules.
await build({
  ...common,
  platform: 'node',
  packages: 'external',
  entryPoints: existing({
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    worker: 'src/pool/worker.ts',
    lowlevel: 'src/lowlevel.ts',
  }),
  // No code splitting: the pool finds its worker as ./worker.js next to the
  // entry file, which a shared chunk in a subfolder would break.
  outdir: 'dist',
});

// Browsers, edge runtimes: one self-contained file, no Node built-ins, plus
// its Web Worker (loaded from next to it), also self-contained: no splitting.
const browserEntries = existing({ browser: 'src/browser.ts', 'browser-worker': 'src/pool/browser-worker.ts' });
if (Object.keys(browserEntries).length > 0) {
  await build({ ...common, platform: 'browser', entryPoints: browserEntries, outdir: 'dist' });
}

if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);

// ---- Web app: dist/app/ (scripts/build-app.mjs) ---------------------------
await buildApp();
// ---------------------------------------------------------------------------

if (existsSync('src/index.ts') && !process.argv.includes('--no-types')) {
  execFileSync(
    'npx',
    ['dts-bundle-generator', '--silent', '--no-check', '-o', 'dist/index.d.ts', 'src/index.ts'],
    { stdio: 'inherit' },
  );
}

function existing(entries) {
  return Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
}
