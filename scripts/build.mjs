// Bundles the TypeScript front (src/) with the compiled core (build/flipcert.wasm,
// inlined deflated: scripts/core-bytes.mjs) into dist/, then bundles the public type declarations.
// Each library bundle carries its worker's code as text (scripts/worker-source.mjs),
// so no bundle ever looks for a file next to itself: they can be re-bundled freely.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { buildApp } from './build-app.mjs';
import { coreBytesPlugin } from './core-bytes.mjs';
import { workerSourcePlugin } from './worker-source.mjs';

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  plugins: [workerSourcePlugin(), coreBytesPlugin()],
  logLevel: 'warning',
};

// --no-types: bundles only (the tests' global setup); --types-only: declarations only.
const withTypes = !process.argv.includes('--no-types');
const withBundles = !process.argv.includes('--types-only');
if (withBundles) await bundles();
if (withTypes) declarations();

async function bundles() {
  rmSync('dist', { recursive: true, force: true });

  // Node: dependencies stay external and are resolved from node_modules.
  const node = { ...common, platform: 'node', packages: 'external', outdir: 'dist' };
  await build({ ...node, entryPoints: existing({ index: 'src/index.ts', cli: 'src/cli.ts' }) });
  // The same library as CommonJS, for require('flipcert') on every Node ≥ 20 (require(esm) needs 20.19).
  await build({ ...node, format: 'cjs', entryPoints: { index: 'src/index.ts' }, outExtension: { '.js': '.cjs' } });

  // Browsers, edge runtimes: one self-contained file, no Node built-ins. Its Web
  // Worker is inlined; browser-worker.js is the same worker as a file, for
  // pages whose Content-Security-Policy forbids blob: workers (options.workerUrl).
  // lowlevel.js (no workers, no Node built-ins) is built the same way, so it runs anywhere.
  await build({ ...common, platform: 'browser', entryPoints: { browser: 'src/browser.ts', lowlevel: 'src/lowlevel.ts', represent: 'src/represent/install.ts' }, outdir: 'dist' });
  await build({ ...common, platform: 'browser', format: 'iife', minify: true, legalComments: 'none', entryPoints: { 'browser-worker': 'src/pool/browser-worker.ts' }, outdir: 'dist' });

  // The core as a file (`flipcert/wasm`, `flipcert/flipcert.wasm`), for runtimes that only instantiate
  // precompiled modules. In workerd's condition `flipcert/wasm` is dist/wasm.js, whose import of
  // './flipcert.wasm' wrangler's default rule (`**/*.wasm` → CompiledWasm) picks up.
  copyFileSync('build/flipcert.wasm', 'dist/flipcert.wasm');
  writeFileSync('dist/wasm.js', "export { default } from './flipcert.wasm';\n");

  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);

  // ---- Web app: dist/app/ (scripts/build-app.mjs) ---------------------------
  await buildApp();
  // ---------------------------------------------------------------------------
}

function declarations() {
  for (const [entry, out] of [['src/index.ts', 'dist/index.d.ts'], ['src/lowlevel.ts', 'dist/lowlevel.d.ts'], ['src/represent/install.ts', 'dist/represent.d.ts']]) {
    execFileSync('npx', ['dts-bundle-generator', '--silent', '--no-check', '-o', out, entry], { stdio: 'inherit' });
  }
  // The same declarations for the `require` condition (a .d.ts in a "type": "module" package reads as ESM).
  copyFileSync('dist/index.d.ts', 'dist/index.d.cts');
  // `flipcert/wasm`: what a bundler or runtime that compiles .wasm imports (wrangler, Vercel's `?module`) gives.
  writeFileSync(
    'dist/wasm.d.ts',
    "/** flipcert's compute core, compiled by the importing bundler or runtime: pass it as options.wasmModule. */\n" +
      'declare const wasmModule: WebAssembly.Module;\nexport default wasmModule;\n',
  );
  // `flipcert/browser-worker` is a classic worker script, used by URL (options.workerUrl): it exports nothing.
  writeFileSync('dist/browser-worker.d.ts', '/** A classic Web Worker script: serve it and pass its URL as options.workerUrl. */\nexport {};\n');
}

function existing(entries) {
  return Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
}
