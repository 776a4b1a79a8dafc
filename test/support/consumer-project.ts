// A consumer project, as a user of the published package would have it: the
// `npm pack` tarball of this checkout installed into a temporary directory
// (its dependencies from the npm cache, else the registry), then the same
// two entry files bundled by esbuild, Vite and webpack for browsers and by
// esbuild for Node. Nothing is copied by hand: whatever a bundler does not
// pick up by itself is missing, as it would be for a user.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';
import webpack from 'webpack';

const run = promisify(execFile);

/**
 * The browser bundles built, by output folder under `out/` (each has an
 * index.html). `esbuild-min` is the app of the size budget: the web entry
 * (certify alone) bundled and minified by esbuild with default settings.
 */
export const BROWSER_BUNDLES = ['esbuild-esm', 'esbuild-iife', 'esbuild-min', 'vite', 'webpack'] as const;
export type BrowserBundle = (typeof BROWSER_BUNDLES)[number];

/**
 * The Node programs built or written: the command line after `node`, run in
 * the project. The unbundled require runs without require(esm), as Node 20
 * before 20.19 does, so only a real CommonJS build can pass it.
 */
export const NODE_PROGRAMS: Record<string, string[]> = {
  'unbundled ESM (import)': ['src/node.mjs'],
  'unbundled CommonJS (require, no require(esm))': ['--no-experimental-require-module', 'src/node.cjs'],
  'esbuild ESM (platform node)': ['out/node/app.mjs'],
  'esbuild CommonJS (platform node)': ['out/node/app.cjs'],
};

/**
 * Browser entry: an app that only calls certify, exposed on globalThis (an
 * IIFE has no exports). The page counts Web Workers with a wrapper installed
 * before the bundle runs.
 */
const WEB_ENTRY = `import { certify } from 'flipcert';
globalThis.consumer = { certify };
`;

/** Node entry: certifies the JSON problem in argv[2] with 2 threads; prints the result and how many worker threads started. */
const nodeEntry = (load: string) => `${load}
let workers = 0;
process.on('worker', () => workers++);
const options = JSON.parse(readFileSync(process.argv[2], 'utf8'));
certify({ ...options, threads: 2 }).then((result) => process.stdout.write(JSON.stringify({ result, workers })));
`;

const COUNTING_PAGE = (script: string) => `<!doctype html>
<meta charset="utf-8">
<script>
  // Counts the Web Workers the bundle starts and stops.
  window.workers = { created: 0, terminated: 0 };
  window.Worker = class extends Worker {
    constructor(...args) { super(...args); workers.created++; }
    terminate() { workers.terminated++; super.terminate(); }
  };
</script>
${script}
`;

/** Type-checks against the packed declarations: ESM with lowlevel, and CommonJS with require. */
const TYPES_ESM = `import { certify, ntk, FlipcertError, type CertifyOptions, type CertifyResult, type NtkOptions } from 'flipcert';
import { createCore, compileCore, checkWasmSupport, Heap, type Core } from 'flipcert/lowlevel';
import wasmModule from 'flipcert/wasm';
import wasmFile from 'flipcert/flipcert.wasm';
import 'flipcert/browser-worker';
import { represent, type RepresentOptions, type RepresentResult } from 'flipcert/represent';
import pkg from 'flipcert/package.json' with { type: 'json' };
export const modules: WebAssembly.Module[] = [wasmModule, wasmFile];
export const version: string = pkg.version;
const options: CertifyOptions = { train: { x: [[0]], y: [0] }, test: { x: [[1]] }, wasmModule, workerUrl: new URL('https://x/w.js') };
export const result: Promise<CertifyResult> = certify(options);
export const kernel = ntk([[0]], undefined, { depth: 2 }, { wasmModule } satisfies NtkOptions);
export const core: Promise<Core> = compileCore(wasmModule).then(createCore);
export const heap: (core: Core) => Heap = (c) => c.heap;
export const code: string = new FlipcertError('m', 'EUNSUPPORTED').code;
export const represented: Promise<RepresentResult> = represent({ train: { x: [[0, 1], [1, 0]] }, represent: 'pca:dims=1' } satisfies RepresentOptions);
checkWasmSupport();
// @ts-expect-error -- threads is a number
certify({ ...options, threads: '2' });
`;
const TYPES_CJS = `import flipcert = require('flipcert');
export const result: Promise<flipcert.CertifyResult> = flipcert.certify({ train: { x: [[0]], y: [0] }, test: { x: [[1]] } });
`;
const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'],
    strict: true, noEmit: true, types: [], skipLibCheck: false, resolveJsonModule: true,
  },
  files: ['src/types.mts', 'src/types.cts'],
};

/** A result without its run metadata (time taken, threads used), as plain JSON: what every runtime must agree on. */
export function withoutRunMetadata(result: unknown): unknown {
  const plain = JSON.parse(JSON.stringify(result)) as { summary: object };
  return { ...plain, summary: { ...plain.summary, seconds: 0, threads: 0 } };
}

export interface ConsumerProject {
  dir: string;
  /** Bytes of each bundle's JavaScript, as is and gzipped (level 9), by path under out/. */
  sizes: Record<string, { bytes: number; gzipped: number }>;
}

/** Packs this checkout, installs it into a fresh project and builds every bundle. */
export async function buildConsumerProject(): Promise<ConsumerProject> {
  const dir = await installPackedPackage();
  writeFileSync(join(dir, 'src/web.js'), WEB_ENTRY);
  writeFileSync(join(dir, 'src/node.mjs'), nodeEntry(`import { readFileSync } from 'node:fs';\nimport { certify } from 'flipcert';`));
  writeFileSync(
    join(dir, 'src/node.cjs'),
    nodeEntry(`const { readFileSync } = require('node:fs');\nconst { certify } = require('flipcert');`),
  );
  writeFileSync(join(dir, 'src/types.mts'), TYPES_ESM);
  writeFileSync(join(dir, 'src/types.cts'), TYPES_CJS);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  await Promise.all([buildEsbuild(dir), buildVite(dir), buildWebpack(dir)]);
  return { dir, sizes: bundleSizes(join(dir, 'out')) };
}

/**
 * A fresh project (a temporary directory with a package.json and an empty
 * src/) with the `npm pack` tarball of this checkout installed, as a user
 * gets it; returns its directory.
 */
export async function installPackedPackage(): Promise<string> {
  await ensureDeclarations();
  const dir = mkdtempSync(join(tmpdir(), 'flipcert-consumer-'));
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir]);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `./${tarball}`],
    { cwd: dir },
  );
  mkdirSync(join(dir, 'src'));
  return dir;
}

async function buildEsbuild(dir: string): Promise<void> {
  const common = { absWorkingDir: dir, bundle: true, logLevel: 'warning' as const };
  await Promise.all([
    esbuild({ ...common, entryPoints: ['src/web.js'], format: 'esm', outfile: 'out/esbuild-esm/app.js' }),
    esbuild({ ...common, entryPoints: ['src/web.js'], format: 'iife', outfile: 'out/esbuild-iife/app.js' }),
    esbuild({ ...common, entryPoints: ['src/web.js'], format: 'esm', minify: true, outfile: 'out/esbuild-min/app.js' }),
    // keepNames wraps every function in a helper of the bundle's: the inlined workers cannot start (EWORKER says why).
    esbuild({ ...common, entryPoints: ['src/web.js'], format: 'esm', keepNames: true, outfile: 'out/esbuild-keepnames/app.js' }),
    esbuild({ ...common, entryPoints: ['src/node.mjs'], platform: 'node', format: 'esm', outfile: 'out/node/app.mjs' }),
    esbuild({ ...common, entryPoints: ['src/node.cjs'], platform: 'node', format: 'cjs', outfile: 'out/node/app.cjs' }),
  ]);
  writeFileSync(join(dir, 'out/esbuild-esm/index.html'), COUNTING_PAGE('<script type="module" src="app.js"></script>'));
  writeFileSync(join(dir, 'out/esbuild-iife/index.html'), COUNTING_PAGE('<script src="app.js"></script>'));
  writeFileSync(join(dir, 'out/esbuild-min/index.html'), COUNTING_PAGE('<script type="module" src="app.js"></script>'));
  writeFileSync(join(dir, 'out/esbuild-keepnames/index.html'), COUNTING_PAGE('<script type="module" src="app.js"></script>'));
}

/** A Vite app: index.html is the entry; Vite rewrites it and emits hashed assets. */
async function buildVite(dir: string): Promise<void> {
  const root = join(dir, 'vite');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), COUNTING_PAGE('<script type="module" src="../src/web.js"></script>'));
  await vite({
    root,
    base: './',
    configFile: false,
    logLevel: 'warn',
    build: { outDir: join(dir, 'out/vite'), emptyOutDir: true },
  });
}

/** webpack 5, production mode (minified), browser target. */
async function buildWebpack(dir: string): Promise<void> {
  const compiler = webpack({
    mode: 'production',
    context: dir,
    entry: './src/web.js',
    target: 'web',
    output: { path: join(dir, 'out/webpack'), filename: 'app.js' },
  });
  await new Promise<void>((resolve, reject) =>
    compiler.run((error, stats) => {
      compiler.close(() => {});
      if (error || !stats || stats.hasErrors()) reject(error ?? new Error(stats?.toString('errors-only')));
      else resolve();
    }),
  );
  writeFileSync(join(dir, 'out/webpack/index.html'), COUNTING_PAGE('<script src="app.js"></script>'));
}

/** Runs this checkout's TypeScript on the project's type checks (`tsc -p <config>`); rejects with its messages. */
export async function typeCheck(dir: string, config = 'tsconfig.json'): Promise<void> {
  await run(process.execPath, [join(process.cwd(), 'node_modules/typescript/bin/tsc'), '-p', join(dir, config)]).catch((error) => {
    throw new Error(`tsc failed in the consumer project:\n${error.stdout}${error.stderr}`);
  });
}

/**
 * The tests' global setup rebuilds bundles without declarations (they take
 * longest); the package needs them, so make them when missing or stale.
 */
async function ensureDeclarations(): Promise<void> {
  const files = ['dist/index.d.ts', 'dist/index.d.cts', 'dist/lowlevel.d.ts', 'dist/represent.d.ts', 'dist/wasm.d.ts', 'dist/browser-worker.d.ts'];
  const sources = readdirSync('src', { recursive: true, encoding: 'utf8' }).map((f) => statSync(join('src', f)).mtimeMs);
  const newestSource = Math.max(...sources);
  if (files.every((f) => existsSync(f) && statSync(f).mtimeMs > newestSource)) return;
  await run(process.execPath, ['scripts/build.mjs', '--types-only']);
}

function bundleSizes(out: string): ConsumerProject['sizes'] {
  const files = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(m|c)?js$/.test(f));
  return Object.fromEntries(
    files.map((f) => {
      const code = readFileSync(join(out, f));
      return [relative(out, join(out, f)), { bytes: code.length, gzipped: gzipSync(code, { level: 9 }).length }];
    }),
  );
}
