// The worker entries, each bundled into one self-contained script and handed
// over as text: the library bundles inline it (virtual:flipcert-worker/*), so
// that starting a worker never depends on locating a file next to the bundle.
// Shared by scripts/build.mjs and vitest.config.ts.
import { build } from 'esbuild';

export const WORKERS = {
  /** Web Worker: a classic script (no import/export), for Blob URLs and options.workerUrl. */
  browser: { entry: 'src/pool/browser-worker.ts', platform: 'browser', format: 'iife' },
  /** Node worker thread, started with `eval: true` (as CommonJS or as ESM: see src/pool/node-worker.ts). */
  node: { entry: 'src/pool/node-worker.ts', platform: 'node', format: 'iife' },
};

export const VIRTUAL_PREFIX = 'virtual:flipcert-worker/';

/** Bundles one worker; returns its code. */
export async function workerSource(kind) {
  const { entry, platform, format } = WORKERS[kind];
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform,
    format,
    target: 'es2022',
    // Whitespace and syntax only: names stay, so a worker's stack trace still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

/** esbuild plugin: `import source from 'virtual:flipcert-worker/<kind>'` gives that worker's code. */
export function workerSourcePlugin() {
  return {
    name: 'flipcert-worker-source',
    setup(build) {
      build.onResolve({ filter: /^virtual:flipcert-worker\// }, (args) => ({ path: args.path, namespace: 'flipcert-worker' }));
      build.onLoad({ filter: /.*/, namespace: 'flipcert-worker' }, async (args) => ({
        contents: `export default ${JSON.stringify(await workerSource(args.path.slice(VIRTUAL_PREFIX.length)))};`,
        loader: 'js',
      }));
    },
  };
}
